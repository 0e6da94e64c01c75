//! The console report, in libtest's formats (pretty, terse, JSON) from stored outcomes, with
//! libtest's arguments (parsed by libtest-mimic): `test NAME ... ok`, the failures, the
//! summary line. A failed check of severity warning or info is shown as such (`... warning`), with
//! its details in a section after the failures, and counted in the summary, which also gives the
//! run's wall time and the AWS requests it made.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use libtest_mimic::{Arguments, ColorSetting, FormatSetting};

use std::borrow::Cow;

use super::escape::{console_name, for_console, for_console_line};
use super::text::{details, skip_reason};
use crate::evaluate::{Outcome, Status};
use crate::format::Severity;

/// What the run did, for the summary line.
#[derive(Clone, Copy, Debug)]
pub struct RunSummary {
    /// Wall time of the run (the calls and the evaluation).
    pub elapsed: Duration,
    /// Requests sent to AWS (or the recording).
    pub requests: usize,
}

/// How one row is marked.
pub enum Mark {
    /// `ok`.
    Ok,
    /// `FAILED`.
    Failed,
    /// A failure of severity warning or info.
    Advisory(Severity),
    /// `ignored (REASON)`.
    Ignored(String),
}

impl Mark {
    /// Its word in the pretty format: `ok`, `FAILED`, the severity, `ignored` (before the
    /// reason).
    fn word(&self) -> &'static str {
        match self {
            Mark::Ok => "ok",
            Mark::Failed => "FAILED",
            Mark::Advisory(severity) => severity.name(),
            Mark::Ignored(_) => "ignored",
        }
    }

    /// Its letter in the terse format.
    fn letter(&self) -> char {
        match self {
            Mark::Ok => '.',
            Mark::Failed => 'F',
            Mark::Advisory(_) => 'w',
            Mark::Ignored(_) => 'i',
        }
    }

    /// Its event in libtest's JSON (`ok`, `failed`, `warning`, `ignored`).
    fn event(&self) -> &'static str {
        match self {
            Mark::Ok => "ok",
            Mark::Failed => "failed",
            Mark::Advisory(_) => "warning",
            Mark::Ignored(_) => "ignored",
        }
    }
}

/// What the console reports: a check's row of a run, or a case of `ekscheck test`.
pub trait Row {
    /// The test name.
    fn name(&self) -> &str;
    /// How it is marked.
    fn mark(&self) -> Mark;
    /// What is shown for it among the failures or warnings.
    fn details(&self) -> String;
}

impl<R: Row> Row for &R {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn mark(&self) -> Mark {
        (**self).mark()
    }

    fn details(&self) -> String {
        (**self).details()
    }
}

impl Row for Outcome {
    fn name(&self) -> &str {
        self.name.as_str()
    }

    fn mark(&self) -> Mark {
        match &self.status {
            Status::Pass => Mark::Ok,
            Status::Fail(_) if self.severity != Severity::Error => Mark::Advisory(self.severity),
            Status::Fail(_) | Status::Undecided(_) => Mark::Failed,
            Status::Skip(reason) => Mark::Ignored(skip_reason(reason)),
        }
    }

    fn details(&self) -> String {
        details(self)
    }
}

/// ANSI styles, when stdout is a terminal (or `--color always`) and `NO_COLOR` is not set.
struct Paint(bool);

impl Paint {
    fn new(args: &Arguments) -> Self {
        Self(match args.color {
            Some(ColorSetting::Always) => true,
            Some(ColorSetting::Never) => false,
            _ => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        })
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.0 {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    fn mark(&self, mark: &Mark) -> String {
        match mark {
            Mark::Ok => self.paint(mark.word(), "32"),
            Mark::Failed => self.paint(mark.word(), "31"),
            Mark::Advisory(_) => self.paint(mark.word(), "33"),
            Mark::Ignored(reason) => self.paint(
                &format!("{} ({})", mark.word(), for_console_line(reason)),
                "33",
            ),
        }
    }
}

/// Prints the `shown` outcomes in the format `args` asks for; `filtered_out` counts the tests
/// libtest's filters ruled out (before or after the calls), as in `cargo test`. Fails if stdout
/// could not be written.
pub fn print<R: Row>(
    args: &Arguments,
    shown: &[R],
    filtered_out: usize,
    summary: RunSummary,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    write(&mut out, args, shown, filtered_out, summary)?;
    out.flush()
}

/// [`print()`], to `out`.
pub fn write<R: Row>(
    out: &mut impl Write,
    args: &Arguments,
    shown: &[R],
    filtered_out: usize,
    summary: RunSummary,
) -> io::Result<()> {
    match args.format {
        Some(FormatSetting::Json) => json(out, shown, filtered_out, summary),
        format => {
            let terse = args.quiet || matches!(format, Some(FormatSetting::Terse));
            let paint = Paint::new(args);
            text(out, &paint, terse, shown, filtered_out, summary)
        }
    }
}

fn text<R: Row>(
    out: &mut impl Write,
    paint: &Paint,
    terse: bool,
    shown: &[R],
    filtered_out: usize,
    summary: RunSummary,
) -> io::Result<()> {
    let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(out, "\nrunning {}", count(shown.len(), "test"))?;
    // Names and details come from packs and recordings: shown escaped, names cut short.
    let names: Vec<Cow<str>> = shown.iter().map(|o| console_name(o.name())).collect();
    let width = names
        .iter()
        .map(|name| name.chars().count())
        .max()
        .unwrap_or(0);
    let marks: Vec<Mark> = shown.iter().map(|outcome| outcome.mark()).collect();
    for (name, mark) in names.iter().zip(&marks) {
        if terse {
            write!(out, "{}", mark.letter())?;
        } else {
            writeln!(out, "test {name:width$} ... {}", paint.mark(mark))?;
        }
    }
    if terse {
        writeln!(out)?;
    }
    let failed: Vec<(&R, &str)> = shown
        .iter()
        .zip(&names)
        .zip(&marks)
        .filter(|(_, mark)| matches!(mark, Mark::Failed))
        .map(|((outcome, name), _)| (outcome, name.as_ref()))
        .collect();
    let advisories: Vec<(&R, &str, Severity)> = shown
        .iter()
        .zip(&names)
        .zip(&marks)
        .filter_map(|((outcome, name), mark)| match mark {
            Mark::Advisory(severity) => Some((outcome, name.as_ref(), *severity)),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        writeln!(out, "\nfailures:\n")?;
        for (outcome, name) in &failed {
            writeln!(
                out,
                "---- {name} ----\n{}\n",
                for_console(&outcome.details())
            )?;
        }
    }
    if !advisories.is_empty() {
        writeln!(out, "\nwarnings:\n")?;
        for (outcome, name, severity) in &advisories {
            writeln!(
                out,
                "---- {name} ({}) ----\n{}\n",
                severity.name(),
                for_console(&outcome.details())
            )?;
        }
    }
    if !failed.is_empty() {
        writeln!(out, "\nfailures:")?;
        for (_, name) in &failed {
            writeln!(out, "    {name}")?;
        }
    }
    let ignored = marks
        .iter()
        .filter(|m| matches!(m, Mark::Ignored(_)))
        .count();
    let passed = marks.iter().filter(|m| matches!(m, Mark::Ok)).count();
    let result = if failed.is_empty() {
        paint.mark(&Mark::Ok)
    } else {
        paint.mark(&Mark::Failed)
    };
    writeln!(
        out,
        "\ntest result: {result}. {passed} passed; {} failed; {}; {ignored} ignored; 0 measured; \
         {filtered_out} filtered out; finished in {:.2}s; {}\n",
        failed.len(),
        count(advisories.len(), "warning"),
        summary.elapsed.as_secs_f64(),
        count(summary.requests, "request"),
    )
}

/// libtest's JSON events, one per line; a warning or info failure is the event `warning`.
fn json<R: Row>(
    out: &mut impl Write,
    shown: &[R],
    filtered_out: usize,
    summary: RunSummary,
) -> io::Result<()> {
    use serde_json::json;
    writeln!(
        out,
        "{}",
        json!({"type": "suite", "event": "started", "test_count": shown.len()})
    )?;
    let (mut passed, mut failed, mut warnings, mut ignored) = (0, 0, 0, 0);
    for outcome in shown {
        writeln!(
            out,
            "{}",
            json!({"type": "test", "event": "started", "name": outcome.name()})
        )?;
        let name = outcome.name();
        let mark = outcome.mark();
        let event = mark.event();
        let event = match &mark {
            Mark::Ok => {
                passed += 1;
                json!({"type": "test", "name": name, "event": event})
            }
            Mark::Failed => {
                failed += 1;
                json!({"type": "test", "name": name, "event": event,
                       "stdout": outcome.details()})
            }
            Mark::Advisory(severity) => {
                warnings += 1;
                json!({"type": "test", "name": name, "event": event,
                       "severity": severity.name(), "stdout": outcome.details()})
            }
            Mark::Ignored(reason) => {
                ignored += 1;
                json!({"type": "test", "name": name, "event": event,
                       "message": reason})
            }
        };
        writeln!(out, "{event}")?;
    }
    writeln!(
        out,
        "{}",
        json!({"type": "suite", "event": if failed > 0 { Mark::Failed } else { Mark::Ok }.event(),
               "passed": passed, "failed": failed, "warnings": warnings, "ignored": ignored,
               "measured": 0, "filtered_out": filtered_out,
               "exec_time": summary.elapsed.as_secs_f64(), "requests": summary.requests})
    )
}

/// Prints the names of checks without running anything (`--list`): `NAME: test` lines, or with
/// `--format json`, one `{"type":"test","name":"NAME"}` line per check.
pub fn list(args: &Arguments, names: &[String]) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    for name in names {
        if matches!(args.format, Some(FormatSetting::Json)) {
            writeln!(out, "{}", serde_json::json!({"type": "test", "name": name}))?;
        } else {
            writeln!(out, "{}: test", console_name(name))?;
        }
    }
    out.flush()
}
