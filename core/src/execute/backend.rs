//! The seam between the engine and whatever answers calls: a recording, AWS, or a test double.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;

/// Why a call produced no response: the AWS error code (or an ekscheck code such as
/// `NoRecording`) and message, and for a denied call the IAM action it needs (worded by the
/// reports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    /// Machine-readable code, e.g. `AccessDenied`, `ResourceNotFoundException`, `Throttling`.
    pub code: String,
    /// The service's message, or ekscheck's explanation.
    pub message: String,
    /// For a call the service denied (`AccessDenied`, `AccessDeniedException`,
    /// `UnauthorizedOperation`), the IAM action it was denied: the permission the caller needs.
    /// It is the operation's name in [`crate::operations`], which is also its IAM action.
    pub denied_action: Option<&'static str>,
}

/// The error codes with which AWS services deny a call the caller has no permission for.
const DENIED_CODES: [&str; 3] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
];

impl CallError {
    /// Builds an error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            denied_action: None,
        }
    }

    /// An operation the generated code does not know (cannot happen for a loaded pack).
    pub fn unregistered(service: &str, operation: &str) -> Self {
        Self::new(
            "UnknownOperation",
            format!("{service}:{operation} is not an operation ekscheck can call"),
        )
    }

    /// Notes, when the service denied the call to `api`, that `api` is the IAM action it needs.
    pub fn noting_denied_action(mut self, api: &str) -> Self {
        if DENIED_CODES.contains(&self.code.as_str()) {
            self.denied_action = crate::operations::lookup(api).map(|operation| operation.api);
        }
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_denied_call_to_an_operation_notes_its_action() {
        let action = |code: &str, api: &str| CallError::new(code, "").noting_denied_action(api);
        for code in DENIED_CODES {
            assert_eq!(
                action(code, "eks:ListNodegroups").denied_action,
                Some("eks:ListNodegroups")
            );
        }
        assert_eq!(
            action("Throttling", "eks:ListNodegroups").denied_action,
            None
        );
        assert_eq!(
            action("AccessDenied", "eks:DeleteCluster").denied_action,
            None
        );
    }
}
