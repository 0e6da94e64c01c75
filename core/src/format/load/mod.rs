//! Loading packs from disk: read every file, check everything that can be checked locally, and
//! collect every problem (not just the first) as a located [`Diagnostic`]. Assertions and their
//! predicates are decoded in [`assertion`].

mod assertion;

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde_json::Value;

use super::model::{
    Assertion, Call, CallSource, Check, CheckRef, ForEach, Pack, Requirement, Selector, Severity,
    Source, Suite, VarDecl, VarKind,
};
use super::raw;
use super::yaml::{self, Node, Spanned, descend, key_of, location_of};
use crate::diagnostic::{Diagnostic, Location, SourceFile};
use crate::input;
use crate::operations::{self, OPERATIONS};
use crate::path::{JsonPath, PathError};
use crate::suggest;
use crate::template::{Template, TemplateError, TemplatedValue};

/// The manifest file name.
pub const MANIFEST: &str = "pack.yaml";

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-z0-9][a-z0-9-]*$").unwrap());
/// An scp-like git URL: `git@host:path`.
static SCP_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^-]").unwrap());
/// A tag, branch or commit name that git cannot read as an option.
static GIT_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$").unwrap());
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
    let mut unloaded_suites = Vec::new();
    let raw_suites: Vec<(Arc<SourceFile>, raw::Suite)> = suite_files
        .iter()
        .filter_map(|path| {
            let parsed = read_source(&root, path, diagnostics).and_then(|file| {
                yaml::parse::<raw::Suite>(&file)
                    .map(|suite| (file, suite))
                    .map_err(|diagnostic| diagnostics.push(diagnostic))
                    .ok()
            });
            if parsed.is_none() {
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                unloaded_suites.push(stem.into_owned());
            }
            parsed
        })
        .collect();
    let manifest = match manifest {
        Ok(manifest) => manifest,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            // Still check the suites, so that one run shows every problem.
            for (file, raw_suite) in raw_suites {
                Loader::new(file, &mut *diagnostics).suite(raw_suite);
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
    for (file, raw_suite) in raw_suites {
        let mut loader = Loader::new(file, &mut *loader.diagnostics);
        let suite = loader.suite(raw_suite);
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
        description: manifest.description,
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

/// The directory of a pack's own tests (`ekscheck test`), which holds no suites.
pub const TESTS: &str = "tests";

/// The format version this ekscheck reads.
pub const FORMAT: u64 = 1;

/// This ekscheck's version, which a pack's `ekscheck:` requirement must match.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Converts the raw shapes of one file into the model, reporting problems as it goes.
struct Loader<'d> {
    file: Arc<SourceFile>,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// How deep inside `all`, `any`, `none` and `not` the loader is.
    nesting: usize,
}

impl<'d> Loader<'d> {
    /// Refuses a pack written in another format version, or for other ekscheck versions.
    fn requirements(&mut self, requirements: &raw::Requirements) {
        if let Some(format) = &requirements.format {
            let at = self.at(format);
            match &format.value {
                Node::Number(n) if n.as_u64() == Some(FORMAT) => {}
                Node::Number(n) => self.error(
                    at,
                    format!("this pack is written in check format {n}; this ekscheck ({VERSION}) reads format {FORMAT}"),
                    format!("run it with an ekscheck that reads format {n}"),
                ),
                other => self.error(
                    at,
                    format!("`format` is {}, not a format version", other.kind()),
                    format!("write `format: {FORMAT}`"),
                ),
            }
        }
        let Some(requirement) = &requirements.ekscheck else {
            return;
        };
        let at = self.at(requirement);
        let parsed = match &requirement.value {
            Node::String(text) => semver::VersionReq::parse(text).map(|req| (text, req)).ok(),
            _ => None,
        };
        let Some((text, req)) = parsed else {
            return self.error(
                at,
                "`ekscheck` must be a version requirement",
                "write e.g. `ekscheck: \">=0.2\"` (a semver requirement, quoted)",
            );
        };
        let version = semver::Version::parse(VERSION).expect("the crate's version is semver");
        if !req.matches(&version) {
            self.error(
                at,
                format!("this pack needs ekscheck {text}; this is ekscheck {VERSION}"),
                format!("install an ekscheck that matches `{text}`, or use a version of the pack written for {VERSION}"),
            );
        }
    }

    /// One entry of `requires:`: a pack by relative `path`, or from `git` with a `version`
    /// range of its tags or a `ref`. Only URLs that cannot run a program are accepted.
    fn requirement(&mut self, raw: &Spanned<raw::Requirement>) -> Option<Requirement> {
        let requirement = &raw.value;
        let pack = self.slug(&requirement.pack, "pack name");
        let at = self.at(raw);
        let only_git = [
            ("subdir", &requirement.subdir),
            ("version", &requirement.version),
            ("ref", &requirement.reference),
        ];
        let subdir_of = |loader: &mut Self| -> Option<String> {
            let subdir = requirement.subdir.as_ref().map_or("", |s| s.value.as_str());
            if subdir.split('/').any(|part| part == "..") || subdir.starts_with('/') {
                let at = loader.at(requirement.subdir.as_ref()?);
                loader.error(
                    at,
                    "`subdir` is a directory inside the repository or archive",
                    "write e.g. `subdir: checks/node-join`",
                );
                return None;
            }
            Some(subdir.to_owned())
        };
        let source = match (&requirement.path, &requirement.git, &requirement.tarball) {
            (None, None, Some(tarball)) => {
                if let Some((key, _)) = only_git[1..].iter().find(|(_, value)| value.is_some()) {
                    let at = self.at(raw);
                    self.error(at, format!("`{key}` is for a pack from git"), "remove it");
                    return None;
                }
                let file = &tarball.value;
                let archive = file.ends_with(".tar.gz") || file.ends_with(".tgz");
                if Path::new(file).is_absolute() || !archive {
                    let at = self.at(tarball);
                    self.error(
                        at,
                        "`tarball` is a .tar.gz file, relative to this pack's directory",
                        "write e.g. `tarball: ../node-join-1.2.0.tar.gz`",
                    );
                    return None;
                }
                Source::Tarball {
                    path: file.clone(),
                    subdir: subdir_of(self)?,
                }
            }
            (Some(path), None, None) => {
                if let Some((key, _)) = only_git.iter().find(|(_, value)| value.is_some()) {
                    let at = self.at(raw);
                    self.error(at, format!("`{key}` is for a pack from git"), "remove it");
                    return None;
                }
                if Path::new(&path.value).is_absolute() || path.value.is_empty() {
                    let at = self.at(path);
                    self.error(
                        at,
                        "a required pack's `path` is relative to this pack's directory",
                        "write e.g. `path: ../node-join`",
                    );
                    return None;
                }
                Source::Path(path.value.clone())
            }
            (None, Some(url), None) => {
                let safe = ["https://", "ssh://", "file://"]
                    .iter()
                    .any(|scheme| url.value.starts_with(scheme))
                    || SCP_LIKE.is_match(&url.value);
                if !safe {
                    let at = self.at(url);
                    self.error(
                        at,
                        "a pack is fetched over https, ssh or from a file URL",
                        "write e.g. `git: https://example.com/platform/packs.git`",
                    );
                    return None;
                }
                let subdir = subdir_of(self)?;
                let selector = match (&requirement.version, &requirement.reference) {
                    (Some(version), None) => {
                        if semver::VersionReq::parse(&version.value).is_err() {
                            let at = self.at(version);
                            self.error(
                                at,
                                "`version` must be a semver range of the repository's tags",
                                "write e.g. `version: \"^1.0\"`",
                            );
                            return None;
                        }
                        Selector::Version(version.value.clone())
                    }
                    (None, Some(reference)) if GIT_REF.is_match(&reference.value) => {
                        Selector::Ref(reference.value.clone())
                    }
                    (None, Some(reference)) => {
                        let at = self.at(reference);
                        self.error(
                            at,
                            "not a tag, branch or commit name",
                            "write e.g. `ref: v1.2.0`",
                        );
                        return None;
                    }
                    _ => {
                        self.error(
                            at,
                            "a pack from git needs `version` (a range of its tags) or `ref`",
                            "write e.g. `version: \"^1.0\"`, or `ref: v1.2.0`",
                        );
                        return None;
                    }
                };
                Source::Git {
                    url: url.value.clone(),
                    subdir,
                    selector,
                }
            }
            _ => {
                self.error(
                    at,
                    "a required pack comes from a `path`, from `git` or from a `tarball`: one of them",
                    "write e.g. `path: ../node-join`",
                );
                return None;
            }
        };
        Some(Requirement {
            pack,
            source,
            location: self.at(&requirement.pack),
        })
    }

    fn new(file: Arc<SourceFile>, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Self {
            file,
            diagnostics,
            nesting: 0,
        }
    }

    fn at<T>(&self, spanned: &Spanned<T>) -> Location {
        location_of(&self.file, spanned)
    }

    fn error(&mut self, at: Location, message: impl Into<String>, help: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(at, message).with_help(help));
    }

    /// The location `offset` bytes into a string scalar's content (after an opening quote).
    fn inside_string(&self, spanned: &Spanned<String>, offset: usize) -> Location {
        let at = self.at(spanned);
        let quote = usize::from(at.snippet().starts_with(['"', '\'']));
        let span = spanned.value.len().saturating_sub(offset).min(1);
        at.shifted(quote + offset, span)
    }

    fn slug(&mut self, name: &Spanned<String>, what: &str) -> String {
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

    fn identifier(&mut self, name: &Spanned<String>, what: &str) {
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

    fn template(&mut self, source: &Spanned<String>) -> Option<Template> {
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

    fn path(&mut self, source: &Spanned<String>) -> Option<JsonPath> {
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
    fn warn_lossy_numbers(&mut self, node: &Spanned<Node>) {
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
    fn templated_value(&mut self, node: &Spanned<Node>) -> Option<TemplatedValue> {
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

    fn var(&mut self, name: &Spanned<String>, decl: &Spanned<raw::VarDecl>) -> Option<VarDecl> {
        self.identifier(name, "variable name");
        let default = decl.value.default.as_ref().map(|node| {
            self.warn_lossy_numbers(node);
            node.value.to_json()
        });
        let kind = match (&decl.value.kind, &default) {
            (Some(kind), _) => kind.value,
            (None, Some(Value::Number(_))) => VarKind::Number,
            (None, Some(Value::Bool(_))) => VarKind::Boolean,
            (None, _) => VarKind::String,
        };
        if let (Some(value), Some(node)) = (&default, &decl.value.default)
            && !kind_accepts(kind, value)
        {
            let at = self.at(node);
            self.error(
                at,
                format!("the default does not match `type: {}`", kind_name(kind)),
                "change the default or the type",
            );
        }
        if decl.value.required && default.is_some() {
            let at = self.at(decl);
            self.error(
                at,
                format!("variable `{}` is required but has a default", name.value),
                "remove `required: true` or the default",
            );
        }
        let from = decl.value.from.as_ref().map(|from| from.value);
        if let (Some(_), Some(kind)) = (&decl.value.from, &decl.value.kind)
            && kind.value != VarKind::String
        {
            let at = self.at(kind);
            self.error(
                at,
                "a variable `from: region` is text",
                "remove `type`, or make it `type: string`",
            );
        }
        Some(VarDecl {
            name: name.value.clone(),
            required: decl.value.required,
            default,
            description: decl.value.description.clone(),
            kind,
            from,
            location: self.at(name),
        })
    }

    /// The calls that loaded, and the names of those that had errors.
    fn calls(&mut self, calls: &raw::Entries<raw::Call>) -> (Vec<Call>, Vec<String>) {
        let mut loaded = Vec::new();
        let mut unloaded = Vec::new();
        for (name, call) in &calls.0 {
            match self.call(name, &call.value) {
                Some(call) => loaded.push(call),
                None => unloaded.push(name.value.clone()),
            }
        }
        (loaded, unloaded)
    }

    fn call(&mut self, name: &Spanned<String>, call: &raw::Call) -> Option<Call> {
        self.identifier(name, "call name");
        let source = self.call_source(name, call);
        let for_each = call.for_each.as_ref().and_then(|for_each| {
            let for_each = &for_each.value;
            self.identifier(&for_each.binding, "`as` name");
            let label_source = match (&for_each.label, &call.label) {
                (Some(inner), Some(outer)) => {
                    let at = self.at(outer);
                    self.error(
                        at,
                        "the row label is given twice",
                        "keep either `label:` or `for_each.label:`",
                    );
                    Some(inner)
                }
                (inner, outer) => inner.as_ref().or(outer.as_ref()),
            };
            let label = label_source.map(|label| self.template(label));
            Some(ForEach {
                source: for_each.source.value.clone(),
                source_location: self.at(&for_each.source),
                path: self.path(&for_each.path)?,
                binding: for_each.binding.value.clone(),
                binding_location: self.at(&for_each.binding),
                label: label.flatten(),
                unique: for_each.unique,
                gather: for_each.gather,
            })
        });
        if call.for_each.is_none()
            && let Some(label) = &call.label
        {
            let at = self.at(label);
            self.error(
                at,
                "`label` names fan-out rows, but this call has no `for_each`",
                "remove `label`, or add `for_each`",
            );
        }
        let when: Vec<Option<Assertion>> = call
            .when
            .iter()
            .map(|assertion| self.call_condition(assertion))
            .collect();
        Some(Call {
            name: name.value.clone(),
            source: source?,
            when: when.into_iter().collect::<Option<_>>()?,
            for_each: if call.for_each.is_some() {
                Some(for_each?)
            } else {
                None
            },
            accept_errors: call.accept_errors.iter().map(|c| c.value.clone()).collect(),
            location: self.at(name),
        })
    }

    /// An assertion of a call's `when`: it names the call it reads, as there is no default.
    fn call_condition(&mut self, assertion: &Spanned<raw::Assertion>) -> Option<Assertion> {
        if assertion.value.on.is_none() && assertion.value.alternatives().is_none() {
            let at = self.at(assertion);
            self.error(
                at,
                "a call's `when` assertion must say which call's response it tests",
                "add `on: CALL`",
            );
            return None;
        }
        self.no_severity(assertion, "a call's `when` assertion");
        self.assertion(assertion, None)
    }

    /// `api` and `params`, or `value`.
    fn call_source(&mut self, name: &Spanned<String>, call: &raw::Call) -> Option<CallSource> {
        let api = match (&call.api, &call.value) {
            (Some(api), None) => api,
            (None, Some(value)) => {
                if call.params.is_some() || !call.accept_errors.is_empty() {
                    let at = self.at(name);
                    self.error(
                        at,
                        format!("call `{}` is computed (`value:`): it takes no `params` or `accept_errors`", name.value),
                        "remove them, or make it an AWS call with `api:`",
                    );
                }
                return self.templated_value(value).map(CallSource::Computed);
            }
            (api, _) => {
                let at = self.at(name);
                let message = if api.is_some() {
                    format!("call `{}` has both `api` and `value`", name.value)
                } else {
                    format!("call `{}` has neither `api` nor `value`", name.value)
                };
                self.error(
                    at,
                    message,
                    "a call is either `api: service:Operation` with `params`, or `value: TEMPLATE`",
                );
                return None;
            }
        };
        let operation = operations::lookup(&api.value);
        if operation.is_none() {
            let at = self.at(api);
            let names = OPERATIONS.iter().map(|op| op.api);
            let help = suggest::did_you_mean(&api.value, names);
            self.diagnostics.push(
                Diagnostic::error(
                    at,
                    format!("`{}` is not an operation ekscheck can call", api.value),
                )
                .with_label("not a registered read-only operation")
                .with_help(help),
            );
        }
        let params = match &call.params {
            None => {
                // No `params` is `params: {}`: the operation's required members are still missing.
                if let Some(operation) = operation {
                    let empty = Value::Object(Default::default());
                    for problem in operations::check_params(operation, &empty) {
                        let at = self.at(api);
                        let help = problem.help.unwrap_or_default();
                        self.error(at, problem.message, help);
                    }
                }
                Some(TemplatedValue::Literal(Value::Object(Default::default())))
            }
            Some(node) => self.params(node, operation),
        };
        Some(CallSource::Api {
            operation: operation?,
            params: params?,
        })
    }

    fn params(
        &mut self,
        node: &Spanned<Node>,
        operation: Option<&'static operations::Operation>,
    ) -> Option<TemplatedValue> {
        if !matches!(node.value, Node::Map(_)) {
            let at = self.at(node);
            self.error(
                at,
                format!("`params` must be a mapping, not {}", node.value.kind()),
                "write `params: { Name: value }` with the API's member names",
            );
            return None;
        }
        let value = self.templated_value(node)?;
        if let Some(operation) = operation {
            for problem in operations::check_params(operation, &node.value.to_json()) {
                let at = match key_of(node, &problem.location).filter(|_| problem.in_name) {
                    Some(key) => self.at(key),
                    None => self.at(descend(node, &problem.location)),
                };
                let help = problem.help.unwrap_or_else(|| {
                    format!("see `aws {}` --generate-cli-skeleton", operation.api)
                });
                self.error(at, problem.message, help);
            }
        }
        Some(value)
    }

    fn suite(&mut self, suite: raw::Suite) -> Suite {
        let name = match &suite.suite {
            Some(name) => self.slug(name, "suite name"),
            None => self
                .file
                .path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let (calls, unloaded_calls) = self.calls(&suite.calls);
        let mut checks: Vec<Check> = Vec::new();
        let mut unloaded_checks = Vec::new();
        // Compared as written, so that a check with other problems still counts.
        let mut ids = std::collections::HashSet::new();
        for raw_check in &suite.checks {
            let id = &raw_check.value.id;
            if !ids.insert(id.value.as_str()) {
                let at = self.at(id);
                self.error(
                    at,
                    format!("check id `{}` is used twice in this suite", id.value),
                    "give each check of a suite its own id",
                );
            }
            let Some(check) = self.check(raw_check) else {
                unloaded_checks.push(id.value.clone());
                continue;
            };
            checks.push(check);
        }
        if suite.checks.is_empty() {
            let at = Location::file_start(&self.file);
            self.error(
                at,
                "the suite has no checks",
                "add `checks:` with at least one check",
            );
        }
        Suite {
            name,
            description: suite.description.clone(),
            file: Arc::clone(&self.file),
            calls,
            checks,
            unloaded_calls,
            unloaded_checks,
        }
    }

    fn check(&mut self, check: &Spanned<raw::Check>) -> Option<Check> {
        let raw = &check.value;
        let id = self.slug(&raw.id, "check id");
        let title = self.template(&raw.title);
        let remediation = raw.remediation.as_ref().map(|r| self.template(r));
        if raw.expect.is_empty() {
            let at = self.at(&raw.id);
            self.error(
                at,
                format!("check `{id}` has no assertions"),
                "add `expect:` with at least one assertion, e.g. `- path: $.x\n  exists: true`",
            );
        }
        let default_on = raw.on.as_ref();
        let expect: Vec<Option<Assertion>> = raw
            .expect
            .iter()
            .map(|a| self.assertion(a, default_on))
            .collect();
        let when: Vec<Option<Assertion>> = raw
            .when
            .iter()
            .map(|a| {
                self.no_severity(a, "a `when` condition");
                self.assertion(a, default_on)
            })
            .collect();
        let needs = raw.needs.iter().map(|need| self.check_ref(need)).collect();
        let cross_checks = raw
            .cross_checks
            .iter()
            .map(|other| self.check_ref(other))
            .collect();
        Some(Check {
            id,
            title: title?,
            description: raw.description.clone(),
            severity: raw.severity.as_ref().map(|s| s.value).unwrap_or_default(),
            remediation: remediation.flatten(),
            expect: expect.into_iter().collect::<Option<_>>()?,
            when: when.into_iter().collect::<Option<_>>()?,
            needs,
            cross_checks,
            location: self.at(&raw.id),
        })
    }

    /// A reference to another check: `ID`, `SUITE/ID` or `PACK::SUITE/ID`.
    fn check_ref(&self, written: &Spanned<String>) -> CheckRef {
        let (pack, rest) = match written.value.split_once("::") {
            Some((pack, rest)) => (Some(pack.to_owned()), rest),
            None => (None, written.value.as_str()),
        };
        let (suite, id) = match rest.split_once('/') {
            Some((suite, id)) => (Some(suite.to_owned()), id.to_owned()),
            None => (None, rest.to_owned()),
        };
        CheckRef {
            pack,
            suite,
            id,
            location: self.at(written),
        }
    }
}

/// Whether `value` is of variable type `kind`.
pub fn kind_accepts(kind: VarKind, value: &Value) -> bool {
    match kind {
        VarKind::String => value.is_string(),
        VarKind::Number => value.is_number(),
        VarKind::Boolean => value.is_boolean(),
    }
}

/// The name of a variable type as written in `type:`.
pub fn kind_name(kind: VarKind) -> &'static str {
    match kind {
        VarKind::String => "string",
        VarKind::Number => "number",
        VarKind::Boolean => "boolean",
    }
}

/// `Severity` as written in check files.
pub fn severity_name(severity: Severity) -> &'static str {
    SEVERITIES
        .iter()
        .find(|(_, known)| *known == severity)
        .map_or("error", |(name, _)| name)
}

/// The severity a name stands for (`error`, `warning`, `info`).
pub fn severity_named(name: &str) -> Option<Severity> {
    SEVERITIES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, severity)| *severity)
}

const SEVERITIES: [(&str, Severity); 3] = [
    ("error", Severity::Error),
    ("warning", Severity::Warning),
    ("info", Severity::Info),
];
