//! The engine against recordings: the check format, validation, predicates, fan-out, needs and
//! when, JUnit, deduplication, and the format's extensions.

mod cli;
mod conditions;
mod cross_checks;
mod dedup;
mod discover;
mod errors;
mod extensions;
mod fanout;
mod fleet;
mod fuzz;
mod fuzz_surfaces;
mod hostile;
mod hostile_files;
mod hostile_output;
mod junit;
mod overrides;
mod pack_tests;
mod partial;
mod predicates;
mod renderings;
mod requires;
mod templates;
mod validation;
