//! The engine: a plan's calls made concurrently, each distinct request once, against a
//! recording or AWS ([`aws`]), and for a fleet held to one shared budget ([`budget`]). What a run
//! produces is [`crate::execute`]'s.

pub mod aws;
pub mod budget;
mod run;

pub use run::execute;
