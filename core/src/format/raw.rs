//! The YAML shapes of `pack.yaml` and suite files, as serde reads them. Unknown keys are errors.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::keyword::{Keyword, NAMES, keyword_table};
use super::yaml::{Node, Spanned};

/// A mapping with user-chosen keys (variable names, call names), kept in source order with the
/// location of every key.
#[derive(Debug)]
pub(super) struct Entries<T>(pub(crate) Vec<(Spanned<String>, Spanned<T>)>);

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
    pub(crate) format: Option<Spanned<Node>>,
    #[serde(default)]
    pub(crate) ekscheck: Option<Spanned<Node>>,
}

/// `pack.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    pub(crate) pack: Spanned<String>,
    pub(crate) version: Spanned<String>,
    /// The format version; read through [`Requirements`].
    #[serde(default, rename = "format")]
    pub(crate) _format: Option<Node>,
    /// The ekscheck versions the pack works with; read through [`Requirements`].
    #[serde(default, rename = "ekscheck")]
    pub(crate) _ekscheck: Option<Node>,
    /// For the reader only.
    #[serde(default, rename = "description")]
    pub(crate) _description: Option<String>,
    #[serde(default)]
    pub(crate) vars: Entries<VarDecl>,
    #[serde(default)]
    pub(crate) calls: Entries<Call>,
    #[serde(default)]
    pub(crate) requires: Vec<Spanned<Requirement>>,
}

/// One entry of `requires:`: another pack, by path or from git.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Requirement {
    pub(crate) pack: Spanned<String>,
    #[serde(default)]
    pub(crate) path: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) git: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) tarball: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) subdir: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) version: Option<Spanned<String>>,
    #[serde(default, rename = "ref")]
    pub(crate) reference: Option<Spanned<String>>,
}

/// One entry of `vars:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VarDecl {
    #[serde(default)]
    pub(crate) required: bool,
    #[serde(default)]
    pub(crate) default: Option<Spanned<Node>>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default, rename = "type")]
    pub(crate) kind: Option<Spanned<VarKind>>,
    #[serde(default)]
    pub(crate) from: Option<Spanned<VarSource>>,
}

/// Where a variable's value comes from when a run does not give it (`from:`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum VarSource {
    /// The region ekscheck calls (`--region`, the AWS environment or profile, or the region a
    /// recording was made in).
    Region,
}

/// The type of a variable's value (`type:`), for values given on the command line.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum VarKind {
    /// Text (the default).
    String,
    /// An integer or decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl VarKind {
    /// Every type, as `type:` names them.
    pub(crate) const ALL: [VarKind; 3] = [VarKind::String, VarKind::Number, VarKind::Boolean];

    /// The type as written in `type:`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            VarKind::String => "string",
            VarKind::Number => "number",
            VarKind::Boolean => "boolean",
        }
    }

    /// Whether `value` is of this type.
    pub(crate) fn accepts(self, value: &serde_json::Value) -> bool {
        match self {
            VarKind::String => value.is_string(),
            VarKind::Number => value.is_number(),
            VarKind::Boolean => value.is_boolean(),
        }
    }
}

/// A suite file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Suite {
    #[serde(default)]
    pub(crate) suite: Option<Spanned<String>>,
    /// For the reader only.
    #[serde(default, rename = "description")]
    pub(crate) _description: Option<String>,
    #[serde(default)]
    pub(crate) calls: Entries<Call>,
    #[serde(default)]
    pub(crate) checks: Vec<Spanned<Check>>,
}

/// One entry of `calls:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Call {
    #[serde(default)]
    pub(crate) when: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub(crate) api: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) value: Option<Spanned<Node>>,
    #[serde(default)]
    pub(crate) params: Option<Spanned<Node>>,
    #[serde(default)]
    pub(crate) for_each: Option<Spanned<ForEach>>,
    #[serde(default)]
    pub(crate) label: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) accept_errors: Vec<Spanned<String>>,
}

/// `for_each: { in, path, as, label, unique, gather }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ForEach {
    #[serde(rename = "in")]
    pub(crate) source: Spanned<String>,
    pub(crate) path: Spanned<String>,
    #[serde(rename = "as")]
    pub(crate) binding: Spanned<String>,
    #[serde(default)]
    pub(crate) label: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) unique: bool,
    #[serde(default)]
    pub(crate) gather: bool,
}

/// One entry of `checks:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Check {
    pub(crate) id: Spanned<String>,
    pub(crate) title: Spanned<String>,
    /// For the reader only.
    #[serde(default, rename = "description")]
    pub(crate) _description: Option<String>,
    #[serde(default)]
    pub(crate) severity: Option<Spanned<Severity>>,
    #[serde(default)]
    pub(crate) remediation: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) on: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) expect: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub(crate) when: Vec<Spanned<Assertion>>,
    #[serde(default)]
    pub(crate) needs: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) cross_checks: Vec<Spanned<String>>,
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

impl Severity {
    /// Every severity, as check files name them, from most to least severe.
    pub(crate) const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    /// The severity as written in check files.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// The severity a name stands for (`error`, `warning`, `info`).
    pub(crate) fn named(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|severity| severity.name() == name)
    }
}

/// An assertion, or (inside `all`, `any`, `none`, `not`) a nested predicate: where it looks, its
/// severity, and its predicates (exactly one when it is valid), in the order they are written.
#[derive(Debug)]
pub(super) struct Assertion {
    pub(crate) on: Option<Spanned<String>>,
    pub(crate) path: Option<Spanned<String>>,
    pub(crate) severity: Option<Spanned<Severity>>,
    pub(crate) predicates: Vec<RawPredicate>,
}

/// The keys of an assertion: `on`, `path`, `severity`, and every predicate keyword.
const ASSERTION_KEYS: [&str; 3 + NAMES.len()] = {
    let mut keys = [""; 3 + NAMES.len()];
    keys[0] = "on";
    keys[1] = "path";
    keys[2] = "severity";
    let mut index = 0;
    while index < NAMES.len() {
        keys[3 + index] = NAMES[index];
        index += 1;
    }
    keys
};

impl Assertion {
    /// The predicate it has, if it has exactly one.
    pub(super) fn predicate(&self) -> Option<&RawPredicate> {
        match self.predicates.as_slice() {
            [predicate] => Some(predicate),
            _ => None,
        }
    }

    /// Its `any_of`, or else its `all_of`, if it has one.
    pub(super) fn alternatives(&self) -> Option<&Spanned<Vec<Spanned<Assertion>>>> {
        let any_of = self
            .predicates
            .iter()
            .find_map(|predicate| match predicate {
                RawPredicate::AnyOf(alternatives) => Some(alternatives),
                _ => None,
            });
        any_of.or_else(|| {
            self.predicates
                .iter()
                .find_map(|predicate| match predicate {
                    RawPredicate::AllOf(alternatives) => Some(alternatives),
                    _ => None,
                })
        })
    }
}

/// A key of an assertion.
enum AssertionKey {
    On,
    Path,
    Severity,
    Predicate(Keyword),
}

impl<'de> Deserialize<'de> for AssertionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = AssertionKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<AssertionKey, E> {
                Ok(match key {
                    "on" => AssertionKey::On,
                    "path" => AssertionKey::Path,
                    "severity" => AssertionKey::Severity,
                    _ => match Keyword::named(key) {
                        Some(keyword) => AssertionKey::Predicate(keyword),
                        None => return Err(E::unknown_field(key, &ASSERTION_KEYS)),
                    },
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// Read as serde's derive would read a struct with one optional field per key (unknown and
/// repeated keys are errors), but with the predicates taken from [`Keyword`]'s table.
impl<'de> Deserialize<'de> for Assertion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AssertionVisitor;
        impl<'de> Visitor<'de> for AssertionVisitor {
            type Value = Assertion;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("struct Assertion")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Assertion, A::Error> {
                let (mut on, mut path, mut severity) = (None, None, None);
                let mut seen = Vec::new();
                let mut predicates = Vec::new();
                while let Some(key) = map.next_key()? {
                    let (name, fresh) = match key {
                        AssertionKey::On => ("on", read_once(&mut on, &mut map)?),
                        AssertionKey::Path => ("path", read_once(&mut path, &mut map)?),
                        AssertionKey::Severity => ("severity", read_once(&mut severity, &mut map)?),
                        AssertionKey::Predicate(keyword) => {
                            let fresh = !seen.contains(&keyword);
                            seen.push(keyword);
                            if fresh {
                                predicates.extend(RawPredicate::read(keyword, &mut map)?);
                            }
                            (keyword.name(), fresh)
                        }
                    };
                    if !fresh {
                        return Err(de::Error::duplicate_field(name));
                    }
                }
                Ok(Assertion {
                    on: on.flatten(),
                    path: path.flatten(),
                    severity: severity.flatten(),
                    predicates,
                })
            }
        }
        deserializer.deserialize_struct("Assertion", &ASSERTION_KEYS, AssertionVisitor)
    }
}

/// Reads an optional value into `slot`, unless it holds one already (a repeated key: `false`).
fn read_once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<Option<T>>,
    map: &mut A,
) -> Result<bool, A::Error> {
    if slot.is_some() {
        return Ok(false);
    }
    *slot = Some(map.next_value()?);
    Ok(true)
}

/// Declares [`RawPredicate`] from the rows of [`keyword_table`].
macro_rules! declare_raw_predicates {
    ($($(#[doc = $doc:literal])* $variant:ident $name:literal: $operand:ty, $schema:literal;)*) => {
        /// A predicate as written: its operand, located.
        #[derive(Debug)]
        pub(super) enum RawPredicate {
            $($variant($operand),)*
        }

        impl RawPredicate {
            /// Reads the operand of `keyword` from `map` (its key just read); `None` when a
            /// predicate that takes no value is given null, which stands for its absence.
            fn read<'de, A: MapAccess<'de>>(
                keyword: Keyword,
                map: &mut A,
            ) -> Result<Option<Self>, A::Error> {
                Ok(match keyword {
                    $(Keyword::$variant => {
                        <$operand as Operand>::read(map)?.map(RawPredicate::$variant)
                    })*
                })
            }

            /// Its keyword.
            pub(super) fn keyword(&self) -> Keyword {
                match self {
                    $(RawPredicate::$variant(_) => Keyword::$variant,)*
                }
            }
        }
    };
}

keyword_table!(declare_raw_predicates);

/// The operand of a predicate as written, read from its mapping.
trait Operand: Sized {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error>;
}

/// Operands read as optional: written null, the predicate is absent.
macro_rules! optional_operand {
    ($($operand:ty),*) => {$(
        impl Operand for $operand {
            fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error> {
                map.next_value()
            }
        }
    )*};
}

optional_operand!(
    Spanned<bool>,
    Spanned<String>,
    Box<Spanned<Assertion>>,
    Spanned<Vec<Spanned<Assertion>>>
);

/// A value operand is present even when it is null: `equals: null` compares with null.
impl Operand for Spanned<Node> {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error> {
        map.next_value::<Spanned<Node>>().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_those_the_loader_reads() {
        let read = |name: &str| serde_json::Value::String(name.to_owned());
        for severity in Severity::ALL {
            assert_eq!(
                serde_json::from_value::<Severity>(read(severity.name())).ok(),
                Some(severity)
            );
            assert_eq!(Severity::named(severity.name()), Some(severity));
        }
        for kind in VarKind::ALL {
            assert_eq!(
                serde_json::from_value::<VarKind>(read(kind.name())).ok(),
                Some(kind)
            );
        }
    }
}
