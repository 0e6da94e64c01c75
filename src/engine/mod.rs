//! The engine: a plan's calls made concurrently, each distinct request once, against a
//! recording or AWS ([`aws`]), and for a fleet held to one shared budget ([`budget`]); and the
//! run sequence from the checks selected to their outcomes ([`Selection`]). What a run produces
//! is [`crate::execute`]'s.

pub mod aws;
pub mod budget;
mod run;
mod sequence;

use run::execute;
pub use sequence::{Run, Selection};
