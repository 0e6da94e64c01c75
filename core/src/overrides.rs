//! Overrides: a team's changes to a shared pack without forking it (`--overrides FILE`, or
//! `overrides:` in a vars file) — a check's severity, a check or a row skipped with a reason,
//! and variable defaults.
//!
//! ```yaml
//! checks:
//!   "node-join::network::dhcp-options-dns": { severity: error }
//!   "node-join::iam::node-role-has-cni-policy": { skip: "aws-node uses IRSA in our clusters" }
//!   "node-join::network::subnet-free-ips[ng-1/subnet-0a1b]": { skip: "being replaced" }
//! vars: { min_free_ips: 64 }
//! ```
//!
//! Every name must be a check of the packs run: a renamed check cannot silently come back.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::format::Severity;
use crate::format::yaml::{self, Node, Spanned, location_of};
use crate::plan::Plan;
use crate::suggest;
use crate::vars::{self, FileVar};

/// What the overrides of a run change.
#[derive(Debug, Default)]
pub struct Overrides {
    /// New severities, by check name (`PACK::SUITE::ID`).
    severities: HashMap<String, Severity>,
    /// Skip reasons, by check name, or by row name (`PACK::SUITE::ID[LABEL]`).
    skips: HashMap<String, String>,
    /// Variables, as defaults below the command line and the vars file.
    pub vars: Vec<FileVar>,
}

impl Overrides {
    /// Reads the overrides files `paths`, and `inline`, the `overrides:` of a vars file (see
    /// [`vars::VarsFile::overrides`]), checking every name against `plan`. Later files win over
    /// earlier ones, and the files over `inline`.
    pub fn load(
        plan: &Plan,
        paths: &[impl AsRef<Path>],
        inline: Option<(&Arc<SourceFile>, &Spanned<Node>)>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut overrides = Overrides::default();
        let mut problems = Vec::new();
        let checks: Vec<&str> = plan.checks.iter().map(|c| c.name.as_str()).collect();
        let mut documents: Vec<(Arc<SourceFile>, Spanned<Node>)> = Vec::new();
        if let Some((file, node)) = inline {
            documents.push((Arc::clone(file), node.clone()));
        }
        for path in paths {
            match crate::input::read_source(path.as_ref(), crate::input::YAML_LIMIT)
                .and_then(|file| yaml::parse::<Spanned<Node>>(&file).map(|node| (file, node)))
            {
                Ok(parsed) => documents.push(parsed),
                Err(problem) => problems.push(problem),
            }
        }
        for (file, node) in documents {
            overrides.add(&file, node, &checks, &mut problems);
        }
        if problems.is_empty() {
            Ok(overrides)
        } else {
            Err(problems)
        }
    }

    /// The severity a check's failures have, when overridden.
    pub(crate) fn severity(&self, check: &str) -> Option<Severity> {
        self.severities.get(check).copied()
    }

    /// Why a row is skipped, when its check or the row itself is.
    pub(crate) fn skip(&self, check: &str, row: &str) -> Option<&str> {
        self.skips
            .get(row)
            .or_else(|| self.skips.get(check))
            .map(String::as_str)
    }

    fn add(
        &mut self,
        file: &Arc<SourceFile>,
        node: Spanned<Node>,
        checks: &[&str],
        problems: &mut Vec<Diagnostic>,
    ) {
        let error = |at: &Spanned<Node>, message: String, help: &str| {
            Diagnostic::error(location_of(file, at), message).with_help(help)
        };
        let Node::Map(entries) = node.value else {
            problems.push(error(
                &node,
                "overrides must be a mapping with `checks` and `vars`".to_owned(),
                "write `checks: { \"PACK::SUITE::ID\": { severity: warning } }`",
            ));
            return;
        };
        for (key, value) in entries {
            match key.value.as_str() {
                "checks" => self.add_checks(file, value, checks, problems),
                // A later document's variables are found first: they win.
                "vars" => match vars::entries(file, value) {
                    Ok(vars) => drop(self.vars.splice(0..0, vars)),
                    Err(problem) => problems.push(problem),
                },
                other => problems.push(
                    Diagnostic::error(location_of(file, &key), format!("unknown key `{other}`"))
                        .with_help(suggest::did_you_mean(other, ["checks", "vars"])),
                ),
            }
        }
    }

    fn add_checks(
        &mut self,
        file: &Arc<SourceFile>,
        node: Spanned<Node>,
        checks: &[&str],
        problems: &mut Vec<Diagnostic>,
    ) {
        let Node::Map(entries) = node.value else {
            problems.push(
                Diagnostic::error(location_of(file, &node), "`checks` must be a mapping")
                    .with_help("write `\"PACK::SUITE::ID\": { skip: \"why\" }`, one per check"),
            );
            return;
        };
        for (name, change) in entries {
            let check = name.value.split('[').next().unwrap_or_default();
            if !checks.contains(&check) {
                problems.push(
                    Diagnostic::error(
                        location_of(file, &name),
                        format!("`{check}` is not a check of the packs run"),
                    )
                    .with_help(suggest::did_you_mean(check, checks.iter().copied())),
                );
                continue;
            }
            let row = name.value.contains('[');
            let Node::Map(fields) = &change.value else {
                problems.push(
                    Diagnostic::error(
                        location_of(file, &change),
                        "expected `{ severity: … }` or `{ skip: … }`",
                    )
                    .with_help("write e.g. `{ skip: \"aws-node uses IRSA in our clusters\" }`"),
                );
                continue;
            };
            for (field, value) in fields {
                match (field.value.as_str(), &value.value) {
                    ("skip", Node::String(reason)) if !reason.trim().is_empty() => {
                        self.skips.insert(name.value.clone(), reason.clone());
                    }
                    ("skip", _) => problems.push(
                        Diagnostic::error(location_of(file, value), "a skip needs its reason")
                            .with_help(
                                "write why, for the report: `skip: \"replaced by our own check\"`",
                            ),
                    ),
                    ("severity", _) if row => problems.push(
                        Diagnostic::error(
                            location_of(file, field),
                            "a severity applies to a whole check, not to one row",
                        )
                        .with_help(format!("write it for `{check}`")),
                    ),
                    ("severity", Node::String(text)) if Severity::named(text).is_some() => {
                        let severity = Severity::named(text).unwrap_or_default();
                        self.severities.insert(name.value.clone(), severity);
                    }
                    ("severity", _) => problems.push(
                        Diagnostic::error(location_of(file, value), "not a severity")
                            .with_help("write `error`, `warning` or `info`"),
                    ),
                    (other, _) => problems.push(
                        Diagnostic::error(
                            location_of(file, field),
                            format!("unknown key `{other}`"),
                        )
                        .with_help(suggest::did_you_mean(other, ["severity", "skip"])),
                    ),
                }
            }
        }
    }
}
