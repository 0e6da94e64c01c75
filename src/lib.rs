//! ekscheck: declarative checks for why EKS worker nodes do not join their cluster.
//!
//! The check format, planning and evaluation are [`ekscheck_core`]'s (re-exported here); this
//! crate adds what needs the AWS SDK or an async runtime — the live backend and the engine that
//! makes calls concurrently — the reports, and the command line.

pub mod cli;
pub mod engine;
pub mod report;
pub mod requires;

pub use ekscheck_core::{
    assertion, diagnostic, evaluate, execute, format, input, json, memo, network, operations,
    overrides, pack_test, plan, suggest, targets, template, test_name, vars,
};
