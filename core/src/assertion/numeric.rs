//! `count` and the comparisons `gt`, `gte`, `lt`, `lte`, of numbers and of timestamps.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::{Note, Subject, Tested, Undecided, Verdict, mismatch};
use crate::format::{Bound, Comparison};
use crate::json;
use crate::template::Scope;

/// Whether `actual` compares with `bound` as `comparison` says.
fn holds(comparison: Comparison, actual: f64, bound: f64) -> bool {
    match comparison {
        Comparison::Equal => actual == bound,
        Comparison::Greater => actual > bound,
        Comparison::GreaterOrEqual => actual >= bound,
        Comparison::Less => actual < bound,
        Comparison::LessOrEqual => actual <= bound,
    }
}

/// The comparison as a symbol, for descriptions.
fn symbol(comparison: Comparison) -> &'static str {
    match comparison {
        Comparison::Equal => "==",
        Comparison::Greater => ">",
        Comparison::GreaterOrEqual => ">=",
        Comparison::Less => "<",
        Comparison::LessOrEqual => "<=",
    }
}

/// The bound, rendered for this row.
fn render(bound: &Bound, scope: &dyn Scope) -> Result<Value, Undecided> {
    Ok(bound.value.render(scope)?)
}

/// The bound as a number, rendered for this row.
fn number(bound: &Bound, scope: &dyn Scope) -> Result<f64, Undecided> {
    let rendered = render(bound, scope)?;
    as_number(&rendered).ok_or_else(|| invalid(bound, &rendered, "a number"))
}

fn invalid(bound: &Bound, rendered: &Value, expected: &str) -> Undecided {
    Undecided::InvalidOperand {
        predicate: bound.comparison.keyword(),
        problem: format!(
            "the bound must be {expected}, but it is {} ({})",
            json::type_name(rendered),
            json::shorten(rendered)
        ),
    }
}

/// A number, or a string holding one (variables given on the command line are strings).
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An ISO 8601 timestamp with its offset, as the AWS CLI prints them
/// (`2026-01-02T03:04:05.123000+00:00`).
fn as_timestamp(value: &Value) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(value.as_str()?.trim()).ok()
}

/// `count` holds when the number of selected nodes (or the list's length) meets every bound.
pub(super) fn count(subject: &Subject, bounds: &[Bound], scope: &dyn Scope) -> Tested {
    let count = subject.items().len();
    for bound in bounds {
        if !holds(bound.comparison, count as f64, number(bound, scope)?) {
            return Ok(Verdict::fails(Note::Count(count)));
        }
    }
    Ok(true.into())
}

/// `gt`/`gte`/`lt`/`lte` hold when the value is a number that compares with the bound, or a
/// timestamp that is later or earlier than the bound's (compared as instants, whatever their
/// offsets).
pub(super) fn compare(subject: &Subject, bound: &Bound, scope: &dyn Scope) -> Tested {
    match subject {
        Subject::Absent => Ok(false.into()),
        Subject::Value(Value::Number(n)) => {
            let actual = n.as_f64().unwrap_or(f64::NAN);
            Ok(holds(bound.comparison, actual, number(bound, scope)?).into())
        }
        Subject::Value(value @ Value::String(_)) if as_timestamp(value).is_some() => {
            let actual = as_timestamp(value).unwrap_or_default();
            let rendered = render(bound, scope)?;
            let limit = as_timestamp(&rendered)
                .ok_or_else(|| invalid(bound, &rendered, "an ISO 8601 timestamp"))?;
            let ordering = actual.cmp(&limit) as i8;
            Ok(holds(bound.comparison, f64::from(ordering), 0.0).into())
        }
        other => Err(mismatch(
            bound.comparison.keyword(),
            "a number or an ISO 8601 timestamp",
            other,
        )),
    }
}

/// The bounds as text, e.g. `>= 1 and <= 3`.
pub(super) fn describe(bounds: &[Bound], scope: &dyn Scope) -> String {
    bounds
        .iter()
        .map(|bound| {
            let value = bound
                .value
                .render(scope)
                .map(|v| json::display(&v))
                .unwrap_or_else(|_| "(unrenderable)".to_owned());
            format!("{} {value}", symbol(bound.comparison))
        })
        .collect::<Vec<_>>()
        .join(" and ")
}
