//! What a run needs once its packs are planned: the async runtime, the backend (a recording, or
//! AWS), the team's overrides and each pack's variables.

use std::time::Duration;

use super::args::{BackendArgs, InputArgs};
use super::output::CliError;
use crate::diagnostic::Diagnostic;
use crate::engine::aws::{AwsBackend, AwsSettings, check_endpoints};
use crate::execute::recording::RecordingBackend;
use crate::execute::{Backend, CallError, Limits};
use crate::overrides::Overrides;
use crate::plan::Plan;
use crate::targets::Target;
use crate::vars::{self, VarsFile};

/// What a run needs once its packs are loaded: the backend, the async runtime and each pack's
/// variables (resolved once the backend, and with it the region, is known).
pub(super) struct Session {
    pub(super) backend: AnyBackend,
    pub(super) runtime: tokio::runtime::Runtime,
    pub(super) vars: Vec<serde_json::Value>,
    /// The team's overrides of severities and skips.
    pub(super) overrides: Overrides,
    pub(super) limits: Limits,
    /// The variables of the vars file and the overrides, for [`Session::vars_for`].
    given: Vec<vars::FileVar>,
    /// `--var`s, for [`Session::vars_for`].
    cli: Vec<(String, String)>,
}

impl Session {
    /// Reads the overrides, connects the backend and resolves the variables (but for a fleet,
    /// whose targets give some of them: see [`Session::vars_for`]).
    pub(super) fn open(
        plan: &Plan,
        input: &InputArgs,
        args: &BackendArgs,
        fleet: bool,
    ) -> Result<Self, CliError> {
        // The vars file is read once: the overrides under its `overrides:`, then its variables.
        let mut problems = Vec::new();
        let vars_file = input.vars_file.as_deref().and_then(|path| {
            VarsFile::read(path)
                .map_err(|problem| problems.push(problem))
                .ok()
        });
        let inline = vars_file.as_ref().and_then(VarsFile::overrides);
        let overrides = match Overrides::load(plan, &input.overrides, inline) {
            Ok(overrides) if problems.is_empty() => overrides,
            Ok(_) => return Err(CliError::invalid(problems)),
            Err(more) => return Err(CliError::invalid([problems, more].concat())),
        };
        let (backend, runtime) = connect(args)?;
        let region = backend.region();
        // The vars file wins over the overrides' variables (found first).
        let mut given = match vars_file.map(|file| file.vars()) {
            Some(Ok(vars)) => vars,
            Some(Err(problem)) => {
                problems.push(problem);
                Vec::new()
            }
            None => Vec::new(),
        };
        given.extend(overrides.vars.iter().cloned());
        let vars = if fleet {
            Vec::new()
        } else {
            vars::resolve_given(plan.packs, &input.vars, &given, region.as_deref(), problems)
                .map_err(CliError::invalid)?
        };
        let limits = args.limits();
        Ok(Self {
            backend,
            runtime,
            vars,
            overrides,
            limits,
            given,
            cli: input.vars.clone(),
        })
    }

    /// The packs' variables for one target of a fleet: its `cluster`, `region` and `account`
    /// (for the packs that declare them) win over everything else.
    pub(super) fn vars_for(
        &self,
        plan: &Plan,
        target: &Target,
    ) -> Result<Vec<serde_json::Value>, Vec<Diagnostic>> {
        let declared = |name: &str| {
            plan.packs
                .iter()
                .any(|pack| pack.vars.iter().any(|var| var.name == name))
        };
        let mut cli = self.cli.clone();
        for (name, value) in [
            ("cluster", &target.cluster),
            ("region", &target.region),
            ("account", &target.account),
        ] {
            if declared(name) {
                cli.push((name.to_owned(), value.clone()));
            }
        }
        vars::resolve_given(
            plan.packs,
            &cli,
            &self.given,
            Some(&target.region),
            Vec::new(),
        )
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

/// The async runtime `builder` makes, with the timers and I/O a backend needs.
pub(super) fn runtime(
    builder: &mut tokio::runtime::Builder,
) -> Result<tokio::runtime::Runtime, CliError> {
    builder.enable_all().build().map_err(|error| {
        CliError::from(Diagnostic::unlocated(format!(
            "cannot start the async runtime: {error}"
        )))
    })
}

/// The async runtime and the backend of a run: a recording, or AWS.
pub(super) fn connect(
    args: &BackendArgs,
) -> Result<(AnyBackend, tokio::runtime::Runtime), CliError> {
    let runtime = runtime(&mut tokio::runtime::Builder::new_multi_thread())?;
    let backend = match &args.recording {
        Some(recording) => RecordingBackend::load(recording, args.limits().max_response_bytes)
            .map(|backend| AnyBackend::Recording(backend, args.region.clone()))
            .map_err(CliError::invalid),
        None if let Err(problem) = check_endpoints(args.endpoint_url.as_deref()) => {
            Err(CliError::from(Diagnostic::unlocated(problem).with_help(
                "give the endpoint's URL (e.g. `https://eks.eu-west-1.amazonaws.com`), or leave \
                 it out to use AWS's own",
            )))
        }
        None => {
            let settings = aws_settings(args);
            runtime
                .block_on(AwsBackend::connect(&settings))
                .map(AnyBackend::Aws)
                .map_err(|message| {
                    CliError::from(Diagnostic::unlocated(message).with_help(
                        "ekscheck finds credentials and region as the AWS CLI does; \
                         or pass --recording DIR to run offline",
                    ))
                })
        }
    };
    backend.map(|backend| (backend, runtime))
}

/// The AWS settings the command line gives.
pub(super) fn aws_settings(args: &BackendArgs) -> AwsSettings {
    AwsSettings {
        region: args.region.clone(),
        profile: args.profile.clone(),
        endpoint_url: args.endpoint_url.clone(),
        max_attempts: args.max_attempts,
        // As in the AWS CLI; but adaptive unless told otherwise.
        adaptive_retries: std::env::var("AWS_RETRY_MODE").as_deref() != Ok("standard"),
        attempt_timeout: Duration::from_secs(args.call_timeout.max(1)),
        assume_role: None,
    }
}
