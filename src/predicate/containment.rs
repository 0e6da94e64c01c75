//! `contains` and `contains_all`.

use serde_json::Value;

use super::{Subject, Tested, Undecided, deep_equal};

/// `contains: V` holds when a string value contains the string V, or when the value seen as a
/// list (absent = empty, scalar = one element) has an element deep-equal to V.
pub fn contains(subject: &Subject, expected: &Value) -> bool {
    if let (Subject::Value(Value::String(actual)), Value::String(needle)) = (subject, expected) {
        return actual.contains(needle.as_str());
    }
    subject
        .items()
        .iter()
        .any(|item| deep_equal(item, expected))
}

/// `contains_all: [V…]` holds when the value seen as a list has an element equal to each V.
pub fn contains_all(subject: &Subject, expected: &Value) -> Tested {
    let Value::Array(wanted) = expected else {
        return Err(Undecided::TypeMismatch(
            "type mismatch: `contains_all` needs a list of values".to_owned(),
        ));
    };
    let items = subject.items();
    let missing: Vec<&Value> = wanted
        .iter()
        .filter(|want| !items.iter().any(|item| deep_equal(item, want)))
        .collect();
    Ok(super::Verdict {
        holds: missing.is_empty(),
        note: (!missing.is_empty()).then(|| {
            let shown: Vec<String> = missing.iter().map(|v| v.to_string()).collect();
            format!("missing: {}", shown.join(", "))
        }),
    })
}
