//! ekscheck: declarative checks for why EKS worker nodes do not join their cluster.

pub mod diagnostic;
pub mod execute;
pub mod format;
pub mod operations;
pub mod path;
pub mod predicate;
pub mod report;
pub mod suggest;
pub mod template;
