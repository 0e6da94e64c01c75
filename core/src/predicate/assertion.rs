//! Testing one assertion (a call, a path and a predicate) against a row's responses: the part of
//! deciding that a call's `when` and a check's `when` and `expect` share.

use serde_json::Value;

use super::{Note, Subject, Undecided};
use crate::diagnostic::Location;
use crate::format::Assertion;
use crate::template::Scope;

/// How one assertion came out for a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    /// It holds.
    Holds,
    /// It does not hold, or its predicate does not apply to the value's type.
    Fails(AssertionFailure),
    /// It could not be decided (an operand or path did not render, an operand is invalid).
    Undecided(AssertionUndecided),
}

/// An assertion that does not hold, with what was found.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertionFailure {
    /// Where the assertion is written.
    pub location: Location,
    /// The call whose response it tests.
    pub on: String,
    /// Its path, as written.
    pub path: String,
    /// What it requires: the predicate with its operands rendered, e.g. `contains "x"`.
    pub expected: String,
    /// What the path selected (`None`: absent; a non-singular path's nodes as a list).
    pub actual: Option<Value>,
    /// Why it does not hold.
    pub reason: FailureReason,
    /// Whether it is `any_of`/`all_of`, whose own assertions say what they test (its `on`, `path`
    /// and `actual` explain nothing).
    pub combines: bool,
}

/// Why an assertion does not hold.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureReason {
    /// The predicate is false; the note says what decided it, when that helps.
    False(Option<Note>),
    /// The predicate does not apply to the value's type.
    TypeMismatch {
        /// The predicate's keyword.
        predicate: &'static str,
        /// What it applies to.
        expected: &'static str,
        /// The type found.
        actual: &'static str,
    },
}

/// An assertion that could not be decided.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertionUndecided {
    /// Where the assertion is written.
    pub location: Location,
    /// Why (never a type mismatch, which is a failure).
    pub problem: Undecided,
}

/// Tests `assertion` on the responses in `scope`.
pub fn check(assertion: &Assertion, scope: &dyn Scope) -> Checked {
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
    let reason = match assertion.predicate.test(&subject, scope) {
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
        expected: assertion.predicate.describe(scope),
        actual: if combines { None } else { subject.sample() },
        reason,
        combines,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, json};

    use super::*;
    use crate::diagnostic::SourceFile;
    use crate::path::JsonPath;
    use crate::predicate::Predicate;
    use crate::template::TemplatedValue;

    fn assertion(on: &str, path: &str, predicate: Predicate) -> Assertion {
        let file = SourceFile::new("s.yaml".into(), "expect: …".into());
        let location = Location::at_offset(&file, 0, 6);
        Assertion {
            on: on.to_owned(),
            on_location: location.clone(),
            on_written: true,
            path: JsonPath::parse(path).unwrap(),
            predicate,
            severity: None,
            location,
        }
    }

    #[test]
    fn an_assertion_holds_fails_with_the_value_found_or_is_undecided() {
        let scope: Map<String, serde_json::Value> = json!({"cluster": {"status": "CREATING"}})
            .as_object()
            .unwrap()
            .clone();
        let equals = |v| Predicate::Equals(TemplatedValue::compile(&json!(v)).unwrap());
        let active = assertion("cluster", "$.status", equals("ACTIVE"));
        match check(&active, &scope) {
            Checked::Fails(failure) => {
                assert_eq!(failure.actual, Some(json!("CREATING")));
                assert_eq!(
                    (failure.on.as_str(), failure.path.as_str()),
                    ("cluster", "$.status")
                );
                assert_eq!(failure.expected, "equals \"ACTIVE\"");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        let creating = assertion("cluster", "$.status", equals("CREATING"));
        assert_eq!(check(&creating, &scope), Checked::Holds);
        let missing = assertion("nodes", "$", Predicate::Exists(true));
        assert!(matches!(
            check(&missing, &scope),
            Checked::Undecided(AssertionUndecided {
                problem: Undecided::NoResponse { .. },
                ..
            })
        ));
    }
}
