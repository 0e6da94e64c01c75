//! The AWS query protocol (IAM, Auto Scaling, CloudFormation, EC2) for the fixture layer: reading
//! a form request, writing an XML answer, and asking moto itself.

use serde_json::Value;

use super::http::Message;

/// The parameters of a form-encoded request body, decoded, in order.
pub(super) fn form(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (decode(key), decode(&value.replace('+', " "))))
        .collect()
}

/// The first value of parameter `name`.
pub(super) fn param<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The values of a list parameter (`Name.member.1`, `Name.member.2`, …).
pub(super) fn list_param(form: &[(String, String)], name: &str) -> Vec<String> {
    let prefix = format!("{name}.member.");
    form.iter()
        .filter(|(key, _)| key.starts_with(&prefix))
        .map(|(_, value)| value.clone())
        .collect()
}

/// Percent-decodes URL text.
pub(super) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let Some(byte) = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON as XML elements: an object's members become elements, a list's items `<member>`s.
pub(super) fn xml(value: &Value) -> String {
    match value {
        Value::Object(members) => members
            .iter()
            .map(|(name, value)| format!("<{name}>{}</{name}>", xml(value)))
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| format!("<member>{}</member>", xml(item)))
            .collect(),
        Value::String(text) => escape(text),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A successful answer of `action`, whose result is `result` (JSON, written as XML).
pub(super) fn answer(action: &str, namespace: &str, result: &Value) -> Message {
    let body = format!(
        "<{action}Response xmlns=\"{namespace}\"><{action}Result>{}</{action}Result>\
         <ResponseMetadata><RequestId>fixture</RequestId></ResponseMetadata></{action}Response>",
        xml(result)
    );
    Message::response(200, &[("Content-Type", "text/xml")], body.into_bytes())
}

/// An error answer of the query protocol.
pub(super) fn error(status: u16, code: &str, message: &str) -> Message {
    let body = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message>\
         </Error><RequestId>fixture</RequestId></ErrorResponse>",
        escape(message)
    );
    Message::response(status, &[("Content-Type", "text/xml")], body.into_bytes())
}

/// A request of `service` to moto with the form `params` (moto does not check signatures, but
/// routes by the credential scope).
pub(super) fn request(service: &str, action: &str, params: &[(&str, &str)]) -> Message {
    let mut body = format!("Action={action}&Version=2010-05-08");
    for (key, value) in params {
        body.push('&');
        body.push_str(key);
        body.push('=');
        body.push_str(&encode(value));
    }
    Message {
        start: "POST / HTTP/1.1".to_owned(),
        headers: vec![
            ("Host".to_owned(), "moto".to_owned()),
            (
                "Content-Type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ),
            (
                "Authorization".to_owned(),
                format!(
                    "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, \
                     SignedHeaders=host, Signature=fixture"
                ),
            ),
        ],
        body: body.into_bytes(),
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The texts of every `<tag>…</tag>` element in `xml`, unescaped.
pub(super) fn elements(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    xml.split(open.as_str())
        .skip(1)
        .filter_map(|rest| rest.split_once(close.as_str()).map(|(text, _)| text))
        .map(|text| {
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#34;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}
