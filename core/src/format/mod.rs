//! The check format: packs, suites, calls and checks, loaded from YAML with locations.
//!
//! This module reads and checks what can be checked file by file (shapes, operations, params,
//! templates, paths, predicates). Cross-references (names, dependencies, fan-outs, `needs`) are
//! resolved by [`crate::plan`].

mod keyword;
mod load;
mod model;
mod predicate;
mod raw;
pub mod schema;
pub mod yaml;

pub(crate) use load::{FORMAT, TESTS};
pub use load::{MANIFEST, is_slug, load_packs};
pub use model::*;
pub use predicate::Keyword;
pub(crate) use predicate::{Alternative, Bound, Comparison, Compiled, Nested, Pattern, Predicate};
