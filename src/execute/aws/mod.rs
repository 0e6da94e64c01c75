//! The live backend: the allowed operations through the AWS SDK for Rust.
//!
//! Credentials, region and endpoint come from the standard AWS chain (environment, profiles, SSO,
//! web identity, instance metadata), overridden by `--region`, `--profile` and `--endpoint-url`
//! as in the AWS CLI. Calls retry throttling and server errors (adaptively, unless
//! `AWS_RETRY_MODE=standard`), each attempt is bounded by a timeout, and a failed call becomes a
//! [`CallError`] with the AWS error code.

mod convert;
mod generated;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::{Map, Value};

pub use convert::iso8601;

use super::backend::{Backend, CallError};

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
        }
    }
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
        let config = loader.load().await;
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
                eks: aws_sdk_eks::Client::new(&config),
                ec2: aws_sdk_ec2::Client::new(&config),
                iam: aws_sdk_iam::Client::new(&config),
                sts: aws_sdk_sts::Client::new(&config),
                kms: aws_sdk_kms::Client::new(&config),
                autoscaling: aws_sdk_autoscaling::Client::new(&config),
                cloudformation: aws_sdk_cloudformation::Client::new(&config),
            },
            region,
        })
    }

    /// The region calls go to.
    pub fn region(&self) -> &str {
        &self.region
    }
}

impl Backend for AwsBackend {
    async fn call(&self, api: &str, params: &Value) -> Result<Value, CallError> {
        let empty = Map::new();
        let params = convert::Params(params.as_object().unwrap_or(&empty));
        generated::call(&self.clients, api, &params)
            .await
            .map_err(|error| error.naming_denied_action(api))
    }
}

impl CallError {
    /// An operation the generated code does not know (cannot happen for a loaded pack).
    pub(crate) fn unregistered(service: &str, operation: &str) -> Self {
        Self::new(
            "UnknownOperation",
            format!("{service}:{operation} is not an operation ekscheck can call"),
        )
    }

    /// Adds the IAM action a denied call needs, so the fix is plain.
    fn naming_denied_action(mut self, api: &str) -> Self {
        let denied = [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
        ];
        if denied.contains(&self.code.as_str()) && !self.message.contains(api) {
            self.message = format!("{} (this check needs the IAM action {api})", self.message);
        }
        self
    }
}
