//! Hostile packs on disk: a pack, its lock, its tests and the packs it requires (by path, from
//! an archive, from git) come from other teams. Links never take ekscheck outside the pack (a
//! secret they point at is never read, printed or written), the lock is no link, archives and
//! required packs stay within their budget, and each refusal is exit 2 with the reason.

use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use super::hostile::{MANIFEST, SUITE, ekscheck_in, fifo, within_deadline};
use crate::support::{Dir, Run};

/// What the secret outside every pack holds: it must never be shown.
const CANARY: &str = "AKIACANARYCANARY0001";

/// A pack `team/` requiring pack `dep` as `requirement` says, a pack `dep/` beside it, and a
/// secret outside both (`secret/credentials`, and `secret/` as a directory holding a pack).
fn workspace(requirement: &str) -> Dir {
    let work = Dir::with(&[
        (
            "team/pack.yaml",
            &format!("pack: team\nversion: 1.0.0\nrequires:\n  - pack: dep\n{requirement}"),
        ),
        ("team/s.yaml", SUITE),
        ("dep/pack.yaml", "pack: dep\nversion: 1.0.0\n"),
        ("dep/s.yaml", SUITE),
        (
            "secret/credentials",
            &format!("[default]\naws_access_key_id = {CANARY}\n"),
        ),
        (
            "secret/pack.yaml",
            &format!("pack: dep\nversion: 1.0.0\ndescription: {CANARY}\n"),
        ),
        (
            "secret/s.yaml",
            &SUITE.replace("title: t", &format!("title: {CANARY}")),
        ),
    ]);
    std::fs::create_dir(work.path().join("cache")).expect("a cache");
    work
}

/// `ekscheck ARGS…` (`@NAME` for `work/NAME`) with its cache in `work`, to its end.
fn run(work: &Dir, args: &[&str]) -> Run {
    let mut command = ekscheck_in(work, args);
    command.env("EKSCHECK_CACHE", work.join("cache"));
    within_deadline(work, command, true)
}

/// Checks that `args` end with exit 2, saying `message`, and show no secret.
#[track_caller]
fn refused(work: &Dir, args: &[&str], message: &str) -> Run {
    let run = run(work, args);
    assert_eq!(run.code, 2, "{args:?}\n{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(message),
        "{args:?}: no `{message}` in\n{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains(CANARY) && !run.stderr.contains(CANARY),
        "the secret is shown:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

const LINK_OUT: &str = "is a link to a file outside the directory, which ekscheck does not read";

#[test]
fn test_on_a_pack_that_does_not_load_says_why() {
    let work = workspace("    path: ../dep\n");
    refused(
        &work,
        &["test", "@nowhere"],
        "nowhere: is not a pack: there is no pack.yaml",
    );
    work.write("bad/pack.yaml", "pack: [\n");
    refused(&work, &["test", "@bad"], "bad/pack.yaml:1:7");
}

#[test]
fn links_in_a_pack_never_show_a_file_outside_it() {
    let work = workspace("    path: ../dep\n");
    let secret = work.path().join("secret/credentials");
    // The manifest.
    std::fs::remove_file(work.path().join("dep/pack.yaml")).expect("remove");
    symlink(&secret, work.path().join("dep/pack.yaml")).expect("a link");
    refused(&work, &["validate", "@dep"], LINK_OUT);
    refused(&work, &["validate", "@team"], LINK_OUT);
    // A test case's expectations, and its recording.
    let work = workspace("    path: ../dep\n");
    work.write("dep/tests/c1/recording/x.json", super::hostile::CALL);
    symlink(&secret, work.path().join("dep/tests/c1/expect.yaml")).expect("a link");
    refused(&work, &["test", "@dep"], LINK_OUT);
    let work = workspace("    path: ../dep\n");
    work.write("dep/tests/c1/expect.yaml", "outcomes: {}\n");
    symlink(
        work.path().join("secret"),
        work.path().join("dep/tests/c1/recording"),
    )
    .expect("a link");
    refused(&work, &["test", "@dep"], "is a link to a directory");
    // The lock.
    let work = workspace("    path: ../dep\n");
    symlink(&secret, work.path().join("team/ekscheck.lock")).expect("a link");
    refused(
        &work,
        &["validate", "@team"],
        "team/ekscheck.lock: is a link, which ekscheck neither reads nor writes through",
    );
}

#[test]
fn links_in_fetched_packs_never_show_a_file_outside_them() {
    // An archive whose manifest is a link to the secret, or whose `subdir` is a link to a
    // directory holding a pack of the right name.
    let work = workspace("    tarball: ../dep.tar.gz\n    subdir: dep\n");
    let secret = work.path().join("secret");
    archive(&work, "dep.tar.gz", |tar| {
        link(tar, "dep/pack.yaml", &secret.join("credentials"));
        file(tar, "dep/s.yaml", SUITE.as_bytes(), 0o644);
    });
    refused(&work, &["validate", "@team"], LINK_OUT);
    archive(&work, "dep.tar.gz", |tar| link(tar, "dep", &secret));
    refused(
        &work,
        &["validate", "@team"],
        "is a link to a directory outside",
    );
    // A repository whose manifest is a link to the secret.
    let work = workspace("");
    let source = work.path().join("source");
    std::fs::create_dir_all(source.join("dep")).expect("a repository");
    std::fs::write(source.join("dep/s.yaml"), SUITE).expect("a suite");
    symlink(
        work.path().join("secret/credentials"),
        source.join("dep/pack.yaml"),
    )
    .expect("a link");
    git(&source, &["init", "--quiet"]);
    git(&source, &["add", "-A"]);
    git(&source, &["commit", "--quiet", "-m", "dep"]);
    let url = format!("file://{}", source.display());
    work.write(
        "team/pack.yaml",
        &format!(
            "pack: team\nversion: 1.0.0\nrequires:\n  - pack: dep\n    git: \"{url}\"\n    subdir: dep\n    ref: HEAD\n"
        ),
    );
    refused(&work, &["validate", "@team"], LINK_OUT);
}

#[test]
fn a_lock_that_is_a_link_is_neither_read_nor_written_through() {
    let work = workspace("    path: ../dep\n");
    std::fs::create_dir(work.path().join("outside")).expect("a directory");
    let dangling = work.path().join("outside/created-by-ekscheck");
    symlink(&dangling, work.path().join("team/ekscheck.lock")).expect("a link");
    for command in ["validate", "list"] {
        refused(&work, &[command, "@team"], "is a link");
    }
    refused(
        &work,
        &["run", "@team", "--recording", "@team"],
        "is a link",
    );
    assert!(!dangling.exists(), "a file was written through the link");
    // Without the link, the lock is written as a file of the pack: renamed into place, with
    // no temporary file left.
    std::fs::remove_file(work.path().join("team/ekscheck.lock")).expect("remove");
    run(&work, &["validate", "@team"]).expect_code(0);
    let lock = work.path().join("team/ekscheck.lock");
    assert!(std::fs::symlink_metadata(&lock).expect("a lock").is_file());
    let names: Vec<String> = std::fs::read_dir(work.path().join("team"))
        .expect("the pack")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn the_lock_hash_covers_links() {
    let work = workspace("    path: ../dep\n");
    std::fs::rename(
        work.path().join("dep/s.yaml"),
        work.path().join("dep/one.yaml"),
    )
    .expect("mv");
    work.write("dep/two.yml", &SUITE.replace("id: c", "id: other"));
    symlink("one.yaml", work.path().join("dep/s.yaml")).expect("a link");
    run(&work, &["validate", "@team"]).expect_code(0);
    run(&work, &["validate", "--locked", "@team"]).expect_code(0);
    std::fs::remove_file(work.path().join("dep/s.yaml")).expect("remove");
    symlink("two.yml", work.path().join("dep/s.yaml")).expect("a link");
    refused(
        &work,
        &["validate", "--locked", "@team"],
        "the files of `dep` differ from those ekscheck.lock was written for",
    );
}

#[test]
fn archives_are_read_within_their_budget() {
    let work = workspace("    tarball: ../dep.tar.gz\n    subdir: dep\n");
    // A FIFO is not read (it would block), nor a file larger than an archive may be.
    fifo(&work.path().join("dep.tar.gz"));
    refused(
        &work,
        &["validate", "@team"],
        "is not a regular file but a FIFO",
    );
    std::fs::remove_file(work.path().join("dep.tar.gz")).expect("remove");
    sparse(&work.path().join("dep.tar.gz"), 3 << 30);
    refused(
        &work,
        &["validate", "@team"],
        "is larger than the limit of 64 MB",
    );
    // A member beyond the budget (the gzip bomb: 1 GB of zeros): refused by its header, before
    // it is read; nothing stays in the cache. (The budget of all members is a unit test's.)
    archive(&work, "dep.tar.gz", |tar| {
        file(tar, "dep/pack.yaml", MANIFEST.as_bytes(), 0o644);
        let mut header = tar::Header::new_gnu();
        header.set_size(1 << 30);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_path("dep/big.bin").expect("a name");
        header.set_cksum();
        tar.append(&header, std::io::empty()).expect("a member");
    });
    refused(
        &work,
        &["validate", "@team"],
        "holds `dep/big.bin`, larger than the 100 MB a file of a pack may be",
    );
    assert_eq!(
        usage(&work.path().join("cache")),
        0,
        "the cache keeps a part"
    );
}

#[test]
fn archives_keep_no_device_owner_setuid_nor_write_through_links() {
    let work = workspace("    tarball: ../dep.tar.gz\n    subdir: dep\n");
    let pack = |tar: &mut tar::Builder<Vec<u8>>| {
        file(tar, "dep/pack.yaml", b"pack: dep\nversion: 1.0.0\n", 0o644);
        file(tar, "dep/s.yaml", SUITE.as_bytes(), 0o644);
    };
    archive(&work, "dep.tar.gz", |tar| {
        pack(tar);
        file(tar, "dep/tool", b"#!/bin/sh\n", 0o4755);
    });
    run(&work, &["validate", "@team"]).expect_code(0);
    let extracted = std::fs::read_dir(work.path().join("cache/tarballs"))
        .expect("the cache")
        .next()
        .expect("an archive")
        .expect("an entry")
        .path();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(extracted.join("dep/tool"))
            .expect("the file")
            .permissions(),
    );
    assert_eq!(mode & 0o7111, 0, "mode {mode:o} kept");
    // A device, a FIFO, a member out of the directory, one through a link of the archive.
    let victim = work.path().join("victim");
    std::fs::create_dir(&victim).expect("a directory");
    for (kind, message) in [
        (tar::EntryType::Char, "holds `dep/dev`, a device"),
        (tar::EntryType::Fifo, "holds `dep/dev`, a FIFO"),
    ] {
        archive(&work, "dep.tar.gz", |tar| {
            pack(tar);
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_path("dep/dev").expect("a name");
            header.set_size(0);
            header.set_cksum();
            tar.append(&header, std::io::empty()).expect("a member");
        });
        refused(&work, &["validate", "@team"], message);
    }
    archive(&work, "dep.tar.gz", |tar| {
        pack(tar);
        let mut header = tar::Header::new_gnu();
        header.as_gnu_mut().expect("gnu").name[..14].copy_from_slice(b"../victim/x.sh");
        header.set_size(2);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        tar.append(&header, &b"x\n"[..]).expect("a member");
    });
    refused(
        &work,
        &["validate", "@team"],
        "which would be written outside",
    );
    archive(&work, "dep.tar.gz", |tar| {
        pack(tar);
        link(tar, "dep/out", &victim);
        file(tar, "dep/out/x.sh", b"x\n", 0o644);
    });
    refused(
        &work,
        &["validate", "@team"],
        "below `dep/out`, which is no directory",
    );
    assert_eq!(std::fs::read_dir(&victim).expect("the victim").count(), 0);
}

#[test]
fn a_required_directory_is_hashed_only_once_it_holds_a_pack_and_within_the_budget() {
    // The parent of the pack (no manifest there) holding a large file: refused at once.
    let work = workspace("    path: ..\n");
    sparse(&work.path().join("big.bin"), 3 << 30);
    refused(
        &work,
        &["validate", "@team"],
        ".. holds no pack: there is no pack.yaml",
    );
    let work = workspace("    path: ../dep\n");
    sparse(&work.path().join("dep/big.bin"), 3 << 30);
    refused(
        &work,
        &["validate", "@team"],
        "big.bin: is larger than the limit of 100 MB",
    );
}

/// Writes the gzipped tar archive `name` in `work`, its members added by `members`.
fn archive(work: &Dir, name: &str, members: impl FnOnce(&mut tar::Builder<Vec<u8>>)) {
    let mut tar = tar::Builder::new(Vec::new());
    members(&mut tar);
    let bytes = tar.into_inner().expect("an archive");
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&bytes).expect("compressed");
    std::fs::write(work.path().join(name), gzip.finish().expect("compressed")).expect("written");
}

fn file(tar: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8], mode: u32) {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(mode);
    header.set_cksum();
    tar.append_data(&mut header, path, bytes).expect("a member");
}

fn link(tar: &mut tar::Builder<Vec<u8>>, path: &str, target: &Path) {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    tar.append_link(&mut header, path, target).expect("a link");
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A file of `size` bytes that takes no room on disk.
fn sparse(path: &Path, size: u64) {
    std::fs::File::create(path)
        .and_then(|file| file.set_len(size))
        .expect("a sparse file");
}

/// The bytes the files under `dir` take.
fn usage(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let metadata = entry.metadata().expect("metadata");
        total += if metadata.is_dir() {
            usage(&entry.path())
        } else {
            metadata.len()
        };
    }
    total
}
