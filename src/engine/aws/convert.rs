//! Between check JSON and the AWS SDK's types: parameters in, responses out.
//!
//! Responses come out exactly as AWS CLI v2 prints them with `--output json` and `TZ=UTC`: the
//! model's member names, absent members omitted, enums as their strings, timestamps as ISO 8601
//! in UTC (`+00:00`, microseconds only when not zero), blobs in base64, IAM policy documents
//! URL-decoded and parsed, console output decoded from base64, and the pages of a paginated
//! operation merged on the paginator's result keys (tokens dropped). The generated code implements [`ToCli`] and [`FromParam`] for every
//! structure and enum of the allowed operations; this module provides the rest.

use std::collections::HashMap;
use std::error::Error;

use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::{Blob, DateTime};
use serde_json::{Map, Value};

use crate::execute::CallError;

/// An SDK value as the AWS CLI prints it; `None` when the CLI omits it.
pub(crate) trait ToCli {
    /// The JSON the CLI prints for this value.
    fn to_cli(&self) -> Option<Value>;
}

impl ToCli for String {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::String(self.clone()))
    }
}

impl ToCli for bool {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::Bool(*self))
    }
}

impl ToCli for i32 {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl ToCli for i64 {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::from(*self))
    }
}

impl ToCli for f64 {
    fn to_cli(&self) -> Option<Value> {
        serde_json::Number::from_f64(*self).map(Value::Number)
    }
}

impl ToCli for DateTime {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::String(iso8601(self)))
    }
}

impl ToCli for Blob {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::String(aws_smithy_types::base64::encode(
            self.as_ref(),
        )))
    }
}

impl<T: ToCli> ToCli for Option<T> {
    fn to_cli(&self) -> Option<Value> {
        self.as_ref().and_then(ToCli::to_cli)
    }
}

impl<T: ToCli> ToCli for Vec<T> {
    fn to_cli(&self) -> Option<Value> {
        Some(Value::Array(
            self.iter().filter_map(ToCli::to_cli).collect(),
        ))
    }
}

impl<T: ToCli> ToCli for HashMap<String, T> {
    fn to_cli(&self) -> Option<Value> {
        let mut keys: Vec<&String> = self.keys().collect();
        keys.sort();
        Some(Value::Object(
            keys.into_iter()
                .filter_map(|key| Some((key.clone(), self[key].to_cli()?)))
                .collect(),
        ))
    }
}

/// A structure from its members, leaving out the absent ones.
pub(crate) fn object<const N: usize>(members: [(&str, Option<Value>); N]) -> Option<Value> {
    Some(Value::Object(
        members
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)))
            .collect(),
    ))
}

/// An IAM policy document (URL-encoded JSON text on the wire), decoded and parsed as the CLI
/// does; text that is not JSON stays text.
pub(crate) fn policy_document(value: &impl ToCli) -> Option<Value> {
    let value = value.to_cli()?;
    let Value::String(encoded) = &value else {
        return Some(value);
    };
    Some(
        crate::json::decode_policy_document(encoded).unwrap_or_else(|| {
            Value::String(
                percent_encoding::percent_decode_str(encoded)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        }),
    )
}

/// An instance's console output (base64 on the wire), decoded as the AWS CLI decodes it
/// (botocore's `decode_console_output`): UTF-8 with invalid bytes replaced; text that is not
/// base64 is kept as it is.
pub(crate) fn console_output(value: &Option<String>) -> Option<Value> {
    let encoded = value.as_deref()?;
    Some(Value::String(
        crate::json::decode_base64_text(encoded).unwrap_or_else(|| encoded.to_owned()),
    ))
}

/// ISO 8601 in UTC as Python's `isoformat()` writes it: `2024-03-14T11:31:44.348000+00:00`, the
/// fraction only when not zero. EKS sends epoch seconds as floats, so nanoseconds are rounded to
/// microseconds (`…347999999` is `.348000`).
pub(super) fn iso8601(time: &DateTime) -> String {
    let mut seconds = time.secs();
    let mut micros = (time.subsec_nanos() + 500) / 1000;
    if micros == 1_000_000 {
        seconds += 1;
        micros = 0;
    }
    let whole = DateTime::from_secs(seconds)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| seconds.to_string());
    let base = whole.trim_end_matches('Z');
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

/// A parameter value converted to an SDK input type.
pub(crate) trait FromParam: Sized {
    /// Converts `value`, or says what was expected.
    fn from_param(value: &Value) -> Result<Self, String>;
}

fn expected(what: &str, value: &Value) -> String {
    format!("expected {what}, got {}", crate::json::shorten(value))
}

impl FromParam for String {
    fn from_param(value: &Value) -> Result<Self, String> {
        match value {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            other => Err(expected("text", other)),
        }
    }
}

impl FromParam for bool {
    fn from_param(value: &Value) -> Result<Self, String> {
        match value {
            Value::Bool(flag) => Ok(*flag),
            Value::String(text) if text == "true" || text == "false" => Ok(text == "true"),
            other => Err(expected("true or false", other)),
        }
    }
}

impl FromParam for i64 {
    fn from_param(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(number) => number.as_i64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| expected("a whole number", value))
    }
}

impl FromParam for i32 {
    fn from_param(value: &Value) -> Result<Self, String> {
        i64::from_param(value)
            .and_then(|n| i32::try_from(n).map_err(|_| expected("a smaller number", value)))
    }
}

impl FromParam for f64 {
    fn from_param(value: &Value) -> Result<Self, String> {
        match value {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| expected("a number", value))
    }
}

impl FromParam for DateTime {
    fn from_param(value: &Value) -> Result<Self, String> {
        value
            .as_str()
            .and_then(|text| DateTime::from_str(text, Format::DateTime).ok())
            .ok_or_else(|| expected("an ISO 8601 date and time", value))
    }
}

/// A list; a single value stands for a list of one, as in the AWS CLI's shorthand.
impl<T: FromParam> FromParam for Vec<T> {
    fn from_param(value: &Value) -> Result<Self, String> {
        match value {
            Value::Array(items) => items.iter().map(T::from_param).collect(),
            single => Ok(vec![T::from_param(single)?]),
        }
    }
}

impl<T: FromParam> FromParam for HashMap<String, T> {
    fn from_param(value: &Value) -> Result<Self, String> {
        value
            .as_object()
            .ok_or_else(|| expected("a mapping", value))?
            .iter()
            .map(|(key, item)| Ok((key.clone(), T::from_param(item)?)))
            .collect()
    }
}

/// A member of a parameter structure, if present.
pub(crate) fn field<T: FromParam>(value: &Value, name: &str) -> Result<Option<T>, String> {
    match value.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(item) => T::from_param(item)
            .map(Some)
            .map_err(|message| format!("`{name}`: {message}")),
    }
}

/// The rendered `params` of a call.
pub(crate) struct Params<'a>(pub(crate) &'a Map<String, Value>);

impl Params<'_> {
    /// The member `name` converted to the SDK's type, if present.
    pub(crate) fn get<T: FromParam>(&self, name: &str) -> Result<Option<T>, CallError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::from_param(value).map(Some).map_err(|message| {
                CallError::new("InvalidParameter", format!("`{name}`: {message}"))
            }),
        }
    }
}

/// Implements [`ToCli`] and [`FromParam`] for SDK enums: their strings, as in the model.
macro_rules! enums {
    ($($enum:ty),* $(,)?) => {$(
        impl $crate::engine::aws::convert::ToCli for $enum {
            fn to_cli(&self) -> Option<serde_json::Value> {
                Some(serde_json::Value::String(self.as_str().to_owned()))
            }
        }
        impl $crate::engine::aws::convert::FromParam for $enum {
            fn from_param(value: &serde_json::Value) -> Result<Self, String> {
                value
                    .as_str()
                    .map(<$enum>::from)
                    .ok_or_else(|| format!("expected text, got {value}"))
            }
        }
    )*};
}
pub(crate) use enums;

/// The response of a call that is not paginated.
pub(crate) fn single<O, E>(result: Result<O, SdkError<E, HttpResponse>>) -> Result<Value, CallError>
where
    O: ToCli,
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let output = result.map_err(call_error)?;
    Ok(output.to_cli().unwrap_or_else(|| Value::Object(Map::new())))
}

/// Every page of a paginated call merged as the CLI merges them: the lists under `result_keys`
/// concatenated, `kept_keys` from the first page, everything else (tokens) dropped.
pub(crate) async fn paginated<O, E>(
    mut pages: PaginationStream<Result<O, SdkError<E, HttpResponse>>>,
    result_keys: &[&str],
    kept_keys: &[&str],
) -> Result<Value, CallError>
where
    O: ToCli,
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let mut merged = Map::new();
    let mut first = true;
    while let Some(page) = pages.next().await {
        let page = page.map_err(call_error)?.to_cli().unwrap_or_default();
        if std::mem::take(&mut first) {
            for &key in kept_keys {
                if let Some(value) = page.get(key) {
                    merged.insert(key.to_owned(), value.clone());
                }
            }
        }
        for &key in result_keys {
            let Some(value) = page.get(key) else {
                continue;
            };
            match (merged.get_mut(key), value) {
                (Some(Value::Array(all)), Value::Array(items)) => all.extend(items.iter().cloned()),
                (Some(_), _) => {}
                (None, value) => {
                    merged.insert(key.to_owned(), value.clone());
                }
            }
        }
    }
    Ok(Value::Object(merged))
}

/// An error and its sources, each as it displays itself (no `Debug` dump), repeated parts once.
pub(super) fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn Error + 'static)> = Some(error);
    while let Some(error) = next {
        let text = error.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        next = error.source();
    }
    parts.join(": ")
}

/// The AWS error code and message of a failed call.
fn call_error<E>(error: SdkError<E, HttpResponse>) -> CallError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let context = || DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) => CallError::new(code, service.err().message().unwrap_or_default()),
            None if service.raw().status().is_success() => {
                CallError::new("InvalidResponse", context())
            }
            None => {
                let status = service.raw().status().as_u16();
                CallError::new(
                    format!("Http{status}"),
                    format!(
                        "the endpoint answered HTTP {status} without an AWS error code (it may \
                         not implement this operation)"
                    ),
                )
            }
        },
        SdkError::TimeoutError(_) => CallError::new(
            "Timeout",
            "the call did not complete in time (--call-timeout)",
        ),
        SdkError::DispatchFailure(failure) => CallError::new(
            "DispatchFailure",
            match failure.as_connector_error() {
                Some(connector) => {
                    format!("could not reach the endpoint: {}", error_chain(connector))
                }
                None => context(),
            },
        ),
        SdkError::ResponseError(_) => CallError::new("InvalidResponse", context()),
        SdkError::ConstructionFailure(_) => CallError::new("InvalidParameter", context()),
        _ => CallError::new("Unknown", context()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_print_as_the_cli_prints_them() {
        let time = |secs, nanos| iso8601(&DateTime::from_secs_and_nanos(secs, nanos));
        assert_eq!(time(1_710_430_304, 0), "2024-03-14T15:31:44+00:00");
        assert_eq!(
            time(1_710_430_304, 348_000_000),
            "2024-03-14T15:31:44.348000+00:00"
        );
        assert_eq!(
            time(1_710_430_304, 347_999_999),
            "2024-03-14T15:31:44.348000+00:00"
        );
        assert_eq!(
            time(1_710_430_304, 999_999_700),
            "2024-03-14T15:31:45+00:00"
        );
        assert_eq!(
            iso8601(&DateTime::from_secs_f64(1_710_430_304.348)),
            "2024-03-14T15:31:44.348000+00:00"
        );
    }

    #[test]
    fn policy_documents_are_decoded() {
        let encoded =
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D".to_owned();
        assert_eq!(
            policy_document(&Some(encoded)),
            Some(json!({"Version": "2012-10-17", "Statement": []}))
        );
        assert_eq!(policy_document(&None::<String>), None);
        assert_eq!(
            policy_document(&"not%20json".to_owned()),
            Some(json!("not json"))
        );
    }

    #[test]
    fn console_output_is_decoded_as_the_cli_decodes_it() {
        assert_eq!(
            console_output(&Some("b2sNCuKApv9h".to_owned())),
            Some(json!("ok\r\n…\u{fffd}a"))
        );
        assert_eq!(console_output(&None), None);
        assert_eq!(
            console_output(&Some("b2s".to_owned())),
            Some(json!("b2s")),
            "not base64: kept"
        );
    }

    #[test]
    fn absent_members_are_omitted() {
        assert_eq!(
            object([
                ("A", Some(json!(1))),
                ("B", None),
                ("C", Vec::<String>::new().to_cli())
            ]),
            Some(json!({"A": 1, "C": []}))
        );
    }

    #[test]
    fn parameters_convert_leniently_but_say_what_was_expected() {
        let params =
            json!({"SubnetIds": "subnet-1", "MaxResults": "10", "DryRun": 3, "Ratio": "0.5"});
        let params = Params(params.as_object().unwrap());
        assert_eq!(
            params.get::<Vec<String>>("SubnetIds").unwrap(),
            Some(vec!["subnet-1".to_owned()])
        );
        assert_eq!(params.get::<i32>("MaxResults").unwrap(), Some(10));
        assert_eq!(params.get::<i32>("Missing").unwrap(), None);
        assert_eq!(params.get::<f64>("Ratio").unwrap(), Some(0.5));
        assert_eq!(
            params.get::<f64>("DryRun").unwrap(),
            Some(3.0),
            "a whole number is a number too"
        );
        let error = params.get::<bool>("DryRun").unwrap_err();
        assert_eq!(error.code, "InvalidParameter");
        assert_eq!(error.message, "`DryRun`: expected true or false, got 3");
    }
}
