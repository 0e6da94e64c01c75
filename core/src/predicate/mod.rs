//! Predicates: what an assertion requires of the value its path selects.
//!
//! Each family lives in its own file. A predicate answers `Ok(true/false)`, or `Err` with a
//! "type mismatch" when it does not apply to the value (`gt` on a string), which is reported as a
//! failure with that explanation rather than as a plain `false`.

pub mod assertion;
mod containment;
mod equality;
mod network;
mod numeric;
mod pattern;
mod presence;
mod quantifier;

use serde_json::Value;

use crate::json;
use crate::path::{JsonPath, Selection};
use crate::template::{RenderFailure, Scope, TemplatedValue};

pub use network::{Cidr, Traffic};
pub use numeric::{Bound, Comparison};
pub use pattern::Pattern;

/// A predicate with its operands (which may be templates).
#[derive(Clone, Debug)]
pub enum Predicate {
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
    /// `allows_traffic: {direction, protocol, port, cidr, group}`.
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
pub struct Alternative {
    /// The call whose response is tested from its root; `None` tests the value under test.
    pub on: Option<String>,
    /// What is tested.
    pub path: JsonPath,
    /// What must hold.
    pub predicate: Predicate,
}

/// A predicate applied below the value under test: to each element (`all`, `any`, `none`) or to
/// the value itself (`not`), through an optional relative path.
#[derive(Clone, Debug)]
pub struct Nested {
    /// Relative to the element; `$` (the element itself) when omitted.
    pub path: JsonPath,
    /// The predicate the selected value must satisfy.
    pub predicate: Predicate,
}

/// The value under test.
#[derive(Clone, Debug)]
pub enum Subject<'a> {
    /// A singular path selected nothing.
    Absent,
    /// A singular path's node.
    Value(&'a Value),
    /// Everything a non-singular path selected.
    Nodes(Vec<&'a Value>),
}

impl<'a> From<Selection<'a>> for Subject<'a> {
    fn from(selection: Selection<'a>) -> Self {
        match selection {
            Selection::Node(Some(value)) => Subject::Value(value),
            Selection::Node(None) => Subject::Absent,
            Selection::Nodes(nodes) => Subject::Nodes(nodes),
        }
    }
}

impl<'a> Subject<'a> {
    /// The subject seen as a list: absent is empty, a scalar or object is a one-element list,
    /// because AWS omits empty lists and IAM documents use a string where a list has one item.
    pub fn items(&self) -> Vec<&'a Value> {
        match self {
            Subject::Absent | Subject::Value(Value::Null) => Vec::new(),
            Subject::Value(Value::Array(items)) => items.iter().collect(),
            Subject::Value(value) => vec![*value],
            Subject::Nodes(nodes) => nodes.clone(),
        }
    }

    /// The subject as one JSON value (`None` when absent); a node list becomes an array.
    pub fn to_value(&self) -> Option<Value> {
        match self {
            Subject::Absent => None,
            Subject::Value(value) => Some((*value).clone()),
            Subject::Nodes(nodes) => {
                Some(Value::Array(nodes.iter().map(|v| (*v).clone()).collect()))
            }
        }
    }

    /// The subject as a value to show in a failure: a list keeps its first items only (a
    /// million selected nodes are not copied to print the first few).
    pub fn sample(&self) -> Option<Value> {
        const SHOWN: usize = 64;
        let items: Vec<&Value> = match self {
            Subject::Nodes(nodes) => nodes.iter().copied().take(SHOWN).collect(),
            Subject::Value(Value::Array(items)) => items.iter().take(SHOWN).collect(),
            _ => return self.to_value(),
        };
        Some(Value::Array(items.into_iter().cloned().collect()))
    }

    /// A word for the subject's type, for mismatch messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Subject::Absent => "absent",
            Subject::Nodes(_) => "a list of selected nodes",
            Subject::Value(value) => json::type_name(value),
        }
    }
}

/// Why a predicate could not be decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Undecided {
    /// The predicate does not apply to the value's type (`gt` on a string): reported as a
    /// failure that says so, not as a plain "does not hold".
    TypeMismatch {
        /// The predicate's keyword.
        predicate: &'static str,
        /// What it applies to, e.g. `a number`.
        expected: &'static str,
        /// The type of the value, e.g. `a string`.
        actual: &'static str,
    },
    /// An operand, as rendered for this row, is not what the predicate takes (a rendered regular
    /// expression that does not compile, a network that is not one).
    InvalidOperand {
        /// The predicate's keyword.
        predicate: &'static str,
        /// What is wrong with the operand.
        problem: String,
    },
    /// An operand template could not be rendered for this row.
    Render(RenderFailure),
    /// An assertion of `any_of`/`all_of` names a call that has no response for this row.
    NoResponse {
        /// The call.
        call: String,
    },
}

impl From<RenderFailure> for Undecided {
    fn from(failure: RenderFailure) -> Self {
        Undecided::Render(failure)
    }
}

/// What explains a verdict: the element, value or rule that decided it.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The element of the list that decided `all` or `none`.
    Element {
        /// Its position in the list.
        index: usize,
        /// The element.
        value: Value,
    },
    /// `contains_all`: the wanted values that are missing.
    Missing(Vec<Value>),
    /// `count`: how many nodes there are.
    Count(usize),
    /// `in_cidr`: an address or network outside the network.
    Outside {
        /// The address or network found.
        address: String,
        /// The network it should be in.
        network: String,
    },
    /// A network ACL does not let the traffic through: the port, and the rule that denies it
    /// (`None`: no rule matches, so the implicit deny does).
    AclDenies {
        /// Outbound rather than inbound.
        egress: bool,
        /// The first port that does not pass.
        port: u16,
        /// The number of the rule that denies it.
        rule: Option<i64>,
        /// The network it is denied to or from, when several were asked about.
        network: Option<String>,
    },
    /// No rule of a security group lets the traffic through.
    NoGroupRule {
        /// Outbound rather than inbound.
        egress: bool,
        /// The group's ID.
        group: String,
        /// The network no rule admits, when several were asked about.
        network: Option<String>,
    },
    /// `allows_traffic` was given nothing to test.
    NothingSelected,
    /// Several notes, one per tested item (a list of ACLs or groups).
    Each(Vec<Note>),
    /// `any_of`: none of its assertions holds.
    NoAlternativeHolds {
        /// How many there are.
        count: usize,
    },
    /// `no_line_matches`: the first line that matches.
    Line {
        /// Its number, from 1.
        number: usize,
        /// The line.
        text: String,
    },
    /// `all_of`: the first of its assertions that does not hold.
    AlternativeFails {
        /// Its position, from 1.
        number: usize,
        /// Its path and predicate, e.g. `$.Action contains "sts:AssumeRole"`.
        described: String,
        /// Why it does not hold.
        note: Option<Box<Note>>,
    },
}

/// A predicate's answer: whether it holds, plus a note pointing at what decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Whether the predicate holds.
    pub holds: bool,
    /// Which element, value or rule decided, when that explains more than the value does.
    pub note: Option<Note>,
}

impl Verdict {
    /// A verdict that does not hold, explained by `note`.
    pub fn fails(note: Note) -> Self {
        Self {
            holds: false,
            note: Some(note),
        }
    }
}

impl From<bool> for Verdict {
    fn from(holds: bool) -> Self {
        Verdict { holds, note: None }
    }
}

/// The result of testing a predicate.
pub type Tested = Result<Verdict, Undecided>;

/// `predicate` does not apply to `subject`: it needs `expected`.
fn mismatch(predicate: &'static str, expected: &'static str, subject: &Subject) -> Undecided {
    Undecided::TypeMismatch {
        predicate,
        expected,
        actual: subject.type_name(),
    }
}

impl Predicate {
    /// The predicate's key as written in a check file.
    pub fn keyword(&self) -> &'static str {
        match self {
            Predicate::Exists(_) => "exists",
            Predicate::Equals(_) => "equals",
            Predicate::OneOf(_) => "one_of",
            Predicate::Contains(_) => "contains",
            Predicate::ContainsAll(_) => "contains_all",
            Predicate::Matches(_) => "matches",
            Predicate::LineMatches(_) => "line_matches",
            Predicate::NoLineMatches(_) => "no_line_matches",
            Predicate::Count(_) => "count",
            Predicate::Compare(bound) => bound.comparison.keyword(),
            Predicate::Empty(_) => "empty",
            Predicate::InCidr(_) => "in_cidr",
            Predicate::AllowsTraffic(_) => "allows_traffic",
            Predicate::All(_) => "all",
            Predicate::Any(_) => "any",
            Predicate::None(_) => "none",
            Predicate::Not(_) => "not",
            Predicate::AnyOf(_) => "any_of",
            Predicate::AllOf(_) => "all_of",
        }
    }

    /// Tests the predicate against `subject`, rendering operand templates from `scope`.
    pub fn test(&self, subject: &Subject, scope: &dyn Scope) -> Tested {
        match self {
            Predicate::Exists(expected) => Ok(presence::exists(subject, *expected).into()),
            Predicate::Empty(expected) => Ok(presence::empty(subject, *expected).into()),
            Predicate::Equals(value) => Ok(equality::equals(subject, &value.render(scope)?).into()),
            Predicate::OneOf(values) => equality::one_of(subject, &values.render(scope)?),
            Predicate::Contains(value) => {
                Ok(containment::contains(subject, &value.render(scope)?).into())
            }
            Predicate::ContainsAll(values) => {
                containment::contains_all(subject, &values.render(scope)?)
            }
            Predicate::Matches(pattern) => pattern.test(subject, scope),
            Predicate::LineMatches(pattern) => pattern.test_lines(true, subject, scope),
            Predicate::NoLineMatches(pattern) => pattern.test_lines(false, subject, scope),
            Predicate::InCidr(network) => network::in_cidr(subject, &network.render(scope)?),
            Predicate::AllowsTraffic(traffic) => {
                network::allows_traffic(subject, &traffic.render(scope)?)
            }
            Predicate::Count(bounds) => numeric::count(subject, bounds, scope),
            Predicate::Compare(bound) => numeric::compare(subject, bound, scope),
            Predicate::All(nested) => quantifier::all(subject, nested, scope),
            Predicate::Any(nested) => quantifier::any(subject, nested, scope),
            Predicate::None(nested) => quantifier::none(subject, nested, scope),
            Predicate::Not(nested) => quantifier::not(subject, nested, scope),
            Predicate::AnyOf(alternatives) => {
                combine(alternatives, Combination::Any, subject, scope)
            }
            Predicate::AllOf(alternatives) => {
                combine(alternatives, Combination::All, subject, scope)
            }
        }
    }

    /// The predicate as a short phrase with its operands rendered, e.g. `contains "x"`.
    pub fn describe(&self, scope: &dyn Scope) -> String {
        let shown = |value: &TemplatedValue| match value.render(scope) {
            Ok(value) => json::shorten(&value),
            Err(_) => "(unrenderable)".to_owned(),
        };
        match self {
            Predicate::Exists(true) => "exists".to_owned(),
            Predicate::Exists(false) => "does not exist".to_owned(),
            Predicate::Empty(true) => "is empty".to_owned(),
            Predicate::Empty(false) => "is not empty".to_owned(),
            Predicate::Equals(v)
            | Predicate::OneOf(v)
            | Predicate::Contains(v)
            | Predicate::ContainsAll(v)
            | Predicate::InCidr(v)
            | Predicate::AllowsTraffic(v) => format!("{} {}", self.keyword(), shown(v)),
            Predicate::Matches(pattern) => format!("matches /{}/", pattern.describe(scope)),
            Predicate::LineMatches(pattern) => {
                format!("a line matches /{}/", pattern.describe(scope))
            }
            Predicate::NoLineMatches(pattern) => {
                format!("no line matches /{}/", pattern.describe(scope))
            }
            Predicate::Count(bounds) => format!("count {}", numeric::describe(bounds, scope)),
            Predicate::Compare(bound) => numeric::describe(std::slice::from_ref(bound), scope),
            Predicate::All(n) | Predicate::Any(n) | Predicate::None(n) | Predicate::Not(n) => {
                format!("{} {{{}}}", self.keyword(), n.describe(scope))
            }
            Predicate::AnyOf(alternatives) | Predicate::AllOf(alternatives) => {
                let shown: Vec<String> = alternatives
                    .iter()
                    .map(|a| {
                        let on = a.on.as_ref().map(|on| format!("{on} ")).unwrap_or_default();
                        format!("{on}{} {}", a.path, a.predicate.describe(scope))
                    })
                    .collect();
                let (word, separator) = match self {
                    Predicate::AnyOf(_) => ("any of", " | "),
                    _ => ("all of", " & "),
                };
                format!("{word}: {}", shown.join(separator))
            }
        }
    }

    /// Whether the predicate is `any_of` or `all_of`, whose own assertions say what they test.
    pub fn combines_assertions(&self) -> bool {
        matches!(self, Predicate::AnyOf(_) | Predicate::AllOf(_))
    }

    /// Calls read by `any_of` and `all_of` assertions (at any depth), for dependency resolution.
    pub fn calls_read(&self) -> Vec<&str> {
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
    pub fn operands(&self) -> Vec<&TemplatedValue> {
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
    pub fn nested_paths(&self) -> Vec<&JsonPath> {
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

/// How the assertions of `any_of` and `all_of` combine.
#[derive(Clone, Copy)]
enum Combination {
    Any,
    All,
}

/// `any_of` holds when one of its assertions holds, `all_of` when every one does. A type
/// mismatch in one assertion decides only if no other assertion decides (`any_of`: holds;
/// `all_of`: does not hold).
fn combine(
    alternatives: &[Alternative],
    combination: Combination,
    subject: &Subject,
    scope: &dyn Scope,
) -> Tested {
    let selected = match subject {
        Subject::Nodes(_) => subject.to_value(),
        _ => None,
    };
    let mut problem = None;
    for (index, alternative) in alternatives.iter().enumerate() {
        let base = match &alternative.on {
            Some(call) => Some(
                scope
                    .get(call)
                    .ok_or_else(|| Undecided::NoResponse { call: call.clone() })?,
            ),
            None => match subject {
                Subject::Absent => None,
                Subject::Value(value) => Some(*value),
                Subject::Nodes(_) => selected.as_ref(),
            },
        };
        let tested = match base {
            Some(base) => Subject::from(alternative.path.select(base, scope)?),
            None => Subject::Absent,
        };
        match (alternative.predicate.test(&tested, scope), combination) {
            (Ok(verdict), Combination::Any) if verdict.holds => return Ok(verdict),
            (Ok(verdict), Combination::All) if !verdict.holds => {
                return Ok(Verdict::fails(Note::AlternativeFails {
                    number: index + 1,
                    described: format!(
                        "{} {}",
                        alternative.path,
                        alternative.predicate.describe(scope)
                    ),
                    note: verdict.note.map(Box::new),
                }));
            }
            (Ok(_), _) => {}
            (Err(undecided), _) => problem = Some(undecided),
        }
    }
    match (problem, combination) {
        (Some(problem), _) => Err(problem),
        (None, Combination::All) => Ok(true.into()),
        (None, Combination::Any) => Ok(Verdict::fails(Note::NoAlternativeHolds {
            count: alternatives.len(),
        })),
    }
}

impl Nested {
    /// Tests the nested predicate against what its path selects in `value`.
    fn test_on(&self, value: &Value, scope: &dyn Scope) -> Tested {
        let selection = self.path.select(value, scope)?;
        self.predicate.test(&Subject::from(selection), scope)
    }

    fn describe(&self, scope: &dyn Scope) -> String {
        if self.path.source() == "$" {
            self.predicate.describe(scope)
        } else {
            format!("{} {}", self.path, self.predicate.describe(scope))
        }
    }
}

#[cfg(test)]
mod tests;
