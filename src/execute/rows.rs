//! Fan-out rows: one assignment of `for_each` items along a fan-out chain.

use std::sync::Arc;

use serde_json::Value;

/// A row of a fan-out chain: for each level, the item's index, the bound item and its label.
/// The root row (no fan-out) has no levels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// Item index at each level, outermost first.
    pub path: Vec<usize>,
    /// The item bound at each level.
    pub items: Vec<Arc<Value>>,
    /// The label of each level.
    pub labels: Vec<String>,
}

impl Row {
    /// The row's label: level labels joined with `/`, or `None` for the root row.
    pub fn label(&self) -> Option<String> {
        (!self.labels.is_empty()).then(|| self.labels.join("/"))
    }

    /// The row cut to its first `depth` levels.
    pub fn prefix(&self, depth: usize) -> Row {
        let depth = depth.min(self.path.len());
        Row {
            path: self.path[..depth].to_vec(),
            items: self.items[..depth].to_vec(),
            labels: self.labels[..depth].to_vec(),
        }
    }

    /// The row extended by one level.
    pub fn child(&self, index: usize, item: Arc<Value>, label: String) -> Row {
        let mut row = self.clone();
        row.path.push(index);
        row.items.push(item);
        row.labels.push(label);
        row
    }

    /// Whether one row is a prefix of the other (they describe the same resources).
    pub fn compatible(&self, other: &Row) -> bool {
        let depth = self.path.len().min(other.path.len());
        self.path[..depth] == other.path[..depth]
    }
}
