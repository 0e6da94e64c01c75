//! Each distinct source compiled once per load.
//!
//! A pack repeats the same templates (`{{vars.cluster}}` in every check, a call's parameters in
//! every check that makes it), queries and patterns (a boot-log pattern is written once and
//! aliased by the checks that read it), and compiling them is most of the cost of loading a pack.
//! While a [`Memo`] is alive, its thread compiles each distinct source once and clones the result
//! after that; the tables are emptied when it drops, so nothing outlives the load.

use std::cell::RefCell;
use std::collections::HashMap;
use std::thread::LocalKey;

use regex::Regex;

use crate::query::{PathError, Query};
use crate::template::{Template, TemplateError};

/// The results compiled on this thread while a memo is alive, by source.
type Table<T> = RefCell<Option<HashMap<String, T>>>;

thread_local! {
    static TEMPLATES: Table<Result<Template, TemplateError>> = const { RefCell::new(None) };
    static QUERIES: Table<Result<Query, PathError>> = const { RefCell::new(None) };
    static PATTERNS: Table<Result<Regex, String>> = const { RefCell::new(None) };
}

/// While alive, templates, queries and patterns compiled on this thread are compiled once per
/// distinct source.
pub(crate) struct Memo {
    /// Whether this memo opened the tables (an inner one leaves them to the outer one).
    outermost: bool,
}

impl Memo {
    /// Starts memoising on this thread, until the returned guard drops.
    pub(crate) fn enter() -> Self {
        let outermost = TEMPLATES.with_borrow(Option::is_none);
        if outermost {
            TEMPLATES.set(Some(HashMap::new()));
            QUERIES.set(Some(HashMap::new()));
            PATTERNS.set(Some(HashMap::new()));
        }
        Self { outermost }
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        if self.outermost {
            TEMPLATES.set(None);
            QUERIES.set(None);
            PATTERNS.set(None);
        }
    }
}

/// `compile(source)` for a template, from the memo when one is alive and has it.
pub(crate) fn template(
    source: &str,
    compile: impl FnOnce(&str) -> Result<Template, TemplateError>,
) -> Result<Template, TemplateError> {
    remembered(&TEMPLATES, source, compile)
}

/// `parse(source)` for a query, from the memo when one is alive and has it.
pub(crate) fn query(
    source: &str,
    parse: impl FnOnce(&str) -> Result<Query, PathError>,
) -> Result<Query, PathError> {
    remembered(&QUERIES, source, parse)
}

/// The regular expression `source`, from the memo when one is alive and has it (a `Regex` clone
/// shares the compiled program).
pub(crate) fn pattern(source: &str) -> Result<Regex, String> {
    remembered(&PATTERNS, source, |source| {
        Regex::new(source).map_err(|error| error.to_string())
    })
}

fn remembered<T: Clone + 'static>(
    table: &'static LocalKey<Table<T>>,
    source: &str,
    compile: impl FnOnce(&str) -> T,
) -> T {
    let known = table.with_borrow(|table| table.as_ref().map(|table| table.get(source).cloned()));
    match known {
        None => compile(source),
        Some(Some(compiled)) => compiled,
        Some(None) => {
            let compiled = compile(source);
            table.with_borrow_mut(|table| {
                if let Some(table) = table {
                    table.insert(source.to_owned(), compiled.clone());
                }
            });
            compiled
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Compiles `source` through the memo, counting the compilations.
    fn counting(source: &str, compiled: &Cell<usize>) -> Result<Template, TemplateError> {
        template(source, |source| {
            compiled.set(compiled.get() + 1);
            Template::parse(source)
        })
    }

    #[test]
    fn a_memo_compiles_each_distinct_source_once_and_forgets_them_when_it_drops() {
        let compiled = Cell::new(0);
        {
            let _memo = Memo::enter();
            for _ in 0..3 {
                let template = counting("{{vars.cluster}}", &compiled).unwrap();
                assert_eq!(template.source(), "{{vars.cluster}}");
            }
            counting("{{vars.region}}", &compiled).unwrap();
            assert!(counting("{{#if x}}", &compiled).is_err());
            assert!(counting("{{#if x}}", &compiled).is_err());
            {
                let _inner = Memo::enter();
                counting("{{vars.cluster}}", &compiled).unwrap();
            }
            // The inner memo's end leaves the outer one's tables.
            counting("{{vars.cluster}}", &compiled).unwrap();
            assert_eq!(compiled.get(), 3);
        }
        counting("{{vars.cluster}}", &compiled).unwrap();
        counting("{{vars.cluster}}", &compiled).unwrap();
        assert_eq!(compiled.get(), 5, "without a memo, each compile runs");
    }

    #[test]
    fn patterns_and_queries_are_remembered_with_their_errors() {
        let _memo = Memo::enter();
        assert!(pattern("^a+$").unwrap().is_match("aa"));
        assert!(pattern("(").is_err());
        assert_eq!(
            PATTERNS.with_borrow(|table| table.as_ref().map(HashMap::len)),
            Some(2)
        );
        let parsed = Cell::new(0);
        for _ in 0..2 {
            query("$.a[?@.b]", |source| {
                parsed.set(parsed.get() + 1);
                Query::parse(source)
            })
            .unwrap();
        }
        assert_eq!(parsed.get(), 1);
    }
}
