//! Acceptance tests: the `ekscheck` binary and library driven end to end, in one test binary
//! (each test binary links the AWS SDK, which is slow to link).

mod authoring;
mod emulator;
mod engine;
mod format_doc;
mod install;
mod live;
mod node_join;
mod readme;
mod support;
