//! Reporting run results: the console (libtest style) and JUnit XML, both from one outcome list.

pub mod console;
pub mod junit;

use std::io::{self, Write};

use serde_json::Value;

/// The longest rendering of a value shown in a message, in bytes.
pub const SHOWN_LIMIT: usize = 240;

/// A value as compact JSON, cut to [`SHOWN_LIMIT`] bytes so that a 5 MB response never ends up
/// in a message whole. Serialisation stops at the limit instead of rendering everything first.
pub fn shorten(value: &Value) -> String {
    struct Capped {
        kept: Vec<u8>,
        total: usize,
    }
    impl Write for Capped {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let room = (SHOWN_LIMIT + 4).saturating_sub(self.kept.len());
            self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
            self.total += bytes.len();
            if self.kept.len() > SHOWN_LIMIT {
                return Err(io::Error::other("limit reached"));
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut sink = Capped {
        kept: Vec::new(),
        total: 0,
    };
    let complete = serde_json::to_writer(&mut sink, value).is_ok();
    let text = String::from_utf8_lossy(&sink.kept).into_owned();
    if complete {
        return text;
    }
    let mut cut = SHOWN_LIMIT;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… (truncated)", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
