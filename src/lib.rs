//! ekscheck: declarative checks for why EKS worker nodes do not join their cluster.

pub mod execute;
pub mod operations;
