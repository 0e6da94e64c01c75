//! The YAML shapes of `pack.yaml` and suite files, as serde reads them. Unknown keys are errors.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use super::yaml::{Node, Spanned};

/// A mapping with user-chosen keys (variable names, call names), kept in source order with the
/// location of every key.
#[derive(Debug)]
pub(super) struct Entries<T>(pub Vec<(Spanned<String>, Spanned<T>)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping of names")
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Entries(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// What a pack needs of the ekscheck that reads it: read from `pack.yaml` before anything else
/// (other keys ignored), so that a pack written for a newer ekscheck is refused for that reason
/// rather than for the keys this one does not know.
#[derive(Debug, Deserialize)]
pub(super) struct Requirements {
    #[serde(default)]
    pub format: Option<Spanned<Node>>,
    #[serde(default)]
    pub ekscheck: Option<Spanned<Node>>,
}

/// `pack.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    pub pack: Spanned<String>,
    pub version: Spanned<String>,
    /// The format version; read through [`Requirements`].
    #[serde(default, rename = "format")]
    pub _format: Option<Node>,
    /// The ekscheck versions the pack works with; read through [`Requirements`].
    #[serde(default, rename = "ekscheck")]
    pub _ekscheck: Option<Node>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub vars: Entries<VarDecl>,
    #[serde(default)]
    pub calls: Entries<Call>,
    #[serde(default)]
    pub requires: Vec<Spanned<Requirement>>,
}

/// One entry of `requires:`: another pack, by path or from git.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Requirement {
    pub pack: Spanned<String>,
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub git: Option<Spanned<String>>,
    #[serde(default)]
    pub tarball: Option<Spanned<String>>,
    #[serde(default)]
    pub subdir: Option<Spanned<String>>,
    #[serde(default)]
    pub version: Option<Spanned<String>>,
    #[serde(default, rename = "ref")]
    pub reference: Option<Spanned<String>>,
}

/// One entry of `vars:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VarDecl {
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<Spanned<Node>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<Spanned<VarKind>>,
    #[serde(default)]
    pub from: Option<Spanned<VarSource>>,
}

/// Where a variable's value comes from when a run does not give it (`from:`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VarSource {
    /// The region ekscheck calls (`--region`, the AWS environment or profile, or the region a
    /// recording was made in).
    Region,
}

/// The type of a variable's value (`type:`), for values given on the command line.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VarKind {
    /// Text (the default).
    String,
    /// An integer or decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
}

/// A suite file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Suite {
    #[serde(default)]
    pub suite: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub calls: Entries<Call>,
    #[serde(default)]
    pub checks: Vec<Spanned<Check>>,
}

/// One entry of `calls:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Call {
    #[serde(default)]
    pub when: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub api: Option<Spanned<String>>,
    #[serde(default)]
    pub value: Option<Spanned<Node>>,
    #[serde(default)]
    pub params: Option<Spanned<Node>>,
    #[serde(default)]
    pub for_each: Option<Spanned<ForEach>>,
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    #[serde(default)]
    pub accept_errors: Vec<Spanned<String>>,
}

/// `for_each: { in, path, as, label, unique, gather }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForEach {
    #[serde(rename = "in")]
    pub source: Spanned<String>,
    pub path: Spanned<String>,
    #[serde(rename = "as")]
    pub binding: Spanned<String>,
    #[serde(default)]
    pub label: Option<Spanned<String>>,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub gather: bool,
}

/// One entry of `checks:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Check {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub severity: Option<Spanned<Severity>>,
    #[serde(default)]
    pub remediation: Option<Spanned<String>>,
    #[serde(default)]
    pub on: Option<Spanned<String>>,
    #[serde(default)]
    pub expect: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub when: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    #[serde(default)]
    pub cross_checks: Vec<Spanned<String>>,
}

/// How much a failed check matters; ordered from least to most severe.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported for information; the run still passes.
    Info,
    /// Reported, but the run still passes.
    Warning,
    /// A failure fails the run (exit code 1).
    #[default]
    Error,
}

/// A predicate operand that is present, even when it is `null` (`equals: null` compares with
/// null; serde would otherwise read an explicit null as a missing key).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Spanned<Node>>, D::Error> {
    Spanned::<Node>::deserialize(deserializer).map(Some)
}

/// An assertion, or (inside `all`, `any`, `none`, `not`) a nested predicate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Assertion {
    #[serde(default)]
    pub on: Option<Spanned<String>>,
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub severity: Option<Spanned<Severity>>,
    #[serde(default)]
    pub exists: Option<Spanned<bool>>,
    #[serde(default, deserialize_with = "present")]
    pub equals: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub one_of: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub contains: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub contains_all: Option<Spanned<Node>>,
    #[serde(default)]
    pub matches: Option<Spanned<String>>,
    #[serde(default)]
    pub line_matches: Option<Spanned<String>>,
    #[serde(default)]
    pub no_line_matches: Option<Spanned<String>>,
    #[serde(default, deserialize_with = "present")]
    pub count: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub gt: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub gte: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub lt: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub lte: Option<Spanned<Node>>,
    #[serde(default)]
    pub empty: Option<Spanned<bool>>,
    #[serde(default, deserialize_with = "present")]
    pub in_cidr: Option<Spanned<Node>>,
    #[serde(default, deserialize_with = "present")]
    pub allows_traffic: Option<Spanned<Node>>,
    #[serde(default)]
    pub all: Option<Box<Spanned<Assertion>>>,
    #[serde(default)]
    pub any: Option<Box<Spanned<Assertion>>>,
    #[serde(default)]
    pub none: Option<Box<Spanned<Assertion>>>,
    #[serde(default)]
    pub not: Option<Box<Spanned<Assertion>>>,
    #[serde(default)]
    pub any_of: Option<Spanned<Vec<Spanned<Assertion>>>>,
    #[serde(default)]
    pub all_of: Option<Spanned<Vec<Spanned<Assertion>>>>,
}

/// Every predicate key, in the order of [`Assertion`]'s fields.
pub const PREDICATES: [&str; 22] = [
    "exists",
    "equals",
    "one_of",
    "contains",
    "contains_all",
    "matches",
    "line_matches",
    "no_line_matches",
    "count",
    "gt",
    "gte",
    "lt",
    "lte",
    "empty",
    "in_cidr",
    "allows_traffic",
    "all",
    "any",
    "none",
    "not",
    "any_of",
    "all_of",
];

impl Assertion {
    /// The predicate keys this assertion has (exactly one when it is valid).
    pub(super) fn predicates(&self) -> Vec<&'static str> {
        let present = [
            self.exists.is_some(),
            self.equals.is_some(),
            self.one_of.is_some(),
            self.contains.is_some(),
            self.contains_all.is_some(),
            self.matches.is_some(),
            self.line_matches.is_some(),
            self.no_line_matches.is_some(),
            self.count.is_some(),
            self.gt.is_some(),
            self.gte.is_some(),
            self.lt.is_some(),
            self.lte.is_some(),
            self.empty.is_some(),
            self.in_cidr.is_some(),
            self.allows_traffic.is_some(),
            self.all.is_some(),
            self.any.is_some(),
            self.none.is_some(),
            self.not.is_some(),
            self.any_of.is_some(),
            self.all_of.is_some(),
        ];
        PREDICATES
            .into_iter()
            .zip(present)
            .filter_map(|(key, present)| present.then_some(key))
            .collect()
    }
}
