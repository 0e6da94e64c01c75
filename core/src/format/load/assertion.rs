//! Decoding assertions: where they look (`on`, `path`), their one predicate and its operand,
//! nested predicates (`all`, `any`, `none`, `not`) and combined assertions (`any_of`, `all_of`).

use super::Loader;
use crate::format::keyword::{Keyword, NAMES};
use crate::format::model::Assertion;
use crate::format::predicate::{Alternative, Bound, Comparison, Nested, Pattern, Predicate};
use crate::format::raw::{self, RawPredicate};
use crate::format::yaml::{Node, Spanned};
use crate::network::{Cidr, Traffic};
use crate::path::JsonPath;
use crate::suggest;
use crate::template::{TemplatedValue, has_expressions};

impl Loader<'_> {
    pub(super) fn assertion(
        &mut self,
        assertion: &Spanned<raw::Assertion>,
        default_on: Option<&Spanned<String>>,
    ) -> Option<Assertion> {
        // `any_of` and `all_of` name their calls in their alternatives (at any depth): the first
        // one stands for the assertion.
        fn first_call_named(assertion: &raw::Assertion) -> Option<&Spanned<String>> {
            assertion.on.as_ref().or_else(|| {
                assertion
                    .alternatives()?
                    .value
                    .iter()
                    .find_map(|alternative| first_call_named(&alternative.value))
            })
        }
        let written = assertion.value.on.as_ref().or(default_on);
        let on = written.or_else(|| first_call_named(&assertion.value));
        let Some(on) = on else {
            let at = self.at(assertion);
            self.error(
                at,
                "this assertion does not say which call's response it tests",
                "add `on: CALL` to the assertion, or to its check",
            );
            return None;
        };
        let (path, predicate) = self.nested_parts(assertion)?;
        Some(Assertion {
            on: on.value.clone(),
            on_location: self.at(on),
            on_written: written.is_some(),
            path,
            predicate,
            severity: assertion.value.severity.as_ref().map(|s| s.value),
            location: self.at(assertion),
        })
    }

    /// Reports `severity` written where it has no meaning (`what` says where).
    pub(super) fn no_severity(&mut self, assertion: &Spanned<raw::Assertion>, what: &str) {
        if let Some(severity) = &assertion.value.severity {
            let at = self.at(severity);
            self.error(
                at,
                format!("{what} has no severity of its own"),
                "give `severity` to an assertion of `expect`, or to the check",
            );
        }
    }

    fn nested_parts(
        &mut self,
        assertion: &Spanned<raw::Assertion>,
    ) -> Option<(JsonPath, Predicate)> {
        let path = match &assertion.value.path {
            Some(source) => self.path(source),
            None => Some(JsonPath::root()),
        };
        let predicate = self.predicate(assertion);
        Some((path?, predicate?))
    }

    fn nested(&mut self, assertion: &Spanned<raw::Assertion>) -> Option<Box<Nested>> {
        if let Some(on) = &assertion.value.on {
            let at = self.at(on);
            self.error(
                at,
                "a nested predicate cannot name a call",
                "remove `on:` here; its `path` is relative to each element",
            );
        }
        self.no_severity(assertion, "a nested predicate");
        self.nesting += 1;
        let parts = self.nested_parts(assertion);
        self.nesting -= 1;
        let (path, predicate) = parts?;
        Some(Box::new(Nested { path, predicate }))
    }

    fn predicate(&mut self, assertion: &Spanned<raw::Assertion>) -> Option<Predicate> {
        let Some(predicate) = assertion.value.predicate() else {
            let mut present: Vec<Keyword> = assertion
                .value
                .predicates
                .iter()
                .map(RawPredicate::keyword)
                .collect();
            present.sort_unstable();
            let at = self.at(assertion);
            let (message, help) = if present.is_empty() {
                (
                    "this assertion has no predicate".to_owned(),
                    format!("add one of: {}", NAMES.join(", ")),
                )
            } else {
                let names: Vec<&str> = present.iter().map(|keyword| keyword.name()).collect();
                (
                    format!(
                        "this assertion has {} predicates ({})",
                        names.len(),
                        names.join(", ")
                    ),
                    "an assertion has exactly one predicate: split it into several assertions"
                        .to_owned(),
                )
            };
            self.error(at, message, help);
            return None;
        };
        let keyword = predicate.keyword();
        match predicate {
            RawPredicate::Exists(flag) => Some(Predicate::Exists(flag.value)),
            RawPredicate::Empty(flag) => Some(Predicate::Empty(flag.value)),
            RawPredicate::Equals(node) => self.templated_value(node).map(Predicate::Equals),
            RawPredicate::Contains(node) => self.templated_value(node).map(Predicate::Contains),
            RawPredicate::OneOf(node) => self.list_operand(node, keyword).map(Predicate::OneOf),
            RawPredicate::ContainsAll(node) => {
                self.list_operand(node, keyword).map(Predicate::ContainsAll)
            }
            RawPredicate::Matches(source) => self.pattern(source).map(Predicate::Matches),
            RawPredicate::LineMatches(source) => self.pattern(source).map(Predicate::LineMatches),
            RawPredicate::NoLineMatches(source) => {
                self.pattern(source).map(Predicate::NoLineMatches)
            }
            RawPredicate::AnyOf(alternatives) => self
                .alternatives(keyword, alternatives)
                .map(Predicate::AnyOf),
            RawPredicate::AllOf(alternatives) => self
                .alternatives(keyword, alternatives)
                .map(Predicate::AllOf),
            RawPredicate::InCidr(node) => self.network(node).map(Predicate::InCidr),
            RawPredicate::AllowsTraffic(node) => self.traffic(node).map(Predicate::AllowsTraffic),
            RawPredicate::Count(node) => self.count(node).map(Predicate::Count),
            RawPredicate::Gt(node)
            | RawPredicate::Gte(node)
            | RawPredicate::Lt(node)
            | RawPredicate::Lte(node) => {
                let comparison = Comparison::of(keyword)?;
                self.bound(comparison, node).map(Predicate::Compare)
            }
            RawPredicate::All(nested) => self.nested(nested).map(Predicate::All),
            RawPredicate::Any(nested) => self.nested(nested).map(Predicate::Any),
            RawPredicate::None(nested) => self.nested(nested).map(Predicate::None),
            RawPredicate::Not(nested) => self.nested(nested).map(Predicate::Not),
        }
    }

    /// The regular expression of `matches`, `line_matches` or `no_line_matches`, compiled now
    /// unless it is a template.
    fn pattern(&mut self, source: &Spanned<String>) -> Option<Pattern> {
        match Pattern::new(&source.value) {
            Ok(pattern) => Some(pattern),
            Err(error) => {
                let at = self.at(source);
                self.error(
                    at,
                    format!("invalid regular expression: {}", first_line(&error)),
                    "see https://docs.rs/regex for the syntax; escape `\\` in double quotes",
                );
                None
            }
        }
    }

    /// The network (or networks) of `in_cidr`, checked when it is written as text.
    fn network(&mut self, node: &Spanned<Node>) -> Option<TemplatedValue> {
        if let Node::String(text) = &node.value
            && !has_expressions(text)
            && Cidr::parse(text).is_none()
        {
            let at = self.at(node);
            self.error(
                at,
                format!("`{text}` is not an IPv4 or IPv6 network"),
                "write e.g. `in_cidr: 10.0.0.0/16`",
            );
            return None;
        }
        self.templated_value(node)
    }

    /// The traffic of `allows_traffic`, checked when it has no template.
    fn traffic(&mut self, node: &Spanned<Node>) -> Option<TemplatedValue> {
        let value = self.templated_value(node)?;
        if let Some(literal) = value.as_literal()
            && let Err(message) = Traffic::parse(literal)
        {
            let at = self.at(node);
            self.error(
                at,
                format!("invalid `allows_traffic`: {message}"),
                "write e.g. `allows_traffic: {direction: egress, protocol: tcp, port: 443, cidr: 0.0.0.0/0}`",
            );
            return None;
        }
        Some(value)
    }

    /// The assertions of `any_of` or `all_of`. One with `on` tests that call's response from its
    /// root; one without tests the value under test (inside `all`, `any`, `none` and `not`, the
    /// element), through its own `path`.
    fn alternatives(
        &mut self,
        keyword: Keyword,
        alternatives: &Spanned<Vec<Spanned<raw::Assertion>>>,
    ) -> Option<Vec<Alternative>> {
        let keyword = keyword.name();
        if alternatives.value.len() < 2 {
            let at = self.at(alternatives);
            self.error(
                at,
                format!("`{keyword}` needs at least two assertions"),
                "list them, each with its `path` (and `on`, to test another call) and predicate",
            );
            return None;
        }
        let mut converted = Vec::new();
        let mut loaded = true;
        for alternative in &alternatives.value {
            self.no_severity(alternative, &format!("an assertion of `{keyword}`"));
            let on = alternative.value.on.as_ref();
            if let Some(on) = on.filter(|_| self.nesting > 0) {
                let at = self.at(on);
                self.error(
                    at,
                    format!("inside a nested predicate, `{keyword}` cannot name a call"),
                    "remove `on:` here; its `path` is relative to the element",
                );
                loaded = false;
                continue;
            }
            match self.nested_parts(alternative) {
                Some((path, predicate)) => converted.push(Alternative {
                    on: on.map(|on| on.value.clone()),
                    path,
                    predicate,
                }),
                None => loaded = false,
            }
        }
        loaded.then_some(converted)
    }

    fn list_operand(&mut self, node: &Spanned<Node>, keyword: Keyword) -> Option<TemplatedValue> {
        let keyword = keyword.name();
        let is_template = matches!(&node.value, Node::String(s) if has_expressions(s));
        if !matches!(node.value, Node::List(_)) && !is_template {
            let at = self.at(node);
            self.error(
                at,
                format!("`{keyword}` takes a list, not {}", node.value.kind()),
                format!("write `{keyword}: [a, b]`"),
            );
            return None;
        }
        self.templated_value(node)
    }

    fn bound(&mut self, comparison: Comparison, node: &Spanned<Node>) -> Option<Bound> {
        let is_template = matches!(&node.value, Node::String(s) if has_expressions(s));
        if !matches!(node.value, Node::Number(_)) && !is_template {
            let at = self.at(node);
            self.error(
                at,
                format!(
                    "`{}` takes a number, not {}",
                    comparison.keyword().name(),
                    node.value.kind()
                ),
                "write a number, or a template such as \"{{vars.min_free_ips}}\"",
            );
            return None;
        }
        Some(Bound {
            comparison,
            value: self.templated_value(node)?,
        })
    }

    fn count(&mut self, node: &Spanned<Node>) -> Option<Vec<Bound>> {
        let Node::Map(entries) = &node.value else {
            return self.bound(Comparison::Equal, node).map(|b| vec![b]);
        };
        let mut bounds = Vec::new();
        for (key, value) in entries {
            match Keyword::named(&key.value).and_then(Comparison::of) {
                Some(comparison) => bounds.push(self.bound(comparison, value)?),
                None => {
                    let at = self.at(key);
                    let keywords = Comparison::ALL.map(|comparison| comparison.keyword().name());
                    let help = suggest::did_you_mean(&key.value, keywords);
                    self.error(at, format!("`{}` is not a count bound", key.value), help);
                    return None;
                }
            }
        }
        if bounds.is_empty() {
            let at = self.at(node);
            self.error(
                at,
                "`count` needs a bound",
                "write `count: 2` or `count: {gte: 1}`",
            );
            return None;
        }
        Some(bounds)
    }
}

/// The line of a regex error that says what is wrong, without its `error:` prefix.
fn first_line(text: &str) -> &str {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|line| line.starts_with("error:"))
        .unwrap_or_else(|| text.lines().next().unwrap_or_default());
    line.strip_prefix("error:").map_or(line, str::trim)
}
