//! The request context of a simulation: the `ContextEntries` given (key names ignore case), and
//! the policy variables (`${aws:username}`) they fill in.

use super::super::query;

/// One context key and its values, as `ContextEntries.member.N` gives them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// `ContextKeyName`, as given.
    pub name: String,
    /// `ContextKeyValues` (a single-valued key has one).
    pub values: Vec<String>,
}

/// The context keys of a request.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Context {
    entries: Vec<Entry>,
}

impl Context {
    /// A context of `(name, values)` pairs.
    pub(crate) fn of(entries: &[(&str, &[&str])]) -> Self {
        Self {
            entries: entries
                .iter()
                .map(|(name, values)| Entry {
                    name: (*name).to_owned(),
                    values: values.iter().map(|v| (*v).to_owned()).collect(),
                })
                .collect(),
        }
    }

    /// The `ContextEntries` of a query-protocol request (`ContextEntries.member.N.ContextKeyName`,
    /// `….ContextKeyValues.member.M`; the `ContextKeyType` only says how to read the values,
    /// which the operator decides here).
    pub(crate) fn from_form(form: &[(String, String)]) -> Self {
        let mut entries = Vec::new();
        for n in 1.. {
            let prefix = format!("ContextEntries.member.{n}");
            let Some(name) = query::param(form, &format!("{prefix}.ContextKeyName")) else {
                break;
            };
            entries.push(Entry {
                name: name.to_owned(),
                values: query::list_param(form, &format!("{prefix}.ContextKeyValues")),
            });
        }
        Self { entries }
    }

    /// The entry of `key` (IAM's key names ignore case).
    pub(crate) fn get(&self, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|entry| entry.name.eq_ignore_ascii_case(key))
    }
}

/// The policy variables (`${key}`) in `text`, by key.
pub(super) fn variables(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(key, _)| key.trim()))
}

/// `text` with its policy variables replaced by their (first) value in `context`; `None` when a
/// variable's key is absent, which makes the element that holds it match nothing.
pub(super) fn substitute(text: &str, context: &Context) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("${") {
        let (key, tail) = after.split_once('}')?;
        out.push_str(before);
        out.push_str(context.get(key.trim())?.values.first()?);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}
