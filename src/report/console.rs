//! The console report: libtest's output format, through libtest-mimic, from stored outcomes.

use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};

use libtest_mimic::{Arguments, Completion, Failed, FormatSetting, Trial};

use super::text::{details, skip_reason};
use crate::evaluate::{Outcome, Status};
use crate::format::{Severity, severity_name};

/// Prints outcomes as `cargo test` does (`test NAME ... ok`, failures, `test result: …`), then
/// the details of warning and info failures, which are shown as ignored so they do not fail.
///
/// `filtered` names the checks the filters ruled out before any call: they count as filtered
/// out, as in `cargo test`. Fails if stdout could not be written.
pub fn print(args: &Arguments, outcomes: &[Outcome], filtered: &[&str]) -> io::Result<()> {
    let trials = outcomes
        .iter()
        .map(trial)
        .chain(filtered.iter().map(|name| Trial::test(*name, || Ok(()))))
        .collect();
    run_guarded(args, trials)?;
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
        write_stdout(&text)?;
    }
    Ok(())
}

/// Prints the names of checks without running anything (`--list`); with `--format json`, one
/// JSON object per line: `{"type":"test","name":"NAME"}`.
pub fn list(args: &Arguments, names: &[String]) -> io::Result<()> {
    if matches!(args.format, Some(FormatSetting::Json)) {
        let lines: String = names
            .iter()
            .map(|name| format!("{}\n", serde_json::json!({"type": "test", "name": name})))
            .collect();
        return write_stdout(&lines);
    }
    let trials = names
        .iter()
        .map(|name| Trial::test(name.clone(), || Ok(())))
        .collect();
    run_guarded(args, trials)
}

/// Runs libtest-mimic's printer, which panics when stdout cannot be written: the panic is
/// caught and returned as the write error it reports.
fn run_guarded(args: &Arguments, trials: Vec<Trial>) -> io::Result<()> {
    // Trials only return stored outcomes: run them on one thread, so that the report lists them
    // in plan order every time, and no thread count can exhaust the machine.
    let mut args = args.clone();
    args.test_threads = Some(1);
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(|| libtest_mimic::run(&args, trials)));
    panic::set_hook(default_hook);
    match result {
        Ok(_) => io::stdout().flush(),
        Err(payload) => {
            // What stdout holds back fails again, with the OS error the panic message quoted.
            io::stdout().flush()?;
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("the report could not be printed");
            let kind = if message.contains("Broken pipe") || message.contains("BrokenPipe") {
                io::ErrorKind::BrokenPipe
            } else {
                io::ErrorKind::Other
            };
            // `failed printing to stdout: ERROR`, or an unwrapped `Os { …, message: "ERROR" }`.
            let message = match message.split_once("message: \"") {
                Some((_, rest)) => rest.split('"').next().unwrap_or(rest),
                None => message.trim_start_matches("failed printing to stdout: "),
            };
            Err(io::Error::new(kind, message.to_owned()))
        }
    }
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
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
