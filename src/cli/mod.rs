//! The command line: `ekscheck run`, `record`, `validate` and `policy`.

mod output;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use libtest_mimic::Arguments;

use crate::diagnostic::Diagnostic;
use crate::evaluate::{Outcome, Status, evaluate};
use crate::execute::aws::{AwsBackend, AwsSettings};
use crate::execute::recorder::Recorder;
use crate::execute::recording::RecordingBackend;
use crate::execute::{Backend, CallError, Execution, Limits, execute};
use crate::format::{Pack, load_packs};
use crate::plan::{CheckId, Plan};
use crate::redact::Redactor;
use crate::report;
use output::{Inputs, show};

/// Exit codes, as in the format specification.
pub mod exit {
    /// Every check passed (warnings allowed).
    pub const PASSED: u8 = 0;
    /// A check of severity `error` failed.
    pub const FAILED: u8 = 1;
    /// Invalid input (pack, command line, variables): nothing ran.
    pub const INVALID_INPUT: u8 = 2;
    /// No check failed, but some could not be decided.
    pub const ERRORS: u8 = 3;
}

/// Why won't my EKS nodes join? Declarative, shareable checks over read-only AWS calls.
#[derive(Debug, Parser)]
#[command(name = "ekscheck", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run packs and report like `cargo test` (and as JUnit XML).
    Run(RunArgs),
    /// Run packs and write every call they make as a recording, to replay offline and share.
    Record(RecordArgs),
    /// Check packs for every problem that can be found without calling AWS.
    Validate {
        /// Pack directories.
        #[arg(required = true, value_name = "PACK_DIR")]
        packs: Vec<PathBuf>,
    },
    /// Print the least-privilege IAM policy (JSON) that lets a role run these packs.
    Policy {
        /// Pack directories.
        #[arg(required = true, value_name = "PACK_DIR")]
        packs: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    backend: BackendArgs,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// libtest arguments: filters, --exact, --skip, --list, --format, --test-threads, …
    #[arg(last = true, value_name = "LIBTEST_ARGS")]
    libtest: Vec<String>,
}

#[derive(Debug, Args)]
struct RecordArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    backend: BackendArgs,
    /// The directory to write the recording to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace account IDs, IP addresses and host names, consistently.
    #[arg(long)]
    redact: bool,
}

/// The packs and the variables of a run.
#[derive(Debug, Args)]
struct InputArgs {
    /// Pack directories.
    #[arg(required = true, value_name = "PACK_DIR")]
    packs: Vec<PathBuf>,
    /// A variable for the packs, e.g. `--var cluster=demo`.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// A YAML file of variables (`name: value`).
    #[arg(long, value_name = "FILE")]
    vars_file: Option<PathBuf>,
}

/// Where calls are answered.
#[derive(Debug, Args)]
struct BackendArgs {
    /// Answer calls from a recording directory instead of AWS.
    #[arg(long, value_name = "DIR")]
    recording: Option<PathBuf>,
    /// AWS region (overrides the environment and profile).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// AWS named profile.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Send AWS requests to this endpoint (e.g. an emulator).
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// The most AWS requests in flight at once.
    #[arg(long, default_value_t = 32, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<usize>)]
    max_concurrency: usize,
    /// Attempts per AWS request (throttling and server errors are retried, adaptively).
    #[arg(long, default_value_t = 5, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<u32>)]
    max_attempts: u32,
    /// The longest one attempt of an AWS request may take, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", allow_negative_numbers = true, value_parser = at_least_one::<u64>)]
    call_timeout: u64,
    /// The most rows one fan-out (`for_each`) may have.
    #[arg(long, default_value_t = Limits::default().max_rows, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<usize>)]
    max_rows: usize,
    /// The largest response (or recorded call) a call may have, in megabytes.
    #[arg(long, default_value_t = Limits::default().max_response_bytes >> 20, value_name = "MB", allow_negative_numbers = true, value_parser = at_least_one::<u64>)]
    max_response_mb: u64,
}

impl BackendArgs {
    /// The limits of an execution.
    fn limits(&self) -> Limits {
        Limits {
            max_concurrency: self.max_concurrency,
            max_rows: self.max_rows,
            max_response_bytes: self.max_response_mb.saturating_mul(1 << 20),
        }
    }
}

/// A whole number of at least 1 (a count, or seconds), with a message of our own for others:
/// clap's advice for `-1` (`use '-- -1'`) would turn it into a libtest filter.
fn at_least_one<N: TryFrom<u64>>(text: &str) -> Result<N, String> {
    let number: i128 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if number < 1 {
        return Err(format!(
            "{number} is too small: give a whole number of at least 1"
        ));
    }
    u64::try_from(number)
        .ok()
        .and_then(|number| N::try_from(number).ok())
        .ok_or_else(|| format!("{number} is too large"))
}

impl InputArgs {
    /// What the run reads, which no output may overwrite: packs, the recording, the vars file.
    fn inputs(&self, backend: &BackendArgs) -> Inputs {
        let dirs = self
            .packs
            .iter()
            .chain(&backend.recording)
            .map(PathBuf::as_path);
        Inputs::new(dirs, self.vars_file.as_deref())
    }
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { packs } => validate(&packs),
        Command::Policy { packs } => policy(&packs),
        Command::Run(args) => run(args),
        Command::Record(args) => record(args),
    };
    ExitCode::from(code)
}

/// Loads and plans `dirs`, printing every problem; `None` if anything is invalid.
fn load(dirs: &[PathBuf]) -> Option<Vec<Pack>> {
    let (packs, mut diagnostics) = load_packs(dirs);
    if let Err(problems) = Plan::build(&packs) {
        diagnostics.extend(problems);
    }
    let failed = show(&diagnostics);
    (!failed).then_some(packs)
}

fn validate(dirs: &[PathBuf]) -> u8 {
    let Some(packs) = load(dirs) else {
        return exit::INVALID_INPUT;
    };
    let checks: usize = packs
        .iter()
        .flat_map(|p| &p.suites)
        .map(|s| s.checks.len())
        .sum();
    printed(&format!(
        "{} pack(s), {checks} check(s): valid\n",
        packs.len()
    ))
}

/// Prints `text`: exit code 0, or 2 if stdout could not be written (but was not closed).
fn printed(text: &str) -> u8 {
    match output::print(text) {
        Ok(()) => exit::PASSED,
        Err(output::WriteFailed) => exit::INVALID_INPUT,
    }
}

fn policy(dirs: &[PathBuf]) -> u8 {
    let Some(packs) = load(dirs) else {
        return exit::INVALID_INPUT;
    };
    let plan = Plan::build(&packs).expect("validated by load");
    let policy = serde_json::to_string_pretty(&least_privilege_policy(&plan)).unwrap_or_default();
    printed(&format!("{policy}\n"))
}

/// An IAM policy allowing exactly the operations the checks of `plan` call.
pub fn least_privilege_policy(plan: &Plan) -> serde_json::Value {
    let all: Vec<CheckId> = (0..plan.checks.len()).collect();
    let mut actions: Vec<&str> = plan
        .calls_needed(&all)
        .iter()
        .enumerate()
        .filter(|(_, needed)| **needed)
        .filter_map(|(id, _)| plan.calls[id].def.operation())
        .map(|operation| operation.api)
        .collect();
    actions.sort_unstable();
    actions.dedup();
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EkscheckReadOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*"
        }]
    })
}

/// What a run needs once its packs are loaded: the backend, the async runtime and each pack's
/// variables (resolved once the backend, and with it the region, is known).
struct Session {
    backend: AnyBackend,
    runtime: tokio::runtime::Runtime,
    vars: Vec<serde_json::Value>,
    limits: Limits,
}

impl Session {
    fn open(packs: &[Pack], input: &InputArgs, args: &BackendArgs) -> Result<Self, u8> {
        let (backend, runtime) = connect(args)?;
        let region = backend.region();
        let vars = crate::vars::resolve(
            packs,
            &input.vars,
            input.vars_file.as_deref(),
            region.as_deref(),
        )
        .map_err(|problems| {
            show(&problems);
            exit::INVALID_INPUT
        })?;
        let limits = args.limits();
        Ok(Self {
            backend,
            runtime,
            vars,
            limits,
        })
    }

    /// Makes the `needed` calls of `plan` through `backend` (the session's, or a wrapper of it).
    fn execute(&self, plan: &Plan, needed: &[bool], backend: &impl Backend) -> Execution {
        self.runtime
            .block_on(execute(plan, &self.vars, needed, backend, self.limits))
    }
}

/// The backend chosen on the command line.
enum AnyBackend {
    /// A recording, and the region given with `--region` (which wins over the recorded one).
    Recording(RecordingBackend, Option<String>),
    Aws(AwsBackend),
}

impl AnyBackend {
    /// The region calls go to (or, for a recording, were made in), if known.
    fn region(&self) -> Option<String> {
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
fn connect(args: &BackendArgs) -> Result<(AnyBackend, tokio::runtime::Runtime), u8> {
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

fn run(args: RunArgs) -> u8 {
    let Some(packs) = load(&args.input.packs) else {
        return exit::INVALID_INPUT;
    };
    let plan = Plan::build(&packs).expect("validated by load");
    let libtest = match libtest_arguments(&args.libtest) {
        Ok(libtest) => libtest,
        Err(problem) => {
            show(&[problem]);
            return exit::INVALID_INPUT;
        }
    };
    // Reports that cannot be written, or would overwrite an input, are invalid input, found
    // before anything runs.
    let inputs = args.input.inputs(&args.backend);
    let outputs = [
        ("--logfile", libtest.logfile.as_deref().map(Path::new)),
        ("--junit", args.junit.as_deref()),
    ];
    for (flag, path) in outputs {
        if let Some(path) = path
            && let Err(problem) = inputs.check_output(flag, path)
        {
            show(&[problem]);
            return exit::INVALID_INPUT;
        }
    }
    let selected: Vec<CheckId> = (0..plan.checks.len())
        .filter(|&id| {
            may_select(
                &libtest,
                &plan.checks[id].name,
                !plan.checks[id].fanout.is_empty(),
            )
        })
        .collect();
    if libtest.list {
        let names: Vec<String> = selected
            .iter()
            .map(|&id| plan.checks[id].name.clone())
            .collect();
        return match report::console::list(&libtest, &names)
            .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()))
        {
            Ok(()) => exit::PASSED,
            Err(output::WriteFailed) => exit::INVALID_INPUT,
        };
    }
    let session = match Session::open(&packs, &args.input, &args.backend) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let evaluated = plan.with_needed_checks(&selected);
    let needed = plan.calls_needed(&evaluated);
    let execution = session.execute(&plan, &needed, &session.backend);
    finish(
        &plan,
        &execution,
        &session.vars,
        &selected,
        &evaluated,
        &libtest,
        args.junit.as_deref(),
    )
}

fn record(args: RecordArgs) -> u8 {
    let Some(packs) = load(&args.input.packs) else {
        return exit::INVALID_INPUT;
    };
    let plan = Plan::build(&packs).expect("validated by load");
    // A directory that is an input, or cannot be made, is invalid input, found before any call.
    if let Err(problem) = args
        .input
        .inputs(&args.backend)
        .check_output_dir("--out", &args.out)
    {
        show(&[problem]);
        return exit::INVALID_INPUT;
    }
    if let Err(error) = std::fs::create_dir_all(&args.out) {
        show(&[Diagnostic::file(
            &args.out,
            format_args!("cannot write the recording: {error}"),
        )]);
        return exit::INVALID_INPUT;
    }
    let session = match Session::open(&packs, &args.input, &args.backend) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let all: Vec<CheckId> = (0..plan.checks.len()).collect();
    let recorder = Recorder::new(&session.backend, session.backend.region());
    session.execute(&plan, &plan.calls_needed(&all), &recorder);
    let mut redactor = args.redact.then(Redactor::new);
    match recorder.write(&args.out, redactor.as_mut()) {
        Ok(count) => printed(&format!(
            "recorded {count} call(s) in {}\n",
            args.out.display()
        )),
        Err(error) => {
            show(&[Diagnostic::file(
                &args.out,
                format_args!("cannot write the recording: {error}"),
            )]);
            exit::INVALID_INPUT
        }
    }
}

/// Evaluates, prints the console report, writes the JUnit report, and returns the exit code.
fn finish(
    plan: &Plan,
    execution: &Execution,
    vars: &[serde_json::Value],
    selected: &[CheckId],
    evaluated: &[CheckId],
    libtest: &Arguments,
    junit: Option<&Path>,
) -> u8 {
    let started = std::time::Instant::now();
    let outcomes: Vec<Outcome> = evaluate(plan, execution, vars, evaluated)
        .into_iter()
        .filter(|outcome| selected.contains(&outcome.check))
        .collect();
    let shown: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            !libtest.is_filtered_out(&libtest_mimic::Trial::test(o.name.clone(), || Ok(())))
        })
        .collect();
    let filtered: Vec<&str> = (0..plan.checks.len())
        .filter(|id| !selected.contains(id))
        .map(|id| plan.checks[id].name.as_str())
        .collect();
    let summary = report::console::RunSummary {
        elapsed: execution.elapsed + started.elapsed(),
        requests: execution.requests,
    };
    let printed = report::console::print(libtest, &outcomes, &filtered, summary)
        .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()));
    if let Some(path) = junit {
        let owned: Vec<Outcome> = shown.iter().map(|o| (*o).clone()).collect();
        let xml = report::junit::report(plan, &owned, execution.elapsed);
        let written = match xml.to_string() {
            Ok(xml) => output::write_file("--junit", path, xml.as_bytes()),
            Err(error) => {
                show(&[Diagnostic::unlocated(format!(
                    "--junit {}: {error}",
                    path.display()
                ))]);
                Err(output::WriteFailed)
            }
        };
        if written.is_err() {
            return exit::INVALID_INPUT;
        }
    }
    if printed.is_err() {
        return exit::INVALID_INPUT;
    }
    exit_code(shown.iter().copied())
}

/// The run's exit code from the outcomes that were reported.
pub fn exit_code<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> u8 {
    let mut code = exit::PASSED;
    for outcome in outcomes {
        if outcome.fails_run() {
            return exit::FAILED;
        }
        if matches!(outcome.status, Status::Undecided(_)) {
            code = exit::ERRORS;
        }
    }
    code
}

/// The libtest arguments given after `--`. The outcomes are decided before they are reported,
/// so `--test-threads` changes nothing (but 0 is refused, as by `cargo test`).
fn libtest_arguments(extra: &[String]) -> Result<Arguments, Diagnostic> {
    let args =
        Arguments::from_iter(std::iter::once("ekscheck".to_owned()).chain(extra.iter().cloned()));
    if args.test_threads == Some(0) {
        return Err(Diagnostic::unlocated(
            "-- --test-threads 0: the number of threads must be at least 1",
        ));
    }
    Ok(args)
}

/// Whether libtest's filters could select some row of a check, decided before any call is made.
/// Rows of a fanned-out check are named `NAME[LABEL]` with labels only known after the calls,
/// so a filter that might match a label keeps the check.
fn may_select(args: &Arguments, name: &str, fanned_out: bool) -> bool {
    if let Some(filter) = &args.filter {
        let possible = if args.exact {
            filter == name
                || (fanned_out && filter.starts_with(&format!("{name}[")) && filter.ends_with(']'))
        } else {
            name.contains(filter.as_str())
                || (fanned_out
                    && match filter.split_once('[') {
                        Some((head, _)) => name.ends_with(head),
                        None => true,
                    })
        };
        if !possible {
            return false;
        }
    }
    !args.skip.iter().any(|skip| {
        if args.exact {
            !fanned_out && skip == name
        } else {
            name.contains(skip.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> Arguments {
        libtest_arguments(&extra.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("valid arguments")
    }

    #[test]
    fn filters_decide_before_calls() {
        let name = "node-join::iam::cni";
        assert!(may_select(&args(&[]), name, false));
        assert!(may_select(&args(&["iam"]), name, false));
        assert!(!may_select(&args(&["network"]), name, false));
        assert!(may_select(&args(&["ng-b"]), name, true));
        assert!(may_select(&args(&["iam::cni[ng-b]"]), name, true));
        assert!(!may_select(&args(&["network::x[ng-b]"]), name, true));
        assert!(may_select(
            &args(&["--exact", "node-join::iam::cni[ng-b]"]),
            name,
            true
        ));
        assert!(!may_select(&args(&["--skip", "iam"]), name, true));
        assert!(may_select(&args(&["--skip", "network"]), name, true));
    }
}
