//! Running a plan: every call instance, concurrently, each distinct call once.
//!
//! Each call waits only for the calls it depends on; all of its instances (one per fan-out row)
//! then run at once, bounded by a semaphore shared by the whole run. Identical calls (same
//! operation, same rendered params) share one backend request. A call whose `when` is false for
//! a row is not made there; a failed call fails only the instances and checks that depend on it.

mod answer;
pub mod aws;
pub mod backend;
mod engine;
pub mod record;
pub mod recording;
mod rows;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use answer::{Answer, CallResults, Expansion, Failure, Instance, NotMade, NotMadeReason};
pub use backend::{Backend, CallError, call_key};
pub use engine::execute;
pub use rows::{Row, RowScope, Unavailable, row_scope};

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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_concurrency: 32,
            max_rows: 10_000,
            max_response_bytes: 100 << 20,
        }
    }
}
