//! Templates in check files: handlebars, strict, unescaped, without partials or decorators.
//!
//! A template is compiled once at load time. Walking its syntax tree tells which names it uses
//! (variables, calls, fan-out bindings), which gives call dependencies and undefined-name errors
//! before anything runs. A template that is exactly one `{{ … }}` expression evaluates to the JSON
//! value of that expression, so `"{{nodegroup.nodegroup.subnets}}"` is a list, not a string.
//!
//! Compiling is `compile.rs` (text and plain paths without handlebars, `plain.rs`), the walk of
//! what a template reads `names.rs`, rendering `render.rs`; this module holds the template and
//! what it gives and fails with.

mod compile;
pub(crate) mod helpers;
mod names;
mod plain;
mod render;
mod user_data;
mod value;

pub(crate) use user_data::{Inflated, inflate};
pub(crate) use value::TemplatedValue;

use serde_json::{Map, Value};

use crate::diagnostic::Location;
use compile::Body;

/// Whether `text` has template expressions (`{{…}}`): otherwise it is used as written.
pub(crate) fn has_expressions(text: &str) -> bool {
    text.contains("{{")
}

/// The helpers a template may call: ekscheck's own and the handlebars built-ins it keeps.
pub fn helper_names() -> impl Iterator<Item = &'static str> {
    helpers::SIGNATURES.iter().map(|signature| signature.name)
}

/// A compiled template string.
#[derive(Clone, Debug)]
pub struct Template {
    source: String,
    body: Body,
    names: Vec<NameUse>,
    /// The paths it reads where a value is required (not `#if`/`#unless` conditions, not inside
    /// `#each`/`#with`), as segments: to say which one is absent when rendering fails.
    paths: Vec<Vec<String>>,
    location: Option<Location>,
}

/// A root name a template reads, and the member read from it (`vars.cluster` → `vars`,
/// `Some("cluster")`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NameUse {
    /// The root: `vars`, a call name or a fan-out binding.
    pub(crate) root: String,
    /// The first member after the root, if any.
    pub(crate) member: Option<String>,
}

/// Why a template could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// What is wrong.
    pub(crate) message: String,
    /// Byte offset inside the template source, when known.
    pub(crate) offset: Option<usize>,
    /// How to fix it.
    pub(crate) help: Option<String>,
}

/// Why a template could not be rendered at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderFailure {
    /// The template as written.
    pub template: String,
    /// Where it is written, when known.
    pub location: Option<Location>,
    /// What went wrong.
    pub cause: RenderCause,
}

/// What kept a template from rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderCause {
    /// A value the template reads is absent for this row: `path` (segments, the first being a
    /// call, a fan-out item or `vars`), of which the first `present` segments have a value.
    Absent {
        /// The path as written, split into segments.
        path: Vec<String>,
        /// How many leading segments resolve.
        present: usize,
    },
    /// A rendered JSONPath query is not valid.
    InvalidPath {
        /// The query as rendered.
        rendered: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Anything else, in the template engine's words (a helper given a value it cannot use).
    Other(String),
}

/// The values a template may read, by root name.
pub(crate) trait Scope {
    /// The value bound to `root` (`vars`, a call's response, a fan-out item).
    fn get(&self, root: &str) -> Option<&Value>;
}

impl Scope for Map<String, Value> {
    fn get(&self, root: &str) -> Option<&Value> {
        Map::get(self, root)
    }
}

impl Template {
    /// Records where the template is written, for messages about it.
    pub(crate) fn set_location(&mut self, location: Location) {
        self.location = Some(location);
    }

    /// Where the template is written, if known.
    pub(crate) fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template has no expressions at all.
    pub(crate) fn is_literal(&self) -> bool {
        matches!(self.body, Body::Literal)
    }

    /// The root names the template reads.
    pub(crate) fn names(&self) -> &[NameUse] {
        &self.names
    }
}
