//! `ekscheck new DIR`: a pack to start from — one call, one check, one test case and a README —
//! that validates and passes its own test as written.

use std::path::Path;

use super::exit;
use super::output::{self, CliError};
use crate::diagnostic::Diagnostic;
use crate::format::is_slug;

/// The scaffold's files, with `PACK_NAME` standing for the pack's name.
const FILES: &[(&str, &str)] = &[
    ("pack.yaml", include_str!("scaffold/pack.yaml")),
    ("cluster.yaml", include_str!("scaffold/cluster.yaml")),
    (
        "tests/active/expect.yaml",
        include_str!("scaffold/expect.yaml"),
    ),
    (
        "tests/active/recording/eks-describe-cluster-001.json",
        include_str!("scaffold/recording.json"),
    ),
    ("README.md", include_str!("scaffold/README.md")),
];

/// Writes a new pack into `dir` (which must not exist, or be empty), named after it.
pub(super) fn new(dir: &Path) -> Result<u8, CliError> {
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_slug(&name) {
        return Err(CliError::from(
            Diagnostic::file(dir, format_args!("`{name}` cannot name a pack")).with_help(
                "name the directory with lowercase letters, digits and dashes, e.g. `team-nodes`",
            ),
        ));
    }
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied || (dir.exists() && !dir.is_dir()) {
        return Err(CliError::from(
            Diagnostic::file(dir, "already exists and is not an empty directory")
                .with_help("choose a new directory: ekscheck new never overwrites"),
        ));
    }
    for (path, text) in FILES {
        let path = dir.join(path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text.replace("PACK_NAME", &name)));
        if let Err(error) = written {
            return Err(CliError::from(Diagnostic::file(
                &path,
                format_args!("cannot write: {error}"),
            )));
        }
    }
    let dir = dir.display();
    output::print(&format!(
        "created pack `{name}` in {dir}\n\
         next: ekscheck validate {dir} && ekscheck test {dir}\n\
         then: ekscheck run {dir} --var cluster=NAME\n"
    ))
    .map(|()| exit::PASSED)
}
