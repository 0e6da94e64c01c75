//! The check format: packs, suites, calls and checks, loaded from YAML with locations.
//!
//! This module reads and checks what can be checked file by file (shapes, operations, params,
//! templates, paths, predicates). Cross-references (names, dependencies, fan-outs, `needs`) are
//! resolved by [`crate::plan`].

mod keyword;
mod load;
pub mod model;
mod predicate;
mod raw;
pub mod schema;
pub mod yaml;

pub use load::{FORMAT, MANIFEST, TESTS, VERSION, is_slug, load_packs};
pub use model::*;
pub(crate) use predicate::Compiled;
pub use predicate::{Alternative, Bound, Comparison, Keyword, Nested, Pattern, Predicate};
