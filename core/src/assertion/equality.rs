//! `equals` and `one_of`.

use serde_json::Value;

use super::{Subject, Tested, Undecided};
use crate::format::Keyword;
use crate::json::deep_equal;

/// `equals: V` holds when the value (a non-singular path's node list as an array) deep-equals V.
pub(super) fn equals(subject: &Subject, expected: &Value) -> bool {
    subject
        .to_value()
        .is_some_and(|actual| deep_equal(&actual, expected))
}

/// `one_of: [V…]` holds when the value deep-equals one of the candidates.
pub(super) fn one_of(subject: &Subject, candidates: &Value) -> Tested {
    let Value::Array(candidates) = candidates else {
        return Err(Undecided::InvalidOperand {
            predicate: Keyword::OneOf,
            problem: "it must be a list of candidates".to_owned(),
        });
    };
    Ok(candidates
        .iter()
        .any(|candidate| equals(subject, candidate))
        .into())
}
