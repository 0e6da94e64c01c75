//! Decoding `pack.yaml`: what a pack needs of ekscheck (`format`, `ekscheck`), the packs it
//! requires, and its variables.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::{FORMAT, Loader, VERSION};
use crate::format::model::{Requirement, Selector, Source, VarDecl, VarKind};
use crate::format::raw;
use crate::format::yaml::{Node, Spanned};

/// An scp-like git URL: `git@host:path`.
static SCP_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^-]").unwrap());
/// A tag, branch or commit name that git cannot read as an option.
static GIT_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$").unwrap());

impl Loader<'_> {
    /// Refuses a pack written in another format version, or for other ekscheck versions.
    pub(super) fn requirements(&mut self, requirements: &raw::Requirements) {
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

    /// One entry of `requires:`: a pack by relative `path`, from a `tarball`, or from `git` with
    /// a `version` range of its tags or a `ref`. Only URLs that cannot run a program are accepted.
    pub(super) fn requirement(&mut self, raw: &Spanned<raw::Requirement>) -> Option<Requirement> {
        let requirement = &raw.value;
        let pack = self.slug(&requirement.pack, "pack name");
        let only_git = [
            ("subdir", &requirement.subdir),
            ("version", &requirement.version),
            ("ref", &requirement.reference),
        ];
        let source = match (&requirement.path, &requirement.git, &requirement.tarball) {
            (None, None, Some(tarball)) => {
                self.not_git(raw, &only_git[1..])?;
                self.tarball_source(tarball, requirement)?
            }
            (Some(path), None, None) => {
                self.not_git(raw, &only_git)?;
                self.path_source(path)?
            }
            (None, Some(url), None) => self.git_source(raw, url)?,
            _ => {
                let at = self.at(raw);
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

    /// Refuses the keys of a pack from git in a requirement that is not one.
    fn not_git(
        &mut self,
        raw: &Spanned<raw::Requirement>,
        keys: &[(&str, &Option<Spanned<String>>)],
    ) -> Option<()> {
        if let Some((key, _)) = keys.iter().find(|(_, value)| value.is_some()) {
            let at = self.at(raw);
            self.error(at, format!("`{key}` is for a pack from git"), "remove it");
            return None;
        }
        Some(())
    }

    /// `subdir`: a directory inside the repository or archive (`""`: its top).
    fn subdir(&mut self, requirement: &raw::Requirement) -> Option<String> {
        let subdir = requirement.subdir.as_ref().map_or("", |s| s.value.as_str());
        if subdir.split('/').any(|part| part == "..") || subdir.starts_with('/') {
            let at = self.at(requirement.subdir.as_ref()?);
            self.error(
                at,
                "`subdir` is a directory inside the repository or archive",
                "write e.g. `subdir: checks/node-join`",
            );
            return None;
        }
        Some(subdir.to_owned())
    }

    fn tarball_source(
        &mut self,
        tarball: &Spanned<String>,
        requirement: &raw::Requirement,
    ) -> Option<Source> {
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
        Some(Source::Tarball {
            path: file.clone(),
            subdir: self.subdir(requirement)?,
        })
    }

    fn path_source(&mut self, path: &Spanned<String>) -> Option<Source> {
        if Path::new(&path.value).is_absolute() || path.value.is_empty() {
            let at = self.at(path);
            self.error(
                at,
                "a required pack's `path` is relative to this pack's directory",
                "write e.g. `path: ../node-join`",
            );
            return None;
        }
        Some(Source::Path(path.value.clone()))
    }

    fn git_source(
        &mut self,
        raw: &Spanned<raw::Requirement>,
        url: &Spanned<String>,
    ) -> Option<Source> {
        let requirement = &raw.value;
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
        let subdir = self.subdir(requirement)?;
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
                let at = self.at(raw);
                self.error(
                    at,
                    "a pack from git needs `version` (a range of its tags) or `ref`",
                    "write e.g. `version: \"^1.0\"`, or `ref: v1.2.0`",
                );
                return None;
            }
        };
        Some(Source::Git {
            url: url.value.clone(),
            subdir,
            selector,
        })
    }

    pub(super) fn var(
        &mut self,
        name: &Spanned<String>,
        decl: &Spanned<raw::VarDecl>,
    ) -> Option<VarDecl> {
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
            && !kind.accepts(value)
        {
            let at = self.at(node);
            self.error(
                at,
                format!("the default does not match `type: {}`", kind.name()),
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
        })
    }
}
