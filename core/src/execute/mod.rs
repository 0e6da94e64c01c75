//! What running a plan produces and consumes: the answer of every call instance and the rows of
//! every fan-out ([`Execution`]), the backends that answer calls ([`Backend`]: a recording here;
//! AWS, and the engine that makes the calls concurrently, in the `ekscheck` crate), and the row
//! scope checks and templates read.

mod answer;
mod backend;
pub mod recording;
mod row;
mod scope;
mod step;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use answer::{Answer, CallResults, Expansion, Failure, Instance, NotMade, NotMadeReason};
pub use backend::{Backend, CallError, call_key};
pub use row::Row;
pub(crate) use scope::Unavailable;
pub use scope::{RowScope, row_scope};
pub use step::{Expanding, Gathering, Prepared, gathered, prepare, within_limit};

use crate::plan::CallId;

/// What a run did: every needed call's instances and every fan-out's rows.
#[derive(Debug, Default)]
pub struct Execution {
    /// By call id; `None` for calls no selected check needs.
    pub calls: Vec<Option<Arc<CallResults>>>,
    /// By fan-out call id.
    pub expansions: HashMap<CallId, Arc<Expansion>>,
    /// Distinct requests sent to the backend.
    pub requests: usize,
    /// Wall time of the whole execution.
    pub elapsed: Duration,
}

/// Settings of an execution.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most backend requests in flight at once.
    pub max_concurrency: usize,
    /// The most rows one `for_each` call may have.
    pub max_rows: usize,
    /// The largest response (as JSON) a call may have.
    pub max_response_bytes: u64,
    /// The most check rows a run may decide (each an outcome held until it is reported).
    pub max_outcomes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrency: 32,
            max_rows: 10_000,
            max_response_bytes: 100 << 20,
            max_outcomes: 1_000_000,
        }
    }
}
