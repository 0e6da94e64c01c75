//! Packs from `.tar.gz` files: extracted once into ekscheck's cache under the archive's hash.
//!
//! The archive comes from another team, so it is extracted here rather than by `tar`, within the
//! [`Budget`](super::contents::Budget) of a pack: only files, directories and links are made
//! (a hard link as a copy), with the user's own owner and default permissions (no devices, no
//! setuid), each member inside the target directory (`..` is refused, a leading `/` dropped, and
//! nothing is written through a link the archive made).

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use tar::EntryType;

use super::contents::{BUDGET, Budget, Tally, hex};

/// The largest archive read (compressed).
pub(super) const ARCHIVE_LIMIT: u64 = 64 << 20;

/// The directory the archive `file` (of `size` bytes; `shown` in messages) is extracted in.
pub(super) fn extract(
    cache: &Path,
    mut file: File,
    size: u64,
    shown: &Path,
) -> Result<PathBuf, String> {
    let cannot_read = |error: std::io::Error| format!("cannot read {}: {error}", shown.display());
    let mut hasher = Sha256::new();
    std::io::copy(&mut (&mut file).take(size), &mut hasher).map_err(cannot_read)?;
    file.rewind().map_err(cannot_read)?;
    let digest = hex(&hasher.finalize());
    let tarballs = cache.join("tarballs");
    let target = tarballs.join(&digest[..32]);
    if target.is_dir() {
        return Ok(target);
    }
    let partial = tarballs.join(format!("{}.partial", &digest[..32]));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|error| error.to_string())?;
    if let Err(refusal) = unpack(file.take(size), &partial, BUDGET) {
        let _ = std::fs::remove_dir_all(&partial);
        let shown = shown.display();
        return Err(match refusal {
            Refusal::Unreadable(why) => {
                format!("{shown} is not a .tar.gz archive tar can read: {why}")
            }
            Refusal::Refused(why) => format!("{shown} {why}"),
        });
    }
    std::fs::rename(&partial, &target).map_err(|error| error.to_string())?;
    Ok(target)
}

/// Why an archive is not extracted.
enum Refusal {
    /// It is no gzipped tar archive (or a broken one): the reader's words.
    Unreadable(String),
    /// It holds what a pack may not: `holds …`.
    Refused(String),
}

impl From<std::io::Error> for Refusal {
    fn from(error: std::io::Error) -> Self {
        Refusal::Unreadable(error.to_string())
    }
}

impl From<String> for Refusal {
    fn from(why: String) -> Self {
        Refusal::Refused(why)
    }
}

/// Extracts the gzipped tar stream `compressed` into the empty directory `into`, within
/// `budget`.
fn unpack(compressed: impl Read, into: &Path, budget: Budget) -> Result<(), Refusal> {
    // Headers and long names are held in memory by the tar reader: the stream is bounded too,
    // to the files and room for their headers (and for the last read of a file beyond them).
    let stream = Bounded {
        inner: GzDecoder::new(BufReader::new(compressed)),
        left: budget.total_bytes + (budget.entries as u64) * 4096 + (1 << 20),
        exceeded: false,
    };
    let mut archive = tar::Archive::new(stream);
    let unpacked = unpack_entries(&mut archive, into, budget);
    if unpacked.is_err() && archive.into_inner().exceeded {
        return Err(Refusal::Refused(format!(
            "expands to more than the {} MB a pack may hold",
            budget.total_bytes >> 20
        )));
    }
    unpacked
}

fn unpack_entries(
    archive: &mut tar::Archive<impl Read>,
    into: &Path,
    budget: Budget,
) -> Result<(), Refusal> {
    let mut tally = Tally::new(budget);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        if matches!(
            kind,
            EntryType::XGlobalHeader
                | EntryType::XHeader
                | EntryType::GNULongName
                | EntryType::GNULongLink
        ) {
            continue;
        }
        let path = entry.path()?.into_owned();
        let name = path.to_string_lossy().into_owned();
        tally.entry(&name)?;
        let relative = inside(&path, &name)?;
        if relative.as_os_str().is_empty() {
            continue;
        }
        let target = into.join(&relative);
        match kind {
            EntryType::Directory => make_dirs(into, &relative, &name)?,
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                if entry.header().size().unwrap_or(0) > tally.file_limit() {
                    tally.bytes(&name, u64::MAX, 0)?;
                }
                let mut out = create(into, &relative, &name)?;
                copy(&mut entry, &mut out, &name, &mut tally)?;
            }
            EntryType::Symlink => {
                let link = entry
                    .link_name()?
                    .ok_or_else(|| format!("holds the link `{name}` without a target"))?;
                make_parents(into, &relative, &name)?;
                replace(&target, &name)?;
                std::os::unix::fs::symlink(&link, &target)?;
            }
            EntryType::Link => {
                let link = entry
                    .link_name()?
                    .ok_or_else(|| format!("holds the link `{name}` without a target"))?;
                let mut from = extracted_file(into, &link).ok_or_else(|| {
                    format!(
                        "holds `{name}`, a hard link to `{}`, which is no file extracted before it",
                        link.display()
                    )
                })?;
                let mut out = create(into, &relative, &name)?;
                copy(&mut from, &mut out, &name, &mut tally)?;
            }
            other => {
                return Err(Refusal::Refused(format!(
                    "holds `{name}`, {}: a pack holds only files, directories and links",
                    kind_name(other)
                )));
            }
        }
    }
    Ok(())
}

/// Copies a member into `out`, counted against the budget.
fn copy(
    from: &mut impl Read,
    out: &mut File,
    name: &str,
    tally: &mut Tally,
) -> Result<(), Refusal> {
    let mut buffer = vec![0; 64 << 10];
    let mut written = 0_u64;
    loop {
        let count = from.read(&mut buffer)?;
        if count == 0 {
            return Ok(());
        }
        written += count as u64;
        tally.bytes(name, written, count as u64)?;
        out.write_all(&buffer[..count])?;
    }
}

/// A member's path inside the target directory: `..` is refused, `.` and a leading `/` dropped.
fn inside(path: &Path, name: &str) -> Result<PathBuf, String> {
    let mut relative = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                return Err(format!(
                    "holds `{name}`, which would be written outside the directory it is \
                     extracted in"
                ));
            }
        }
    }
    Ok(relative)
}

/// The file extracted at `link` (a hard link's target), if it is one inside `into`.
fn extracted_file(into: &Path, link: &Path) -> Option<File> {
    let relative = inside(link, "").ok()?;
    let real = std::fs::canonicalize(into.join(relative)).ok()?;
    let inside = real.starts_with(std::fs::canonicalize(into).ok()?);
    (inside && real.is_file())
        .then(|| File::open(&real).ok())
        .flatten()
}

/// Makes the directory `relative` below `into`, and its parents: each a directory made here,
/// never a link the archive made.
fn make_dirs(into: &Path, relative: &Path, name: &str) -> Result<(), String> {
    let mut at = into.to_path_buf();
    for part in relative.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "holds `{name}` below `{}`, which is no directory",
                    at.strip_prefix(into).unwrap_or(&at).display()
                ));
            }
            Err(_) => std::fs::create_dir(&at).map_err(|error| error.to_string())?,
        }
    }
    Ok(())
}

fn make_parents(into: &Path, relative: &Path, name: &str) -> Result<(), String> {
    match relative.parent() {
        Some(parent) => make_dirs(into, parent, name),
        None => Ok(()),
    }
}

/// Removes what an earlier member of the same name made (the later one wins, as with `tar`),
/// unless it is a directory.
fn replace(target: &Path, name: &str) -> Result<(), String> {
    match std::fs::symlink_metadata(target) {
        Ok(metadata) if metadata.is_dir() => {
            Err(format!("holds `{name}` both as a directory and as a file"))
        }
        Ok(_) => std::fs::remove_file(target).map_err(|error| error.to_string()),
        Err(_) => Ok(()),
    }
}

/// Creates the file of member `relative` (its parents made, nothing followed).
fn create(into: &Path, relative: &Path, name: &str) -> Result<File, Refusal> {
    make_parents(into, relative, name)?;
    let target = into.join(relative);
    replace(&target, name)?;
    Ok(OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&target)?)
}

fn kind_name(kind: EntryType) -> &'static str {
    match kind {
        EntryType::Char | EntryType::Block => "a device",
        EntryType::Fifo => "a FIFO",
        _ => "neither a file, a directory nor a link",
    }
}

/// A reader that fails once it has given `left` bytes: a gzip stream that expands beyond the
/// budget is stopped.
struct Bounded<R> {
    inner: R,
    left: u64,
    /// Whether it failed for that reason.
    exceeded: bool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buffer)?;
        match self.left.checked_sub(count as u64) {
            Some(left) => {
                self.left = left;
                Ok(count)
            }
            None => {
                self.exceeded = true;
                Err(std::io::Error::other(
                    "the archive expands beyond the limit",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requires::contents::budget_cases::{PACKS, SMALL};

    /// A gzipped tar archive of `files` (name, size in bytes).
    fn archive(files: &[(&str, usize)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (name, size) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(*size as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, &vec![b'x'; *size][..])
                .unwrap();
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(&tar.into_inner().unwrap()).unwrap();
        gzip.finish().unwrap()
    }

    fn refusal(files: &[(&str, usize)]) -> String {
        let into = tempfile::tempdir().unwrap();
        match unpack(&archive(files)[..], into.path(), SMALL) {
            Ok(()) => String::new(),
            Err(Refusal::Refused(why) | Refusal::Unreadable(why)) => why,
        }
    }

    #[test]
    fn an_archive_is_extracted_within_its_budget() {
        for (files, why) in PACKS {
            assert_eq!(refusal(files), why, "{files:?}");
        }
        assert_eq!(
            refusal(&[("a", 1), ("b", 1), ("c", 1), ("d", 1), ("e", 1)]),
            "holds more than 4 files (at `e`), more than a pack may"
        );
    }

    #[test]
    fn a_stream_that_expands_beyond_the_budget_is_stopped() {
        // A name of 6 MB (a GNU long name, held in memory by the reader) and no file at all.
        let name = "n/".repeat(6 << 19);
        let why = refusal(&[(name.as_str(), 0)]);
        assert_eq!(why, "expands to more than the 4 MB a pack may hold");
    }
}
