//! A run over a fleet (`--targets FILE`, `--cluster NAME…`, `--partition hash:M/N`): each
//! target's calls in an execution of its own, all at once, held to one shared budget; each
//! target's test names carry it (`PACK::SUITE::ID[ACCOUNT/REGION/CLUSTER/…]`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::args::RunArgs;
use super::output::CliError;
use super::session::{AnyBackend, Session, aws_settings};
use crate::diagnostic::Diagnostic;
use crate::engine::Selection;
use crate::engine::aws::{AssumeRole, AwsBackend};
use crate::engine::budget::{Budget, Budgeted, Unreachable, aws_rate};
use crate::evaluate::Outcome;
use crate::execute::{Backend, CallError};
use crate::plan::Plan;
use crate::targets::{self, Clusters, Credentials, Target, TargetGroup};

/// What a fleet run produced: each outcome with the index of its target.
pub(super) struct FleetRun {
    pub(super) targets: Vec<Target>,
    pub(super) outcomes: Vec<(Outcome, usize)>,
    pub(super) elapsed: Duration,
    pub(super) requests: usize,
}

/// Where one target's calls go.
enum TargetBackend<'a> {
    /// The run's recording, shared by every target.
    Shared(&'a AnyBackend),
    /// AWS, with the target's credentials and region.
    Aws(AwsBackend),
    /// Nowhere: the target's credentials or clusters could not be had.
    Unreachable(Unreachable),
}

impl Backend for TargetBackend<'_> {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
        match self {
            TargetBackend::Shared(backend) => backend.call(api, params).await,
            TargetBackend::Aws(backend) => backend.call(api, params).await,
            TargetBackend::Unreachable(backend) => backend.call(api, params).await,
        }
    }
}

/// The key of a target's backend: how its calls are signed, and where they go.
type BackendKey = (Credentials, String);

fn key(target: &Target) -> BackendKey {
    (target.credentials.clone(), target.region.clone())
}

/// Runs `selection` for every target of the fleet the command line names.
pub(super) fn run(
    plan: &Plan,
    args: &RunArgs,
    session: &Session,
    selection: &Selection,
) -> Result<FleetRun, CliError> {
    let groups = groups(args, session).map_err(CliError::invalid)?;
    let started = Instant::now();
    let (backends, accounts) = connect_all(args, session, &groups);
    // `clusters: all`, listed. Where they cannot be, one target `*` carries the reason.
    let mut unlisted: HashMap<BackendKey, TargetBackend> = HashMap::new();
    let mut fleet = targets::expand(&groups, |group, region| {
        let key = (group.credentials.clone(), region.to_owned());
        let listed = session
            .runtime
            .block_on(backends[&key].call("eks:ListClusters", &json!({})));
        match listed {
            Ok(listed) => listed["clusters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect(),
            Err(error) => {
                unlisted.insert(key, TargetBackend::Unreachable(Unreachable(error)));
                vec!["*".to_owned()]
            }
        }
    })
    .map_err(CliError::invalid)?;
    // A target of the base credentials' account is named after it once known.
    for target in fleet.iter_mut().filter(|target| target.account == "base") {
        target.account = accounts[&key(target)].clone();
    }
    if let Some(partition) = args.fleet.partition {
        fleet.retain(|target| partition.includes(&target.label()));
    }
    let vars: Vec<Vec<Value>> = fleet
        .iter()
        .map(|target| session.vars_for(plan, target))
        .collect::<Result<_, _>>()
        .map_err(CliError::invalid)?;
    // AWS's request rates hold for AWS, not for a recording.
    let budget = match session.backend {
        AnyBackend::Recording(..) => Budget::without_rates(session.limits.max_concurrency),
        AnyBackend::Aws(_) => Budget::new(session.limits.max_concurrency, aws_rate),
    };
    let target_backends: Vec<Budgeted<&TargetBackend>> = fleet
        .iter()
        .map(|target| {
            let inner = match unlisted.get(&key(target)) {
                Some(unreachable) if target.cluster == "*" => unreachable,
                _ => &backends[&key(target)],
            };
            Budgeted {
                inner,
                budget: Arc::clone(&budget),
                account: target.account.clone(),
                region: target.region.clone(),
            }
        })
        .collect();
    let targets = target_backends
        .iter()
        .zip(&vars)
        .map(|(backend, vars)| (vars.as_slice(), backend));
    let runs = session
        .runtime
        .block_on(selection.run_each(targets, session.limits, &session.overrides))
        .map_err(CliError::from)?;
    let mut outcomes = Vec::new();
    let mut requests = 0;
    for (index, run) in runs.into_iter().enumerate() {
        requests += run.execution.requests;
        let label = fleet[index].label();
        for mut outcome in run.outcomes {
            outcome.name.set_target(label.clone());
            outcomes.push((outcome, index));
        }
    }
    Ok(FleetRun {
        targets: fleet,
        outcomes,
        elapsed: started.elapsed(),
        requests,
    })
}

/// The groups of targets: the targets file's, and `--cluster`'s in the run's region.
fn groups(args: &RunArgs, session: &Session) -> Result<Vec<TargetGroup>, Vec<Diagnostic>> {
    let mut groups = match &args.fleet.targets {
        Some(path) => targets::load(path)?,
        None => Vec::new(),
    };
    if !args.fleet.clusters.is_empty() {
        let region =
            session.backend.region().ok_or_else(|| {
                vec![Diagnostic::unlocated("--cluster needs a region").with_help(
                    "pass --region, set AWS_REGION, or list regions in a --targets file",
                )]
            })?;
        groups.push(TargetGroup {
            account: None,
            credentials: Credentials::default(),
            regions: vec![region],
            clusters: Clusters::Named(args.fleet.clusters.clone()),
            location: None,
        });
    }
    Ok(groups)
}

/// One backend per credentials and region, and the account each signs for (the group's, or
/// the one `sts:GetCallerIdentity` names, or `base`).
fn connect_all<'a>(
    args: &RunArgs,
    session: &'a Session,
    groups: &[TargetGroup],
) -> (
    HashMap<BackendKey, TargetBackend<'a>>,
    HashMap<BackendKey, String>,
) {
    let mut backends = HashMap::new();
    let mut accounts = HashMap::new();
    for group in groups {
        for region in &group.regions {
            let key = (group.credentials.clone(), region.clone());
            if backends.contains_key(&key) {
                continue;
            }
            let backend = connect(args, session, &group.credentials, region);
            let account = group.account.clone().unwrap_or_else(|| {
                session
                    .runtime
                    .block_on(backend.call("sts:GetCallerIdentity", &json!({})))
                    .ok()
                    .and_then(|identity| identity["Account"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "base".to_owned())
            });
            accounts.insert(key.clone(), account);
            backends.insert(key, backend);
        }
    }
    (backends, accounts)
}

fn connect<'a>(
    args: &RunArgs,
    session: &'a Session,
    credentials: &Credentials,
    region: &str,
) -> TargetBackend<'a> {
    if let AnyBackend::Recording(..) = session.backend {
        return TargetBackend::Shared(&session.backend);
    }
    let mut settings = aws_settings(&args.backend);
    settings.region = Some(region.to_owned());
    if credentials.profile.is_some() {
        settings.profile = credentials.profile.clone();
    }
    settings.assume_role = credentials.role_arn.as_ref().map(|role_arn| AssumeRole {
        role_arn: role_arn.clone(),
        external_id: credentials.external_id.clone(),
        session_name: credentials.session_name.clone(),
    });
    match session.runtime.block_on(AwsBackend::connect(&settings)) {
        Ok(backend) => TargetBackend::Aws(backend),
        Err(message) => {
            TargetBackend::Unreachable(Unreachable(CallError::new("CredentialsError", message)))
        }
    }
}
