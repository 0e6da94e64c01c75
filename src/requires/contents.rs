//! What a required pack may hold, and the hash of what it holds. A pack comes from another team,
//! or from an archive or repository of theirs: its files are counted against a budget as they
//! are read (an archive is refused before it fills the disk, a directory before hashing it fills
//! the memory), and hashed as streams.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::input::Root;

/// The most a required pack (the extracted archive, the directory hashed) may hold: far above
/// any real pack, far below what fills a disk.
#[derive(Clone, Copy, Debug)]
pub(super) struct Budget {
    /// Files, directories and links.
    pub(super) entries: usize,
    /// Bytes of one file.
    pub(super) file_bytes: u64,
    /// Bytes of all files.
    pub(super) total_bytes: u64,
}

/// The budget of every required pack.
pub(super) const BUDGET: Budget = Budget {
    entries: 10_000,
    file_bytes: 100 << 20,
    total_bytes: 256 << 20,
};

/// What has been counted against a [`Budget`].
#[derive(Debug)]
pub(super) struct Tally {
    budget: Budget,
    entries: usize,
    bytes: u64,
}

impl Tally {
    pub(super) fn new(budget: Budget) -> Self {
        Self {
            budget,
            entries: 0,
            bytes: 0,
        }
    }

    /// Counts one more entry (`name` in messages).
    pub(super) fn entry(&mut self, name: &str) -> Result<(), String> {
        self.entries += 1;
        if self.entries > self.budget.entries {
            return Err(format!(
                "holds more than {} files (at `{name}`), more than a pack may",
                self.budget.entries
            ));
        }
        Ok(())
    }

    /// Counts `bytes` more of file `name`, of which `so_far` bytes (these included) are read.
    pub(super) fn bytes(&mut self, name: &str, so_far: u64, bytes: u64) -> Result<(), String> {
        if so_far > self.budget.file_bytes {
            return Err(format!(
                "holds `{name}`, larger than the {} MB a file of a pack may be",
                self.budget.file_bytes >> 20
            ));
        }
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.budget.total_bytes {
            return Err(format!(
                "holds more than {} MB of files (at `{name}`), more than a pack may",
                self.budget.total_bytes >> 20
            ));
        }
        Ok(())
    }

    /// The largest file the budget allows.
    pub(super) fn file_limit(&self) -> u64 {
        self.budget.file_bytes
    }
}

/// An entry of a pack, as hashed.
enum Entry {
    /// A regular file: read as a stream.
    File(PathBuf),
    /// A link: its target path (it is not followed).
    Link(PathBuf),
}

/// The SHA-256 of a pack's files (paths and contents, in path order; lock files aside), as hex:
/// what a lock pins besides the commit. A link counts as its target path, so that pointing it
/// elsewhere changes the hash; entries that are neither files nor links hold nothing.
pub(super) fn content_hash(root: &Root) -> Result<String, String> {
    let mut entries = Vec::new();
    let mut tally = Tally::new(BUDGET);
    collect(root.path(), root.path(), &mut entries, &mut tally)
        .map_err(|why| format!("{}: {why}", root.path().display()))?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 << 10];
    for (relative, entry) in entries {
        hasher.update(relative.as_bytes());
        hasher.update([0]);
        match entry {
            Entry::File(path) => {
                let (file, size) = root
                    .open(&path, tally.file_limit())
                    .map_err(|problem| problem.message)?;
                hasher.update(size.to_le_bytes());
                let mut file = file.take(size);
                let mut read = 0;
                loop {
                    let count = file
                        .read(&mut buffer)
                        .map_err(|error| format!("{}: {error}", path.display()))?;
                    if count == 0 {
                        break;
                    }
                    read += count as u64;
                    tally.bytes(&relative, read, count as u64)?;
                    hasher.update(&buffer[..count]);
                }
                if read != size {
                    return Err(format!("{}: changed while it was read", path.display()));
                }
            }
            Entry::Link(target) => {
                // No file is this long: a link never hashes like a file.
                let target = target.to_string_lossy();
                hasher.update(u64::MAX.to_le_bytes());
                hasher.update((target.len() as u64).to_le_bytes());
                hasher.update(target.as_bytes());
            }
        }
    }
    Ok(format!("sha256:{}", hex(&hasher.finalize())))
}

fn collect(
    root: &Path,
    dir: &Path,
    entries: &mut Vec<(String, Entry)>,
    tally: &mut Tally,
) -> Result<(), String> {
    let listed = std::fs::read_dir(dir).map_err(|error| error.to_string())?;
    for entry in listed {
        let entry = entry.map_err(|error| error.to_string())?;
        let path = entry.path();
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        tally.entry(&relative)?;
        let kind = entry.file_type().map_err(|error| error.to_string())?;
        if kind.is_dir() {
            collect(root, &path, entries, tally)?;
        } else if entry.file_name() == super::lock::LOCK {
            continue;
        } else if kind.is_symlink() {
            let target = std::fs::read_link(&path).map_err(|error| error.to_string())?;
            entries.push((relative, Entry::Link(target)));
        } else if kind.is_file() {
            entries.push((relative, Entry::File(path)));
        }
    }
    Ok(())
}

/// Bytes as lowercase hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// A small budget and packs on either side of it, for the tests of each way a pack arrives.
#[cfg(test)]
pub(super) mod budget_cases {
    use super::Budget;

    pub(in crate::requires) const SMALL: Budget = Budget {
        entries: 4,
        file_bytes: 3 << 20,
        total_bytes: 4 << 20,
    };

    /// Packs (files and their sizes) and why each is refused within [`SMALL`] (empty: it fits).
    pub(in crate::requires) const PACKS: [(&[(&str, usize)], &str); 3] = [
        (&[("p/a", 3 << 20), ("p/b", 1 << 20)], ""),
        (
            &[("p/a", 3 << 20), ("p/b", 2 << 20)],
            "holds more than 4 MB of files (at `p/b`), more than a pack may",
        ),
        (
            &[("p/a", (3 << 20) + 1)],
            "holds `p/a`, larger than the 3 MB a file of a pack may be",
        ),
    ];
}
