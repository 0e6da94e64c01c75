//! Predicates as loaded: what an assertion requires of the value its path selects, with its
//! operands (templates compiled, patterns and paths parsed). Each keyword is [`Keyword`]'s;
//! testing a predicate is [`crate::assertion`]'s.

use regex::Regex;

pub use super::keyword::Keyword;
use crate::path::JsonPath;
use crate::template::{Template, TemplatedValue, has_expressions};

/// A predicate with its operands (which may be templates).
#[derive(Clone, Debug)]
pub(crate) enum Predicate {
    /// `exists: true/false`.
    Exists(bool),
    /// `equals: V`.
    Equals(TemplatedValue),
    /// `one_of: [V…]`.
    OneOf(TemplatedValue),
    /// `contains: V`.
    Contains(TemplatedValue),
    /// `contains_all: [V…]`.
    ContainsAll(TemplatedValue),
    /// `matches: REGEX`.
    Matches(Pattern),
    /// `line_matches: REGEX`: some line of a text matches.
    LineMatches(Pattern),
    /// `no_line_matches: REGEX`: no line of a text matches.
    NoLineMatches(Pattern),
    /// `count: N` or `count: {gte: N, …}`.
    Count(Vec<Bound>),
    /// `gt`, `gte`, `lt`, `lte: NUMBER`.
    Compare(Bound),
    /// `empty: true/false`.
    Empty(bool),
    /// `in_cidr: NETWORK`.
    InCidr(TemplatedValue),
    /// `allows_traffic: {direction, protocol, port, cidr, group, prefix_lists}`.
    AllowsTraffic(TemplatedValue),
    /// `all: PREDICATE`.
    All(Box<Nested>),
    /// `any: PREDICATE`.
    Any(Box<Nested>),
    /// `none: PREDICATE`.
    None(Box<Nested>),
    /// `not: PREDICATE`.
    Not(Box<Nested>),
    /// `any_of: [ASSERTION…]`: at least one of several assertions holds.
    AnyOf(Vec<Alternative>),
    /// `all_of: [ASSERTION…]`: every one of several assertions holds.
    AllOf(Vec<Alternative>),
}

/// One assertion of `any_of` or `all_of`: a path, from the value under test or from another
/// call's response, and a predicate.
#[derive(Clone, Debug)]
pub(crate) struct Alternative {
    /// The call whose response is tested from its root; `None` tests the value under test.
    pub(crate) on: Option<String>,
    /// What is tested.
    pub(crate) path: JsonPath,
    /// What must hold.
    pub(crate) predicate: Predicate,
}

/// A predicate applied below the value under test: to each element (`all`, `any`, `none`) or to
/// the value itself (`not`), through an optional relative path.
#[derive(Clone, Debug)]
pub(crate) struct Nested {
    /// Relative to the element; `$` (the element itself) when omitted.
    pub(crate) path: JsonPath,
    /// The predicate the selected value must satisfy.
    pub(crate) predicate: Predicate,
}

impl Predicate {
    /// The predicate's keyword.
    pub(crate) fn keyword(&self) -> Keyword {
        match self {
            Predicate::Exists(_) => Keyword::Exists,
            Predicate::Equals(_) => Keyword::Equals,
            Predicate::OneOf(_) => Keyword::OneOf,
            Predicate::Contains(_) => Keyword::Contains,
            Predicate::ContainsAll(_) => Keyword::ContainsAll,
            Predicate::Matches(_) => Keyword::Matches,
            Predicate::LineMatches(_) => Keyword::LineMatches,
            Predicate::NoLineMatches(_) => Keyword::NoLineMatches,
            Predicate::Count(_) => Keyword::Count,
            Predicate::Compare(bound) => bound.comparison.keyword(),
            Predicate::Empty(_) => Keyword::Empty,
            Predicate::InCidr(_) => Keyword::InCidr,
            Predicate::AllowsTraffic(_) => Keyword::AllowsTraffic,
            Predicate::All(_) => Keyword::All,
            Predicate::Any(_) => Keyword::Any,
            Predicate::None(_) => Keyword::None,
            Predicate::Not(_) => Keyword::Not,
            Predicate::AnyOf(_) => Keyword::AnyOf,
            Predicate::AllOf(_) => Keyword::AllOf,
        }
    }

    /// Whether the predicate is `any_of` or `all_of`, whose own assertions say what they test.
    pub(crate) fn combines_assertions(&self) -> bool {
        matches!(self, Predicate::AnyOf(_) | Predicate::AllOf(_))
    }

    /// Calls read by `any_of` and `all_of` assertions (at any depth), for dependency resolution.
    pub(crate) fn calls_read(&self) -> Vec<&str> {
        match self {
            Predicate::AnyOf(alternatives) | Predicate::AllOf(alternatives) => alternatives
                .iter()
                .flat_map(|a| a.on.as_deref().into_iter().chain(a.predicate.calls_read()))
                .collect(),
            Predicate::All(n) | Predicate::Any(n) | Predicate::None(n) | Predicate::Not(n) => {
                n.predicate.calls_read()
            }
            _ => Vec::new(),
        }
    }

    /// Every operand template, for load-time name checks.
    pub(crate) fn operands(&self) -> Vec<&TemplatedValue> {
        match self {
            Predicate::Exists(_) | Predicate::Empty(_) => Vec::new(),
            Predicate::Equals(v)
            | Predicate::OneOf(v)
            | Predicate::Contains(v)
            | Predicate::ContainsAll(v)
            | Predicate::InCidr(v)
            | Predicate::AllowsTraffic(v) => vec![v],
            Predicate::Matches(pattern)
            | Predicate::LineMatches(pattern)
            | Predicate::NoLineMatches(pattern) => pattern.operands(),
            Predicate::Count(bounds) => bounds.iter().map(|b| &b.value).collect(),
            Predicate::Compare(bound) => vec![&bound.value],
            Predicate::All(n) | Predicate::Any(n) | Predicate::None(n) | Predicate::Not(n) => {
                n.predicate.operands()
            }
            Predicate::AnyOf(alternatives) | Predicate::AllOf(alternatives) => alternatives
                .iter()
                .flat_map(|a| a.predicate.operands())
                .collect(),
        }
    }

    /// Paths inside nested predicates, for load-time name checks.
    pub(crate) fn nested_paths(&self) -> Vec<&JsonPath> {
        match self {
            Predicate::AnyOf(alternatives) | Predicate::AllOf(alternatives) => alternatives
                .iter()
                .flat_map(|a| std::iter::once(&a.path).chain(a.predicate.nested_paths()))
                .collect(),
            Predicate::All(n) | Predicate::Any(n) | Predicate::None(n) | Predicate::Not(n) => {
                let mut paths = vec![&n.path];
                paths.extend(n.predicate.nested_paths());
                paths
            }
            _ => Vec::new(),
        }
    }
}

/// How a number compares with a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comparison {
    /// `equals` (inside `count`).
    Equal,
    /// `gt`.
    Greater,
    /// `gte`.
    GreaterOrEqual,
    /// `lt`.
    Less,
    /// `lte`.
    LessOrEqual,
}

impl Comparison {
    /// Every comparison: the bounds `count` takes.
    pub(crate) const ALL: [Comparison; 5] = [
        Comparison::Equal,
        Comparison::Greater,
        Comparison::GreaterOrEqual,
        Comparison::Less,
        Comparison::LessOrEqual,
    ];

    /// The comparison of `gt`, `gte`, `lt`, `lte` (and of `equals`, where `count` takes it).
    pub(crate) fn of(keyword: Keyword) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|comparison| comparison.keyword() == keyword)
    }

    /// Its keyword.
    pub(crate) fn keyword(self) -> Keyword {
        match self {
            Comparison::Equal => Keyword::Equals,
            Comparison::Greater => Keyword::Gt,
            Comparison::GreaterOrEqual => Keyword::Gte,
            Comparison::Less => Keyword::Lt,
            Comparison::LessOrEqual => Keyword::Lte,
        }
    }
}

/// One numeric bound, e.g. `gte: 5` or `lt: "{{vars.max}}"`.
#[derive(Clone, Debug)]
pub(crate) struct Bound {
    /// How the value compares with the bound.
    pub(crate) comparison: Comparison,
    /// The bound; a template must render to a number.
    pub(crate) value: TemplatedValue,
}

/// A regular expression, compiled at load time unless it is a template.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    source: String,
    compiled: Compiled,
}

/// A pattern as compiled.
#[derive(Clone, Debug)]
pub(crate) enum Compiled {
    /// Without templates: compiled once.
    Fixed(Regex),
    /// With templates: rendered, then compiled, for each row.
    Templated(TemplatedValue),
}

impl Pattern {
    /// Compiles a pattern; a template is compiled each time it is rendered.
    pub(crate) fn new(source: &str) -> Result<Self, String> {
        let compiled = if has_expressions(source) {
            let template = Template::parse(source).map_err(|error| error.message)?;
            Compiled::Templated(TemplatedValue::Template(template))
        } else {
            Compiled::Fixed(crate::memo::pattern(source)?)
        };
        Ok(Self {
            source: source.to_owned(),
            compiled,
        })
    }

    /// The pattern as written.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// The pattern as compiled.
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    /// Its template, if it has one.
    fn operands(&self) -> Vec<&TemplatedValue> {
        match &self.compiled {
            Compiled::Fixed(_) => Vec::new(),
            Compiled::Templated(value) => vec![value],
        }
    }
}
