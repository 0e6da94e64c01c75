//! Fan-out rows: for each level of a fan-out chain, the item a row stands for.

use std::sync::Arc;

use serde_json::Value;

/// A row of a fan-out chain: for each level, the item's index, the bound item and its label.
/// The root row (no fan-out) has no levels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// Item index at each level, outermost first.
    pub(crate) indices: Vec<usize>,
    /// The item bound at each level.
    pub(crate) items: Vec<Arc<Value>>,
    /// The label of each level.
    pub(crate) labels: Vec<String>,
}

impl Row {
    /// The row's label: level labels joined with `/`, or `None` for the root row.
    pub fn label(&self) -> Option<String> {
        (!self.labels.is_empty()).then(|| self.labels.join("/"))
    }

    /// The row extended by one level.
    pub(crate) fn child(&self, index: usize, item: Arc<Value>, label: String) -> Row {
        let mut row = self.clone();
        row.indices.push(index);
        row.items.push(item);
        row.labels.push(label);
        row
    }
}
