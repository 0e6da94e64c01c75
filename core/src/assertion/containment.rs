//! `contains` and `contains_all`.

use serde_json::Value;

use super::{Note, Subject, Tested, Undecided, Verdict};
use crate::format::Keyword;
use crate::json::deep_equal;

/// `contains: V` holds when a string value contains the string V, or when the value seen as a
/// list (absent = empty, scalar = one element) has an element deep-equal to V.
pub(super) fn contains(subject: &Subject, expected: &Value) -> bool {
    if let (Subject::Value(Value::String(actual)), Value::String(needle)) = (subject, expected) {
        return actual.contains(needle.as_str());
    }
    subject
        .items()
        .iter()
        .any(|item| deep_equal(item, expected))
}

/// `contains_all: [V…]` holds when the value seen as a list has an element equal to each V.
pub(super) fn contains_all(subject: &Subject, expected: &Value) -> Tested {
    let Value::Array(wanted) = expected else {
        return Err(Undecided::InvalidOperand {
            predicate: Keyword::ContainsAll,
            problem: "it must be a list of values".to_owned(),
        });
    };
    let items = subject.items();
    let missing: Vec<Value> = wanted
        .iter()
        .filter(|want| !items.iter().any(|item| deep_equal(item, want)))
        .cloned()
        .collect();
    Ok(if missing.is_empty() {
        true.into()
    } else {
        Verdict::fails(Note::Missing(missing))
    })
}
