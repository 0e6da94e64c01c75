//! The variables of a run: `--var NAME=VALUE`, `--vars-file FILE`, what a variable is `from`
//! (the run's region), and the packs' defaults.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::format::yaml::{self, Node, Spanned, location_of};
use crate::format::{Pack, VarKind, VarSource};
use crate::suggest;

/// Resolves each pack's variables (one JSON object per pack, in pack order). Command-line values
/// win over the vars file, which wins over `from: region` (the run's `region`, when known), which
/// wins over defaults.
pub fn resolve(
    packs: &[Pack],
    cli: &[(String, String)],
    vars_file: Option<&Path>,
    region: Option<&str>,
) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let from_file = match vars_file.map(VarsFile::read) {
        None => Vec::new(),
        Some(Ok(file)) => file.vars().unwrap_or_else(|problem| {
            problems.push(problem);
            Vec::new()
        }),
        Some(Err(problem)) => {
            problems.push(problem);
            Vec::new()
        }
    };
    resolve_given(packs, cli, &from_file, region, problems)
}

/// A variable given in a file: its name, its value, and the file (for locations).
pub type FileVar = (Spanned<String>, Spanned<Node>, Arc<SourceFile>);

/// [`resolve`] with the file's variables already read (`problems`: those found reading them).
pub fn resolve_given(
    packs: &[Pack],
    cli: &[(String, String)],
    from_file: &[FileVar],
    region: Option<&str>,
    mut problems: Vec<Diagnostic>,
) -> Result<Vec<Value>, Vec<Diagnostic>> {
    let declared: Vec<&str> = packs
        .iter()
        .flat_map(|pack| pack.vars.iter().map(|v| v.name.as_str()))
        .collect();
    for (name, _) in cli {
        if !declared.contains(&name.as_str()) {
            problems.push(
                Diagnostic::unlocated(format!(
                    "--var {name}: no pack declares a variable `{name}`"
                ))
                .with_help(suggest::did_you_mean(name, declared.iter().copied())),
            );
        }
    }
    for (name, _, file) in from_file {
        if !declared.contains(&name.value.as_str()) {
            problems.push(
                Diagnostic::error(
                    location_of(file, name),
                    format!("no pack declares a variable `{}`", name.value),
                )
                .with_help(suggest::did_you_mean(&name.value, declared.iter().copied())),
            );
        }
    }
    let mut resolved = Vec::new();
    for pack in packs {
        let mut values = Map::new();
        for decl in &pack.vars {
            let given_on_cli = cli.iter().rev().find(|(name, _)| name == &decl.name);
            let given_in_file = from_file
                .iter()
                .find(|(name, _, _)| name.value == decl.name);
            let value = if let Some((_, text)) = given_on_cli {
                match convert(text, decl.kind) {
                    Ok(value) => Some(value),
                    Err(expected) => {
                        problems.push(
                            Diagnostic::unlocated(format!(
                                "--var {}={text}: expected {expected}",
                                decl.name
                            ))
                            .with_help(format!(
                                "variable `{}` of pack `{}` has `type: {}`",
                                decl.name,
                                pack.name,
                                decl.kind.name()
                            )),
                        );
                        continue;
                    }
                }
            } else if let Some((_, node, file)) = given_in_file {
                let value = node.value.to_json();
                if !decl.kind.accepts(&value) {
                    problems.push(
                        Diagnostic::error(
                            location_of(file, node),
                            format!("`{}` must be a {}", decl.name, decl.kind.name()),
                        )
                        .with_help("quote text values, write numbers and booleans bare"),
                    );
                    continue;
                }
                Some(value)
            } else if let (Some(VarSource::Region), Some(region)) = (decl.from, region) {
                Some(Value::String(region.to_owned()))
            } else {
                decl.default.clone()
            };
            match value {
                Some(value) => {
                    values.insert(decl.name.clone(), value);
                }
                None if decl.required => problems.push(
                    Diagnostic::unlocated(format!(
                        "pack `{}` needs variable `{}`{}",
                        pack.name,
                        decl.name,
                        decl.description
                            .as_deref()
                            .map(|d| format!(" ({d})"))
                            .unwrap_or_default()
                    ))
                    .with_help(format!(
                        "pass --var {}=VALUE, or set it in --vars-file",
                        decl.name
                    )),
                ),
                None => {}
            }
        }
        resolved.push(Value::Object(values));
    }
    if problems.is_empty() {
        Ok(resolved)
    } else {
        Err(problems)
    }
}

/// The key of a vars file that holds overrides instead of a variable.
const OVERRIDES: &str = "overrides";

/// A vars file (`--vars-file`), read once: its variables, and the team's overrides it may hold
/// under `overrides:` (which [`crate::overrides`] reads).
pub struct VarsFile {
    file: Arc<SourceFile>,
    root: Spanned<Node>,
}

impl VarsFile {
    /// Reads and parses the vars file at `path`.
    pub fn read(path: &Path) -> Result<Self, Diagnostic> {
        let file = crate::input::read_source(path, crate::input::YAML_LIMIT)?;
        let root = yaml::parse::<Spanned<Node>>(&file)?;
        Ok(Self { file, root })
    }

    /// Its variables (`overrides:` aside).
    pub fn vars(&self) -> Result<Vec<FileVar>, Diagnostic> {
        let mut vars = entries(&self.file, self.root.clone())?;
        vars.retain(|(name, _, _)| name.value != OVERRIDES);
        Ok(vars)
    }

    /// Its `overrides:`, with the file they are written in.
    pub fn overrides(&self) -> Option<(&Arc<SourceFile>, &Spanned<Node>)> {
        self.root
            .value
            .child(OVERRIDES)
            .map(|overrides| (&self.file, overrides))
    }
}

/// The variables of a mapping of names to values in `file` (a vars file, or a pack test's
/// `vars:`).
pub(crate) fn entries(
    file: &Arc<SourceFile>,
    node: Spanned<Node>,
) -> Result<Vec<FileVar>, Diagnostic> {
    match node.value {
        Node::Map(entries) => Ok(entries
            .into_iter()
            .map(|(name, value)| (name, value, Arc::clone(file)))
            .collect()),
        _ => Err(Diagnostic::error(
            location_of(file, &node),
            "variables must be a mapping of names to values",
        )
        .with_help("write e.g. `cluster: demo`")),
    }
}

fn convert(text: &str, kind: VarKind) -> Result<Value, &'static str> {
    match kind {
        VarKind::String => Ok(Value::String(text.to_owned())),
        VarKind::Number => text
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| {
                text.parse::<f64>()
                    .map_err(|_| ())
                    .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number).ok_or(()))
            })
            .map_err(|_| "a number"),
        VarKind::Boolean => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("`true` or `false`"),
        },
    }
}
