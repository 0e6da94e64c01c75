//! The seam between the engine and whatever answers calls: a recording, AWS, or a test double.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;

/// Why a call produced no response: the AWS error code (or an ekscheck code such as
/// `NoRecording`) and a human-readable message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// Machine-readable code, e.g. `AccessDenied`, `ResourceNotFoundException`, `Throttling`.
    pub code: String,
    /// The service's message, or ekscheck's explanation.
    pub message: String,
}

impl CallError {
    /// Builds an error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl CallError {
    /// An operation the generated code does not know (cannot happen for a loaded pack).
    pub fn unregistered(service: &str, operation: &str) -> Self {
        Self::new(
            "UnknownOperation",
            format!("{service}:{operation} is not an operation ekscheck can call"),
        )
    }

    /// Adds the IAM action a denied call needs, so the fix is plain.
    pub fn naming_denied_action(mut self, api: &str) -> Self {
        let denied = [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
        ];
        if denied.contains(&self.code.as_str()) && !self.message.contains(api) {
            self.message = format!("{} (this check needs the IAM action {api})", self.message);
        }
        self
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Answers one registered read-only operation with its response, shaped exactly as
/// `aws <service> <command> --output json` prints it (all pages merged). A response is shared,
/// not copied: a recorded one may be large.
///
/// `api` is always a name from [`crate::operations`], and `params` were validated against that
/// operation's input members when the pack was loaded (templated values are rendered by now).
pub trait Backend: Send + Sync {
    /// Makes one call. Implementations retry what is worth retrying; the engine calls each
    /// distinct `(api, params)` once per run.
    fn call(
        &self,
        api: &str,
        params: &Value,
    ) -> impl Future<Output = Result<Arc<Value>, CallError>> + Send;
}

impl<B: Backend> Backend for &B {
    fn call(
        &self,
        api: &str,
        params: &Value,
    ) -> impl Future<Output = Result<Arc<Value>, CallError>> + Send {
        (**self).call(api, params)
    }
}

/// A stable text key for a call: the operation and its params with object keys sorted.
pub fn call_key(api: &str, params: &Value) -> String {
    format!("{api} {}", crate::json::canonical(params))
}
