//! A loaded pack: every template compiled, every path parsed, every value located.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::predicate::Predicate;
pub use super::raw::Severity;
pub(crate) use super::raw::{VarKind, VarSource};
use crate::diagnostic::{Location, SourceFile};
use crate::operations::Operation;
use crate::path::JsonPath;
use crate::template::{Template, TemplatedValue};

/// A directory of suites sharing a manifest: the unit teams share.
#[derive(Debug)]
pub struct Pack {
    /// `pack:`, e.g. `node-join`.
    pub name: String,
    /// `version:` (semver).
    pub version: String,
    /// The pack directory.
    pub dir: PathBuf,
    /// `pack.yaml`.
    pub(crate) manifest: Arc<SourceFile>,
    /// The variables a run must or may supply.
    pub vars: Vec<VarDecl>,
    /// Calls visible to every suite.
    pub(crate) calls: Vec<Call>,
    /// The suites, sorted by file path.
    pub suites: Vec<Suite>,
    /// The packs it builds on (`requires:`).
    pub requires: Vec<Requirement>,
    /// Pack-level calls that had errors: references to them are not reported again.
    pub(crate) unloaded_calls: Vec<String>,
    /// Required packs whose requirement had errors: references to them are not reported again.
    pub(crate) unloaded_requires: Vec<String>,
    /// The names (file stems) of suite files that could not be read or parsed: `needs` of
    /// their checks are not reported again.
    pub(crate) unloaded_suites: Vec<String>,
}

/// A pack another pack builds on: its calls and checks are the other pack's to use, as
/// `PACK::CALL` and `needs: [PACK::SUITE/ID]`.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The required pack's name.
    pub pack: String,
    /// Where it comes from.
    pub source: Source,
    /// Where it is required.
    pub location: Location,
}

/// Where a required pack comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A directory, relative to the requiring pack's.
    Path(String),
    /// A `.tar.gz` file, relative to the requiring pack's directory, and the pack's directory
    /// in it.
    Tarball {
        /// The file.
        path: String,
        /// The pack's directory in it (`""`: the top).
        subdir: String,
    },
    /// A git repository.
    Git {
        /// Its URL (https, ssh or file).
        url: String,
        /// The pack's directory in it (`""`: the top).
        subdir: String,
        /// Which commit.
        selector: Selector,
    },
}

/// Which commit of a git repository a pack is taken from.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// The highest tag (`v1.2.0` or `1.2.0`) matching this semver range.
    Version(String),
    /// A tag, branch or commit.
    Ref(String),
}

/// A declared variable.
#[derive(Debug)]
pub struct VarDecl {
    /// The name, read in templates as `vars.NAME`.
    pub name: String,
    /// Whether a run must supply it.
    pub(crate) required: bool,
    /// The value used when a run does not supply one.
    pub(crate) default: Option<Value>,
    /// What it means.
    pub(crate) description: Option<String>,
    /// The type of its value: command-line text is converted to it.
    pub(crate) kind: VarKind,
    /// Where its value comes from when a run does not give one (before `default`).
    pub(crate) from: Option<VarSource>,
}

/// A file of calls and checks.
#[derive(Debug)]
pub struct Suite {
    /// `suite:`, or the file stem.
    pub name: String,
    /// The suite file.
    pub file: Arc<SourceFile>,
    /// Calls visible to this suite only.
    pub(crate) calls: Vec<Call>,
    /// The checks, in file order.
    pub(crate) checks: Vec<Check>,
    /// Calls of this suite that had errors: references to them are not reported again.
    pub(crate) unloaded_calls: Vec<String>,
    /// Checks of this suite that had errors: `needs` pointing at them are not reported again.
    pub(crate) unloaded_checks: Vec<String>,
}

/// A named call: of one registered read-only operation, or a value computed from other calls.
#[derive(Debug)]
pub struct Call {
    /// The name templates and `on:` use.
    pub name: String,
    /// What answers the call.
    pub(crate) source: CallSource,
    /// If any of these is false for a row, the call is not made for it (each names its call).
    pub(crate) when: Vec<Assertion>,
    /// One instance per selected item, if set.
    pub(crate) for_each: Option<ForEach>,
    /// AWS error codes answered as `{"Error": {"Code", "Message"}}` instead of failing.
    pub(crate) accept_errors: Vec<String>,
    /// Where the call is defined (its name).
    pub(crate) location: Location,
}

/// What answers a call.
#[derive(Debug)]
pub(crate) enum CallSource {
    /// `api:` and `params:`: an AWS operation.
    Api {
        /// The operation.
        operation: &'static Operation,
        /// The parameters, with templates.
        params: TemplatedValue,
    },
    /// `value:`: a template computed from other calls, with no AWS request (an ekscheck
    /// extension, e.g. a subnet's effective route table).
    Computed(TemplatedValue),
}

/// `for_each`: one call instance per item that `path` selects in the `source` call's response.
#[derive(Debug)]
pub(crate) struct ForEach {
    /// The call whose response is iterated.
    pub(crate) source: String,
    /// Where `in:` is written.
    pub(crate) source_location: Location,
    /// Selects the items.
    pub(crate) path: JsonPath,
    /// The name each item is bound to.
    pub(crate) binding: String,
    /// Where `as:` is written.
    pub(crate) binding_location: Location,
    /// Names a row; the item itself when absent.
    pub(crate) label: Option<Template>,
    /// One row per label: items whose label an earlier item of the same outer row has are
    /// dropped (one row per instance profile, say, rather than per instance).
    pub(crate) unique: bool,
    /// The call is made once per item but makes no rows: its response, for each outer row, maps
    /// each item's label to the item's response (the entries of every prefix list a group's
    /// rules name, say).
    pub(crate) gather: bool,
}

/// A check: assertions on call responses, with a title and a remediation.
#[derive(Debug)]
pub struct Check {
    /// Unique in its suite.
    pub(crate) id: String,
    /// One line saying what must hold.
    pub title: Template,
    /// How much a failure matters.
    pub severity: Severity,
    /// What to change when it fails.
    pub(crate) remediation: Option<Template>,
    /// Every assertion must hold.
    pub(crate) expect: Vec<Assertion>,
    /// If any of these is false, the check is skipped.
    pub(crate) when: Vec<Assertion>,
    /// Checks that must pass (for the same row) before this one is decided.
    pub(crate) needs: Vec<CheckRef>,
    /// Checks that decide the same cause from other evidence: their outcomes for the rows that
    /// correspond to a failed row are shown beside its failure.
    pub(crate) cross_checks: Vec<CheckRef>,
    /// Where the check starts.
    pub(crate) location: Location,
}

/// A reference from `needs:` or `cross_checks:` to another check: `id`, `suite/id`, or
/// `pack::suite/id` in a required pack.
#[derive(Debug)]
pub(crate) struct CheckRef {
    /// The required pack, if given (`PACK::SUITE/ID`).
    pub(crate) pack: Option<String>,
    /// The suite, if given.
    pub(crate) suite: Option<String>,
    /// The check id.
    pub(crate) id: String,
    /// Where the reference is written.
    pub(crate) location: Location,
}

/// One assertion: a path in a call's response and a predicate on what it selects.
#[derive(Debug)]
pub(crate) struct Assertion {
    /// The call whose response is tested.
    pub(crate) on: String,
    /// Where that call name is written (the check's `on:` when inherited).
    pub(crate) on_location: Location,
    /// Whether `on` is written on the assertion or its check, rather than taken from the first
    /// alternative of an `any_of` or `all_of` (which reads a call that was not made as null).
    pub(crate) on_written: bool,
    /// What is tested; `$` when omitted.
    pub(crate) path: JsonPath,
    /// What must hold.
    pub(crate) predicate: Predicate,
    /// How much its failure matters, when it differs from its check's severity.
    pub(crate) severity: Option<Severity>,
    /// Where the assertion starts.
    pub(crate) location: Location,
}

impl Call {
    /// Whether the call gathers: one request per item of its `for_each`, and no rows of its own.
    pub fn gathers(&self) -> bool {
        self.for_each
            .as_ref()
            .is_some_and(|for_each| for_each.gather)
    }

    /// The AWS operation, unless the call is computed.
    pub fn operation(&self) -> Option<&'static Operation> {
        match &self.source {
            CallSource::Api { operation, .. } => Some(operation),
            CallSource::Computed(_) => None,
        }
    }

    /// Every template the call renders (params or value, the `for_each` path, its `when`), for
    /// name checks.
    pub(crate) fn templates(&self) -> Vec<&Template> {
        let value = match &self.source {
            CallSource::Api { params, .. } => params,
            CallSource::Computed(value) => value,
        };
        let mut templates: Vec<&Template> = value.templates().into_iter().map(|(_, t)| t).collect();
        if let Some(for_each) = &self.for_each {
            templates.extend(for_each.path.template());
        }
        for assertion in &self.when {
            templates.extend(assertion.templates());
        }
        templates
    }

    /// The calls its `when` assertions read.
    pub(crate) fn when_reads(&self) -> impl Iterator<Item = (&str, &Location)> {
        self.when.iter().flat_map(Assertion::calls_read)
    }
}

impl Check {
    /// Every assertion: `when` first, then `expect`.
    pub(crate) fn assertions(&self) -> impl Iterator<Item = &Assertion> {
        self.when.iter().chain(&self.expect)
    }

    /// Every template the check renders, for name checks.
    pub(crate) fn templates(&self) -> Vec<&Template> {
        let mut templates = vec![&self.title];
        templates.extend(&self.remediation);
        for assertion in self.assertions() {
            templates.extend(assertion.templates());
        }
        templates
    }
}

impl Assertion {
    /// The calls the assertion reads (its own and those of `any_of`/`all_of`), with where each
    /// is named.
    pub(crate) fn calls_read(&self) -> impl Iterator<Item = (&str, &Location)> {
        std::iter::once((self.on.as_str(), &self.on_location)).chain(
            self.predicate
                .calls_read()
                .into_iter()
                .map(|on| (on, &self.location)),
        )
    }

    /// The templates in the path and the predicate's operands.
    pub(crate) fn templates(&self) -> Vec<&Template> {
        let mut templates: Vec<&Template> = self.path.template().into_iter().collect();
        for path in self.predicate.nested_paths() {
            templates.extend(path.template());
        }
        for operand in self.predicate.operands() {
            templates.extend(operand.templates().into_iter().map(|(_, t)| t));
        }
        templates
    }
}
