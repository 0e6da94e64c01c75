//! `ekscheck.lock`: what each requirement of a pack resolved to — the commit and a hash of the
//! files — so that a dependency's checks never run at another version than the lock names.

use std::fmt::Write as _;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::format::yaml;
use crate::input::{Root, YAML_LIMIT};

/// The lock file's name, in the requiring pack's directory.
pub(crate) const LOCK: &str = "ekscheck.lock";

/// One resolved requirement.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(super) struct Locked {
    /// The pack's name.
    pub pack: String,
    /// Where it comes from: `path:DIR`, `tarball:FILE//SUBDIR` or `git:URL//SUBDIR`.
    pub source: String,
    /// What was asked for: a version range or a ref (git only).
    #[serde(default)]
    pub requirement: Option<String>,
    /// The commit it resolved to (git only).
    #[serde(default)]
    pub commit: Option<String>,
    /// The hash of its files.
    pub hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    version: u32,
    #[serde(default)]
    packs: Vec<Locked>,
}

/// The lock of the pack in `dir`: `None` when there is none. A link is refused, not followed:
/// ekscheck reads (and writes) only the pack's own file.
pub(super) fn read(dir: &Path) -> Result<Option<Vec<Locked>>, Diagnostic> {
    let path = dir.join(LOCK);
    let Some(file) = Root::new(dir)?.read_unlinked(&path, YAML_LIMIT)? else {
        return Ok(None);
    };
    let lock: LockFile = yaml::parse(&file)?;
    if lock.version != 1 {
        return Err(Diagnostic::file(
            &path,
            format_args!(
                "is a lock of version {}; this ekscheck writes version 1",
                lock.version
            ),
        )
        .with_help("delete it: ekscheck writes it again"));
    }
    Ok(Some(lock.packs))
}

/// Writes the lock of the pack in `dir`.
pub(super) fn write(dir: &Path, packs: &[Locked]) -> Result<(), Diagnostic> {
    let mut text = String::from(
        "# Written by ekscheck: what `requires:` resolved to. Commit it; `--locked` runs only\n\
         # with exactly these packs.\nversion: 1\npacks:\n",
    );
    for locked in packs {
        let quoted = |value: &str| serde_json::to_string(value).unwrap_or_default();
        let _ = write!(
            text,
            "  - pack: {}\n    source: {}\n",
            quoted(&locked.pack),
            quoted(&locked.source)
        );
        if let Some(requirement) = &locked.requirement {
            let _ = writeln!(text, "    requirement: {}", quoted(requirement));
        }
        if let Some(commit) = &locked.commit {
            let _ = writeln!(text, "    commit: {}", quoted(commit));
        }
        let _ = writeln!(text, "    hash: {}", quoted(&locked.hash));
    }
    // A new file beside the lock, renamed over it: a link in its place is replaced, never
    // written through.
    let path = dir.join(LOCK);
    let cannot =
        |error: std::io::Error| Diagnostic::file(&path, format_args!("cannot write: {error}"));
    let mut written = tempfile::Builder::new()
        .prefix(".ekscheck.lock.")
        .permissions(std::fs::Permissions::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(cannot)?;
    written.write_all(text.as_bytes()).map_err(cannot)?;
    written
        .persist(&path)
        .map(drop)
        .map_err(|error| cannot(error.error))
}
