//! What a run needs once its packs are planned: the async runtime, the backend (a recording, or
//! AWS), the team's overrides and each pack's variables.

use std::time::Duration;

use super::args::{BackendArgs, InputArgs};
use super::exit;
use super::output::show;
use crate::diagnostic::Diagnostic;
use crate::execute::aws::{AwsBackend, AwsSettings};
use crate::execute::recording::RecordingBackend;
use crate::execute::{Backend, CallError, Execution, Limits, execute};
use crate::overrides::Overrides;
use crate::plan::Plan;
use crate::vars;

/// What a run needs once its packs are loaded: the backend, the async runtime and each pack's
/// variables (resolved once the backend, and with it the region, is known).
pub(super) struct Session {
    pub(super) backend: AnyBackend,
    pub(super) runtime: tokio::runtime::Runtime,
    pub(super) vars: Vec<serde_json::Value>,
    /// The team's overrides of severities and skips.
    pub(super) overrides: Overrides,
    pub(super) limits: Limits,
}

impl Session {
    pub(super) fn open(plan: &Plan, input: &InputArgs, args: &BackendArgs) -> Result<Self, u8> {
        let invalid = |problems: Vec<Diagnostic>| {
            show(&problems);
            exit::INVALID_INPUT
        };
        let overrides =
            Overrides::load(plan, &input.overrides, input.vars_file.as_deref()).map_err(invalid)?;
        let (backend, runtime) = connect(args)?;
        let region = backend.region();
        // The vars file wins over the overrides' variables (found first).
        let mut problems = Vec::new();
        let mut given = match &input.vars_file {
            Some(path) => vars::read_vars_file(path, &mut problems),
            None => Vec::new(),
        };
        given.extend(overrides.vars.iter().cloned());
        let vars =
            vars::resolve_given(plan.packs, &input.vars, &given, region.as_deref(), problems)
                .map_err(invalid)?;
        let limits = args.limits();
        Ok(Self {
            backend,
            runtime,
            vars,
            overrides,
            limits,
        })
    }

    /// Makes the `needed` calls of `plan` through `backend` (the session's, or a wrapper of it).
    pub(super) fn execute(
        &self,
        plan: &Plan,
        needed: &[bool],
        backend: &impl Backend,
    ) -> Execution {
        self.runtime
            .block_on(execute(plan, &self.vars, needed, backend, self.limits))
    }
}

/// The backend chosen on the command line.
pub(super) enum AnyBackend {
    /// A recording, and the region given with `--region` (which wins over the recorded one).
    Recording(RecordingBackend, Option<String>),
    Aws(AwsBackend),
}

impl AnyBackend {
    /// The region calls go to (or, for a recording, were made in), if known.
    pub(super) fn region(&self) -> Option<String> {
        match self {
            AnyBackend::Recording(backend, region) => region
                .clone()
                .or_else(|| backend.region().map(str::to_owned)),
            AnyBackend::Aws(backend) => Some(backend.region().to_owned()),
        }
    }
}

impl Backend for AnyBackend {
    async fn call(
        &self,
        api: &str,
        params: &serde_json::Value,
    ) -> Result<std::sync::Arc<serde_json::Value>, CallError> {
        match self {
            AnyBackend::Recording(backend, _) => backend.call(api, params).await,
            AnyBackend::Aws(backend) => backend.call(api, params).await,
        }
    }
}

/// The async runtime and the backend of a run: a recording, or AWS.
pub(super) fn connect(args: &BackendArgs) -> Result<(AnyBackend, tokio::runtime::Runtime), u8> {
    let runtime = tokio::runtime::Runtime::new().map_err(|error| {
        show(&[Diagnostic::unlocated(format!(
            "cannot start the async runtime: {error}"
        ))]);
        exit::INVALID_INPUT
    })?;
    let backend = match &args.recording {
        Some(recording) => RecordingBackend::load(recording, args.limits().max_response_bytes)
            .map(|backend| AnyBackend::Recording(backend, args.region.clone()))
            .map_err(|problems| show(&problems)),
        None => {
            let settings = AwsSettings {
                region: args.region.clone(),
                profile: args.profile.clone(),
                endpoint_url: args.endpoint_url.clone(),
                max_attempts: args.max_attempts,
                // As in the AWS CLI; but adaptive unless told otherwise.
                adaptive_retries: std::env::var("AWS_RETRY_MODE").as_deref() != Ok("standard"),
                attempt_timeout: Duration::from_secs(args.call_timeout.max(1)),
            };
            runtime
                .block_on(AwsBackend::connect(&settings))
                .map(AnyBackend::Aws)
                .map_err(|message| {
                    show(&[Diagnostic::unlocated(message).with_help(
                        "ekscheck finds credentials and region as the AWS CLI does; \
                         or pass --recording DIR to run offline",
                    )])
                })
        }
    };
    backend
        .map(|backend| (backend, runtime))
        .map_err(|_| exit::INVALID_INPUT)
}
