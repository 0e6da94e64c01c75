//! YAML reading with locations (serde-saphyr): every value of a pack keeps its file, line and
//! column, duplicate keys are rejected, and `yes`/`no`/`on`/`off` stay strings.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Location, SourceFile};
use crate::suggest;

pub use serde_saphyr::Spanned;

/// Parses a whole YAML file into `T`, or returns the first syntax or shape error, located.
pub fn parse<T: DeserializeOwned>(file: &Arc<SourceFile>) -> Result<T, Diagnostic> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.with_snippet = false;
    serde_saphyr::from_str_with_options(file.text(), options).map_err(|error| {
        let (message, help) = explain(&error);
        let location = error
            .location()
            .map_or_else(|| Location::file_start(file), |at| locate(file, &at));
        let diagnostic = Diagnostic::error(location, message);
        match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    })
}

/// What went wrong, and how to fix it, in the terms of a pack's author: the errors whose own
/// text speaks of the parser's internals are worded here.
fn explain(error: &serde_saphyr::Error) -> (String, Option<String>) {
    use serde_saphyr::Error;
    use serde_saphyr::budget::BudgetBreach;
    let say = |message: &str, help: &str| (message.to_owned(), Some(help.to_owned()));
    match error {
        Error::AliasError { error, .. } => explain(error),
        Error::Budget { breach, .. } => match breach {
            BudgetBreach::Depth { .. } => say(
                "this value is nested more than 64 levels deep",
                "flatten the structure",
            ),
            BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => say(
                "the file is too large: it has more than 250,000 YAML values",
                "split it into several suite files",
            ),
            BudgetBreach::Aliases { .. }
            | BudgetBreach::AliasAnchorRatio { .. }
            | BudgetBreach::Anchors { .. } => say(
                "the file's aliases (`*name`) expand into too much",
                "write the values out, or use fewer aliases",
            ),
            _ => say(
                "the file is too large or too deeply nested to read",
                "split it into several suite files",
            ),
        },
        Error::RecursiveReferencesRequireWeakTypes { .. } => say(
            "this alias refers to a value that contains it",
            "point the alias at another anchor, or write the value out",
        ),
        Error::MultipleDocuments { .. } => say(
            "the file holds a second YAML document (after `---`)",
            "keep one document per file: remove the `---` line and what follows, or move it to a file of its own",
        ),
        Error::NullIntoString { .. } => say(
            "a value is missing here (null), where text is expected",
            "write the value, or remove the key",
        ),
        Error::TaggedScalarCannotDeserializeIntoString { .. } => say(
            "a tagged value (`!!…`) where text is expected",
            "remove the `!!` tag",
        ),
        _ => {
            let message = plain_message(error);
            let help = help_for(&message);
            (message, help)
        }
    }
}

/// The error text without serde-saphyr's own location suffix (ours is shown by the renderer).
fn plain_message(error: &serde_saphyr::Error) -> String {
    static AT_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r" at line \d+, column \d+:?$").expect("a valid pattern")
    });
    let text = error.without_snippet().to_string();
    let text = text
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .replace(
            "expected sequence start",
            "expected a list (`[a, b]`, or `- a` lines)",
        )
        .replace(
            "expected mapping start",
            "expected a mapping (`key: value` lines)",
        )
        .replace("expected string scalar", "expected text here")
        .replace("double-quoted scalar", "text in double quotes")
        .replace("single-quoted scalar", "text in single quotes")
        .replace("block scalar", "block of text")
        .replace("scalar", "value");
    let first = text.lines().next().unwrap_or_default();
    AT_LINE
        .replace(first, "")
        .trim_end_matches(':')
        .trim()
        .to_owned()
}

/// For serde's "unknown field `KEY`, expected …": the allowed key closest to `KEY`, or all of
/// them.
fn unknown_key_help(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let allowed: Vec<&str> = rest
        .split_once("expected ")
        .map_or("", |(_, list)| list)
        .split([',', ' ', '`'])
        .filter(|word| !word.is_empty() && !matches!(*word, "one" | "of" | "or"))
        .collect();
    Some(match suggest::closest(key, allowed.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None if allowed.is_empty() => "remove the key".to_owned(),
        None => format!(
            "remove or rename the key; allowed here: {}",
            allowed.join(", ")
        ),
    })
}

/// Suggests the usual fix for the shape errors serde reports.
fn help_for(message: &str) -> Option<String> {
    if let Some(help) = unknown_key_help(message) {
        Some(help)
    } else if message.contains("duplicate") {
        Some("each key may appear once in a mapping: merge or remove the repeated key".to_owned())
    } else if message.contains("anchor or alias") {
        Some(
            "`*` and `&` start YAML aliases and anchors: quote the value, e.g. `path: \"$.a[*]\"`"
                .to_owned(),
        )
    } else if message.contains("missing field") {
        Some("add the missing key".to_owned())
    } else {
        None
    }
}

/// Converts a serde-saphyr location into a [`Location`] in `file`.
pub(crate) fn locate(file: &Arc<SourceFile>, at: &serde_saphyr::Location) -> Location {
    let span = at.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(offset), Some(len)) => Location::at_offset(file, offset as usize, len as usize),
        _ => Location::at_line_column(file, at.line() as usize, at.column() as usize, 0),
    }
}

/// Where a spanned value was written (the alias for a value reached through an alias).
pub(crate) fn location_of<T>(file: &Arc<SourceFile>, spanned: &Spanned<T>) -> Location {
    locate(file, &spanned.referenced)
}

/// A YAML value in which every node keeps its location, so that problems found deep inside
/// `params` or a predicate value can be pointed at precisely.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `~`, `null` or an empty value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or a float.
    Number(serde_json::Number),
    /// Any string, quoted or not.
    String(String),
    /// A sequence.
    List(Vec<Spanned<Node>>),
    /// A mapping with string keys, in source order.
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl Node {
    /// The node as plain JSON, dropping locations.
    pub fn to_json(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.clone()),
            Node::List(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A word for the node's type, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::List(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// The child reached by a member name or list index, if any.
    pub(crate) fn child(&self, step: &str) -> Option<&Spanned<Node>> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.value == step)
                .map(|(_, v)| v),
            Node::List(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }
}

/// The deepest node reached by following `steps` (member names or indexes) from `root`.
pub(crate) fn descend<'a>(root: &'a Spanned<Node>, steps: &[String]) -> &'a Spanned<Node> {
    let mut node = root;
    for step in steps {
        match node.value.child(step) {
            Some(child) => node = child,
            None => break,
        }
    }
    node
}

/// The key naming the node that `steps` lead to, when the last step is a member of a mapping.
pub(crate) fn key_of<'a>(root: &'a Spanned<Node>, steps: &[String]) -> Option<&'a Spanned<String>> {
    let (last, parents) = steps.split_last()?;
    match &descend(root, parents).value {
        Node::Map(entries) => entries
            .iter()
            .find(|(k, _)| &k.value == last)
            .map(|(k, _)| k),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        serde_json::Number::from_f64(v)
            .map(Node::Number)
            .ok_or_else(|| E::custom("infinite and NaN numbers are not supported"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}
