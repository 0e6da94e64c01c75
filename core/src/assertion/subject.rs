//! The value under test: what a path selected.

use serde_json::Value;

use crate::json;
use crate::path::Selection;

/// The value under test.
#[derive(Clone, Debug)]
pub(crate) enum Subject<'a> {
    /// A singular path selected nothing.
    Absent,
    /// A singular path's node.
    Value(&'a Value),
    /// Everything a non-singular path selected.
    Nodes(Vec<&'a Value>),
}

impl<'a> From<Selection<'a>> for Subject<'a> {
    fn from(selection: Selection<'a>) -> Self {
        match selection {
            Selection::Node(Some(value)) => Subject::Value(value),
            Selection::Node(None) => Subject::Absent,
            Selection::Nodes(nodes) => Subject::Nodes(nodes),
        }
    }
}

impl<'a> Subject<'a> {
    /// The subject seen as a list: absent is empty, a scalar or object is a one-element list,
    /// because AWS omits empty lists and IAM documents use a string where a list has one item.
    pub(crate) fn items(&self) -> Vec<&'a Value> {
        match self {
            Subject::Absent | Subject::Value(Value::Null) => Vec::new(),
            Subject::Value(Value::Array(items)) => items.iter().collect(),
            Subject::Value(value) => vec![*value],
            Subject::Nodes(nodes) => nodes.clone(),
        }
    }

    /// The subject as one JSON value (`None` when absent); a node list becomes an array.
    pub(crate) fn to_value(&self) -> Option<Value> {
        match self {
            Subject::Absent => None,
            Subject::Value(value) => Some((*value).clone()),
            Subject::Nodes(nodes) => {
                Some(Value::Array(nodes.iter().map(|v| (*v).clone()).collect()))
            }
        }
    }

    /// The subject as a value to show in a failure: a list keeps its first items only (a
    /// million selected nodes are not copied to print the first few).
    pub(crate) fn sample(&self) -> Option<Value> {
        const SHOWN: usize = 64;
        let items: Vec<&Value> = match self {
            Subject::Nodes(nodes) => nodes.iter().copied().take(SHOWN).collect(),
            Subject::Value(Value::Array(items)) => items.iter().take(SHOWN).collect(),
            _ => return self.to_value(),
        };
        Some(Value::Array(items.into_iter().cloned().collect()))
    }

    /// A word for the subject's type, for mismatch messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Subject::Absent => "absent",
            Subject::Nodes(_) => "a list of selected nodes",
            Subject::Value(value) => json::type_name(value),
        }
    }
}
