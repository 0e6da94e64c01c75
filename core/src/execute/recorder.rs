//! Recording a run: a backend wrapper that keeps every call it answers, and writes them out in
//! the recording format, optionally redacted.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::backend::{Backend, CallError};
use super::call_key;
use crate::redact::Redactor;

/// One recorded call: operation, params and answer.
type RecordedCall = (String, Value, Result<Arc<Value>, CallError>);

/// Wraps a backend and remembers each distinct call and its answer.
pub struct Recorder<'a, B> {
    inner: &'a B,
    region: Option<String>,
    calls: Mutex<BTreeMap<String, RecordedCall>>,
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
    /// With a redactor, account IDs, IP addresses and host names are replaced consistently in
    /// params and responses alike, so the recording still replays.
    pub fn write(&self, dir: &Path, mut redactor: Option<&mut Redactor>) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        let calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: BTreeMap<String, usize> = BTreeMap::new();
        for (api, params, answer) in calls.values() {
            let mut document = match answer {
                Ok(response) => json!({"api": api, "params": params, "response": **response}),
                Err(error) => json!({
                    "api": api,
                    "params": params,
                    "error": {"code": error.code, "message": error.message}
                }),
            };
            if let Some(region) = &self.region {
                document["region"] = json!(region);
            }
            if let Some(redactor) = redactor.as_deref_mut() {
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
