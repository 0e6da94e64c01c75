//! Recording a run: a backend wrapper that keeps every call it answers, and writes them out in
//! the recording format, optionally redacted.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::redact::Redactor;
use super::{RecordedCall, RecordedError};
use crate::execute::{Backend, CallError, call_key};

/// One call made: operation, params and answer.
type Made = (String, Value, Result<Arc<Value>, CallError>);

/// Wraps a backend and remembers each distinct call and its answer.
pub struct Recorder<'a, B> {
    inner: &'a B,
    region: Option<String>,
    calls: Mutex<BTreeMap<String, Made>>,
}

impl<'a, B: Backend> Recorder<'a, B> {
    /// Records what `inner` answers, noting the `region` it calls in each file.
    pub fn new(inner: &'a B, region: Option<String>) -> Self {
        Self {
            inner,
            region,
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// Writes one JSON file per recorded call into `dir` (created if needed); returns how many.
    /// Redacted, account IDs, IP addresses and host names are replaced consistently in params
    /// and responses alike, so the recording still replays.
    pub fn write(&self, dir: &Path, redacted: bool) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        let mut redactor = redacted.then(Redactor::new);
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        for (api, params, answer) in calls.values() {
            let (response, error) = match answer {
                Ok(response) => (Some((**response).clone()), None),
                Err(error) => (
                    None,
                    Some(RecordedError {
                        code: error.code.clone(),
                        message: error.message.clone(),
                        denied_action: error.denied_action.map(str::to_owned),
                    }),
                ),
            };
            let recorded = RecordedCall {
                api: api.clone(),
                params: params.clone(),
                response,
                error,
                region: self.region.clone(),
            };
            let mut document = serde_json::to_value(recorded).unwrap_or_default();
            if let Some(redactor) = redactor.as_mut() {
                redactor.redact(&mut document);
            }
            let stem = crate::operations::dashed(api);
            let count = names.entry(stem.clone()).or_default();
            *count += 1;
            let name = format!("{stem}-{count:03}.json");
            let text = serde_json::to_string_pretty(&document).unwrap_or_default();
            std::fs::write(dir.join(name), text + "\n")?;
        }
        Ok(calls.len())
    }
}

impl<B: Backend> Backend for Recorder<'_, B> {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
        let answer = self.inner.call(api, params).await;
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.insert(
            call_key(api, params),
            (api.to_owned(), params.clone(), answer.clone()),
        );
        answer
    }
}
