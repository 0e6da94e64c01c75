//! Recordings: a directory of JSON files, each the answer to one call (`ekscheck record` writes
//! them, with [`Recorder`]; [`RecordingBackend`] answers calls from them, offline), optionally
//! redacted.

mod record;
mod redact;
mod replay;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use record::Recorder;
pub use replay::RecordingBackend;

/// One recorded call, as stored on disk.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordedCall {
    pub(super) api: String,
    #[serde(default)]
    pub(super) params: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) response: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<RecordedError>,
    /// The region the call was made in (written by `ekscheck record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) region: Option<String>,
}

/// An error a call was answered with: the service's code and message, and for a denied call the
/// IAM action it needs. A recording made before `denied_action` was written holds the reports'
/// words for it at the end of `message` instead, and replays them as they are.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordedError {
    pub(super) code: String,
    #[serde(default)]
    pub(super) message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) denied_action: Option<String>,
}
