//! The live backend: the allowed operations through the AWS SDK for Rust.
//!
//! Credentials, region and endpoint come from the standard AWS chain (environment, profiles, SSO,
//! web identity, instance metadata), overridden by `--region`, `--profile` and `--endpoint-url`
//! as in the AWS CLI. Calls retry throttling and server errors (adaptively, unless
//! `AWS_RETRY_MODE=standard`), each attempt is bounded by a timeout, and a failed call becomes a
//! [`CallError`] with the AWS error code.

mod convert;
mod generated;

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::{Map, Value};

use crate::execute::{Backend, CallError};

/// How to reach AWS.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    /// Overrides the region of the environment or profile.
    pub region: Option<String>,
    /// A named profile of the AWS config files.
    pub profile: Option<String>,
    /// Sends every request to this endpoint (an emulator, a proxy).
    pub endpoint_url: Option<String>,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Whether retries also slow the client down after throttling (`adaptive`, the default) or
    /// only back off (`standard`); the AWS CLI's `AWS_RETRY_MODE`.
    pub adaptive_retries: bool,
    /// The longest one attempt may take.
    pub attempt_timeout: Duration,
    /// A role to assume with the credentials found (a fleet target of another account).
    pub assume_role: Option<AssumeRole>,
}

/// A role to assume: its ARN, the external ID its trust policy may ask for, a session name.
#[derive(Clone, Debug, Default)]
pub struct AssumeRole {
    /// The role's ARN.
    pub role_arn: String,
    /// The external ID, if the role's trust policy asks for one.
    pub external_id: Option<String>,
    /// The session name (default `ekscheck`).
    pub session_name: Option<String>,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            region: None,
            profile: None,
            endpoint_url: None,
            max_attempts: 5,
            adaptive_retries: true,
            attempt_timeout: Duration::from_secs(30),
            assume_role: None,
        }
    }
}

/// The variables the AWS SDK reads endpoints from: one for every service, and one for each
/// service ekscheck calls.
const ENDPOINT_VARIABLES: [&str; 8] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EKS",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_KMS",
    "AWS_ENDPOINT_URL_AUTO_SCALING",
    "AWS_ENDPOINT_URL_CLOUDFORMATION",
];

/// Checks the endpoint given with `--endpoint-url` and those of the environment (unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`): each must be an http or https URL with a
/// host. The SDK panics on an empty one, and a malformed one would fail every call; the error
/// names the flag or variable.
pub fn check_endpoints(flag: Option<&str>) -> Result<(), String> {
    let ignored = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|value| value.eq_ignore_ascii_case("true"));
    let from_environment = ENDPOINT_VARIABLES
        .iter()
        .filter(|_| !ignored)
        .filter_map(|name| Some((*name, std::env::var(name).ok()?)));
    let given = flag.map(|url| ("--endpoint-url", url.to_owned()));
    for (name, url) in given.into_iter().chain(from_environment) {
        if url.trim().is_empty() {
            return Err(format!("{name} is empty"));
        }
        match url::Url::parse(&url) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https")
                    && parsed.host_str().is_some_and(|host| !host.is_empty()) => {}
            Ok(_) => return Err(format!("{name} `{url}` is not an http or https URL")),
            Err(error) => return Err(format!("{name} `{url}` is not a URL: {error}")),
        }
    }
    Ok(())
}

/// One client per service, sharing one configuration.
pub(crate) struct Clients {
    eks: aws_sdk_eks::Client,
    ec2: aws_sdk_ec2::Client,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    kms: aws_sdk_kms::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    cloudformation: aws_sdk_cloudformation::Client,
}

/// Answers calls from AWS (or whatever `--endpoint-url` points at).
pub struct AwsBackend {
    clients: Clients,
    region: String,
    /// `--endpoint-url`, to name in a failure to connect.
    endpoint: Option<String>,
}

/// Forbids retrying a call whose connection could not be made (refused, or a name that does not
/// resolve): that is no throttling, and retrying it only delays the report by many seconds.
#[derive(Debug)]
struct Unreachable;

impl ClassifyRetry for Unreachable {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        match context.output_or_error() {
            Some(Err(error)) if error.as_connector_error().is_some_and(cannot_connect) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "Unreachable"
    }
}

/// Whether a connector error happened while connecting (not on an open connection).
fn cannot_connect(error: &ConnectorError) -> bool {
    error.is_io() && {
        let chain = convert::error_chain(error);
        chain.contains("tcp connect error") || chain.contains("dns error")
    }
}

impl AwsBackend {
    /// Loads the configuration; fails when no region or no credentials can be found.
    pub async fn connect(settings: &AwsSettings) -> Result<Self, String> {
        let retry = if settings.adaptive_retries {
            RetryConfig::adaptive()
        } else {
            RetryConfig::standard()
        };
        let retry = retry.with_max_attempts(settings.max_attempts.max(1));
        let timeouts = TimeoutConfig::builder()
            .operation_attempt_timeout(settings.attempt_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &settings.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let mut config = loader.load().await;
        if let Some(assume) = &settings.assume_role {
            let mut role = aws_config::sts::AssumeRoleProvider::builder(&assume.role_arn)
                .session_name(assume.session_name.as_deref().unwrap_or("ekscheck"))
                .configure(&config);
            if let Some(external_id) = &assume.external_id {
                role = role.external_id(external_id);
            }
            let provider = role.build().await;
            config = config
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }
        // Each client: the shared configuration, and no retries when the endpoint cannot be
        // reached at all.
        macro_rules! client {
            ($sdk:ident) => {
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(&config)
                        .retry_classifier(Unreachable)
                        .build(),
                )
            };
        }
        let region = config
            .region()
            .map(ToString::to_string)
            .filter(|region| !region.is_empty())
            .ok_or(
                "no AWS region: pass --region, set AWS_REGION, or set one in your AWS profile",
            )?;
        // Fail before any call when there are no credentials at all, rather than once per call.
        if let Some(provider) = config.credentials_provider() {
            provider
                .provide_credentials()
                .await
                .map_err(|error| format!("no AWS credentials: {}", DisplayErrorContext(&error)))?;
        }
        Ok(Self {
            clients: Clients {
                eks: client!(aws_sdk_eks),
                ec2: client!(aws_sdk_ec2),
                iam: client!(aws_sdk_iam),
                sts: client!(aws_sdk_sts),
                kms: client!(aws_sdk_kms),
                autoscaling: client!(aws_sdk_autoscaling),
                cloudformation: client!(aws_sdk_cloudformation),
            },
            region,
            endpoint: settings.endpoint_url.clone(),
        })
    }

    /// The region calls go to.
    pub fn region(&self) -> &str {
        &self.region
    }
}

impl Backend for AwsBackend {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
        let empty = Map::new();
        let params = convert::Params(params.as_object().unwrap_or(&empty));
        generated::call(&self.clients, api, &params)
            .await
            .map(Arc::new)
            .map_err(|mut error| {
                if let (Some(endpoint), "DispatchFailure") = (&self.endpoint, error.code.as_str()) {
                    error.message = error.message.replacen(
                        "the endpoint",
                        &format!("{endpoint} (--endpoint-url)"),
                        1,
                    );
                }
                error.noting_denied_action(api)
            })
    }
}
