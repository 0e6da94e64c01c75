//! Each distinct template compiled once per load.
//!
//! A pack repeats the same few templates many times (`{{vars.cluster}}` in every check, the same
//! parameters in every check that makes one call), and compiling a template is about half the
//! cost of loading a pack. While a [`Memo`] is alive, [`Template::parse`] on its thread compiles
//! each distinct source once and clones the result after that; the memo is emptied when it drops,
//! so nothing outlives the load.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Template, TemplateError};

type Parsed = Result<Template, TemplateError>;

thread_local! {
    /// The templates compiled on this thread while a memo is alive, by source.
    static PARSED: RefCell<Option<HashMap<String, Parsed>>> = const { RefCell::new(None) };
}

/// While alive, [`Template::parse`] on this thread compiles each distinct source once.
pub(crate) struct Memo {
    /// Whether this memo opened the table (an inner one leaves it to the outer one).
    outermost: bool,
}

impl Memo {
    /// Starts memoising on this thread, until the returned guard drops.
    pub(crate) fn enter() -> Self {
        let outermost = PARSED.with_borrow_mut(|parsed| {
            let opens = parsed.is_none();
            if opens {
                *parsed = Some(HashMap::new());
            }
            opens
        });
        Self { outermost }
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        if self.outermost {
            PARSED.set(None);
        }
    }
}

/// `compile(source)`, taken from the memo when one is alive and has it.
pub(super) fn parse(source: &str, compile: impl FnOnce(&str) -> Parsed) -> Parsed {
    let known =
        PARSED.with_borrow(|parsed| parsed.as_ref().map(|parsed| parsed.get(source).cloned()));
    match known {
        None => compile(source),
        Some(Some(parsed)) => parsed,
        Some(None) => {
            let parsed = compile(source);
            PARSED.with_borrow_mut(|memo| {
                if let Some(memo) = memo {
                    memo.insert(source.to_owned(), parsed.clone());
                }
            });
            parsed
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// Parses `source` through the memo, counting the compilations.
    fn parse_counting(source: &str, compiled: &Cell<usize>) -> Parsed {
        parse(source, |source| {
            compiled.set(compiled.get() + 1);
            Template::compile(source)
        })
    }

    #[test]
    fn a_memo_compiles_each_distinct_source_once_and_forgets_them_when_it_drops() {
        let compiled = Cell::new(0);
        {
            let _memo = Memo::enter();
            for _ in 0..3 {
                let template = parse_counting("{{vars.cluster}}", &compiled).unwrap();
                assert_eq!(template.source, "{{vars.cluster}}");
            }
            parse_counting("{{vars.region}}", &compiled).unwrap();
            assert!(parse_counting("{{#if x}}", &compiled).is_err());
            assert!(parse_counting("{{#if x}}", &compiled).is_err());
            {
                let _inner = Memo::enter();
                parse_counting("{{vars.cluster}}", &compiled).unwrap();
            }
            // The inner memo's end leaves the outer one's table.
            parse_counting("{{vars.cluster}}", &compiled).unwrap();
            assert_eq!(compiled.get(), 3);
        }
        parse_counting("{{vars.cluster}}", &compiled).unwrap();
        parse_counting("{{vars.cluster}}", &compiled).unwrap();
        assert_eq!(compiled.get(), 5, "without a memo, each parse compiles");
    }
}
