//! ekscheck: declarative checks for why EKS worker nodes do not join their cluster.

pub mod cli;
pub mod diagnostic;
pub mod evaluate;
pub mod execute;
pub mod format;
pub mod input;
pub mod json;
pub mod operations;
pub mod path;
pub mod plan;
pub mod predicate;
pub mod redact;
pub mod report;
pub mod suggest;
pub mod template;
pub mod vars;
