//! What a call instance produced: a response, or why there is none.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::backend::CallError;
use super::row::Row;
use crate::assertion::{AssertionFailure, AssertionUndecided};
use crate::template::RenderFailure;

/// Why a call instance has no response although it should have one.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// The backend answered with an error the call does not accept.
    Call {
        /// The call's name in the pack.
        call: String,
        /// The operation.
        api: &'static str,
        /// The rendered parameters.
        params: Value,
        /// The AWS (or recording) error.
        error: CallError,
    },
    /// A template of the call (params, value, `for_each` path or label) could not be rendered.
    Render {
        /// The call's name in the pack.
        call: String,
        /// What went wrong.
        failure: RenderFailure,
    },
    /// An assertion of the call's `when` could not be decided.
    Condition {
        /// The call's name in the pack.
        call: String,
        /// Why.
        problem: AssertionUndecided,
    },
    /// The call's `for_each` selects more rows than a run may have (`--max-rows`).
    TooManyRows {
        /// The call's name in the pack.
        call: String,
        /// How many rows it would have.
        rows: usize,
        /// The limit.
        limit: usize,
    },
}

/// Why a call was not made for a row: it does not apply there.
#[derive(Debug, PartialEq)]
pub struct NotMade {
    /// The call's name in the pack.
    pub call: String,
    /// Why.
    pub reason: NotMadeReason,
}

/// Why a call does not apply to a row.
#[derive(Debug, PartialEq)]
pub enum NotMadeReason {
    /// An assertion of its `when` is false.
    When(Box<AssertionFailure>),
    /// It reads a call that was not made.
    Reads(Arc<NotMade>),
}

/// What one call instance produced.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The response (for a computed call, its value).
    Response(Arc<Value>),
    /// The call does not apply to this row.
    NotMade(Arc<NotMade>),
    /// The call failed or could not be made.
    Failed(Arc<Failure>),
}

/// One call instance: its row, its answer and how long its request took.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The fan-out row (shorter than the call's fan-out when an outer step failed).
    pub row: Row,
    /// The response, or why there is none.
    pub answer: Answer,
    /// The time the backend request took (shared by deduplicated instances).
    pub elapsed: Duration,
}

/// All instances of one call, by row.
#[derive(Debug, Default)]
pub struct CallResults {
    /// Instances in row order.
    pub instances: Vec<Instance>,
    by_indices: HashMap<Vec<usize>, usize>,
}

impl CallResults {
    /// The results of a call's instances, found by their rows' indices.
    pub fn new(instances: Vec<Instance>) -> Self {
        let by_indices = instances
            .iter()
            .enumerate()
            .map(|(index, instance)| (instance.row.indices.clone(), index))
            .collect();
        Self {
            instances,
            by_indices,
        }
    }

    /// The instance serving `row`: the one at the longest prefix of the row's indices.
    pub(crate) fn at(&self, row: &Row) -> Option<&Instance> {
        (0..=row.indices.len())
            .rev()
            .find_map(|depth| self.by_indices.get(&row.indices[..depth]))
            .map(|&index| &self.instances[index])
    }
}

/// The rows of one fan-out call, and the outer rows that could not be expanded.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Every row, in order.
    pub rows: Vec<Row>,
    /// Outer rows whose items are unknown, with the reason.
    pub failures: Vec<(Row, Arc<Failure>)>,
}
