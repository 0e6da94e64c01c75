//! Acceptance tests: the `ekscheck` binary and library driven end to end, in one test binary
//! (each test binary links the AWS SDK, which is slow to link).

// Scenarios and tables are long, and their fixtures build text freely: these lints are for the
// product's code.
#![allow(
    clippy::too_many_lines,
    clippy::format_push_string,
    clippy::format_collect,
    reason = "test scenarios and fixtures"
)]

mod authoring;
mod emulator;
mod engine;
mod format_doc;
mod install;
mod live;
mod node_join;
mod readme;
mod support;
