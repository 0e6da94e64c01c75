//! What testing an assertion gives: it holds, it fails (with what was found and why), or it
//! could not be decided; and, below that, a predicate's verdict and the note explaining it.

use serde_json::Value;

use super::Subject;
use crate::diagnostic::Location;
use crate::format::Keyword;
use crate::template::RenderFailure;

/// How one assertion came out for a row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Checked {
    /// It holds.
    Holds,
    /// It does not hold, or its predicate does not apply to the value's type.
    Fails(AssertionFailure),
    /// It could not be decided (an operand or path did not render, an operand is invalid).
    Undecided(AssertionUndecided),
}

/// An assertion that does not hold, with what was found.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertionFailure {
    /// Where the assertion is written.
    pub location: Location,
    /// The call whose response it tests.
    pub on: String,
    /// Its path, as written.
    pub path: String,
    /// What it requires: the predicate with its operands rendered, e.g. `contains "x"`.
    pub expected: String,
    /// What the path selected (`None`: absent; a non-singular path's nodes as a list).
    pub actual: Option<Value>,
    /// Why it does not hold.
    pub reason: FailureReason,
    /// Whether it is `any_of`/`all_of`, whose own assertions say what they test (its `on`, `path`
    /// and `actual` explain nothing).
    pub combines: bool,
}

/// Why an assertion does not hold.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureReason {
    /// The predicate is false; the note says what decided it, when that helps.
    False(Option<Note>),
    /// The predicate does not apply to the value's type.
    TypeMismatch {
        /// The predicate's keyword.
        predicate: Keyword,
        /// What it applies to.
        expected: &'static str,
        /// The type found.
        actual: &'static str,
    },
}

/// An assertion that could not be decided.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertionUndecided {
    /// Where the assertion is written.
    pub location: Location,
    /// Why (never a type mismatch, which is a failure).
    pub problem: Undecided,
}

/// Why a predicate could not be decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Undecided {
    /// The predicate does not apply to the value's type (`gt` on a string): reported as a
    /// failure that says so, not as a plain "does not hold".
    TypeMismatch {
        /// The predicate's keyword.
        predicate: Keyword,
        /// What it applies to, e.g. `a number`.
        expected: &'static str,
        /// The type of the value, e.g. `a string`.
        actual: &'static str,
    },
    /// An operand, as rendered for this row, is not what the predicate takes (a rendered regular
    /// expression that does not compile, a network that is not one).
    InvalidOperand {
        /// The predicate's keyword.
        predicate: Keyword,
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
pub(super) struct Verdict {
    /// Whether the predicate holds.
    pub(crate) holds: bool,
    /// Which element, value or rule decided, when that explains more than the value does.
    pub(crate) note: Option<Note>,
}

impl Verdict {
    /// A verdict that does not hold, explained by `note`.
    pub(super) fn fails(note: Note) -> Self {
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
pub(crate) type Tested = Result<Verdict, Undecided>;

/// `predicate` does not apply to `subject`: it needs `expected`.
pub(super) fn mismatch(predicate: Keyword, expected: &'static str, subject: &Subject) -> Undecided {
    Undecided::TypeMismatch {
        predicate,
        expected,
        actual: subject.type_name(),
    }
}
