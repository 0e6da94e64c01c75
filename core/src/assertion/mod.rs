//! Testing assertions: whether what an assertion's path selects in a call's response satisfies
//! its predicate, for one row. A call's `when` and a check's `when` and `expect` all come here.
//!
//! Each predicate family lives in its own file. A predicate answers `Ok` with a verdict (holds or
//! not, and what decided it), or `Err` when it cannot be decided; a "type mismatch" (`gt` on a
//! string) is reported as a failure with that explanation rather than as a plain `false`.

mod containment;
mod equality;
mod network;
mod numeric;
mod pattern;
mod presence;
mod quantifier;
mod result;
mod subject;

use serde_json::Value;

pub(crate) use result::Checked;
pub use result::{AssertionFailure, AssertionUndecided, FailureReason, Note, Undecided};
use result::{Tested, Verdict, mismatch};
use subject::Subject;

use crate::format::{Alternative, Assertion, Nested, Predicate};
use crate::json;
use crate::template::{Scope, TemplatedValue};

/// Tests `assertion` on the responses in `scope`.
pub(crate) fn check(assertion: &Assertion, scope: &dyn Scope) -> Checked {
    let undecided = |problem| {
        Checked::Undecided(AssertionUndecided {
            location: assertion.location.clone(),
            problem,
        })
    };
    let Some(document) = scope.get(&assertion.on) else {
        return undecided(Undecided::NoResponse {
            call: assertion.on.clone(),
        });
    };
    let selection = match assertion.path.select(document, scope) {
        Ok(selection) => selection,
        Err(failure) => return undecided(Undecided::Render(failure)),
    };
    let subject = Subject::from(selection);
    let reason = match test(&assertion.predicate, &subject, scope) {
        Ok(verdict) if verdict.holds => return Checked::Holds,
        Ok(verdict) => FailureReason::False(verdict.note),
        Err(Undecided::TypeMismatch {
            predicate,
            expected,
            actual,
        }) => FailureReason::TypeMismatch {
            predicate,
            expected,
            actual,
        },
        Err(problem) => return undecided(problem),
    };
    let combines = assertion.predicate.combines_assertions();
    Checked::Fails(AssertionFailure {
        location: assertion.location.clone(),
        on: assertion.on.clone(),
        path: assertion.path.source().to_owned(),
        expected: describe(&assertion.predicate, scope),
        actual: if combines { None } else { subject.sample() },
        reason,
        combines,
    })
}

/// Tests `predicate` against `subject`, rendering operand templates from `scope`.
fn test(predicate: &Predicate, subject: &Subject, scope: &dyn Scope) -> Tested {
    match predicate {
        Predicate::Exists(expected) => Ok(presence::exists(subject, *expected).into()),
        Predicate::Empty(expected) => Ok(presence::empty(subject, *expected).into()),
        Predicate::Equals(value) => Ok(equality::equals(subject, &value.render(scope)?).into()),
        Predicate::OneOf(values) => equality::one_of(subject, &values.render(scope)?),
        Predicate::Contains(value) => {
            Ok(containment::contains(subject, &value.render(scope)?).into())
        }
        Predicate::ContainsAll(values) => {
            containment::contains_all(subject, &values.render(scope)?)
        }
        Predicate::Matches(pattern) => pattern::test(pattern, subject, scope),
        Predicate::LineMatches(pattern) => pattern::test_lines(pattern, true, subject, scope),
        Predicate::NoLineMatches(pattern) => pattern::test_lines(pattern, false, subject, scope),
        Predicate::InCidr(network) => network::in_cidr(subject, &network.render(scope)?),
        Predicate::AllowsTraffic(traffic) => {
            network::allows_traffic(subject, &traffic.render(scope)?)
        }
        Predicate::Count(bounds) => numeric::count(subject, bounds, scope),
        Predicate::Compare(bound) => numeric::compare(subject, bound, scope),
        Predicate::All(nested) => quantifier::all(subject, nested, scope),
        Predicate::Any(nested) => quantifier::any(subject, nested, scope),
        Predicate::None(nested) => quantifier::none(subject, nested, scope),
        Predicate::Not(nested) => quantifier::not(subject, nested, scope),
        Predicate::AnyOf(alternatives) => combine(alternatives, Combination::Any, subject, scope),
        Predicate::AllOf(alternatives) => combine(alternatives, Combination::All, subject, scope),
    }
}

/// `predicate` as a short phrase with its operands rendered, e.g. `contains "x"`.
fn describe(predicate: &Predicate, scope: &dyn Scope) -> String {
    let shown = |value: &TemplatedValue| match value.render(scope) {
        Ok(value) => json::shorten(&value),
        Err(_) => "(unrenderable)".to_owned(),
    };
    match predicate {
        Predicate::Exists(true) => "exists".to_owned(),
        Predicate::Exists(false) => "does not exist".to_owned(),
        Predicate::Empty(true) => "is empty".to_owned(),
        Predicate::Empty(false) => "is not empty".to_owned(),
        Predicate::Equals(v)
        | Predicate::OneOf(v)
        | Predicate::Contains(v)
        | Predicate::ContainsAll(v)
        | Predicate::InCidr(v)
        | Predicate::AllowsTraffic(v) => format!("{} {}", predicate.keyword().name(), shown(v)),
        Predicate::Matches(pattern) => format!("matches /{}/", pattern::describe(pattern, scope)),
        Predicate::LineMatches(pattern) => {
            format!("a line matches /{}/", pattern::describe(pattern, scope))
        }
        Predicate::NoLineMatches(pattern) => {
            format!("no line matches /{}/", pattern::describe(pattern, scope))
        }
        Predicate::Count(bounds) => format!("count {}", numeric::describe(bounds, scope)),
        Predicate::Compare(bound) => numeric::describe(std::slice::from_ref(bound), scope),
        Predicate::All(n) | Predicate::Any(n) | Predicate::None(n) | Predicate::Not(n) => {
            format!(
                "{} {{{}}}",
                predicate.keyword().name(),
                describe_nested(n, scope)
            )
        }
        Predicate::AnyOf(alternatives) | Predicate::AllOf(alternatives) => {
            let shown: Vec<String> = alternatives
                .iter()
                .map(|a| {
                    let on = a.on.as_ref().map(|on| format!("{on} ")).unwrap_or_default();
                    format!("{on}{} {}", a.path, describe(&a.predicate, scope))
                })
                .collect();
            let (word, separator) = match predicate {
                Predicate::AnyOf(_) => ("any of", " | "),
                _ => ("all of", " & "),
            };
            format!("{word}: {}", shown.join(separator))
        }
    }
}

/// How the assertions of `any_of` and `all_of` combine.
#[derive(Clone, Copy)]
enum Combination {
    Any,
    All,
}

/// `any_of` holds when one of its assertions holds, `all_of` when every one does. A type
/// mismatch in one assertion decides only if no other assertion decides (`any_of`: holds;
/// `all_of`: does not hold).
fn combine(
    alternatives: &[Alternative],
    combination: Combination,
    subject: &Subject,
    scope: &dyn Scope,
) -> Tested {
    let selected = match subject {
        Subject::Nodes(_) => subject.to_value(),
        _ => None,
    };
    let mut problem = None;
    for (index, alternative) in alternatives.iter().enumerate() {
        let base = match &alternative.on {
            Some(call) => Some(
                scope
                    .get(call)
                    .ok_or_else(|| Undecided::NoResponse { call: call.clone() })?,
            ),
            None => match subject {
                Subject::Absent => None,
                Subject::Value(value) => Some(*value),
                Subject::Nodes(_) => selected.as_ref(),
            },
        };
        let tested = match base {
            Some(base) => Subject::from(alternative.path.select(base, scope)?),
            None => Subject::Absent,
        };
        match (test(&alternative.predicate, &tested, scope), combination) {
            (Ok(verdict), Combination::Any) if verdict.holds => return Ok(verdict),
            (Ok(verdict), Combination::All) if !verdict.holds => {
                return Ok(Verdict::fails(Note::AlternativeFails {
                    number: index + 1,
                    described: format!(
                        "{} {}",
                        alternative.path,
                        describe(&alternative.predicate, scope)
                    ),
                    note: verdict.note.map(Box::new),
                }));
            }
            (Ok(_), _) => {}
            (Err(undecided), _) => problem = Some(undecided),
        }
    }
    match (problem, combination) {
        (Some(problem), _) => Err(problem),
        (None, Combination::All) => Ok(true.into()),
        (None, Combination::Any) => Ok(Verdict::fails(Note::NoAlternativeHolds {
            count: alternatives.len(),
        })),
    }
}

/// Tests `nested` against what its path selects in `value`.
fn test_nested(nested: &Nested, value: &Value, scope: &dyn Scope) -> Tested {
    let selection = nested.path.select(value, scope)?;
    test(&nested.predicate, &Subject::from(selection), scope)
}

fn describe_nested(nested: &Nested, scope: &dyn Scope) -> String {
    if nested.path.source() == "$" {
        describe(&nested.predicate, scope)
    } else {
        format!("{} {}", nested.path, describe(&nested.predicate, scope))
    }
}

#[cfg(test)]
mod tests;
