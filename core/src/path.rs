//! The paths of assertions and `for_each`: JSONPath queries ([`crate::query`]) that may contain
//! templates inside string literals (`$[?@.Key == 'kubernetes.io/cluster/{{vars.cluster}}']`),
//! rendered for each row (their values escaped for the literal) and parsed then. Whether a path is
//! *singular* (names and indexes only) decides whether an assertion tests one node or the list of
//! selected nodes.

use serde_json::Value;

use crate::diagnostic::Location;
use crate::query::{self, HELP, Query};
pub(crate) use crate::query::{PathError, Selection};
use crate::template::{RenderCause, RenderFailure, Scope, Template};

/// A parsed path.
#[derive(Clone, Debug)]
pub(crate) struct JsonPath {
    source: String,
    singular: bool,
    query: Parsed,
}

#[derive(Clone, Debug)]
enum Parsed {
    /// Without templates: parsed once, at load time.
    Fixed(Query),
    /// With templates: rendered and parsed for each row.
    Templated(Template),
}

impl JsonPath {
    /// The root: the whole document.
    pub(crate) fn root() -> Self {
        Self::parse("$").expect("`$` is a valid query")
    }

    /// Parses a path. `@` may stand for `$` (handy in `all:` and friends, where the path is
    /// relative to each element).
    pub(crate) fn parse(source: &str) -> Result<Self, PathError> {
        let normalized = query::normalize(source);
        let template = Template::parse(&normalized).map_err(|error| PathError {
            message: error.message,
            offset: error.offset.unwrap_or(0),
            help: error.help.unwrap_or_else(|| HELP.to_owned()),
        })?;
        let (query, singular) = if template.is_literal() {
            let query = Query::parse(&normalized)?;
            let singular = query.is_singular();
            (Parsed::Fixed(query), singular)
        } else {
            // Check the shape now with every expression replaced by a plain word.
            let probe = Query::parse(&placeholder_for_expressions(&normalized))?;
            (Parsed::Templated(template), probe.is_singular())
        };
        Ok(Self {
            source: source.to_owned(),
            singular,
            query,
        })
    }

    /// The path as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Records where the path is written, for messages about its template.
    pub(crate) fn set_location(&mut self, location: Location) {
        if let Parsed::Templated(template) = &mut self.query {
            template.set_location(location);
        }
    }

    /// The template inside the path, if it has one.
    pub(crate) fn template(&self) -> Option<&Template> {
        match &self.query {
            Parsed::Templated(template) => Some(template),
            Parsed::Fixed(_) => None,
        }
    }

    /// Selects from `document`, rendering templates from `scope` first if there are any.
    pub(crate) fn select<'a>(
        &self,
        document: &'a Value,
        scope: &dyn Scope,
    ) -> Result<Selection<'a>, RenderFailure> {
        let (nodes, rendered) = match &self.query {
            Parsed::Fixed(query) => (query.nodes(document), None),
            Parsed::Templated(template) => {
                let rendered = template.render_in_jsonpath(scope)?;
                let query = Query::compile(&rendered).map_err(|error| {
                    template.failure_of(RenderCause::InvalidPath {
                        rendered: rendered.clone(),
                        problem: error.message,
                    })
                })?;
                (query.nodes(document), Some(rendered))
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
        Ok(Selection::of(self.singular, nodes))
    }
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
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
        let nested = json!({"a": [{"b": 1}]});
        assert_eq!(
            select("$.a[0].b", &nested),
            Selection::Node(Some(&json!(1)))
        );
    }

    #[test]
    fn other_queries_select_lists() {
        let doc = json!({"AttachedPolicies": [{"PolicyName": "A"}, {"PolicyName": "B"}]});
        assert_eq!(
            select("$.AttachedPolicies[*].PolicyName", &doc),
            Selection::Nodes(vec![&json!("A"), &json!("B")])
        );
        assert_eq!(select("$..Nothing", &doc), Selection::Nodes(vec![]));
        let one = json!({"a": [{"x": 1}]});
        assert!(matches!(select("$.a[0:1]", &one), Selection::Nodes(_)));
        assert!(matches!(select("$.a[?@.x]", &one), Selection::Nodes(_)));
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
