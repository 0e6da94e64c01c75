//! Running a plan: every call instance, concurrently, each distinct call once, against a
//! recording or AWS ([`aws`]). The data a run produces is [`ekscheck_core::execute`]'s.

pub mod aws;
pub mod budget;
mod engine;

pub use ekscheck_core::execute::*;
pub use engine::execute;
