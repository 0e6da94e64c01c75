//! `all`, `any`, `none` (over the elements of a list) and `not`.

use super::{Note, Subject, Tested, Verdict, test, test_nested};
use crate::format::{Keyword, Nested};
use crate::template::Scope;

/// `all` holds when every element satisfies the nested predicate (vacuously for none).
pub(super) fn all(subject: &Subject, nested: &Nested, scope: &dyn Scope) -> Tested {
    for (index, item) in subject.items().into_iter().enumerate() {
        if !test_nested(nested, item, scope)?.holds {
            return Ok(deciding_element(index, item));
        }
    }
    Ok(true.into())
}

/// `any` holds when at least one element satisfies the nested predicate.
pub(super) fn any(subject: &Subject, nested: &Nested, scope: &dyn Scope) -> Tested {
    for item in subject.items() {
        if test_nested(nested, item, scope)?.holds {
            return Ok(true.into());
        }
    }
    Ok(false.into())
}

/// `none` holds when no element satisfies the nested predicate.
pub(super) fn none(subject: &Subject, nested: &Nested, scope: &dyn Scope) -> Tested {
    for (index, item) in subject.items().into_iter().enumerate() {
        if test_nested(nested, item, scope)?.holds {
            return Ok(deciding_element(index, item));
        }
    }
    Ok(true.into())
}

/// `not` holds when the nested predicate does not. Without a path it tests the same subject;
/// with one, the path is applied to the value under test.
pub(super) fn not(subject: &Subject, nested: &Nested, scope: &dyn Scope) -> Tested {
    let verdict = if nested.path.source() == "$" {
        test(&nested.predicate, subject, scope)?
    } else {
        match subject {
            Subject::Value(value) => test_nested(nested, value, scope)?,
            Subject::Absent => test(&nested.predicate, &Subject::Absent, scope)?,
            Subject::Nodes(_) => {
                return Err(super::mismatch(
                    Keyword::Not,
                    "a single value when it has a `path` (use `none:` for lists)",
                    subject,
                ));
            }
        }
    };
    Ok((!verdict.holds).into())
}

fn deciding_element(index: usize, item: &serde_json::Value) -> Verdict {
    Verdict::fails(Note::Element {
        index,
        value: item.clone(),
    })
}
