//! Results in words: every failure, skip and undecided outcome, rendered once, for the console
//! and JUnit alike. Values found in responses are shortened here; an assertion's `expected` and
//! a recording's messages are shortened where core makes them.

use std::fmt::Write as _;

use serde_json::Value;

use crate::assertion::{AssertionFailure, FailureReason, Note, Undecided};
use crate::evaluate::{Blocker, CrossCheck, CrossState, NeedState, Outcome, SkipReason, Status};
use crate::execute::{CallError, Failure, NotMade, NotMadeReason};
use crate::format::Keyword;
use crate::json::shorten;
use crate::template::{RenderCause, RenderFailure};

/// The full explanation of an outcome that did not pass: its title, then why.
pub fn details(outcome: &Outcome) -> String {
    let mut text = outcome.title.clone();
    match &outcome.status {
        Status::Fail(failed) => {
            for failure in &failed.assertions {
                text.push('\n');
                text.push_str(&assertion_failure(failure));
            }
            if let Some(unchecked) = &failed.unchecked {
                text.push_str("\nnot checked: ");
                text.push_str(&failure(unchecked));
            }
            for other in &outcome.cross_checks {
                text.push_str("\ncross-check: ");
                text.push_str(&cross_check(other));
            }
            if let Some(remediation) = &outcome.remediation {
                text.push_str("\nremediation: ");
                text.push_str(remediation.trim());
            }
        }
        Status::Undecided(blocker) => {
            text.push_str("\nerror: could not decide: ");
            text.push_str(&self::blocker(blocker));
        }
        Status::Skip(reason) => {
            text.push_str("\nskipped: ");
            text.push_str(&skip_reason(reason));
        }
        Status::Pass => {}
    }
    text
}

/// How a check deciding the same cause another way ended, beside a failure: agreeing or not.
fn cross_check(other: &CrossCheck) -> String {
    let name = &other.name;
    match &other.ended {
        CrossState::Passed => {
            format!("{name} passed, but this check found the fault: they disagree")
        }
        CrossState::Failed => format!("{name} failed too: they agree"),
        CrossState::Undecided => format!("{name} could not be decided"),
        CrossState::Skipped(reason) => format!("{name} was skipped ({})", skip_reason(reason)),
    }
}

/// Why a row was skipped, in one line.
pub fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Needs { check, state } => {
            let state = match state {
                NeedState::Failed => "failed",
                NeedState::Undecided => "error",
                NeedState::Skipped => "skipped",
            };
            format!("needs {check} ({state})")
        }
        SkipReason::When(failure) => format!("when: {}", condition(failure)),
        SkipReason::NotMade(not_made) => self::not_made(not_made),
        SkipReason::Overridden(reason) => format!("overridden: {reason}"),
    }
}

/// A false condition (of a `when`): `PATH PREDICATE is false (actual: VALUE)`; the call
/// stands for the path when it tests the whole response (a computed value, say).
fn condition(failure: &AssertionFailure) -> String {
    let tested = if failure.path == "$" {
        &failure.on
    } else {
        &failure.path
    };
    format!(
        "{tested} {} is false (actual: {})",
        failure.expected,
        actual(failure.actual.as_ref())
    )
}

/// Why a call was not made: `call `X` was not made: when … is false (…)`.
pub fn not_made(not_made: &NotMade) -> String {
    format!(
        "call `{}` was not made: {}",
        not_made.call,
        because(not_made)
    )
}

fn because(not_made: &NotMade) -> String {
    match &not_made.reason {
        NotMadeReason::When(failure) => format!("when: {}", condition(failure)),
        NotMadeReason::Reads(inner) => format!(
            "it reads call `{}`, which was not made: {}",
            inner.call,
            because(inner)
        ),
    }
}

/// What kept a row from being decided.
pub fn blocker(blocker: &Blocker) -> String {
    match blocker {
        Blocker::Call(call) => failure(call),
        Blocker::Assertion(problem) => format!(
            "the assertion at {}: {}",
            problem.location,
            undecided(&problem.problem)
        ),
        Blocker::Title(failure) => format!("the title: {}", render_failure(failure)),
        Blocker::Remediation(failure) => format!("the remediation: {}", render_failure(failure)),
    }
}

/// The error a call was answered with: its code and message, then, for a denied call whose
/// message does not name the IAM action it needs, that action. (A recording made before the
/// action was kept apart holds these words in its message already.)
pub fn call_error(error: &CallError) -> String {
    let mut text = format!("{}: {}", error.code, error.message);
    if let Some(action) = error.denied_action
        && !error.message.contains(action)
    {
        let _ = write!(text, " (this check needs the IAM action {action})");
    }
    text
}

/// Why a call has no response.
pub fn failure(failure: &Failure) -> String {
    match failure {
        Failure::Call {
            call,
            api,
            params,
            error,
        } => format!(
            "call `{call}` ({api} {}) failed: {}",
            shorten(params),
            call_error(error)
        ),
        Failure::Render { call, failure } => {
            format!(
                "call `{call}` could not be made: {}",
                render_failure(failure)
            )
        }
        Failure::Condition { call, problem } => format!(
            "call `{call}`: its `when` at {} could not be decided: {}",
            problem.location,
            undecided(&problem.problem)
        ),
        Failure::TooManyRows { call, rows, limit } => format!(
            "call `{call}` would fan out to {rows} rows, more than the {limit} a run may have \
             (--max-rows)"
        ),
    }
}

/// Why a template could not be rendered.
pub fn render_failure(failure: &RenderFailure) -> String {
    let template = &failure.template;
    match &failure.cause {
        RenderCause::Absent { path, present } => {
            let written = path.join(".");
            let why = match path.get(*present) {
                Some(missing) if *present > 0 => {
                    format!("`{}` has no `{missing}`", path[..*present].join("."))
                }
                _ => format!("`{written}` has no value for this row"),
            };
            if template.trim() == format!("{{{{{written}}}}}") {
                format!("`{written}` is absent ({why})")
            } else {
                format!("`{template}` reads `{written}`, which is absent ({why})")
            }
        }
        RenderCause::InvalidPath { rendered, problem } if rendered != template => {
            format!("path `{template}`, rendered as `{rendered}`, is not valid: {problem}")
        }
        RenderCause::InvalidPath { problem, .. } => {
            format!("path `{template}` is not valid: {problem}")
        }
        RenderCause::Other(message) => match &failure.location {
            Some(at) => format!("`{template}` (at {at}) could not render: {message}"),
            None => format!("`{template}` could not render: {message}"),
        },
    }
}

/// Why a predicate could not be decided (or, for a type mismatch, why it fails).
pub fn undecided(problem: &Undecided) -> String {
    match problem {
        Undecided::TypeMismatch {
            predicate,
            expected,
            actual,
        } => mismatch(*predicate, expected, actual),
        Undecided::InvalidOperand { predicate, problem } => {
            format!(
                "the operand of `{}` is not valid: {problem}",
                predicate.name()
            )
        }
        Undecided::Render(failure) => render_failure(failure),
        Undecided::NoResponse { call } => format!("call `{call}` has no response for this row"),
    }
}

fn mismatch(predicate: Keyword, expected: &str, actual: &str) -> String {
    format!(
        "type mismatch: `{}` needs {expected}, but the value is {actual}",
        predicate.name()
    )
}

/// The value a path selected, shortened: `absent` when it selected nothing.
pub fn actual(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), shorten)
}

/// A failed assertion: where, what it tested, what it expected and what it found.
pub fn assertion_failure(failure: &AssertionFailure) -> String {
    let (found, note) = match &failure.reason {
        FailureReason::False(note) => (
            actual(failure.actual.as_ref()),
            note.as_ref().map(self::note),
        ),
        FailureReason::TypeMismatch {
            predicate,
            expected,
            actual: found,
        } => {
            let mismatch = mismatch(*predicate, expected, found);
            if failure.combines {
                (String::new(), Some(mismatch))
            } else {
                (
                    format!("{} ({mismatch})", actual(failure.actual.as_ref())),
                    None,
                )
            }
        }
    };
    let mut text = format!("assertion failed at {}", failure.location);
    if !failure.combines {
        let _ = write!(
            text,
            "\n  on:       {}\n  path:     {}",
            failure.on, failure.path
        );
    }
    let _ = write!(text, "\n  expected: {}", failure.expected);
    if !failure.combines {
        let _ = write!(text, "\n  actual:   {found}");
    }
    if let Some(note) = note {
        let _ = write!(text, "\n  note:     {note}");
    }
    text
}

/// What decided a verdict.
pub fn note(note: &Note) -> String {
    match note {
        Note::Element { index, value } => {
            format!("element {index} decides it: {}", shorten(value))
        }
        Note::Missing(values) => {
            let shown: Vec<String> = values.iter().map(shorten).collect();
            format!("missing: {}", shown.join(", "))
        }
        Note::Count(count) => format!("count is {count}"),
        Note::Line { number, text } => {
            format!("line {number}: {}", shorten(&Value::from(text.as_str())))
        }
        Note::Outside { address, network } => format!("{address} is outside {network}"),
        Note::AclDenies {
            egress,
            port,
            rule,
            network,
        } => {
            let direction = if *egress { "egress" } else { "ingress" };
            let network = network
                .as_ref()
                .map(|network| format!(" ({network})"))
                .unwrap_or_default();
            match rule {
                Some(rule) => format!("{direction} port {port}{network}: rule {rule} denies it"),
                None => format!("{direction} port {port}{network}: no rule (implicit deny)"),
            }
        }
        Note::NoGroupRule {
            egress,
            group,
            network,
        } => {
            let rules = if *egress {
                "IpPermissionsEgress"
            } else {
                "IpPermissions"
            };
            match network {
                Some(network) => format!("no {rules} rule of {group} matches {network}"),
                None => format!("no {rules} rule of {group} matches"),
            }
        }
        Note::NothingSelected => "nothing selected".to_owned(),
        Note::Each(notes) => notes.iter().map(self::note).collect::<Vec<_>>().join("; "),
        Note::NoAlternativeHolds { count } => format!("none of the {count} alternatives holds"),
        Note::AlternativeFails {
            number,
            described,
            note,
        } => {
            let reason = note
                .as_ref()
                .map(|n| format!(": {}", self::note(n)))
                .unwrap_or_default();
            format!("assertion {number} ({described}) does not hold{reason}")
        }
    }
}
