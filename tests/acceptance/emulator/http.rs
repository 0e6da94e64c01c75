//! Just enough HTTP/1.1 for loopback fixture servers: read a request or response (with a
//! `Content-Length`, chunked, or up to the end of the stream), write one with a `Content-Length`.
//! Shared by the fixture proxy of the tests and the benchmark's fixture server.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

/// An HTTP/1.1 request or response.
#[derive(Debug, Default)]
pub(crate) struct Message {
    /// `GET /clusters/x HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub start: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Message {
    /// The value of header `name`, if present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// A response with `status`, `headers` and `body`.
    pub(crate) fn response(status: u16, headers: &[(&str, &str)], body: Vec<u8>) -> Self {
        Self {
            start: format!("HTTP/1.1 {status} Fixture"),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body,
        }
    }

    /// A JSON response.
    pub(crate) fn json(status: u16, body: &Value) -> Self {
        Self::response(
            status,
            &[("Content-Type", "application/json")],
            body.to_string().into_bytes(),
        )
    }

    /// Writes the message with a `Content-Length` and without hop-by-hop headers.
    pub(crate) async fn write(
        &self,
        stream: &mut (impl AsyncWriteExt + Unpin),
        close: bool,
    ) -> std::io::Result<()> {
        let mut head = format!("{}\r\n", self.start);
        for (key, value) in &self.headers {
            let hop = [
                "content-length",
                "transfer-encoding",
                "connection",
                "keep-alive",
            ];
            if !hop.contains(&key.to_ascii_lowercase().as_str()) {
                head.push_str(&format!("{key}: {value}\r\n"));
            }
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        // One write: a head and a body written apart wait for a delayed ACK (Nagle), ~40 ms.
        let mut message = head.into_bytes();
        message.extend_from_slice(&self.body);
        stream.write_all(&message).await?;
        stream.flush().await
    }
}

/// Reads one message; `None` at the end of the stream.
pub(crate) async fn read_message(
    reader: &mut (impl AsyncBufReadExt + Unpin),
) -> std::io::Result<Option<Message>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut message = Message {
        start: line.trim_end().to_owned(),
        ..Message::default()
    };
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((key, value)) = header.split_once(':') {
            message
                .headers
                .push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    if message
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                line.clear();
                reader.read_line(&mut line).await?;
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            message.body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = message
        .header("content-length")
        .and_then(|v| v.parse().ok())
    {
        message.body = vec![0; length];
        reader.read_exact(&mut message.body).await?;
    } else if message.start.starts_with("HTTP/") {
        reader.read_to_end(&mut message.body).await?;
    }
    Ok(Some(message))
}
