//! `ekscheck test PACK…`: each pack's own cases (`PACK/tests/CASE/`), run offline on their
//! recordings and compared with their `expect.yaml`.

use std::time::Instant;

use super::args::TestArgs;
use super::exit;
use super::libtest::{filtered_out, libtest_arguments};
use super::output::{self, CliError, Inputs, show};
use super::session;
use crate::diagnostic::Diagnostic;
use crate::engine::Selection;
use crate::execute::Limits;
use crate::execute::recording::RecordingBackend;
use crate::format::Pack;
use crate::overrides::Overrides;
use crate::pack_test::{Case, compare, load_cases};
use crate::plan::{CheckId, Plan};
use crate::report;
use crate::report::pack_test::CaseResult;
use crate::requires;
use crate::vars;

/// Runs the cases of every pack in `args`; exit code 1 when a case differs from what it expects.
pub(super) fn test(args: &TestArgs) -> Result<u8, CliError> {
    let libtest = match libtest_arguments(&args.libtest) {
        Ok(libtest) => libtest,
        Err(problem) => {
            return Err(CliError::from(problem));
        }
    };
    // Every pack, plan and case is read before any case runs, and every problem shown at once.
    let mut problems = Vec::new();
    let packs: Vec<Vec<Pack>> = args
        .packs
        .iter()
        .map(|dir| {
            let (packs, found) = requires::load(std::slice::from_ref(dir), args.locked);
            problems.extend(found);
            packs
        })
        .collect();
    let plans: Vec<Plan> = packs
        .iter()
        .filter_map(|packs| {
            Plan::build(packs)
                .map_err(|found| problems.extend(found))
                .ok()
        })
        .collect();
    // Cases are read only of packs that load.
    if problems.iter().any(Diagnostic::is_error) || plans.len() < args.packs.len() {
        return Err(CliError::invalid(problems));
    }
    // The report may overwrite none of the packs, nor of those they require.
    if let Some(path) = &args.junit {
        let inputs = plans.iter().fold(
            Inputs::new(args.packs.iter().map(|p| p.as_path()), []),
            |inputs, plan| inputs.with_packs(plan.packs),
        );
        if let Err(problem) = inputs.check_output("--junit", path) {
            return Err(CliError::from(problem));
        }
    }
    // The cases of each pack given (the first of its plan; the packs it requires are tested
    // on their own). A pack without any is said so: "0 tests, ok" would read as a pass.
    let mut cases: Vec<(&Plan, Case)> = Vec::new();
    for plan in &plans {
        let before = problems.len();
        let found = load_cases(plan, 0, &mut problems);
        if found.is_empty() && problems.len() == before {
            problems.push(Diagnostic {
                level: crate::diagnostic::Level::Warning,
                ..Diagnostic::file(&plan.packs[0].dir, "has no test cases (tests/CASE/)")
                    .with_help("add tests/CASE/expect.yaml and tests/CASE/recording/: `ekscheck new` writes one")
            });
        }
        cases.extend(found.into_iter().map(|case| (plan, case)));
    }
    if problems.iter().any(Diagnostic::is_error) {
        return Err(CliError::invalid(problems));
    }
    show(&problems);
    let names: Vec<String> = cases
        .iter()
        .map(|(_, case)| case.name.to_string())
        .collect();
    if libtest.list {
        return report::console::list(&libtest, &names)
            .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()))
            .map(|()| exit::PASSED);
    }
    let runtime = session::runtime(&mut tokio::runtime::Builder::new_current_thread())?;
    let started = Instant::now();
    let mut requests = 0;
    let mut results = Vec::new();
    for (plan, case) in &cases {
        if filtered_out(&libtest, case.name.as_str()) {
            continue;
        }
        match run_case(plan, case, &runtime) {
            Ok((result, made)) => {
                requests += made;
                results.push(result);
            }
            Err(problems) => {
                return Err(CliError::invalid(problems));
            }
        }
    }
    let summary = report::console::RunSummary {
        elapsed: started.elapsed(),
        requests,
    };
    let filtered_out = cases.len() - results.len();
    let printed = report::console::print(&libtest, &results, filtered_out, summary)
        .or_else(|error| output::stdout_failed(&error.to_string(), error.kind()));
    let written = match &args.junit {
        Some(path) => {
            output::write_junit(path, &report::pack_test::junit(&results, summary.elapsed))
        }
        None => Ok(()),
    };
    match (printed, written) {
        (Err(stdout), junit) => Err(stdout.then(junit.err())),
        (Ok(()), Err(junit)) => Err(junit),
        (Ok(()), Ok(())) if results.iter().all(|result| result.mismatches.is_empty()) => {
            Ok(exit::PASSED)
        }
        (Ok(()), Ok(())) => Ok(exit::FAILED),
    }
}

/// Runs one case on its recording; returns how it went and the requests it made, or why it
/// could not run (its recording or variables are invalid).
fn run_case(
    plan: &Plan,
    case: &Case,
    runtime: &tokio::runtime::Runtime,
) -> Result<(CaseResult, usize), Vec<Diagnostic>> {
    let started = Instant::now();
    let limits = Limits::default();
    let backend = RecordingBackend::load(&case.recording, limits.max_response_bytes)?;
    // A variable the case does not give is missing from its `vars:`.
    let vars = vars::resolve_given(plan.packs, &[], &case.vars, backend.region(), Vec::new())
        .map_err(|problems| {
            problems
                .into_iter()
                .map(|problem| match problem.location {
                    Some(_) => problem,
                    None => Diagnostic::file(&case.file, &problem.message)
                        .with_help("give it under `vars:` in this file"),
                })
                .collect::<Vec<_>>()
        })?;
    // The pack's checks, decided with those they need (of packs it requires, too).
    let checks: Vec<CheckId> = (0..plan.checks.len())
        .filter(|&id| plan.checks[id].pack == case.pack)
        .collect();
    let run = runtime
        .block_on(Selection::new(plan, &checks).run(&vars, &backend, limits, &Overrides::default()))
        .map_err(|problem| vec![problem])?;
    let mismatches = compare(case, &run.outcomes, report::text::details);
    let result = CaseResult {
        name: case.name.clone(),
        pack: plan.packs[case.pack].name.clone(),
        mismatches,
        elapsed: started.elapsed(),
    };
    Ok((result, run.execution.requests))
}
