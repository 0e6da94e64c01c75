//! A denied call through `record` and replay: the service's message and the IAM action it needs
//! are kept apart, and a recording made before they were replays its message as it is.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Recorder, RecordingBackend};
use crate::execute::{Backend, CallError};
use crate::testkit::answered;

const API: &str = "ec2:GetConsoleOutput";
const MESSAGE: &str = "You are not authorized to perform this operation.";

fn params() -> Value {
    json!({"InstanceId": "i-0abc"})
}

fn denied() -> CallError {
    CallError::new("UnauthorizedOperation", MESSAGE).noting_denied_action(API)
}

/// Writes one recorded call, `document`, into a new recording.
fn recording_of(document: &Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("call.json"), document.to_string()).unwrap();
    dir
}

fn replayed(dir: &Path) -> Result<Arc<Value>, CallError> {
    let recording = RecordingBackend::load(dir, 1 << 20).unwrap();
    answered(recording.call(API, &params()))
}

#[test]
fn a_denied_call_is_recorded_with_its_action_apart_and_replays_as_it_was_answered() {
    let live = RecordingBackend::from_calls([(API.to_owned(), params(), Err(denied()))]);
    let recorder = Recorder::new(&live, None);
    let answered_live = answered(recorder.call(API, &params()));
    assert_eq!(answered_live, Err(denied()));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(recorder.write(dir.path(), false).unwrap(), 1);
    let file = dir.path().join("ec2-get-console-output-001.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(
        document["error"],
        json!({"code": "UnauthorizedOperation", "message": MESSAGE, "denied_action": API})
    );
    assert_eq!(replayed(dir.path()), answered_live);
}

#[test]
fn a_recording_made_before_replays_the_action_in_its_message_as_it_is() {
    let message = format!("{MESSAGE} (this check needs the IAM action {API})");
    let dir = recording_of(&json!({
        "api": API,
        "params": params(),
        "error": {"code": "UnauthorizedOperation", "message": message},
    }));
    assert_eq!(
        replayed(dir.path()),
        Err(CallError::new("UnauthorizedOperation", message))
    );
}

#[test]
fn a_denied_action_that_is_no_operation_is_refused() {
    let dir = recording_of(&json!({
        "api": API,
        "params": params(),
        "error": {"code": "UnauthorizedOperation", "denied_action": "ec2:GetConsoleLog"},
    }));
    let problems = RecordingBackend::load(dir.path(), 1 << 20).unwrap_err();
    let refused: Vec<(&str, Option<&str>)> = problems
        .iter()
        .map(|p| (p.message.as_str(), p.help.as_deref()))
        .collect();
    let file = dir.path().join("call.json");
    let message = format!(
        "{}: its `denied_action`, `ec2:GetConsoleLog`, is not an operation ekscheck can call",
        file.display()
    );
    assert_eq!(
        refused,
        [(
            message.as_str(),
            Some("did you mean `ec2:GetConsoleOutput`?")
        )]
    );
}
