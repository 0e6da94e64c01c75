//! Where a run writes: stdout, stderr, and report files. Output to a closed pipe (`| head -1`, a
//! log collector that went away) ends quietly; any other write error (a full device) is a
//! message naming what could not be written, and exit code 2. No output path may be one of the
//! run's inputs.

use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use super::exit;
use crate::diagnostic::{Diagnostic, Level};
use crate::format::{Pack, Source};

/// Why a command stopped before its end, or ended without its reports: the problems it found,
/// printed once by [`super::main`] (after the console report, when the run got that far), and
/// the exit code they give.
#[derive(Debug)]
pub(super) struct CliError {
    /// The exit code, [`exit::INVALID_INPUT`]: invalid input found before anything ran, or,
    /// after a run, a report that could not be written (which replaces the run's own code).
    pub(super) exit: u8,
    /// What went wrong, with the warnings found beside it.
    pub(super) problems: Vec<Diagnostic>,
}

impl CliError {
    /// Invalid input, or output that could not be written: exit code 2.
    pub(super) fn invalid(problems: Vec<Diagnostic>) -> Self {
        Self {
            exit: exit::INVALID_INPUT,
            problems,
        }
    }

    /// This error, then `later`'s problems (the exit code of the first stands).
    pub(super) fn then(mut self, later: Option<CliError>) -> Self {
        if let Some(later) = later {
            self.problems.extend(later.problems);
        }
        self
    }
}

impl From<Diagnostic> for CliError {
    fn from(problem: Diagnostic) -> Self {
        Self::invalid(vec![problem])
    }
}

/// The most problems shown of one file: the first ones are enough to start fixing it.
const PROBLEMS_PER_FILE: usize = 100;

/// Prints diagnostics to stderr (a stderr that cannot be written is ignored: the exit code
/// still tells), at most [`PROBLEMS_PER_FILE`] of each file and then how many more there are.
pub(super) fn show(diagnostics: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal();
    let mut stderr = std::io::stderr().lock();
    // Per file, in the order first seen: how many problems it has.
    let mut per_file: Vec<(&Path, usize)> = Vec::new();
    let mut index: HashMap<&Path, usize> = HashMap::new();
    for diagnostic in diagnostics {
        if let Some(location) = &diagnostic.location {
            let path = location.file.path.as_path();
            let at = *index.entry(path).or_insert_with(|| {
                per_file.push((path, 0));
                per_file.len() - 1
            });
            per_file[at].1 += 1;
            if per_file[at].1 > PROBLEMS_PER_FILE {
                continue;
            }
        }
        let _ = writeln!(stderr, "{}", diagnostic.render(color));
    }
    for (path, count) in per_file {
        if count > PROBLEMS_PER_FILE {
            let more = Diagnostic {
                level: Level::Warning,
                ..Diagnostic::file(
                    path,
                    format_args!(
                        "{} more problems are not shown (the first {PROBLEMS_PER_FILE} are)",
                        count - PROBLEMS_PER_FILE
                    ),
                )
                .with_help("fix these, and run again to see the rest")
            };
            let _ = writeln!(stderr, "{}", more.render(color));
        }
    }
}

/// Writes `text` to stdout.
pub(super) fn print(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) => stdout_failed(&error.to_string(), error.kind()),
    }
}

/// Reports a failed write to stdout, unless stdout was closed (`message` is the OS error).
pub(super) fn stdout_failed(message: &str, kind: ErrorKind) -> Result<(), CliError> {
    if kind == ErrorKind::BrokenPipe {
        return Ok(());
    }
    Err(CliError::from(Diagnostic::unlocated(format!(
        "cannot write the output: {message}"
    ))))
}

/// Appends `contents` to the file at `path` (`what` names it in the message if that fails).
pub(super) fn append_file(what: &str, path: &Path, contents: &[u8]) -> Result<(), CliError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(contents))
        .map_err(|error| {
            CliError::from(Diagnostic::unlocated(format!(
                "{what} {}: {error}",
                path.display()
            )))
        })
}

/// Writes a report file given as `flag PATH`, naming the OS error if it cannot.
pub(super) fn write_file(flag: &str, path: &Path, contents: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, contents).map_err(|error| {
        CliError::from(Diagnostic::unlocated(format!(
            "{flag} {}: {error}",
            path.display()
        )))
    })
}

/// Writes a JUnit report to `path` (`--junit`).
pub(super) fn write_junit(path: &Path, report: &quick_junit::Report) -> Result<(), CliError> {
    match report.to_string() {
        Ok(xml) => write_file("--junit", path, xml.as_bytes()),
        Err(error) => Err(CliError::from(Diagnostic::unlocated(format!(
            "--junit {}: {error}",
            path.display()
        )))),
    }
}

/// The files and directories a run reads, which no output may overwrite.
#[derive(Debug, Default)]
pub(super) struct Inputs {
    /// Pack and recording directories, canonical.
    dirs: Vec<PathBuf>,
    /// Input files outside them (a vars file), canonical.
    files: Vec<PathBuf>,
}

impl Inputs {
    /// The inputs of a run: `dirs` (packs, a recording) and `files` (a vars file).
    pub(super) fn new<'p>(
        dirs: impl IntoIterator<Item = &'p Path>,
        files: impl IntoIterator<Item = &'p Path>,
    ) -> Self {
        let canonical = |path: &Path| std::fs::canonicalize(path).ok();
        Self {
            dirs: dirs.into_iter().filter_map(canonical).collect(),
            files: files.into_iter().filter_map(canonical).collect(),
        }
    }

    /// Adds the packs of a plan (those given, and those they require) and the archives required
    /// packs come from.
    pub(super) fn with_packs(mut self, packs: &[Pack]) -> Self {
        for pack in packs {
            self.dirs.extend(std::fs::canonicalize(&pack.dir));
            for requirement in &pack.requires {
                if let Source::Tarball { path, .. } = &requirement.source {
                    self.files
                        .extend(std::fs::canonicalize(pack.dir.join(path)));
                }
            }
        }
        self
    }

    /// Checks that `path`, given as `flag PATH`, may be written: it is no input and lies in no
    /// input directory, and it is a file (or a device) whose directory exists. Nothing is
    /// created yet, so a run that stops early leaves no empty report behind.
    pub(super) fn check_output(&self, flag: &str, path: &Path) -> Result<(), Diagnostic> {
        let refuse = |why: &str| {
            Diagnostic::unlocated(format!("{flag} {}: {why}", path.display()))
                .with_help("write the report somewhere else")
        };
        let absolute = match std::fs::canonicalize(path) {
            Ok(existing) => {
                let metadata = std::fs::metadata(&existing).map_err(|e| refuse(&e.to_string()))?;
                if metadata.is_dir() {
                    return Err(refuse("is a directory"));
                }
                if !metadata.is_file() && !is_device(&metadata) {
                    return Err(refuse("is not a regular file (a FIFO or a socket)"));
                }
                existing
            }
            Err(_) => {
                let parent = path
                    .parent()
                    .filter(|parent| !parent.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let parent = std::fs::canonicalize(parent)
                    .map_err(|error| refuse(&format!("its directory cannot be used: {error}")))?;
                parent.join(path.file_name().unwrap_or_default())
            }
        };
        if self.files.contains(&absolute) {
            return Err(refuse("is an input of this run: it would be overwritten"));
        }
        if let Some(dir) = self.dirs.iter().find(|dir| absolute.starts_with(dir)) {
            return Err(refuse(&format!(
                "lies in {}, an input of this run",
                dir.display()
            )));
        }
        Ok(())
    }

    /// Checks that directory `out`, given as `flag DIR`, is no input directory and lies in none.
    pub(super) fn check_output_dir(&self, flag: &str, out: &Path) -> Result<(), Diagnostic> {
        let absolute = absolute(out);
        match self.dirs.iter().find(|dir| absolute.starts_with(dir)) {
            Some(dir) => Err(Diagnostic::unlocated(format!(
                "{flag} {}: lies in {}, an input of this run",
                out.display(),
                dir.display()
            ))
            .with_help("write the recording to a directory of its own")),
            None => Ok(()),
        }
    }
}

/// `path` made absolute through its nearest existing ancestor (links resolved there).
fn absolute(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            return rest
                .iter()
                .rev()
                .fold(canonical, |path, part| path.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
            }
            _ => return path.to_path_buf(),
        }
    }
}

fn is_device(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    metadata.file_type().is_char_device()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_may_not_be_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let pack = dir.path().join("pack");
        std::fs::create_dir(&pack).unwrap();
        std::fs::write(pack.join("pack.yaml"), "pack: p").unwrap();
        let vars = dir.path().join("vars.yaml");
        std::fs::write(&vars, "cluster: x").unwrap();
        let inputs = Inputs::new([pack.as_path()], [vars.as_path()]);
        let refused = |path: &Path| inputs.check_output("--junit", path).is_err();
        assert!(refused(&pack.join("pack.yaml")));
        assert!(refused(&pack.join("new.xml")));
        assert!(refused(&vars));
        assert!(refused(&pack));
        assert!(refused(&dir.path().join("missing/report.xml")));
        assert!(!refused(&dir.path().join("report.xml")));
        assert!(!refused(Path::new("/dev/null")));
        assert!(inputs.check_output_dir("--out", &pack).is_err());
        assert!(
            inputs
                .check_output_dir("--out", &pack.join("sub/dir"))
                .is_err()
        );
        assert!(inputs.check_output_dir("--out", dir.path()).is_ok());
        assert!(
            inputs
                .check_output_dir("--out", &dir.path().join("new"))
                .is_ok()
        );
    }
}
