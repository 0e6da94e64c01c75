//! The console report: libtest's output format, through libtest-mimic, from stored outcomes.

use std::panic::{self, AssertUnwindSafe};

use libtest_mimic::{Arguments, Completion, Failed, FormatSetting, Trial};

use super::text::{details, skip_reason};
use crate::evaluate::{Outcome, Status};
use crate::format::{Severity, severity_name};

/// Prints outcomes as `cargo test` does (`test NAME ... ok`, failures, `test result: …`), then
/// the details of warning and info failures, which are shown as ignored so they do not fail.
///
/// `filtered` names the checks the filters ruled out before any call: they count as filtered
/// out, as in `cargo test`.
pub fn print(args: &Arguments, outcomes: &[Outcome], filtered: &[&str]) {
    let trials = outcomes
        .iter()
        .map(trial)
        .chain(filtered.iter().map(|name| Trial::test(*name, || Ok(()))))
        .collect();
    run_guarded(args, trials);
    let pretty = !matches!(args.format, Some(FormatSetting::Json));
    let advisories: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.severity != Severity::Error && matches!(o.status, Status::Fail(_)))
        .filter(|o| !args.is_filtered_out(&Trial::test(o.name.clone(), || Ok(()))))
        .collect();
    if pretty && !advisories.is_empty() {
        let mut text = String::from("\nwarnings:\n");
        for outcome in advisories {
            text.push_str(&format!(
                "\n---- {} ({}) ----\n{}\n",
                outcome.name,
                severity_name(outcome.severity),
                details(outcome)
            ));
        }
        write_stdout(&text);
    }
}

/// Prints the names of checks without running anything (`--list`).
pub fn list(args: &Arguments, names: &[String]) {
    let trials = names
        .iter()
        .map(|name| Trial::test(name.clone(), || Ok(())))
        .collect();
    run_guarded(args, trials);
}

/// Runs libtest-mimic's printer, which panics when stdout is a closed pipe (`| head`): such a
/// panic ends the output quietly instead of crashing.
fn run_guarded(args: &Arguments, trials: Vec<Trial>) {
    // Trials only return stored outcomes: unless told otherwise, run them on one thread, so that
    // the report lists them in plan order every time rather than in a racy order.
    let mut args = args.clone();
    args.test_threads = args.test_threads.or(Some(1));
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let _ = panic::catch_unwind(AssertUnwindSafe(|| libtest_mimic::run(&args, trials)));
    panic::set_hook(default_hook);
}

fn write_stdout(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn trial(outcome: &Outcome) -> Trial {
    let result: Result<Completion, Failed> = match &outcome.status {
        Status::Pass => Ok(Completion::Completed),
        Status::Skip(reason) => Ok(Completion::ignored_with(skip_reason(reason))),
        Status::Fail(_) if outcome.severity != Severity::Error => Ok(Completion::ignored_with(
            format!("{}: {}", severity_name(outcome.severity), outcome.title),
        )),
        Status::Fail(_) | Status::Undecided(_) => Err(Failed::from(details(outcome))),
    };
    Trial::ignorable_test(outcome.name.clone(), move || result)
}
