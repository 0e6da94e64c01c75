//! The command line: `ekscheck run`, `record`, `test`, `validate`, `list`, `ops`, `schema`, `new`,
//! `policy`, and `completions` and `man` for shells and `man`.

mod args;
mod discover;
mod fleet;
pub(crate) mod libtest;
mod new;
mod output;
mod pack_test;
mod session;
mod shell;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use libtest_mimic::Arguments;

use crate::diagnostic::Diagnostic;
use crate::engine::Selection;
use crate::evaluate::{Outcome, OutcomeKind};
use crate::execute::recording::Recorder;
use crate::plan::{CheckId, Plan};
use crate::report;
use crate::report::records::Row;
use crate::requires;
use args::{Cli, Command, RecordArgs, RunArgs};
use libtest::{filtered_out, libtest_arguments, may_select};
use output::{CliError, show};
use session::Session;

/// Exit codes, as in the format specification.
pub mod exit {
    /// Every check passed (warnings allowed).
    pub const PASSED: u8 = 0;
    /// A check of severity `error` failed.
    pub const FAILED: u8 = 1;
    /// Could not run, or could not report: invalid input found before any call (pack, command
    /// line, variables, recording, an output path); a run beyond `--max-outcomes` (after the
    /// calls, before any check is decided); or, after the run, a report, the recording or stdout
    /// that could not be written. Then the results are printed first, and 2 replaces the 0, 1 or
    /// 3 they would give.
    pub const INVALID_INPUT: u8 = 2;
    /// No check failed, but some could not be decided.
    pub const ERRORS: u8 = 3;
}

/// Runs the command line and returns the process exit code; a command that stops early returns
/// a `CliError`, whose problems are printed here, once.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // What loading compiles, the run reuses (a `select` query is compiled once, not per call).
    let _memo = crate::memo::Memo::enter();
    let ran = match cli.command {
        Command::Validate { packs, locked } => with_plan(&packs, locked, validate),
        Command::Policy { packs } => with_plan(&packs, false, policy),
        Command::Test(args) => pack_test::test(&args),
        Command::New { dir } => new::new(&dir),
        Command::MergeJunit { inputs, output } => merge_junit(&inputs, &output),
        Command::Ops { name } => discover::ops(name.as_deref()),
        Command::Schema { kind } => discover::schema(&kind),
        Command::List { packs, json } => {
            with_plan(&packs, false, |plan| discover::list(plan, json))
        }
        Command::Run(args) => with_plan(&args.input.packs, args.input.locked, |plan| {
            run(plan, &args)
        }),
        Command::Record(args) => with_plan(&args.input.packs, args.input.locked, |plan| {
            record(plan, &args)
        }),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
    };
    match ran {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            show(&error.problems);
            ExitCode::from(error.exit)
        }
    }
}

/// Loads `dirs` and the packs they require (as their locks say, with `locked`), plans them,
/// prints every problem of both stages at once, and goes on with the plan (`then`) only if there
/// is none.
fn with_plan(
    dirs: &[PathBuf],
    locked: bool,
    then: impl FnOnce(&Plan) -> Result<u8, CliError>,
) -> Result<u8, CliError> {
    let (packs, mut diagnostics) = requires::load(dirs, locked);
    let plan = Plan::build(&packs)
        .map_err(|problems| diagnostics.extend(problems))
        .ok();
    match plan {
        Some(plan) if !diagnostics.iter().any(Diagnostic::is_error) => {
            // The warnings, before the command's own output.
            show(&diagnostics);
            then(&plan)
        }
        _ => Err(CliError::invalid(diagnostics)),
    }
}

fn validate(plan: &Plan) -> Result<u8, CliError> {
    printed(&format!(
        "{} pack(s), {} check(s): valid\n",
        plan.packs.len(),
        plan.checks.len()
    ))
}

/// Prints `text`: exit code 0, or 2 if stdout could not be written (but was not closed).
fn printed(text: &str) -> Result<u8, CliError> {
    output::print(text).map(|()| exit::PASSED)
}

fn policy(plan: &Plan) -> Result<u8, CliError> {
    let policy = serde_json::to_string_pretty(&least_privilege_policy(plan)).unwrap_or_default();
    printed(&format!("{policy}\n"))
}

/// An IAM policy allowing exactly the operations the checks of `plan` call.
fn least_privilege_policy(plan: &Plan) -> serde_json::Value {
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

fn run(plan: &Plan, args: &RunArgs) -> Result<u8, CliError> {
    let libtest = match libtest_arguments(&args.libtest) {
        Ok(libtest) => libtest,
        Err(problem) => {
            return Err(CliError::from(problem));
        }
    };
    if args.fleet.partition.is_some() && !args.fleet.is_fleet() {
        return Err(CliError::from(
            Diagnostic::unlocated("--partition shares out a fleet's targets, and there is none")
                .with_help("add --targets FILE or --cluster NAME"),
        ));
    }
    // Reports that cannot be written, or would overwrite an input, are invalid input, found
    // before anything runs.
    let inputs = args
        .input
        .inputs(&args.backend, plan, args.fleet.targets.as_deref());
    let outputs = [
        ("--logfile", libtest.logfile.as_deref().map(Path::new)),
        ("--junit", args.junit.as_deref()),
        ("--json", args.json.as_deref()),
    ];
    for (flag, path) in outputs {
        if let Some(path) = path
            && let Err(problem) = inputs.check_output(flag, path)
        {
            return Err(CliError::from(problem));
        }
    }
    let selected: Vec<CheckId> = (0..plan.checks.len())
        .filter(|&id| {
            // In a fleet every check has rows: one per target at least.
            may_select(
                &libtest,
                &plan.checks[id].name,
                args.fleet.is_fleet() || !plan.checks[id].fanout.is_empty(),
            )
        })
        .collect();
    if libtest.list {
        let names: Vec<String> = selected
            .iter()
            .map(|&id| plan.checks[id].name.clone())
            .collect();
        return report::console::list(&libtest, &names)
            .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()))
            .map(|()| exit::PASSED);
    }
    let session = Session::open(plan, &args.input, &args.backend, args.fleet.is_fleet())?;
    let selection = Selection::new(plan, &selected);
    if args.fleet.is_fleet() {
        let fleet = fleet::run(plan, args, &session, &selection)?;
        let rows: Vec<Row> = fleet
            .outcomes
            .iter()
            .map(|(outcome, target)| (outcome, Some(&fleet.targets[*target])))
            .collect();
        let summary = report::console::RunSummary {
            elapsed: fleet.elapsed,
            requests: fleet.requests,
        };
        return finish(plan, &rows, &selected, summary, &libtest, args);
    }
    let run = session
        .runtime
        .block_on(selection.run(
            &session.vars,
            &session.backend,
            session.limits,
            &session.overrides,
        ))
        .map_err(CliError::from)?;
    let rows: Vec<Row> = run.outcomes.iter().map(|outcome| (outcome, None)).collect();
    let summary = report::console::RunSummary {
        elapsed: run.elapsed,
        requests: run.execution.requests,
    };
    finish(plan, &rows, &selected, summary, &libtest, args)
}

fn record(plan: &Plan, args: &RecordArgs) -> Result<u8, CliError> {
    // A directory that is an input, or cannot be made, is invalid input, found before any call.
    if let Err(problem) = args
        .input
        .inputs(&args.backend, plan, None)
        .check_output_dir("--out", &args.out)
    {
        return Err(CliError::from(problem));
    }
    if let Err(error) = std::fs::create_dir_all(&args.out) {
        return Err(CliError::from(Diagnostic::file(
            &args.out,
            format_args!("cannot write the recording: {error}"),
        )));
    }
    let session = Session::open(plan, &args.input, &args.backend, false)?;
    let all: Vec<CheckId> = (0..plan.checks.len()).collect();
    let recorder = Recorder::new(&session.backend, session.backend.region());
    session.runtime.block_on(Selection::new(plan, &all).execute(
        &session.vars,
        &recorder,
        session.limits,
    ));
    match recorder.write(&args.out, args.redact) {
        Ok(count) => printed(&format!(
            "recorded {count} call(s) in {}\n",
            args.out.display()
        )),
        Err(error) => Err(CliError::from(Diagnostic::file(
            &args.out,
            format_args!("cannot write the recording: {error}"),
        ))),
    }
}

/// Prints the console report, writes the reports asked for (JUnit, JSON records, GitHub's job
/// summary), and returns the exit code.
fn finish(
    plan: &Plan,
    rows: &[Row],
    selected: &[CheckId],
    summary: report::console::RunSummary,
    libtest: &Arguments,
    args: &RunArgs,
) -> Result<u8, CliError> {
    let shown: Vec<Row> = rows
        .iter()
        .filter(|(outcome, _)| !filtered_out(libtest, outcome.name.as_str()))
        .copied()
        .collect();
    // Checks the filters ruled out before any call count as filtered out, as in `cargo test`.
    let unselected = plan.checks.len() - selected.len();
    let filtered_out = rows.len() - shown.len() + unselected;
    let outcomes: Vec<&Outcome> = shown.iter().map(|(outcome, _)| *outcome).collect();
    let printed = report::console::print(libtest, &outcomes, filtered_out, summary)
        .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()));
    // The report files are written even when stdout fails; the first file that cannot be
    // written ends the run.
    let written = write_reports(plan, &shown, summary, args);
    match (printed, written) {
        (Err(stdout), files) => Err(stdout.then(files.err())),
        (Ok(()), Err(files)) => Err(files),
        (Ok(()), Ok(())) => Ok(exit_code(shown.iter().map(|(outcome, _)| *outcome))),
    }
}

/// Writes the report files asked for: JUnit, JSON records, GitHub's job summary.
fn write_reports(
    plan: &Plan,
    shown: &[Row],
    summary: report::console::RunSummary,
    args: &RunArgs,
) -> Result<(), CliError> {
    if let Some(path) = &args.junit {
        let outcomes = shown.iter().map(|(outcome, _)| *outcome);
        let report = report::junit::report(plan, outcomes, summary.elapsed);
        output::write_junit(path, &report)?;
    }
    if let Some(path) = &args.json {
        let lines = report::records::json_lines(plan, shown);
        output::write_file("--json", path, lines.as_bytes())?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let table = report::records::step_summary(shown);
        output::append_file("GITHUB_STEP_SUMMARY", Path::new(&path), table.as_bytes())?;
    }
    Ok(())
}

/// `ekscheck merge-junit A.xml B.xml … -o ALL.xml`; a fleet's report may be large. Each input is
/// read, checked and copied before the next is read; nothing is written if one is invalid.
fn merge_junit(inputs: &[PathBuf], output: &Path) -> Result<u8, CliError> {
    const REPORT_LIMIT: u64 = 1 << 30;
    let given = output::Inputs::new([], inputs.iter().map(PathBuf::as_path));
    if let Err(problem) = given.check_output("--output", output) {
        return Err(CliError::from(problem));
    }
    let mut merger = report::merge::Merger::default();
    for path in inputs {
        let added =
            crate::input::read_text(path, REPORT_LIMIT).and_then(|text| merger.add(path, text));
        if let Err(problem) = added {
            return Err(CliError::from(problem));
        }
    }
    output::write_file("--output", output, merger.finish().as_bytes()).map(|()| exit::PASSED)
}

/// The run's exit code from the outcomes that were reported.
fn exit_code<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> u8 {
    let mut code = exit::PASSED;
    for outcome in outcomes {
        if outcome.fails_run() {
            return exit::FAILED;
        }
        if outcome.status.kind() == OutcomeKind::Error {
            code = exit::ERRORS;
        }
    }
    code
}
