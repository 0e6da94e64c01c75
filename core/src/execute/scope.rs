//! What the templates and assertions of one row may read: the variables, the responses of the
//! calls they refer to, and the row's fan-out items.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::answer::{Answer, CallResults, Failure, NotMade};
use super::row::Row;
use crate::plan::{CallId, Ref};
use crate::template::Scope;

/// Why a call read by a row has no response there.
#[derive(Clone, Debug)]
pub(crate) enum Unavailable {
    /// It does not apply to the row.
    NotMade(Arc<NotMade>),
    /// It failed.
    Failed(Arc<Failure>),
}

/// What the templates and assertions of one row may read: the run's variables, the responses of
/// the calls they refer to, and the fan-out items of the row. A call that was not made reads as
/// `null` (a computed call can so choose between alternatives); a call that failed is absent.
pub struct RowScope<'a> {
    vars: &'a Value,
    values: BTreeMap<&'a str, &'a Value>,
    /// The calls read that have no response for the row, by name, in name order.
    pub(crate) unavailable: Vec<(&'a str, Unavailable)>,
}

const NULL: &Value = &Value::Null;

impl Scope for RowScope<'_> {
    fn get(&self, root: &str) -> Option<&Value> {
        if root == "vars" {
            Some(self.vars)
        } else {
            self.values.get(root).copied()
        }
    }
}

impl RowScope<'_> {
    /// The first failed call among those read, if any.
    pub(crate) fn failure(&self) -> Option<&Arc<Failure>> {
        self.unavailable.iter().find_map(|(_, u)| match u {
            Unavailable::Failed(failure) => Some(failure),
            Unavailable::NotMade(_) => None,
        })
    }

    /// The first call read that was not made, if any.
    pub(crate) fn not_made(&self) -> Option<&Arc<NotMade>> {
        self.unavailable.iter().find_map(|(_, u)| match u {
            Unavailable::NotMade(not_made) => Some(not_made),
            Unavailable::Failed(_) => None,
        })
    }

    /// Why `name` has no response for the row, if it has none.
    pub(crate) fn why_unavailable(&self, name: &str) -> Option<&Unavailable> {
        self.unavailable
            .iter()
            .find(|(read, _)| *read == name)
            .map(|(_, why)| why)
    }
}

/// Builds the scope of `row` for templates and assertions reading `refs` (`fanout` is the
/// fan-out chain the row belongs to).
pub fn row_scope<'a>(
    refs: &'a BTreeMap<String, Ref>,
    fanout: &[CallId],
    row: &'a Row,
    vars: &'a Value,
    calls: &'a [Option<Arc<CallResults>>],
) -> RowScope<'a> {
    let mut values = BTreeMap::new();
    let mut unavailable = Vec::new();
    for (name, reference) in refs {
        let value: Option<&Value> = match *reference {
            Ref::Vars => None,
            Ref::Call(id) => match calls[id].as_ref().and_then(|results| results.at(row)) {
                Some(instance) => match &instance.answer {
                    Answer::Response(value) => Some(value),
                    Answer::NotMade(not_made) => {
                        unavailable
                            .push((name.as_str(), Unavailable::NotMade(Arc::clone(not_made))));
                        Some(NULL)
                    }
                    Answer::Failed(failure) => {
                        unavailable.push((name.as_str(), Unavailable::Failed(Arc::clone(failure))));
                        None
                    }
                },
                None => None,
            },
            Ref::Binding(owner) => fanout
                .iter()
                .position(|&id| id == owner)
                .and_then(|level| row.items.get(level))
                .map(|item| &**item),
        };
        if let Some(value) = value {
            values.insert(name.as_str(), value);
        }
    }
    RowScope {
        vars,
        values,
        unavailable,
    }
}
