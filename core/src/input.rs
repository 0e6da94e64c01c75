//! Reading what the user gives: packs, recordings and vars files come from other teams and other
//! tools, so only regular files are opened (a FIFO would block, `/dev/zero` never ends), each up
//! to a size limit, and directories are walked without following links to directories (two
//! `a -> .` links make an endless tree).
//!
//! The files of a pack, a recording or a pack fetched into the cache are read through its
//! [`Root`], and only there: a link is followed only to a file inside the root, so that a pack
//! from another team cannot make ekscheck read (and echo in its messages) a file it was not
//! given. A file the user names on the command line is read with [`read_text`] or
//! `read_source`.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, SourceFile};

/// The largest pack or vars file ekscheck reads: far above any real one.
pub const YAML_LIMIT: u64 = 16 << 20;

/// Reads `path`, a file the user named (a link to one is followed), as UTF-8 text: a regular
/// file of at most `limit` bytes. Text that is not UTF-8 is located at its first bad byte.
pub fn read_text(path: &Path, limit: u64) -> Result<String, Diagnostic> {
    let (file, _) = open_regular(path, path, limit, Follow::Yes)?;
    text_of(path, read_all(file, path, limit)?)
}

/// Reads `path`, a file the user named, as UTF-8 text into a source file diagnostics can point
/// into.
pub(crate) fn read_source(path: &Path, limit: u64) -> Result<Arc<SourceFile>, Diagnostic> {
    read_text(path, limit).map(|text| SourceFile::new(path.to_path_buf(), text))
}

/// A directory whose files ekscheck reads, and nothing outside it: a pack, a recording, a pack
/// fetched into the cache. The directory itself may be reached through a link (the user, or a
/// requiring pack, named it); inside it, a link is followed only to a file inside it.
#[derive(Clone, Debug)]
pub struct Root {
    /// As given: files are named by it in messages.
    dir: PathBuf,
    /// Where it really is: every file read must lie below it.
    canonical: PathBuf,
}

/// Whether a file may be reached through a link.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Follow {
    Yes,
    No,
}

impl Root {
    /// The directory `dir`.
    pub fn new(dir: &Path) -> Result<Self, Diagnostic> {
        let canonical = std::fs::canonicalize(dir)
            .map_err(|error| Diagnostic::file(dir, format_args!("cannot read: {error}")))?;
        if !canonical.is_dir() {
            return Err(Diagnostic::file(dir, "is not a directory"));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            canonical,
        })
    }

    /// The directory as given.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The directory `path` below this one (a fetched pack's `subdir`, a test case's
    /// recording): refused when it is reached through a link that leaves this one.
    pub fn subdir(&self, path: &Path) -> Result<Root, Diagnostic> {
        let inner = Root::new(path)?;
        if !inner.canonical.starts_with(&self.canonical) {
            return Err(outside(path, "directory"));
        }
        Ok(inner)
    }

    /// Reads `path`, a file inside the root, as UTF-8 text into a source file diagnostics can
    /// point into: a regular file of at most `limit` bytes, or a link to one inside the root.
    pub(crate) fn read_source(
        &self,
        path: &Path,
        limit: u64,
    ) -> Result<Arc<SourceFile>, Diagnostic> {
        self.read_text(path, limit)
            .map(|text| SourceFile::new(path.to_path_buf(), text))
    }

    /// Reads `path`, a file inside the root, as UTF-8 text: a regular file of at most `limit`
    /// bytes, or a link to one inside the root.
    pub(crate) fn read_text(&self, path: &Path, limit: u64) -> Result<String, Diagnostic> {
        let (file, _) = self.open(path, limit)?;
        text_of(path, read_all(file, path, limit)?)
    }

    /// Reads `path`, a file of the root that must not be a link (ekscheck's own file there,
    /// which it also writes): `None` when there is none.
    pub fn read_unlinked(
        &self,
        path: &Path,
        limit: u64,
    ) -> Result<Option<Arc<SourceFile>>, Diagnostic> {
        match std::fs::symlink_metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(Diagnostic::file(
                    path,
                    "is a link, which ekscheck neither reads nor writes through",
                )
                .with_help("remove the link: ekscheck writes the file itself"));
            }
            _ => {}
        }
        let parent = path.parent().unwrap_or(Path::new("."));
        if !std::fs::canonicalize(parent).is_ok_and(|real| real.starts_with(&self.canonical)) {
            return Err(outside(path, "file"));
        }
        let (file, _) = open_regular(path, path, limit, Follow::No)?;
        let text = text_of(path, read_all(file, path, limit)?)?;
        Ok(Some(SourceFile::new(path.to_path_buf(), text)))
    }

    /// Opens `path`, a file inside the root (or a link to one there), to be read as a stream:
    /// a regular file of at most `limit` bytes; returns it and its size.
    pub fn open(&self, path: &Path, limit: u64) -> Result<(File, u64), Diagnostic> {
        let real = std::fs::canonicalize(path)
            .map_err(|error| Diagnostic::file(path, format_args!("cannot read: {error}")))?;
        if !real.starts_with(&self.canonical) {
            return Err(outside(path, "file"));
        }
        // The real path holds no link: one put there meanwhile is not followed.
        open_regular(&real, path, limit, Follow::No)
    }

    /// The files below the root whose extension is one of `extensions`, sorted. Subdirectories
    /// are walked; a link to a directory is refused, as are a link to a file outside the root
    /// and entries that cannot be read.
    pub(crate) fn files_under(
        &self,
        extensions: &[&str],
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<PathBuf> {
        let mut files = Vec::new();
        self.walk(&self.dir, extensions, &mut files, problems);
        files.sort();
        files
    }

    fn walk(
        &self,
        dir: &Path,
        extensions: &[&str],
        files: &mut Vec<PathBuf>,
        problems: &mut Vec<Diagnostic>,
    ) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => {
                problems.push(Diagnostic::file(dir, format_args!("cannot list: {error}")));
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    problems.push(Diagnostic::file(dir, format_args!("cannot list: {error}")));
                    continue;
                }
            };
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                problems.push(Diagnostic::file(&path, "cannot read its type"));
                continue;
            };
            let wanted = path
                .extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| extensions.contains(&extension));
            if kind.is_dir() {
                self.walk(&path, extensions, files, problems);
            } else if kind.is_symlink() && path.is_dir() {
                problems.push(
                    Diagnostic::file(
                        &path,
                        "is a link to a directory, which ekscheck does not follow",
                    )
                    .with_help("copy the files into the directory, or remove the link"),
                );
            } else if kind.is_symlink()
                && wanted
                && std::fs::canonicalize(&path)
                    .is_ok_and(|target| !target.starts_with(&self.canonical))
            {
                problems.push(outside(&path, "file"));
            } else if wanted {
                files.push(path);
            }
        }
    }
}

/// The refusal of a file or directory that a link takes outside the root.
fn outside(path: &Path, what: &str) -> Diagnostic {
    let message = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            format!("is a link to a {what} outside the directory, which ekscheck does not read")
        }
        _ => "is reached through a link that leaves the directory, which ekscheck does not follow"
            .to_owned(),
    };
    Diagnostic::file(path, message).with_help(format!(
        "copy the {what} into the directory, or remove the link"
    ))
}

/// Opens `path` (named `shown` in messages) when it is a regular file of at most `limit` bytes,
/// without blocking on a FIFO; with [`Follow::No`], a link is not followed.
fn open_regular(
    path: &Path,
    shown: &Path,
    limit: u64,
    follow: Follow,
) -> Result<(File, u64), Diagnostic> {
    let cannot =
        |error: std::io::Error| Diagnostic::file(shown, format_args!("cannot read: {error}"));
    let metadata = match follow {
        Follow::Yes => std::fs::metadata(path),
        Follow::No => std::fs::symlink_metadata(path),
    }
    .map_err(cannot)?;
    regular(shown, &metadata, limit)?;
    let mut flags = libc::O_NONBLOCK;
    if follow == Follow::No {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(cannot)?;
    // What was opened is what is read: it may have changed since it was looked at.
    let metadata = file.metadata().map_err(cannot)?;
    regular(shown, &metadata, limit)?;
    Ok((file, metadata.len()))
}

/// Refuses what is not a regular file of at most `limit` bytes.
fn regular(path: &Path, metadata: &Metadata, limit: u64) -> Result<(), Diagnostic> {
    if !metadata.is_file() {
        return Err(Diagnostic::file(
            path,
            format_args!("is not a regular file but {}", kind(metadata)),
        )
        .with_help("give a file (devices, FIFOs and sockets are not read)"));
    }
    if metadata.len() > limit {
        return Err(too_large(path, limit));
    }
    Ok(())
}

fn too_large(path: &Path, limit: u64) -> Diagnostic {
    Diagnostic::file(
        path,
        format_args!("is larger than the limit of {} MB", limit >> 20),
    )
}

/// Reads `file` whole: at most `limit` bytes (it may grow while it is read: one byte past the
/// limit is read to know).
fn read_all(file: File, path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| Diagnostic::file(path, format_args!("cannot read: {error}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

/// `bytes` as UTF-8 text; text that is not is located at its first bad byte.
fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Diagnostic::file(path, "is saved as UTF-16")
            .with_help("save it as UTF-8 (without a byte order mark)"));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
        let file = SourceFile::new(path.to_path_buf(), text);
        Diagnostic::error(
            Location::at_offset(&file, valid, 1),
            "this byte is not UTF-8 text",
        )
        .with_help("save the file as UTF-8")
    })
}

/// What kind of file system entry `metadata` describes, for a message.
fn kind(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_symlink() {
        "a link"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_text(dir.path(), YAML_LIMIT).unwrap_err();
        assert!(
            error
                .message
                .ends_with("is not a regular file but a directory"),
            "{error}"
        );
        let error = read_text(Path::new("/dev/zero"), YAML_LIMIT).unwrap_err();
        assert!(
            error
                .message
                .ends_with("is not a regular file but a device"),
            "{error}"
        );
    }

    #[test]
    fn refuses_files_over_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, "x".repeat(2048)).unwrap();
        assert!(read_text(&path, 4096).is_ok());
        let error = read_text(&path, 1024).unwrap_err();
        assert!(error.message.contains("larger than the limit"), "{error}");
    }

    #[test]
    fn locates_the_first_byte_that_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        std::fs::write(&path, b"calls:\n  title: caf\xe9\n").unwrap();
        let error = read_text(&path, YAML_LIMIT).unwrap_err();
        let location = error.location.expect("located");
        assert_eq!((location.line, location.column), (2, 13));
        std::fs::write(&path, b"\xff\xfec\x00a\x00").unwrap();
        let error = read_text(&path, YAML_LIMIT).unwrap_err();
        assert!(error.message.ends_with("is saved as UTF-16"), "{error}");
    }

    #[test]
    fn walks_without_following_links_to_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("a.json"), "{}").unwrap();
        std::fs::write(root.join("sub/b.json"), "{}").unwrap();
        std::fs::write(root.join("c.txt"), "").unwrap();
        std::os::unix::fs::symlink(".", root.join("loop")).unwrap();
        std::os::unix::fs::symlink("a.json", root.join("link.json")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.json"), "{}").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.json"), root.join("out.json"))
            .unwrap();
        let mut problems = Vec::new();
        let files = Root::new(root)
            .unwrap()
            .files_under(&["json"], &mut problems);
        let names: Vec<_> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                Path::new("a.json"),
                Path::new("link.json"),
                Path::new("sub/b.json")
            ]
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.message.ends_with(
                "out.json: is a link to a file outside the directory, which ekscheck does not read"
            )),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("loop: is a link to a directory"))
        );
    }

    /// A pack whose files are links: `outside` holds the secret they point at.
    fn linked_root() -> (tempfile::TempDir, tempfile::TempDir, Root) {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("credentials"), "secret").unwrap();
        std::fs::write(dir.path().join("inside.yaml"), "a: 1").unwrap();
        std::os::unix::fs::symlink("inside.yaml", dir.path().join("near.yaml")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("credentials"),
            dir.path().join("far.yaml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("away")).unwrap();
        let root = Root::new(dir.path()).unwrap();
        (dir, outside, root)
    }

    #[test]
    fn a_root_reads_only_inside_itself() {
        let (dir, _outside, root) = linked_root();
        let read = |name: &str| root.read_source(&dir.path().join(name), YAML_LIMIT);
        assert_eq!(read("inside.yaml").unwrap().text(), "a: 1");
        assert_eq!(read("near.yaml").unwrap().text(), "a: 1");
        let error = read("far.yaml").unwrap_err();
        assert!(
            error.message.ends_with(
                "far.yaml: is a link to a file outside the directory, which ekscheck does not read"
            ),
            "{error}"
        );
        let error = read("away/credentials").unwrap_err();
        assert!(
            error
                .message
                .contains("is reached through a link that leaves the directory"),
            "{error}"
        );
        assert!(root.open(&dir.path().join("near.yaml"), YAML_LIMIT).is_ok());
        assert!(root.subdir(&dir.path().join("away")).is_err());
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(root.subdir(&dir.path().join("sub")).is_ok());
    }

    #[test]
    fn a_file_read_unlinked_is_no_link_at_all() {
        let (dir, _outside, root) = linked_root();
        let read = |name: &str| root.read_unlinked(&dir.path().join(name), YAML_LIMIT);
        assert_eq!(read("inside.yaml").unwrap().unwrap().text(), "a: 1");
        assert!(read("missing.yaml").unwrap().is_none());
        for link in ["near.yaml", "far.yaml"] {
            let error = read(link).unwrap_err();
            assert!(
                error
                    .message
                    .ends_with("is a link, which ekscheck neither reads nor writes through"),
                "{error}"
            );
        }
        std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).unwrap();
        assert!(read("dangling").is_err());
        assert!(read("away/credentials").is_err());
    }
}
