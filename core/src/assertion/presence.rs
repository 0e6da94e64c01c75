//! `exists` and `empty`.

use serde_json::Value;

use super::Subject;

/// `exists: true` holds when a singular path selects a node, or a non-singular path selects at
/// least one; `exists: false` is the opposite.
pub(super) fn exists(subject: &Subject, expected: bool) -> bool {
    let present = match subject {
        Subject::Absent => false,
        Subject::Value(_) => true,
        Subject::Nodes(nodes) => !nodes.is_empty(),
    };
    present == expected
}

/// `empty: true` holds for an empty list, object or string, and for an absent value.
pub(super) fn empty(subject: &Subject, expected: bool) -> bool {
    let is_empty = match subject {
        Subject::Value(Value::String(s)) => s.is_empty(),
        Subject::Value(Value::Object(entries)) => entries.is_empty(),
        other => other.items().is_empty(),
    };
    is_empty == expected
}
