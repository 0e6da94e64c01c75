//! JSON utilities every stage shares: type names, deep equality, canonical text for call keys,
//! the text a template interpolates, and values shortened for messages.

use std::io::{self, Write};

use serde_json::Value;

/// A word for a JSON value's type, for messages: `a string`, `a list`, `an object`, ….
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Deep equality in which numbers compare by value (`1` equals `1.0`).
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| deep_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, a)| y.get(key).is_some_and(|b| deep_equal(a, b)))
        }
        _ => a == b,
    }
}

/// JSON with object keys sorted, so that equal values give equal text.
pub(crate) fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(entries) => {
                let mut keys: Vec<&String> = entries.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&entries[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// A value as a template interpolates it: strings bare, everything else as JSON.
pub(crate) fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An IAM policy document as IAM's API returns it (URL-encoded JSON text), or as some tools
/// print it (JSON text), parsed; `None` when the text is neither.
pub fn decode_policy_document(text: &str) -> Option<Value> {
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    serde_json::from_str::<Value>(&decoded)
        .ok()
        .filter(Value::is_object)
}

/// Base64 text decoded as the AWS CLI decodes an instance's console output (botocore's
/// `decode_console_output`): characters outside the base64 alphabet (line breaks) are skipped,
/// and the bytes are read as UTF-8, each invalid sequence replaced by `�`. `None` when the text
/// is not base64.
pub fn decode_base64_text(encoded: &str) -> Option<String> {
    use base64::Engine as _;
    use base64::alphabet::STANDARD;
    use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let kept: String = encoded
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let bytes = LENIENT.decode(kept).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The longest rendering of a value shown in a message, in bytes.
pub(crate) const SHOWN_LIMIT: usize = 240;

/// Whether `value`, written as JSON, takes more than `limit` bytes (stops counting there).
pub(crate) fn larger_than(value: &Value, limit: u64) -> bool {
    struct Counter {
        left: u64,
    }
    impl Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.left = self
                .left
                .checked_sub(bytes.len() as u64)
                .ok_or_else(|| io::Error::other("limit reached"))?;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    serde_json::to_writer(Counter { left: limit }, value).is_err()
}

/// A value as compact JSON, cut to `SHOWN_LIMIT` bytes so that a 5 MB response never ends up
/// in a message whole. Serialisation stops at the limit instead of rendering everything first.
pub fn shorten(value: &Value) -> String {
    struct Capped {
        kept: Vec<u8>,
    }
    impl Write for Capped {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let room = (SHOWN_LIMIT + 4).saturating_sub(self.kept.len());
            self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
            if self.kept.len() > SHOWN_LIMIT {
                return Err(io::Error::other("limit reached"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut sink = Capped { kept: Vec::new() };
    let complete = serde_json::to_writer(&mut sink, value).is_ok();
    let text = String::from_utf8_lossy(&sink.kept).into_owned();
    if complete {
        return text;
    }
    format!("{}… (truncated)", cut(&text, SHOWN_LIMIT))
}

/// Text cut to at most `limit` bytes, at a character boundary.
pub(crate) fn cut(text: &str, limit: usize) -> &str {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_text_decodes_as_the_aws_cli_decodes_console_output() {
        // "ok\r\n", "…" and an invalid byte, with a line break in the base64.
        assert_eq!(
            decode_base64_text("b2sNCuKApv9h\n").as_deref(),
            Some("ok\r\n…\u{fffd}a")
        );
        assert_eq!(decode_base64_text("").as_deref(), Some(""));
        // Bad padding is not base64 (Python's b64decode raises, and the CLI keeps the text).
        assert_eq!(decode_base64_text("b2s"), None);
        assert_eq!(decode_base64_text("not base64!"), None);
    }

    #[test]
    fn short_values_are_shown_whole() {
        assert_eq!(shorten(&json!({"a": [1, "b"]})), r#"{"a":[1,"b"]}"#);
    }

    #[test]
    fn long_values_are_cut() {
        let big = Value::Array(
            (0..100_000)
                .map(|i| json!({"InstanceId": format!("i-{i}")}))
                .collect(),
        );
        let shown = shorten(&big);
        assert!(shown.len() < SHOWN_LIMIT + 20, "{}", shown.len());
        assert!(shown.ends_with("… (truncated)"));
    }

    #[test]
    fn equality_compares_numbers_by_value() {
        assert!(deep_equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!deep_equal(&json!([1, 2]), &json!([2, 1])));
        assert!(!deep_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn policy_documents_decode_from_url_encoded_or_plain_json() {
        let document = json!({"Version": "2012-10-17", "Statement": []});
        assert_eq!(
            decode_policy_document(
                "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
            ),
            Some(document.clone())
        );
        assert_eq!(
            decode_policy_document(&document.to_string()),
            Some(document)
        );
        assert_eq!(decode_policy_document("<URL-encoded-JSON>"), None);
        assert_eq!(decode_policy_document("[1]"), None);
    }

    #[test]
    fn canonical_text_ignores_key_order() {
        assert_eq!(
            canonical(&json!({"b": 1, "a": {"d": 2, "c": 3}})),
            r#"{"a":{"c":3,"d":2},"b":1}"#
        );
    }
}
