//! The engine against recordings: the check format, validation, predicates, fan-out, needs and
//! when, JUnit, deduplication.

mod cli;
mod conditions;
mod dedup;
mod errors;
mod fanout;
mod junit;
mod predicates;
mod templates;
mod validation;
