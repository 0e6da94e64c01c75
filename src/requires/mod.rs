//! `requires:`: the packs a pack builds on — found by path, or fetched from git into ekscheck's
//! cache — pinned by the pack's `ekscheck.lock`, and loaded with the packs given, each once.

mod contents;
mod git;
mod lock;
mod tarball;

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::format::{MANIFEST, Pack, Requirement, Selector, Source, load_packs};
use crate::input::Root;
use contents::{BUDGET, content_hash};
use git::{Mirror, cache_dir};
pub(crate) use lock::LOCK;
use lock::Locked;

/// Loads the packs in `dirs` and, transitively, the packs they require. With `locked`, every
/// requirement must resolve exactly as its pack's lock says, and no lock is written.
pub fn load(dirs: &[PathBuf], locked: bool) -> (Vec<Pack>, Vec<Diagnostic>) {
    let (mut packs, mut problems) = load_packs(dirs);
    // For each pack, the pack that required it.
    let mut parents: Vec<Option<usize>> = vec![None; packs.len()];
    let mut index = 0;
    while index < packs.len() {
        for (dir, requirement) in resolve_pack(&packs[index], locked, &mut problems) {
            let mut chain = vec![packs[index].name.as_str()];
            let mut parent = parents[index];
            while let Some(at) = parent {
                chain.push(&packs[at].name);
                parent = parents[at];
            }
            if chain.contains(&requirement.pack.as_str()) {
                let cycle: Vec<&str> = chain.iter().rev().copied().collect();
                problems.push(
                    Diagnostic::error(
                        requirement.location.clone(),
                        format!(
                            "packs require each other in a cycle: {} → {}",
                            cycle.join(" → "),
                            requirement.pack
                        ),
                    )
                    .with_help("a pack cannot (indirectly) require itself: remove one requirement"),
                );
                continue;
            }
            if let Some(existing) = packs.iter().find(|pack| pack.name == requirement.pack) {
                if !same_dir(&existing.dir, &dir) {
                    problems.push(
                        Diagnostic::error(
                            requirement.location.clone(),
                            format!(
                                "pack `{}` is required from two places: {} and {}",
                                requirement.pack,
                                existing.dir.display(),
                                dir.display()
                            ),
                        )
                        .with_help("require the same version of it everywhere"),
                    );
                }
                continue;
            }
            let (loaded, found) = load_packs(std::slice::from_ref(&dir));
            problems.extend(found);
            for pack in loaded {
                if pack.name != requirement.pack {
                    problems.push(Diagnostic::error(
                        requirement.location.clone(),
                        format!(
                            "{} holds pack `{}`, not `{}`",
                            dir.display(),
                            pack.name,
                            requirement.pack
                        ),
                    ));
                    continue;
                }
                packs.push(pack);
                parents.push(Some(index));
            }
        }
        index += 1;
    }
    (packs, problems)
}

fn same_dir(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
}

/// The directory each requirement of `pack` resolves to; updates the pack's lock unless
/// `locked`.
fn resolve_pack(
    pack: &Pack,
    locked: bool,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, Requirement)> {
    if pack.requires.is_empty() {
        return Vec::new();
    }
    let lock = match lock::read(&pack.dir) {
        Ok(lock) => lock,
        Err(problem) => {
            problems.push(problem);
            return Vec::new();
        }
    };
    if locked && lock.is_none() {
        problems.push(
            Diagnostic::file(
                &pack.dir.join(LOCK),
                "is missing, and --locked runs only with it",
            )
            .with_help("run once without --locked to write it, review it and commit it"),
        );
        return Vec::new();
    }
    let previous = lock.unwrap_or_default();
    let mut entries = Vec::new();
    let mut resolved = Vec::new();
    for requirement in &pack.requires {
        let earlier = previous.iter().find(|entry| entry.pack == requirement.pack);
        match resolve(requirement, &pack.dir, earlier, locked) {
            Ok((dir, entry)) => {
                entries.push(entry);
                resolved.push((dir, requirement.clone()));
            }
            Err(problem) => problems.push(problem),
        }
    }
    let complete = entries.len() == pack.requires.len();
    if !locked
        && complete
        && entries != previous
        && let Err(problem) = lock::write(&pack.dir, &entries)
    {
        problems.push(problem);
    }
    resolved
}

/// Where `requirement` of the pack in `pack_dir` is, and its lock entry. `earlier` is the
/// pack's lock entry for it, if any: a git requirement that still matches it stays at its commit.
fn resolve(
    requirement: &Requirement,
    pack_dir: &Path,
    earlier: Option<&Locked>,
    locked: bool,
) -> Result<(PathBuf, Locked), Diagnostic> {
    let at = |message: String| Diagnostic::error(requirement.location.clone(), message);
    let (source, asked) = match &requirement.source {
        Source::Path(path) => (format!("path:{path}"), None),
        Source::Tarball { path, subdir } => (format!("tarball:{path}//{subdir}"), None),
        Source::Git {
            url,
            subdir,
            selector,
        } => {
            let asked = match selector {
                Selector::Version(range) | Selector::Ref(range) => range.clone(),
            };
            (format!("git:{url}//{subdir}"), Some(asked))
        }
    };
    let matching = earlier.filter(|entry| entry.source == source && entry.requirement == asked);
    if locked && matching.is_none() {
        return Err(at(format!(
            "`{}` is not in {LOCK} as required here: the lock is stale",
            requirement.pack
        ))
        .with_help("run without --locked to update the lock, review it and commit it"));
    }
    // A problem of a file or directory, located at the requirement.
    let located = |problem: Diagnostic| Diagnostic {
        location: Some(requirement.location.clone()),
        ..problem
    };
    let (root, commit) = match &requirement.source {
        Source::Path(path) => {
            let (home, dir) = local(pack_dir, path).map_err(at)?;
            let root = home.subdir(&dir).map_err(located)?;
            if !holds_pack(&root).map_err(located)? {
                return Err(at(format!("{path} holds no pack: there is no {MANIFEST}"))
                    .with_help("`path` is the required pack's directory"));
            }
            (root, None)
        }
        Source::Tarball { path, subdir } => {
            let (home, archive) = local(pack_dir, path).map_err(at)?;
            let (file, size) = home
                .open(&archive, tarball::ARCHIVE_LIMIT)
                .map_err(located)?;
            let cache = cache_dir().map_err(at)?;
            let extracted = tarball::extract(&cache, file, size, &archive).map_err(at)?;
            let root = pack_in(&extracted, subdir)
                .map_err(located)?
                .ok_or_else(|| {
                    at(format!("{path} has no pack in `{subdir}`"))
                        .with_help("`subdir` is the pack's directory in the archive")
                })?;
            (root, None)
        }
        Source::Git {
            url,
            subdir,
            selector,
        } => {
            let cache = cache_dir().map_err(at)?;
            let mirror = Mirror::new(&cache, url);
            let commit = match matching.and_then(|entry| entry.commit.clone()) {
                Some(commit) => {
                    if mirror.commit(&commit).is_none() {
                        mirror
                            .fetch()
                            .map_err(|reason| at(format!("cannot fetch {url}: {reason}")))?;
                    }
                    mirror.commit(&commit).ok_or_else(|| {
                        at(format!("{url} has no commit {commit}, which {LOCK} names"))
                    })?
                }
                None => {
                    mirror.fetch().map_err(|reason| {
                        at(format!("cannot fetch {url}: {reason}")).with_help(
                            "check the URL, and that git can reach it with your credentials",
                        )
                    })?;
                    select(&mirror, url, selector).map_err(at)?
                }
            };
            let checkout = mirror.checkout(&cache, &commit, BUDGET).map_err(at)?;
            let root = pack_in(&checkout, subdir)
                .map_err(located)?
                .ok_or_else(|| {
                    at(format!(
                        "{url} has no pack in `{subdir}` at {}",
                        git::short(&commit)
                    ))
                    .with_help("`subdir` is the pack's directory in the repository")
                })?;
            (root, Some(commit))
        }
    };
    // Hashed only once it holds a pack, as a stream, within the budget of a pack.
    let hash = content_hash(&root).map_err(at)?;
    if let Some(entry) = matching
        && entry.hash != hash
        && (locked || entry.commit.is_some())
    {
        return Err(at(format!(
            "the files of `{}` differ from those {LOCK} was written for",
            requirement.pack
        ))
        .with_help(match &commit {
            Some(_) => "the cached copy changed: delete ekscheck's cache (EKSCHECK_CACHE) to fetch it again",
            None => "run without --locked to update the lock, review it and commit it",
        }));
    }
    let dir = root.path().to_path_buf();
    let entry = Locked {
        pack: requirement.pack.clone(),
        source,
        requirement: asked,
        commit,
        hash,
    };
    Ok((dir, entry))
}

/// Where `path`, of a requirement of the pack in `pack_dir`, is: relative to the pack's
/// directory, inside the directory that holds it (returned: a pack reads no files elsewhere).
fn local(pack_dir: &Path, path: &str) -> Result<(Root, PathBuf), String> {
    let target = pack_dir.join(path);
    let canonical = std::fs::canonicalize(&target)
        .map_err(|error| format!("cannot read {}: {error}", target.display()))?;
    let home = std::fs::canonicalize(pack_dir)
        .ok()
        .and_then(|pack| pack.parent().map(Path::to_path_buf))
        .filter(|home| canonical.starts_with(home))
        .ok_or_else(|| {
            format!(
                "{} is outside the directory that holds this pack",
                target.display()
            )
        })?;
    let home = Root::new(&home).map_err(|problem| problem.message)?;
    Ok((home, target))
}

/// The pack directory `subdir` of a fetched pack (extracted or checked out at `fetched`), if it
/// holds a pack: it may not be reached through a link that leaves `fetched`.
fn pack_in(fetched: &Path, subdir: &str) -> Result<Option<Root>, Diagnostic> {
    let dir = fetched.join(subdir);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Ok(None);
    }
    let root = Root::new(fetched)?.subdir(&dir)?;
    Ok(holds_pack(&root)?.then_some(root))
}

/// Whether `root` holds a pack: its manifest is there, and readable inside it (a link that
/// leaves it, or a FIFO, is refused as such).
fn holds_pack(root: &Root) -> Result<bool, Diagnostic> {
    let manifest = root.path().join(MANIFEST);
    if std::fs::symlink_metadata(&manifest).is_err() {
        return Ok(false);
    }
    root.open(&manifest, crate::input::YAML_LIMIT)?;
    Ok(true)
}

/// The commit of the highest tag matching a version range, or of a ref.
fn select(mirror: &Mirror, url: &str, selector: &Selector) -> Result<String, String> {
    match selector {
        Selector::Ref(reference) => mirror
            .commit(reference)
            .ok_or_else(|| format!("{url} has no tag, branch or commit `{reference}`")),
        Selector::Version(range) => {
            let requirement =
                semver::VersionReq::parse(range).map_err(|error| error.to_string())?;
            let tags = mirror.tags()?;
            let best = tags
                .iter()
                .filter_map(|tag| {
                    let version = semver::Version::parse(tag.trim_start_matches('v')).ok()?;
                    requirement.matches(&version).then_some((version, tag))
                })
                .max();
            let (_, tag) = best.ok_or_else(|| {
                format!(
                    "no tag of {url} matches `{range}` (tags: {})",
                    tags.join(", ")
                )
            })?;
            mirror
                .commit(tag)
                .ok_or_else(|| format!("{url}: tag {tag} names no commit"))
        }
    }
}
