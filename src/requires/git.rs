//! Packs from git, through the `git` command: a bare mirror per repository and a checkout per
//! commit, both in ekscheck's cache, so that a second run needs no network.
//!
//! Only https, ssh and file URLs reach here (the loader refuses others), and git is told to
//! allow no other protocol either: a pack cannot make git run a program (`ext::`). A commit is
//! checked out only if its tree fits in the [`Budget`] of a pack, as an archive is extracted.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::contents::{Budget, Tally, hex};

/// The cache directory: `EKSCHECK_CACHE`, else `$XDG_CACHE_HOME/ekscheck`, else
/// `~/.cache/ekscheck`.
pub(super) fn cache_dir() -> Result<PathBuf, String> {
    let from = |var: &str| std::env::var_os(var).filter(|value| !value.is_empty());
    from("EKSCHECK_CACHE")
        .map(PathBuf::from)
        .or_else(|| from("XDG_CACHE_HOME").map(|dir| PathBuf::from(dir).join("ekscheck")))
        .or_else(|| from("HOME").map(|home| PathBuf::from(home).join(".cache/ekscheck")))
        .ok_or_else(|| "no cache directory: set EKSCHECK_CACHE".to_owned())
}

/// A repository's bare mirror in the cache.
pub(super) struct Mirror {
    url: String,
    dir: PathBuf,
}

impl Mirror {
    /// The mirror of `url` (not fetched yet).
    pub(super) fn new(cache: &Path, url: &str) -> Self {
        let digest = hex(&Sha256::digest(url.as_bytes()));
        Self {
            url: url.to_owned(),
            dir: cache.join("git").join(&digest[..16]),
        }
    }

    /// Clones the repository, or fetches what is new in it.
    pub(super) fn fetch(&self) -> Result<(), String> {
        if self.dir.join("HEAD").is_file() {
            git(
                &self.dir,
                &[
                    "fetch",
                    "--quiet",
                    "--force",
                    "--tags",
                    "origin",
                    "+refs/heads/*:refs/heads/*",
                ],
            )
        } else {
            std::fs::create_dir_all(&self.dir).map_err(|error| error.to_string())?;
            let dir = self.dir.to_string_lossy().into_owned();
            let cloned = run(
                Command::new("git").args(["clone", "--bare", "--quiet", "--", &self.url, &dir])
            );
            if cloned.is_err() {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            cloned.map(drop)
        }
    }

    /// The commit a tag, branch or commit name stands for, if the mirror has it.
    pub(super) fn commit(&self, reference: &str) -> Option<String> {
        if !self.dir.join("HEAD").is_file() {
            return None;
        }
        let spec = format!("{reference}^{{commit}}");
        output(
            &self.dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )
        .ok()
    }

    /// The repository's tags.
    pub(super) fn tags(&self) -> Result<Vec<String>, String> {
        output(&self.dir, &["tag", "--list"]).map(|text| text.lines().map(str::to_owned).collect())
    }

    /// The files of `commit`, checked out once into the cache if its tree fits in `budget`.
    pub(super) fn checkout(
        &self,
        cache: &Path,
        commit: &str,
        budget: Budget,
    ) -> Result<PathBuf, String> {
        let target = cache.join("checkouts").join(commit);
        if target.is_dir() {
            return Ok(target);
        }
        self.fits(commit, budget)
            .map_err(|why| format!("{} at {}: {why}", self.url, short(commit)))?;
        let partial = cache.join("checkouts").join(format!("{commit}.partial"));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).map_err(|error| error.to_string())?;
        let index = cache.join("checkouts").join(format!("{commit}.index"));
        let work_tree = format!("--work-tree={}", partial.display());
        let checked_out = run(Command::new("git")
            .arg(format!("--git-dir={}", self.dir.display()))
            .arg(&work_tree)
            .args(["checkout", "--quiet", "--force", commit, "--", "."])
            .env("GIT_INDEX_FILE", &index));
        let _ = std::fs::remove_file(&index);
        checked_out?;
        std::fs::rename(&partial, &target).map_err(|error| error.to_string())?;
        Ok(target)
    }

    /// Whether the tree of `commit` fits in `budget`, counted from git's listing of it (every
    /// entry, and each file's size) before anything is written.
    fn fits(&self, commit: &str, budget: Budget) -> Result<(), String> {
        let listing = output(
            &self.dir,
            &["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit],
        )?;
        let mut tally = Tally::new(budget);
        for record in listing.split('\0').filter(|record| !record.is_empty()) {
            // `MODE TYPE OBJECT SIZE\tPATH`, the size `-` for all but files.
            let (fields, path) = record.split_once('\t').unwrap_or((record, ""));
            tally.entry(path)?;
            if let Some(size) = fields
                .split_whitespace()
                .nth(3)
                .and_then(|size| size.parse().ok())
            {
                tally.bytes(path, size, size)?;
            }
        }
        Ok(())
    }
}

/// A commit's name as messages show it: its first 12 digits.
pub(super) fn short(commit: &str) -> &str {
    &commit[..12.min(commit.len())]
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    output(dir, args).map(drop)
}

fn output(dir: &Path, args: &[&str]) -> Result<String, String> {
    run(Command::new("git")
        .arg(format!("--git-dir={}", dir.display()))
        .args(args))
}

/// Runs git with only safe protocols and no prompt; its output, or the first line it
/// complained with.
fn run(command: &mut Command) -> Result<String, String> {
    let output = command
        .env("GIT_ALLOW_PROTOCOL", "https:ssh:file")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        return Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let reason = stderr
        .lines()
        .find(|line| line.starts_with("fatal:") || line.starts_with("error:"))
        .or_else(|| stderr.lines().next())
        .unwrap_or("git failed");
    Err(reason
        .trim_start_matches("fatal: ")
        .trim_start_matches("error: ")
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requires::contents::budget_cases::{PACKS, SMALL};

    /// A repository of `files` (path and size), mirrored into `cache`, and its commit.
    fn mirrored(cache: &Path, files: &[(&str, usize)]) -> (Mirror, String) {
        let source = cache.join("source");
        for (path, size) in files {
            let path = source.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, vec![b'x'; *size]).unwrap();
        }
        for args in [
            &["init", "--quiet"][..],
            &["add", "-A"],
            &["commit", "--quiet", "-m", "p"],
        ] {
            run(Command::new("git")
                .current_dir(&source)
                .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
                .args(args))
            .unwrap();
        }
        let mirror = Mirror::new(cache, &format!("file://{}", source.display()));
        mirror.fetch().unwrap();
        let commit = mirror.commit("HEAD").unwrap();
        (mirror, commit)
    }

    /// Why the commit of `files` is not checked out within [`SMALL`] (empty if it is).
    fn refusal(files: &[(&str, usize)]) -> String {
        let cache = tempfile::tempdir().unwrap();
        let (mirror, commit) = mirrored(cache.path(), files);
        match mirror.checkout(cache.path(), &commit, SMALL) {
            Ok(dir) => {
                assert!(dir.join(files[0].0).is_file());
                String::new()
            }
            Err(why) => {
                assert!(!cache.path().join("checkouts").exists(), "nothing written");
                let prefix = format!("{} at {}: ", mirror.url, short(&commit));
                why.strip_prefix(&prefix).unwrap_or(&why).to_owned()
            }
        }
    }

    #[test]
    fn a_commit_is_checked_out_only_within_the_budget_of_a_pack() {
        for (files, why) in PACKS {
            assert_eq!(refusal(files), why, "{files:?}");
        }
        // Directories count, as in an archive: `p` and four files are five entries.
        assert_eq!(
            refusal(&[("p/a", 1), ("p/b", 1), ("p/c", 1), ("p/d", 1)]),
            "holds more than 4 files (at `p/d`), more than a pack may"
        );
    }
}
