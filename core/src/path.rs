//! JSONPath (RFC 9535) queries over call responses, via jsonpath-rust.
//!
//! [`JsonPath`] owns a query and its source text, rejects the typos jsonpath-rust lets through
//! (`$.Attached Policies` parses as one name with a space), and knows whether the query is
//! *singular* (names and indexes only), which decides whether an assertion tests one node or the
//! list of selected nodes. Paths may contain templates inside string literals
//! (`$[?@.Key == 'kubernetes.io/cluster/{{vars.cluster}}']`); those are parsed at run time.

use std::sync::LazyLock;

use jsonpath_rust::parser::errors::JsonPathError;
use jsonpath_rust::parser::model::{JpQuery, Segment, Selector};
use jsonpath_rust::parser::parse_json_path;
use jsonpath_rust::query::js_path_process;
use regex::Regex;
use serde_json::Value;

use crate::diagnostic::Location;
use crate::template::{RenderCause, RenderFailure, Scope, Template};

/// A parsed JSONPath query.
#[derive(Clone, Debug)]
pub struct JsonPath {
    source: String,
    singular: bool,
    query: Query,
}

#[derive(Clone, Debug)]
enum Query {
    /// Names and indexes only: walked directly, without the general evaluator.
    Steps(Vec<Step>),
    /// Parsed once at load time.
    Fixed(JpQuery),
    /// Contains templates: rendered and parsed for each row.
    Templated(Template),
}

/// Why a query is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the query where the problem is.
    pub offset: usize,
    /// How to fix it.
    pub help: String,
}

/// What a query selected in a document.
#[derive(Debug, PartialEq)]
pub enum Selection<'a> {
    /// A singular query's node, or `None` when it is absent.
    Node(Option<&'a Value>),
    /// Every node a non-singular query selected, in document order.
    Nodes(Vec<&'a Value>),
}

const HELP: &str = "write paths like `$.cluster.status`, `$.nodegroups[*]` or \
                    `$.Tags[?@.Key == 'Name'].Value`; quote names that are not plain words: \
                    `$['kubernetes.io/role']`";

impl JsonPath {
    /// The root: the whole document.
    pub fn root() -> Self {
        Self::parse("$").expect("`$` is a valid query")
    }

    /// Parses a query. `@` may stand for `$` (handy in `all:` and friends, where the path is
    /// relative to each element).
    pub fn parse(source: &str) -> Result<Self, PathError> {
        let trimmed = source.trim();
        let normalized = match trimmed.strip_prefix('@') {
            Some(rest) => format!("${rest}"),
            None => trimmed.to_owned(),
        };
        let template = Template::parse(&normalized).map_err(|error| PathError {
            message: error.message,
            offset: error.offset.unwrap_or(0),
            help: error.help.unwrap_or_else(|| HELP.to_owned()),
        })?;
        let (query, parsed) = if template.is_literal() {
            let parsed = parse_checked(&normalized)?;
            match steps_of(&parsed) {
                Some(steps) => (Query::Steps(steps), parsed),
                None => (Query::Fixed(parsed.clone()), parsed),
            }
        } else {
            // Check the shape now with every expression replaced by a plain word.
            let probe = placeholder_for_expressions(&normalized);
            (Query::Templated(template), parse_checked(&probe)?)
        };
        Ok(Self {
            source: source.to_owned(),
            singular: is_singular(&parsed),
            query,
        })
    }

    /// The query as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the query selects at most one node (names and indexes only).
    pub fn is_singular(&self) -> bool {
        self.singular
    }

    /// Records where the query is written, for messages about its template.
    pub fn set_location(&mut self, location: Location) {
        if let Query::Templated(template) = &mut self.query {
            template.set_location(location);
        }
    }

    /// The template inside the query, if it has one.
    pub fn template(&self) -> Option<&Template> {
        match &self.query {
            Query::Templated(template) => Some(template),
            Query::Steps(_) | Query::Fixed(_) => None,
        }
    }

    /// Selects from `document`, rendering templates from `scope` first if there are any.
    pub fn select<'a>(
        &self,
        document: &'a Value,
        scope: &dyn Scope,
    ) -> Result<Selection<'a>, RenderFailure> {
        let (nodes, rendered) = match &self.query {
            Query::Steps(steps) => return Ok(Selection::Node(walk(steps, document))),
            Query::Fixed(query) => (run(query, document), None),
            Query::Templated(template) => {
                let rendered = template.render_in_jsonpath(scope)?;
                let query = parse_checked(&rendered).map_err(|error| {
                    template.failure_of(RenderCause::InvalidPath {
                        rendered: rendered.clone(),
                        problem: error.message,
                    })
                })?;
                (run(&query, document), Some(rendered))
            }
        };
        // An evaluation error is never an empty selection: `exists: false` would pass on it.
        let nodes = nodes.map_err(|problem| RenderFailure {
            template: self.source.clone(),
            location: self.template().and_then(|t| t.location().cloned()),
            cause: RenderCause::InvalidPath {
                rendered: rendered.unwrap_or_else(|| self.source.clone()),
                problem,
            },
        })?;
        Ok(if self.singular {
            Selection::Node(nodes.into_iter().next())
        } else {
            Selection::Nodes(nodes)
        })
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
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

/// Replaces each `{{…}}` with a plain word so the query's shape can be checked at load time.
fn placeholder_for_expressions(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push('x');
                rest = &rest[start + end + 2..];
                rest = rest.trim_start_matches('}');
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
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
    use serde_json::{Map, json};

    fn select<'a>(path: &str, doc: &'a Value) -> Selection<'a> {
        JsonPath::parse(path)
            .unwrap()
            .select(doc, &Map::new())
            .unwrap()
    }

    #[test]
    fn singular_queries_select_one_node_or_absent() {
        let doc = json!({"cluster": {"status": "ACTIVE", "tags": []}});
        assert_eq!(
            select("$.cluster.status", &doc),
            Selection::Node(Some(&json!("ACTIVE")))
        );
        assert_eq!(select("$.cluster.nope", &doc), Selection::Node(None));
        assert_eq!(
            select("$['cluster']['tags']", &doc),
            Selection::Node(Some(&json!([])))
        );
        assert!(JsonPath::parse("$.a[0].b").unwrap().is_singular());
    }

    #[test]
    fn other_queries_select_lists() {
        let doc = json!({"AttachedPolicies": [{"PolicyName": "A"}, {"PolicyName": "B"}]});
        assert_eq!(
            select("$.AttachedPolicies[*].PolicyName", &doc),
            Selection::Nodes(vec![&json!("A"), &json!("B")])
        );
        assert_eq!(select("$..Nothing", &doc), Selection::Nodes(vec![]));
        assert!(!JsonPath::parse("$.a[0:1]").unwrap().is_singular());
        assert!(!JsonPath::parse("$.a[?@.x]").unwrap().is_singular());
    }

    #[test]
    fn malformed_paths_say_why_where() {
        let error = |source: &str| JsonPath::parse(source).unwrap_err();
        let cases = [
            (
                "$[?length(@.a, @.b) > 0]",
                3,
                "`length()` takes one argument; it was given two",
            ),
            (
                "$.a[?match(@.b)]",
                5,
                "`match()` takes two arguments; it was given one",
            ),
            (
                "$.a[9223372036854775807]",
                4,
                "the index `9223372036854775807` is out of range",
            ),
            ("$.a.", 4, "malformed JSONPath: expected `*` or a name here"),
            (
                "$.a[?@.b ==]",
                11,
                "malformed JSONPath: expected a value (a number, a quoted string, `true`, \
                 `false`, `null` or a path) here",
            ),
        ];
        for (source, offset, message) in cases {
            let problem = error(source);
            assert_eq!(
                (problem.offset, problem.message.as_str()),
                (offset, message),
                "{source}"
            );
        }
        assert!(JsonPath::parse("$.a[?match(@.b, 'x(y)')]").is_ok());
        assert!(JsonPath::parse("$.a[9007199254740991]").is_ok());
    }

    #[test]
    fn spaces_inside_names_are_rejected() {
        let error = JsonPath::parse("$.Attached Policies").unwrap_err();
        assert_eq!(error.offset, 10);
        assert!(JsonPath::parse("$['Attached Policies']").is_ok());
        assert!(JsonPath::parse("$.a[?@.b == 'x y' && @.c > 1]").is_ok());
        assert!(JsonPath::parse("$.a ").is_ok());
    }

    #[test]
    fn malformed_paths_report_an_offset() {
        assert_eq!(JsonPath::parse("cluster.status").unwrap_err().offset, 0);
        assert!(JsonPath::parse("$.my-key").is_err());
    }

    #[test]
    fn templated_literals_are_rendered_and_escaped() {
        let path = JsonPath::parse("$.Tags[?@.Key == 'owner/{{who}}'].Value").unwrap();
        let doc = json!({"Tags": [{"Key": "owner/o'neil", "Value": 1}]});
        let scope = json!({"who": "o'neil"}).as_object().unwrap().clone();
        assert_eq!(
            path.select(&doc, &scope).unwrap(),
            Selection::Nodes(vec![&json!(1)])
        );
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
            let fast = select(path, &doc);
            let general = run(&parse_json_path(path).unwrap(), &doc).unwrap();
            assert_eq!(fast, Selection::Node(general.into_iter().next()), "{path}");
        }
    }

    #[test]
    fn at_sign_means_the_current_element() {
        let doc = json!({"Key": "k"});
        assert_eq!(select("@.Key", &doc), Selection::Node(Some(&json!("k"))));
    }

    #[test]
    fn function_arguments_are_counted_outside_quotes_and_parentheses() {
        for fine in [
            "$.a[?match(@.b, 'x,y')]",
            "$.a[?match(@.b, \"(\")]",
            "$.a[?search(@.b, '[,]')]",
            "$.a[?length(value(@.b)) > 0]",
            "$.a[?match(value(@.b), 'x')]",
            "$.a[?length(@.b[0,1]) > 1]",
        ] {
            assert!(JsonPath::parse(fine).is_ok(), "{fine}");
        }
        let message = |source: &str| JsonPath::parse(source).unwrap_err().message;
        assert_eq!(
            message("$.a[?length() > 0]"),
            "`length()` takes one argument; it was given no"
        );
        assert_eq!(
            message("$.a[?count(@.b, @.c, @.d) > 0]"),
            "`count()` takes one argument; it was given three"
        );
        assert_eq!(
            message("$.a[?match('x', @.b, @.c)]"),
            "`match()` takes two arguments; it was given three"
        );
    }

    #[test]
    fn indexes_beyond_2_to_the_53_are_out_of_range() {
        assert!(JsonPath::parse("$.a[-9007199254740991]").is_ok());
        for beyond in ["$.a[-9007199254740992]", "$.a[9007199254740992]"] {
            assert!(
                JsonPath::parse(beyond)
                    .unwrap_err()
                    .message
                    .ends_with("is out of range"),
                "{beyond}"
            );
        }
        let error = JsonPath::parse("$.a[0:9007199254740993]").unwrap_err();
        assert_eq!(error.offset, 6);
    }

    #[test]
    fn spaces_inside_names_are_found_after_quotes_and_in_any_script() {
        assert_eq!(JsonPath::parse("$.a_ b").unwrap_err().offset, 4);
        assert_eq!(JsonPath::parse("$.é b").unwrap_err().offset, 4);
        assert_eq!(JsonPath::parse("$['x'].a b").unwrap_err().offset, 8);
        assert!(JsonPath::parse("$[?@.b == \"x y\"]").is_ok());
    }

    #[test]
    fn templated_paths_are_checked_and_located() {
        let path = "$.a[?@.k == '{{x}}' && @.v == '{{y}}'].b";
        assert!(JsonPath::parse(path).unwrap().template().is_some());
        assert!(JsonPath::parse("$.a.b").unwrap().template().is_none());
        assert!(JsonPath::parse("$.{{name}}.b").is_ok());
        let file = crate::diagnostic::SourceFile::new("s.yaml".into(), "path: …".into());
        let location = Location::at_offset(&file, 6, 1);
        let mut templated = JsonPath::parse("$.a[?@.k == '{{nope.x}}']").unwrap();
        templated.set_location(location.clone());
        let scope = serde_json::Map::new();
        let failure = templated.select(&json!({"a": []}), &scope).unwrap_err();
        assert_eq!(failure.location, Some(location));
        assert_eq!(templated.to_string(), "$.a[?@.k == '{{nope.x}}']");
    }
}
