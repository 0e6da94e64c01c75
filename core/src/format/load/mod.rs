//! Loading packs from disk: read every file, check everything that can be checked locally, and
//! collect every problem (not just the first) as a located [`Diagnostic`].
//!
//! This file finds a pack's files and holds the [`Loader`] of one file, with what every part
//! needs (locations, names, templates, paths); the parts are decoded in `manifest.rs`,
//! `call.rs`, `check.rs` and `assertion.rs`.

mod assertion;
mod call;
mod check;
mod manifest;
mod parallel;

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::model::{Pack, Suite};
use super::raw;
use super::yaml::{self, Node, Spanned, descend, location_of};
use crate::diagnostic::{Diagnostic, Location, SourceFile};
use crate::input;
use crate::path::{JsonPath, PathError};
use crate::template::{Template, TemplateError, TemplatedValue};

/// The manifest file name.
pub const MANIFEST: &str = "pack.yaml";

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-z0-9][a-z0-9-]*$").unwrap());
static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[A-Za-z_][A-Za-z0-9_]*$").unwrap());
/// A number YAML reads as a float although the text was surely meant as a string: `1.30`.
static LOSSY_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+\.\d*0$").unwrap());

/// Whether `name` may name a pack, suite or check: lowercase letters, digits and dashes.
pub fn is_slug(name: &str) -> bool {
    SLUG.is_match(name)
}

/// Loads the packs in `dirs`. Returns the packs that could be read and every problem found;
/// a caller must not run anything if any diagnostic is an error.
/// A pack given twice (the same directory, however written) is loaded once, with a warning.
pub fn load_packs(dirs: &[PathBuf]) -> (Vec<Pack>, Vec<Diagnostic>) {
    let _memo = crate::memo::Memo::enter();
    let mut diagnostics = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut packs = Vec::new();
    for dir in dirs {
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !seen.insert(canonical) {
            diagnostics.push(Diagnostic {
                level: crate::diagnostic::Level::Warning,
                ..Diagnostic::file(dir, "is given twice: its checks run once")
            });
            continue;
        }
        packs.extend(load_pack(dir, &mut diagnostics));
    }
    (packs, diagnostics)
}

fn read_source(
    root: &input::Root,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Arc<SourceFile>> {
    root.read_source(path, input::YAML_LIMIT)
        .map_err(|problem| diagnostics.push(problem))
        .ok()
}

fn load_pack(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Pack> {
    let manifest_path = dir.join(MANIFEST);
    if !manifest_path.is_file() {
        diagnostics.push(
            Diagnostic::file(dir, format_args!("is not a pack: there is no {MANIFEST}"))
                .with_help("point ekscheck at a pack directory, e.g. `checks/node-join`"),
        );
        return None;
    }
    // Every file of the pack is read inside it, the manifest first.
    let root = input::Root::new(dir)
        .map_err(|problem| diagnostics.push(problem))
        .ok()?;
    let manifest_file = read_source(&root, &manifest_path, diagnostics)?;
    if let Ok(requirements) = yaml::parse::<raw::Requirements>(&manifest_file) {
        let before = diagnostics.len();
        Loader::new(Arc::clone(&manifest_file), diagnostics).requirements(&requirements);
        if diagnostics.len() > before {
            return None;
        }
    }
    let manifest = yaml::parse::<raw::Manifest>(&manifest_file);
    let tests = dir.join(TESTS);
    let suite_files: Vec<PathBuf> = root
        .files_under(&["yaml", "yml"], diagnostics)
        .into_iter()
        .filter(|path| *path != manifest_path && !path.starts_with(&tests))
        .collect();
    let read = parallel::map(suite_files, |path| {
        let mut problems = Vec::new();
        let parsed = read_source(&root, &path, &mut problems).and_then(|file| {
            yaml::parse::<raw::Suite>(&file)
                .map(|suite| (file, suite))
                .map_err(|diagnostic| problems.push(diagnostic))
                .ok()
        });
        (path, parsed, problems)
    });
    let mut unloaded_suites = Vec::new();
    let mut raw_suites: Vec<(Arc<SourceFile>, raw::Suite)> = Vec::new();
    for (path, parsed, problems) in read {
        diagnostics.extend(problems);
        match parsed {
            Some(parsed) => raw_suites.push(parsed),
            None => {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                unloaded_suites.push(stem.into_owned());
            }
        }
    }
    let manifest = match manifest {
        Ok(manifest) => manifest,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            // Still check the suites, so that one run shows every problem.
            for (_, problems) in load_suites(raw_suites) {
                diagnostics.extend(problems);
            }
            return None;
        }
    };
    let mut loader = Loader::new(Arc::clone(&manifest_file), diagnostics);
    let name = loader.slug(&manifest.pack, "pack name");
    if semver::Version::parse(&manifest.version.value).is_err() {
        let at = loader.at(&manifest.version);
        loader.error(
            at,
            "`version` must be a semantic version",
            "write e.g. `version: 1.0.0`",
        );
    }
    let vars = manifest
        .vars
        .0
        .iter()
        .filter_map(|(name, decl)| loader.var(name, decl))
        .collect();
    let (calls, unloaded_calls) = loader.calls(&manifest.calls);
    let mut requires = Vec::new();
    let mut unloaded_requires = Vec::new();
    for requirement in &manifest.requires {
        match loader.requirement(requirement) {
            Some(requirement) => requires.push(requirement),
            None => unloaded_requires.push(requirement.value.pack.value.clone()),
        }
    }
    let mut suites: Vec<Suite> = Vec::new();
    for (suite, problems) in load_suites(raw_suites) {
        loader.diagnostics.extend(problems);
        if let Some(other) = suites.iter().find(|other| other.name == suite.name) {
            let message = format!(
                "suite `{}` is defined twice (also in {})",
                suite.name,
                other.file.path.display()
            );
            let at = Location::file_start(&suite.file);
            loader.error(at, message, "give one of them a different `suite:` name");
        }
        suites.push(suite);
    }
    Some(Pack {
        name,
        version: manifest.version.value,
        dir: dir.to_path_buf(),
        manifest: manifest_file,
        vars,
        calls,
        suites,
        requires,
        unloaded_calls,
        unloaded_requires,
        unloaded_suites,
    })
}

/// Each suite decoded into the model, with the problems found in it, in the suites' order.
fn load_suites(raw_suites: Vec<(Arc<SourceFile>, raw::Suite)>) -> Vec<(Suite, Vec<Diagnostic>)> {
    parallel::map(raw_suites, |(file, raw_suite)| {
        let mut problems = Vec::new();
        let suite = Loader::new(file, &mut problems).suite(&raw_suite);
        (suite, problems)
    })
}

/// The directory of a pack's own tests (`ekscheck test`), which holds no suites.
pub(crate) const TESTS: &str = "tests";

/// The format version this ekscheck reads.
pub(crate) const FORMAT: u64 = 1;

/// This ekscheck's version, which a pack's `ekscheck:` requirement must match.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Converts the raw shapes of one file into the model, reporting problems as it goes.
struct Loader<'d> {
    file: Arc<SourceFile>,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// How deep inside `all`, `any`, `none` and `not` the loader is.
    nesting: usize,
}

impl<'d> Loader<'d> {
    pub(super) fn new(file: Arc<SourceFile>, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Self {
            file,
            diagnostics,
            nesting: 0,
        }
    }

    pub(super) fn at<T>(&self, spanned: &Spanned<T>) -> Location {
        location_of(&self.file, spanned)
    }

    pub(super) fn error(
        &mut self,
        at: Location,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diagnostics
            .push(Diagnostic::error(at, message).with_help(help));
    }

    /// The location `offset` bytes into a string scalar's content (after an opening quote).
    pub(super) fn inside_string(&self, spanned: &Spanned<String>, offset: usize) -> Location {
        let at = self.at(spanned);
        let quote = usize::from(at.snippet().starts_with(['"', '\'']));
        let span = spanned.value.len().saturating_sub(offset).min(1);
        at.shifted(quote + offset, span)
    }

    pub(super) fn slug(&mut self, name: &Spanned<String>, what: &str) -> String {
        if !is_slug(&name.value) {
            let at = self.at(name);
            self.error(
                at,
                format!("invalid {what} `{}`", name.value),
                "use lowercase letters, digits and dashes, e.g. `node-role-exists`",
            );
        }
        name.value.clone()
    }

    pub(super) fn identifier(&mut self, name: &Spanned<String>, what: &str) {
        if !IDENTIFIER.is_match(&name.value) || name.value == "vars" {
            let at = self.at(name);
            self.error(
                at,
                format!("invalid {what} `{}`", name.value),
                "use letters, digits and `_`, starting with a letter (templates read it as \
                 `{{name.member}}`); `vars` is reserved",
            );
        }
    }

    pub(super) fn template(&mut self, source: &Spanned<String>) -> Option<Template> {
        match Template::parse(&source.value) {
            Ok(mut template) => {
                template.set_location(self.at(source));
                Some(template)
            }
            Err(error) => {
                self.template_error(source, &error);
                None
            }
        }
    }

    fn template_error(&mut self, source: &Spanned<String>, error: &TemplateError) {
        let at = match error.offset {
            Some(offset) => self.inside_string(source, offset),
            None => self.at(source),
        };
        let help = error
            .help
            .clone()
            .unwrap_or_else(|| "fix the template".to_owned());
        self.error(at, error.message.clone(), help);
    }

    pub(super) fn path(&mut self, source: &Spanned<String>) -> Option<JsonPath> {
        match JsonPath::parse(&source.value) {
            Ok(mut path) => {
                path.set_location(self.at(source));
                Some(path)
            }
            Err(PathError {
                message,
                offset,
                help,
            }) => {
                let at = self.inside_string(source, offset);
                self.error(at, message, help);
                None
            }
        }
    }

    /// Warns about numbers like `1.30`, which YAML reads as `1.3`.
    pub(super) fn warn_lossy_numbers(&mut self, node: &Spanned<Node>) {
        match &node.value {
            Node::Number(_) => {
                let at = self.at(node);
                if LOSSY_NUMBER.is_match(at.snippet()) {
                    let text = at.snippet().to_owned();
                    self.diagnostics.push(
                        Diagnostic::warning(
                            at,
                            format!("`{text}` is read as the number {}", node.value.to_json()),
                        )
                        .with_help(format!(
                            "if you meant the text (an EKS version, say), quote it: \"{text}\""
                        )),
                    );
                }
            }
            Node::List(items) => items.iter().for_each(|item| self.warn_lossy_numbers(item)),
            Node::Map(entries) => entries
                .iter()
                .for_each(|(_, value)| self.warn_lossy_numbers(value)),
            _ => {}
        }
    }

    /// A JSON value whose strings may be templates; errors point inside `node`.
    pub(super) fn templated_value(&mut self, node: &Spanned<Node>) -> Option<TemplatedValue> {
        self.warn_lossy_numbers(node);
        match TemplatedValue::compile(&node.value.to_json()) {
            Ok(mut value) => {
                let file = Arc::clone(&self.file);
                value.set_locations(&|steps| location_of(&file, descend(node, steps)));
                Some(value)
            }
            Err((steps, error)) => {
                let at = self.at(descend(node, &steps));
                let help = error.help.unwrap_or_else(|| "fix the template".to_owned());
                self.error(at, error.message, help);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
