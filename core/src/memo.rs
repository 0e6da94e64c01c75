//! Each distinct source compiled once per command.
//!
//! A pack repeats the same templates (`{{vars.cluster}}` in every check, a call's parameters in
//! every check that makes it), queries and patterns (a boot-log pattern is written once and
//! aliased by the checks that read it), and compiling them is most of the cost of loading a pack;
//! a run would compile the query of a `select` (or the pattern of a `capture`) again for every
//! call it renders.
//! While a [`Memo`] is alive, its thread compiles each distinct source once and clones the result
//! after that; the table is emptied when it drops. Only sources written in a pack are remembered,
//! so the table is bounded by the pack: what is rendered for each row (a templated path) is
//! compiled without it.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;

/// What was compiled on this thread while a memo is alive: by the type of the result and the
/// source, so that a template and a pattern written alike stay apart.
type Table = HashMap<(TypeId, String), Box<dyn Any>>;

thread_local! {
    static COMPILED: RefCell<Option<Table>> = const { RefCell::new(None) };
}

/// While alive, each distinct template, query and pattern a pack writes is compiled once on this
/// thread.
pub struct Memo {
    /// Whether this memo opened the table (an inner one leaves it to the outer one).
    outermost: bool,
}

impl Memo {
    /// Starts memoising on this thread, until the returned guard drops. A command enters one
    /// for its whole life: its run is polled on the thread that loaded the packs.
    #[must_use = "the memo ends when the guard drops"]
    pub fn enter() -> Self {
        let outermost = COMPILED.with_borrow(Option::is_none);
        if outermost {
            COMPILED.set(Some(HashMap::new()));
        }
        Self { outermost }
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        if self.outermost {
            COMPILED.set(None);
        }
    }
}

/// `compile(source)`, from the memo when one is alive and has it (errors included).
pub(crate) fn remembered<T: Clone + 'static>(source: &str, compile: impl FnOnce(&str) -> T) -> T {
    // Outside a load (a templated path or pattern rendered for each row), no key is built.
    if COMPILED.with_borrow(Option::is_none) {
        return compile(source);
    }
    let key = (TypeId::of::<T>(), source.to_owned());
    let known = COMPILED.with_borrow(|table| {
        table
            .as_ref()
            .and_then(|table| table.get(&key))
            .and_then(|compiled| compiled.downcast_ref::<T>())
            .cloned()
    });
    match known {
        Some(compiled) => compiled,
        None => {
            let compiled = compile(source);
            COMPILED.with_borrow_mut(|table| {
                if let Some(table) = table {
                    table.insert(key, Box::new(compiled.clone()));
                }
            });
            compiled
        }
    }
}

/// The regular expression `source` a pack writes (a predicate's pattern, `capture`'s), compiled
/// once per memo; an error is the regex crate's message.
pub(crate) fn pattern(source: &str) -> Result<regex::Regex, String> {
    remembered(source, |source| {
        regex::Regex::new(source).map_err(|error| error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use regex::Regex;

    use super::*;
    use crate::query::Query;
    use crate::template::{Template, TemplateError};

    /// Compiles `source` through the memo, counting the compilations.
    fn counting(source: &str, compiled: &Cell<usize>) -> Result<Template, TemplateError> {
        remembered(source, |source| {
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
    fn results_of_each_type_are_remembered_apart_with_their_errors() {
        let _memo = Memo::enter();
        let pattern = |source: &str| {
            remembered(source, |source| {
                Regex::new(source).map_err(|error| error.to_string())
            })
        };
        assert!(pattern("^a+$").unwrap().is_match("aa"));
        assert!(pattern("(").is_err());
        assert!(pattern("(").is_err());
        assert_eq!(
            COMPILED.with_borrow(|table| table.as_ref().map(HashMap::len)),
            Some(2)
        );
        // The same source as a template is compiled apart.
        assert!(Template::parse("(").is_ok());
        assert_eq!(
            COMPILED.with_borrow(|table| table.as_ref().map(HashMap::len)),
            Some(3)
        );
        let parsed = Cell::new(0);
        for _ in 0..2 {
            remembered("$.a[?@.b]", |source| {
                parsed.set(parsed.get() + 1);
                Query::parse(source)
            })
            .unwrap();
        }
        assert_eq!(parsed.get(), 1);
    }

    #[test]
    fn a_run_reuses_what_a_pack_wrote_but_not_what_it_renders_for_a_row() {
        use serde_json::{Map, Value, json};

        use crate::path::JsonPath;
        use crate::query::{PathError, normalize};

        let _memo = Memo::enter();
        let entries = || COMPILED.with_borrow(|table| table.as_ref().map_or(0, HashMap::len));
        let scope = |value: Value| -> Map<String, Value> {
            json!({"doc": {"a": [1], "b": [2]}, "vars": {"key": value}})
                .as_object()
                .unwrap()
                .clone()
        };
        let select = Template::parse(r#"{{select doc "$.a[*]"}}"#).unwrap();
        // Another query stands in the memo for the one the template wrote: `select` reads it.
        let key = (
            TypeId::of::<Result<Query, PathError>>(),
            normalize("$.a[*]"),
        );
        COMPILED.with_borrow_mut(|table| {
            let table = table.as_mut().unwrap();
            assert!(table.contains_key(&key), "loading checked the query");
            table.insert(key, Box::new(Query::compile("$.b[*]")));
        });
        assert_eq!(select.render_value(&scope(json!(0))).unwrap(), json!([2]));
        // So does `capture` for its pattern.
        let capture = Template::parse("{{capture vars.key 'a(b)'}}").unwrap();
        let key = (TypeId::of::<Result<Regex, String>>(), "a(b)".to_owned());
        COMPILED.with_borrow_mut(|table| {
            let table = table.as_mut().unwrap();
            assert!(table.contains_key(&key), "loading checked the pattern");
            table.insert(key, Box::new(Regex::new("(a)b").map_err(|e| e.to_string())));
        });
        assert_eq!(
            capture.render_value(&scope(json!("ab"))).unwrap(),
            json!("a")
        );

        let path = JsonPath::parse("$.doc['{{vars.key}}'][0]").unwrap();
        let written = entries();
        for key in ["a", "b", "c"] {
            path.select(&json!({"doc": {"a": [1], "b": [2]}}), &scope(json!(key)))
                .unwrap();
        }
        assert_eq!(entries(), written, "a query rendered for a row is not kept");
    }
}
