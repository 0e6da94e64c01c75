//! Replaying a recording: calls answered from its files, offline.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::{RecordedCall, RecordedError};
use crate::diagnostic::Diagnostic;
use crate::execute::{Backend, CallError, call_key};
use crate::input;

/// Answers calls from a recording; counts how often each call is asked for.
#[derive(Debug, Default)]
pub struct RecordingBackend {
    answers: HashMap<String, Result<Arc<Value>, CallError>>,
    asked: Mutex<HashMap<String, usize>>,
    region: Option<String>,
}

impl RecordingBackend {
    /// Loads every `*.json` file below `dir`, each of at most `limit` bytes. Every unreadable or
    /// malformed file is reported.
    pub fn load(dir: &Path, limit: u64) -> Result<Self, Vec<Diagnostic>> {
        let refuse = |why: String| {
            vec![
                Diagnostic::file(dir, why)
                    .with_help("pass a directory of recorded calls to --recording"),
            ]
        };
        match std::fs::metadata(dir) {
            Err(error) => return Err(refuse(format!("cannot read the recording: {error}"))),
            Ok(metadata) if !metadata.is_dir() => {
                return Err(refuse("is not a recording: not a directory".to_owned()));
            }
            Ok(_) => {}
        }
        let root = input::Root::new(dir).map_err(|problem| vec![problem])?;
        let mut problems = Vec::new();
        let files = root.files_under(&["json"], &mut problems);
        let mut answers = HashMap::new();
        let mut answered_by: HashMap<String, PathBuf> = HashMap::new();
        let mut region = None;
        for path in files {
            match read_recorded_call(&root, &path, limit) {
                Ok(recorded) => {
                    region = region.or(recorded.region);
                    let key = call_key(&recorded.api, &recorded.params);
                    if let Some(first) = answered_by.get(&key) {
                        problems.push(
                            Diagnostic::file(
                                &path,
                                format_args!(
                                    "answers the same call as {}: {} with params {}",
                                    first.display(),
                                    recorded.api,
                                    crate::json::canonical(&recorded.params)
                                ),
                            )
                            .with_help("keep one of the two files"),
                        );
                        continue;
                    }
                    answered_by.insert(key.clone(), path.clone());
                    let answer = match (recorded.response, recorded.error) {
                        (Some(response), None) => answer_of(&recorded.api, Ok(response)),
                        (None, Some(error)) => match error_of(error, &path) {
                            Ok(error) => Err(error),
                            Err(problem) => {
                                problems.push(problem);
                                continue;
                            }
                        },
                        _ => {
                            problems.push(
                                Diagnostic::file(
                                    &path,
                                    "has both or neither of `response` and `error`",
                                )
                                .with_help("a recorded call has exactly one of them"),
                            );
                            continue;
                        }
                    };
                    answers.insert(key, answer);
                }
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if answers.is_empty() {
            return Err(vec![
                Diagnostic::file(dir, "holds no recorded calls (`*.json`)")
                    .with_help("record one with `ekscheck record`, or check the path"),
            ]);
        }
        Ok(Self {
            answers,
            asked: Mutex::new(HashMap::new()),
            region,
        })
    }

    /// A recording of `calls` (operation, params, and the response or error), made in no known
    /// region: the in-memory recording of the test kit.
    #[cfg(any(test, feature = "testkit"))]
    pub fn from_calls(
        calls: impl IntoIterator<Item = (String, Value, Result<Value, CallError>)>,
    ) -> Self {
        let answers = calls
            .into_iter()
            .map(|(api, params, answer)| (call_key(&api, &params), answer_of(&api, answer)))
            .collect();
        Self {
            answers,
            ..Self::default()
        }
    }

    /// The region the recording was made in, if its files say.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// How many times each `(api, params)` was asked for, keyed like [`call_key`].
    pub fn times_asked(&self) -> HashMap<String, usize> {
        self.asked
            .lock()
            .map(|asked| asked.clone())
            .unwrap_or_default()
    }
}

/// The error a recorded call (in file `path`) answers with; its `denied_action` must name an
/// operation.
fn error_of(recorded: RecordedError, path: &Path) -> Result<CallError, Diagnostic> {
    let mut error = CallError::new(recorded.code, recorded.message);
    if let Some(action) = recorded.denied_action {
        let Some(operation) = crate::operations::lookup(&action) else {
            let names = crate::operations::OPERATIONS.iter().map(|op| op.api);
            let help = crate::suggest::did_you_mean(&action, names);
            return Err(Diagnostic::file(
                path,
                format_args!(
                    "its `denied_action`, `{action}`, is not an operation ekscheck can call"
                ),
            )
            .with_help(help));
        };
        error.denied_action = Some(operation.api);
    }
    Ok(error)
}

/// The answer to a recorded call: its error, or its response (IAM's with their policy documents
/// decoded).
fn answer_of(api: &str, recorded: Result<Value, CallError>) -> Result<Arc<Value>, CallError> {
    match recorded {
        Ok(response) if api.starts_with("iam:") => decode_policy_documents(response),
        other => other,
    }
    .map(Arc::new)
}

/// IAM members holding policy documents: the AWS CLI prints them decoded and parsed, but a
/// recording assembled from other tools may hold the raw (URL-encoded) text.
const POLICY_DOCUMENT_MEMBERS: [&str; 3] =
    ["AssumeRolePolicyDocument", "PolicyDocument", "Document"];

/// Decodes the policy documents of an IAM response held as text; one that is text but not a
/// policy document makes the answer an error that says so, rather than a value every check
/// would misread.
fn decode_policy_documents(mut response: Value) -> Result<Value, CallError> {
    fn walk(value: &mut Value, at: &mut Vec<String>) -> Result<(), CallError> {
        match value {
            Value::Object(members) => {
                for (name, member) in members.iter_mut() {
                    at.push(name.clone());
                    if let (true, Value::String(text)) =
                        (POLICY_DOCUMENT_MEMBERS.contains(&name.as_str()), &*member)
                    {
                        *member = crate::json::decode_policy_document(text).ok_or_else(|| {
                            CallError::new(
                                "UndecodablePolicyDocument",
                                format!(
                                    "`{}` is text ({}) rather than a policy document: record the \
                                     call with `ekscheck record` or the AWS CLI, which decode it",
                                    at.join("."),
                                    crate::json::shorten(member)
                                ),
                            )
                        })?;
                    } else {
                        walk(member, at)?;
                    }
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    at.push(index.to_string());
                    walk(item, at)?;
                    at.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(&mut response, &mut Vec::new())?;
    Ok(response)
}

fn read_recorded_call(
    root: &input::Root,
    path: &Path,
    limit: u64,
) -> Result<RecordedCall, Diagnostic> {
    let text = root.read_text(path, limit)?;
    let help =
        r#"a recorded call is {"api": "eks:DescribeCluster", "params": {…}, "response": {…}}"#;
    let described = |error: serde_json::Error| {
        let why = error.to_string();
        let why = why.split(" at line ").next().unwrap_or_default().to_owned();
        format!("{why} (line {}, column {})", error.line(), error.column())
    };
    serde_json::from_str(&text).map_err(|error| {
        // A syntax error is the JSON's; serde names the struct for a document that is no object:
        // say what it is instead.
        let why = match serde_json::from_str::<Value>(&text) {
            Err(syntax) => described(syntax),
            Ok(document) if !document.is_object() => format!(
                "it holds {}, not an object",
                crate::json::type_name(&document)
            ),
            Ok(_) => described(error),
        };
        Diagnostic::file(path, format_args!("is not a recorded call: {why}")).with_help(help)
    })
}

impl Backend for RecordingBackend {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
        let key = call_key(api, params);
        if let Ok(mut asked) = self.asked.lock() {
            *asked.entry(key.clone()).or_default() += 1;
        }
        self.answers.get(&key).cloned().unwrap_or_else(|| {
            Err(CallError::new(
                "NoRecording",
                format!(
                    "the recording has no answer for {api} with params {}",
                    crate::json::canonical(params)
                ),
            ))
        })
    }
}
