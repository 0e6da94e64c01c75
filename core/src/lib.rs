#![warn(missing_docs)]

//! ekscheck's core: the check format and everything a run does that needs neither the AWS SDK
//! nor an async runtime.
//!
//! The pipeline, and the modules that are this crate's API:
//! - a pack is loaded ([`format`](mod@format)), with its problems as [`diagnostic`]s;
//! - its calls and checks are planned ([`plan`]);
//! - a backend answers the calls ([`execute`]: the data of a run, the backend seam, recordings;
//!   AWS, and the engine that makes the calls concurrently, live in the `ekscheck` crate);
//! - every check is decided for every row ([`evaluate`]), each assertion tested by
//!   [`assertion`], with a team's [`overrides`] and the run's [`vars`];
//! - a pack's own cases compare outcomes with what they expect ([`pack_test`]);
//! - fleets of clusters are read from a targets file ([`targets`]);
//! - each outcome is named by its check, row and target ([`test_name`]).
//!
//! [`operations`] is the allow-list of what a pack may call; [`input`], [`json`], [`network`],
//! [`suggest`] and [`template`] hold what the `ekscheck` crate and its tests share of reading
//! files, JSON values, IP networks, did-you-mean help and rendered templates; a command keeps one
//! [`memo`] of what it compiled. Everything else is
//! private: JSONPath (`path`, `query`) and the insides of every stage.

pub mod assertion;
pub mod diagnostic;
pub mod evaluate;
pub mod execute;
pub mod format;
pub mod input;
pub mod json;
pub mod memo;
pub mod network;
pub mod operations;
pub mod overrides;
pub mod pack_test;
mod path;
pub mod plan;
mod query;
pub mod suggest;
pub mod targets;
pub mod template;
pub mod test_name;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod vars;
