//! Reading what the user gives: packs, recordings and vars files come from other teams and other
//! tools, so only regular files are opened (a FIFO would block, `/dev/zero` never ends), each up
//! to a size limit, and directories are walked without following links to directories (two
//! `a -> .` links make an endless tree).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Location, SourceFile};

/// The largest pack or vars file ekscheck reads: far above any real one.
pub const YAML_LIMIT: u64 = 16 << 20;

/// Reads `path` as UTF-8 text: a regular file (or a link to one) of at most `limit` bytes. Text
/// that is not UTF-8 is located at its first bad byte.
pub fn read_text(path: &Path, limit: u64) -> Result<String, Diagnostic> {
    let bytes = read_bytes(path, limit)?;
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

/// Reads `path` as UTF-8 text into a source file diagnostics can point into.
pub fn read_source(path: &Path, limit: u64) -> Result<Arc<SourceFile>, Diagnostic> {
    read_text(path, limit).map(|text| SourceFile::new(path.to_path_buf(), text))
}

fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let cannot =
        |error: std::io::Error| Diagnostic::file(path, format_args!("cannot read: {error}"));
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        return Err(Diagnostic::file(
            path,
            format_args!("is not a regular file but {}", kind(&metadata)),
        )
        .with_help("give a file (devices, FIFOs and sockets are not read)"));
    }
    let too_large = || {
        Diagnostic::file(
            path,
            format_args!("is larger than the limit of {} MB", limit >> 20),
        )
    };
    if metadata.len() > limit {
        return Err(too_large());
    }
    // The size may grow while the file is read: read one byte past the limit to know.
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    File::open(path)
        .and_then(|file| file.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// What kind of file system entry `metadata` describes, for a message.
fn kind(metadata: &std::fs::Metadata) -> &'static str {
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
    } else {
        "not a regular file"
    }
}

/// The files under `root` whose extension is one of `extensions`, sorted. Subdirectories are
/// walked; a link to a directory is refused, as are entries that cannot be read.
pub fn files_under(
    root: &Path,
    extensions: &[&str],
    problems: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let inside = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    walk(root, &inside, extensions, &mut files, problems);
    files.sort();
    files
}

/// Walks `dir`; a link to a file is followed only when the file is inside `inside` (a pack from
/// another team cannot make ekscheck read, and echo in its messages, a file it was not given).
fn walk(
    dir: &Path,
    inside: &Path,
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
            walk(&path, inside, extensions, files, problems);
        } else if kind.is_symlink()
            && wanted
            && !path.is_dir()
            && std::fs::canonicalize(&path).is_ok_and(|target| !target.starts_with(inside))
        {
            problems.push(
                Diagnostic::file(
                    &path,
                    "is a link to a file outside the directory, which ekscheck does not read",
                )
                .with_help("copy the file into the directory, or remove the link"),
            );
        } else if kind.is_symlink() && path.is_dir() {
            problems.push(
                Diagnostic::file(
                    &path,
                    "is a link to a directory, which ekscheck does not follow",
                )
                .with_help("copy the files into the directory, or remove the link"),
            );
        } else if wanted {
            files.push(path);
        }
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
        let files = files_under(root, &["json"], &mut problems);
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
}
