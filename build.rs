//! Sets `EKSCHECK_VERSION`, what `ekscheck --version` prints: the package's version, and the
//! commit and its date when built from this repository's git checkout (`0.2.0 (3128a4a0c
//! 2026-05-01)`). Without git, or outside a checkout (`cargo install` from a tarball), the
//! version alone.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    println!("cargo::rerun-if-changed=build.rs");
    let described = match commit() {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_owned(),
    };
    println!("cargo::rustc-env=EKSCHECK_VERSION={described}");
}

/// `HASH DATE` of the checked-out commit, if this package is the top of a git work tree; it
/// also asks Cargo to run this script again when that commit changes.
fn commit() -> Option<String> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    // A tarball unpacked inside another repository must not claim that repository's commit.
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if !same_dir(Path::new(&top), Path::new(&manifest_dir)) {
        return None;
    }
    // HEAD names the branch; the branch's ref (a file, or a line of packed-refs) the commit.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch])?);
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"])?);
    for path in watched.iter().filter(|path| Path::new(path).exists()) {
        println!("cargo::rerun-if-changed={path}");
    }
    git(&["log", "-1", "--abbrev=9", "--format=%h %cs"])
}

/// The trimmed output of a successful `git ARGS…`, run in the package's directory.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
