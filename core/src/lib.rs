#![warn(missing_docs)]

//! ekscheck's core: the check format and everything a run does that needs neither the AWS SDK
//! nor an async runtime. A pack is loaded ([`format`]), its calls and checks are planned
//! ([`plan`]), a backend answers the calls ([`execute`]: a recording here; AWS, and the engine
//! that makes the calls concurrently, live in the `ekscheck` crate), and every check is decided
//! ([`evaluate`]) through templates, JSONPath and predicates.

pub mod assertion;
pub mod diagnostic;
pub mod evaluate;
pub mod execute;
pub mod format;
pub mod input;
pub mod json;
pub mod network;
pub mod operations;
pub mod overrides;
pub mod pack_test;
pub mod path;
pub mod plan;
mod query;
pub mod redact;
pub mod suggest;
pub mod targets;
pub mod template;
pub mod vars;
