//! JSONPath (RFC 9535) queries, through jsonpath-rust: parsed with the checks jsonpath-rust
//! lacks (`$.Attached Policies` parses there as one name with a space; a function may be given
//! the wrong number of arguments), and run over a document. A query of names and indexes only is
//! *singular*: it selects at most one node, and is walked directly.
//!
//! Queries here are plain text; [`crate::path`] adds templates inside their string literals.

use std::sync::LazyLock;

use jsonpath_rust::parser::errors::JsonPathError;
use jsonpath_rust::parser::model::{JpQuery, Segment, Selector};
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use regex::Regex;
use serde_json::Value;

/// A parsed query.
#[derive(Clone, Debug)]
pub(crate) struct Query {
    singular: bool,
    plan: Plan,
}

/// How a query is run.
#[derive(Clone, Debug)]
enum Plan {
    /// Names and indexes only: walked directly, without the general evaluator.
    Steps(Vec<Step>),
    /// Anything else: jsonpath-rust's evaluator.
    General(JpQuery),
}

/// Why a query is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathError {
    /// What is wrong.
    pub(crate) message: String,
    /// Byte offset in the query where the problem is.
    pub(crate) offset: usize,
    /// How to fix it.
    pub(crate) help: String,
}

/// What a query selected in a document.
#[derive(Debug, PartialEq)]
pub(crate) enum Selection<'a> {
    /// A singular query's node, or `None` when it is absent.
    Node(Option<&'a Value>),
    /// Every node a non-singular query selected, in document order.
    Nodes(Vec<&'a Value>),
}

/// How paths are written, for the help of a malformed one.
pub(crate) const HELP: &str = "write paths like `$.cluster.status`, `$.nodegroups[*]` or \
                    `$.Tags[?@.Key == 'Name'].Value`; quote names that are not plain words: \
                    `$['kubernetes.io/role']`";

impl Query {
    /// Parses a query written in a pack (see [`normalize`] for what a pack writes), once per
    /// [`Memo`](crate::memo::Memo).
    pub(crate) fn parse(source: &str) -> Result<Self, PathError> {
        crate::memo::remembered(source, Self::compile)
    }

    /// Parses a query without the memo: one rendered for a row, which the next row renders
    /// differently.
    pub(crate) fn compile(source: &str) -> Result<Self, PathError> {
        if let Some(steps) = plain_steps(source) {
            return Ok(Self {
                singular: true,
                plan: Plan::Steps(steps),
            });
        }
        let parsed = parse_checked(source)?;
        Ok(Self {
            singular: is_singular(&parsed),
            plan: match steps_of(&parsed) {
                Some(steps) => Plan::Steps(steps),
                None => Plan::General(parsed),
            },
        })
    }

    /// Whether the query selects at most one node (names and indexes only).
    pub(crate) fn is_singular(&self) -> bool {
        self.singular
    }

    /// Every node the query selects in `document`, in document order; an error when the
    /// evaluator fails (which is never an empty selection: `exists: false` would pass on it).
    pub(crate) fn nodes<'a>(&self, document: &'a Value) -> Result<Vec<&'a Value>, String> {
        match &self.plan {
            Plan::Steps(steps) => Ok(walk(steps, document).into_iter().collect()),
            Plan::General(query) => run(query, document),
        }
    }

    /// What the query selects in `document`: one node or none for a singular query, a list of
    /// nodes otherwise.
    pub(crate) fn select<'a>(&self, document: &'a Value) -> Result<Selection<'a>, String> {
        self.nodes(document)
            .map(|nodes| Selection::of(self.singular, nodes))
    }
}

impl<'a> Selection<'a> {
    /// The selection of a query that is `singular`, from the nodes it selected.
    pub(crate) fn of(singular: bool, nodes: Vec<&'a Value>) -> Self {
        if singular {
            Selection::Node(nodes.into_iter().next())
        } else {
            Selection::Nodes(nodes)
        }
    }
}

/// A query as a pack writes it, made plain: trimmed, and with `@` read as `$` at the start (handy
/// in `all:` and friends, where the path is relative to each element).
pub(crate) fn normalize(source: &str) -> String {
    let trimmed = source.trim();
    match trimmed.strip_prefix('@') {
        Some(rest) => format!("${rest}"),
        None => trimmed.to_owned(),
    }
}

/// One step of a singular query.
#[derive(Clone, Debug)]
enum Step {
    Name(String),
    Index(i64),
}

fn steps_of(query: &JpQuery) -> Option<Vec<Step>> {
    query
        .segments
        .iter()
        .map(|segment| match segment {
            Segment::Selector(Selector::Name(name)) => Some(Step::Name(name.clone())),
            Segment::Selector(Selector::Index(index)) => Some(Step::Index(*index)),
            _ => None,
        })
        .collect()
}

/// The steps of a query of plain names and indexes (`$.nodegroup.subnets[0]`), read without
/// jsonpath-rust's grammar (most of a pack's paths are of this kind): names of ASCII letters,
/// digits and `_` that start with a letter or `_`, indexes of at most 9 digits.
fn plain_steps(source: &str) -> Option<Vec<Step>> {
    let mut rest = source.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..end];
            if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                return None;
            }
            steps.push(Step::Name(name.to_owned()));
            rest = &after[end..];
        } else {
            let (digits, after) = rest.strip_prefix('[')?.split_once(']')?;
            let plain = (digits == "0" || !digits.starts_with('0'))
                && (1..=9).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit());
            steps.push(Step::Index(digits.parse().ok().filter(|_| plain)?));
            rest = after;
        }
    }
    Some(steps)
}

/// Follows names and indexes (negative from the end, as RFC 9535 says).
fn walk<'a>(steps: &[Step], document: &'a Value) -> Option<&'a Value> {
    steps
        .iter()
        .try_fold(document, |value, step| match (step, value) {
            (Step::Name(name), Value::Object(entries)) => entries.get(name),
            (Step::Index(index), Value::Array(items)) => {
                let position = if *index < 0 {
                    items.len() as i64 + index
                } else {
                    *index
                };
                usize::try_from(position).ok().and_then(|i| items.get(i))
            }
            _ => None,
        })
}

fn run<'a>(query: &JpQuery, document: &'a Value) -> Result<Vec<&'a Value>, String> {
    js_path_process(query, document)
        .map(|refs| refs.into_iter().map(|r| r.val()).collect())
        .map_err(|error| format!("it could not be evaluated: {error}"))
}

/// Parses `source`, with the checks jsonpath-rust lacks.
fn parse_checked(source: &str) -> Result<JpQuery, PathError> {
    if !source.starts_with('$') {
        return Err(PathError {
            message: "a path must start with `$` (the whole response)".to_owned(),
            offset: 0,
            help: HELP.to_owned(),
        });
    }
    if let Some(offset) = space_inside_name(source) {
        return Err(PathError {
            message: "a name in this path contains a space".to_owned(),
            offset,
            help: "remove the space, or quote a name that really has one: `$['Some Name']`"
                .to_owned(),
        });
    }
    if let Some(problem) = wrong_function_arity(source).or_else(|| index_out_of_range(source)) {
        return Err(problem);
    }
    parse_json_path(source).map_err(|error| PathError {
        message: match expected(&error) {
            Some(expected) => format!("malformed JSONPath: expected {expected} here"),
            None => format!("malformed JSONPath: {error}"),
        },
        offset: error_offset(&error, source),
        help: HELP.to_owned(),
    })
}

/// What the grammar expected where the path went wrong, in words.
fn expected(error: &JsonPathError) -> Option<String> {
    let JsonPathError::PestError(error) = error else {
        return None;
    };
    let pest::error::ErrorVariant::ParsingError { positives, .. } = &error.variant else {
        return None;
    };
    let mut words: Vec<String> = positives
        .iter()
        .map(|rule| {
            let name = format!("{rule:?}");
            match name.as_str() {
                "segment" | "child_segment" | "descendant_segment" => "`.name` or `[…]`".to_owned(),
                "selector" | "bracketed_selection" => {
                    "a selector (`'name'`, an index, `*`, a slice `1:3` or a filter `?…`)"
                        .to_owned()
                }
                "ALPHA" | "member_name_shorthand" | "name_first" | "name_char" => {
                    "a name".to_owned()
                }
                "comparable" | "literal" | "number" | "string" => {
                    "a value (a number, a quoted string, `true`, `false`, `null` or a path)"
                        .to_owned()
                }
                "comp_op" => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)".to_owned(),
                "logical_expr" | "logical_expr_and" | "atom_expr" | "test" | "test_expr"
                | "comp_expr" | "paren_expr" => "a condition, e.g. `@.Key == 'Name'`".to_owned(),
                "EOI" => "the end of the path".to_owned(),
                "wildcard_selector" => "`*`".to_owned(),
                other => other.replace('_', " "),
            }
        })
        .collect();
    words.dedup();
    (!words.is_empty()).then(|| words.join(" or "))
}

/// The first call of a JSONPath function with the wrong number of arguments: `length`, `count`
/// and `value` take one, `match` and `search` two.
fn wrong_function_arity(source: &str) -> Option<PathError> {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(length|count|value|match|search)\(").expect("a pattern"));
    for call in CALL.captures_iter(source) {
        let name = &call[1];
        let wanted = if matches!(name, "match" | "search") {
            2
        } else {
            1
        };
        let arguments = &source[call.get(0)?.end()..];
        let (mut depth, mut quote, mut commas, mut empty) = (0usize, None, 0, true);
        for c in arguments.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '\'' | '"') => quote = Some(c),
                (None, '(' | '[') => depth += 1,
                (None, ')') if depth == 0 => break,
                (None, ')' | ']') => depth = depth.saturating_sub(1),
                (None, ',') if depth == 0 => commas += 1,
                // Inside quotes, and any other character.
                _ => {}
            }
            empty &= c.is_whitespace();
        }
        let given = if empty { 0 } else { commas + 1 };
        if given != wanted {
            let count = |n: usize| {
                ["no", "one", "two", "three"]
                    .get(n)
                    .copied()
                    .unwrap_or("many")
            };
            return Some(PathError {
                message: format!(
                    "`{name}()` takes {} argument{}; it was given {}",
                    count(wanted),
                    if wanted == 1 { "" } else { "s" },
                    count(given)
                ),
                offset: call.get(1)?.start(),
                help: "e.g. `$.Subnets[?length(@.Tags) > 0]`, `$.Tags[?match(@.Key, 'eks:.*')]`"
                    .to_owned(),
            });
        }
    }
    None
}

/// The first index or slice bound beyond what JSONPath allows (±(2^53 − 1)).
fn index_out_of_range(source: &str) -> Option<PathError> {
    static INDEX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[\[:,]\s*(-?\d{16,})").expect("a pattern"));
    const MAX: i128 = (1 << 53) - 1;
    INDEX.captures_iter(source).find_map(|index| {
        let digits = index.get(1)?;
        let too_large = digits
            .as_str()
            .parse::<i128>()
            .map_or(true, |value| value.abs() > MAX);
        too_large.then(|| PathError {
            message: format!("the index `{}` is out of range", digits.as_str()),
            offset: digits.start(),
            help: format!("JSONPath indexes lie between -{MAX} and {MAX}"),
        })
    })
}

fn error_offset(error: &JsonPathError, source: &str) -> usize {
    match error {
        JsonPathError::PestError(pest_error) => match pest_error.location {
            pest::error::InputLocation::Pos(offset) => offset,
            pest::error::InputLocation::Span((start, _)) => start,
        },
        _ => source.len(),
    }
    .min(source.len())
}

/// The offset of whitespace between two name characters outside string literals, which RFC 9535
/// never allows but jsonpath-rust accepts inside shorthand names.
fn space_inside_name(source: &str) -> Option<usize> {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || !c.is_ascii();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut last_name_char = false;
    let mut space_start: Option<usize> = None;
    for (index, c) in source.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_whitespace() {
            if last_name_char && space_start.is_none() {
                space_start = Some(index);
            }
            continue;
        }
        if let Some(start) = space_start.take()
            && is_name_char(c)
        {
            return Some(start);
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
        last_name_char = is_name_char(c) && c != '\'' && c != '"';
    }
    space_start
}

fn is_singular(query: &JpQuery) -> bool {
    query.segments.iter().all(|segment| {
        matches!(
            segment,
            Segment::Selector(Selector::Name(_) | Selector::Index(_))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_steps_are_what_the_grammar_reads() {
        let parsed = |source: &str| {
            let parsed = parse_checked(source).ok()?;
            Some((is_singular(&parsed), steps_of(&parsed)))
        };
        let segments = [
            ".a",
            ".cluster",
            "._x",
            ".a_b",
            ".a1",
            ".Tags",
            ".true",
            ".null",
            "[0]",
            "[7]",
            "[123456789]",
            "[1234567890]",
            "[01]",
            "[-1]",
            "[ 0]",
            "[a]",
            "['a']",
            "[*]",
            ".*",
            ".1a",
            ".a-b",
            ".",
            "..a",
            ".a b",
            "[?@.a]",
            "[0:1]",
            "",
            "[",
            "]",
            ".é",
        ];
        let mut plain = 0;
        for first in segments {
            for second in segments {
                let source = format!("${first}{second}");
                let Some(steps) = plain_steps(&source) else {
                    continue;
                };
                plain += 1;
                let (singular, grammar) = parsed(&source)
                    .unwrap_or_else(|| panic!("{source} is read as plain but does not parse"));
                assert!(singular, "{source}");
                assert_eq!(
                    format!("{grammar:?}"),
                    format!("{:?}", Some(steps)),
                    "{source}"
                );
            }
        }
        assert!(plain > 100, "{plain}");
        for source in ["$", "$.cluster.resourcesVpcConfig.subnetIds[0]"] {
            assert!(plain_steps(source).is_some(), "{source}");
        }
    }

    #[test]
    fn direct_walk_matches_the_general_evaluator() {
        let doc = json!({"a": [{"b": 1}, {"b": 2}], "c": {"d": null}});
        for path in [
            "$.a[0].b",
            "$.a[-1].b",
            "$.a[5]",
            "$.c.d",
            "$.c.e",
            "$['a'][1]['b']",
            "$",
        ] {
            let fast = Query::parse(path).unwrap().select(&doc).unwrap();
            let general = run(&parse_json_path(path).unwrap(), &doc).unwrap();
            assert_eq!(fast, Selection::Node(general.into_iter().next()), "{path}");
        }
    }
}
