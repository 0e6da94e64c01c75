//! Property tests over what packs bring besides their suites: `requires:` entries, lock files,
//! archives, pack tests' `expect.yaml`, targets files and the reports `merge-junit` joins. Each
//! is generated from hostile parts (links to a secret, dangling links into a watched directory,
//! FIFOs, `..`, devices, options disguised as refs) or mutated at random, and must end plainly:
//! exit 0 to 3 without a panic, within the budget, every error naming its file, the secret never
//! shown and nothing written where only a dangling link points. `PROPTEST_CASES` sets how many
//! inputs each tries.

use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use ekscheck::format::load_packs;
use ekscheck::pack_test::load_cases;
use ekscheck::plan::Plan;
use ekscheck::report::merge::Merger;
use proptest::prelude::*;

use super::fuzz::{BUDGET, Edit, apply, edit, every_error_is_plain_and_names_its_file};
use super::hostile::{CALL, SUITE, ekscheck_in, fifo, within_deadline};
use crate::support::{Dir, Run};

/// What the secret outside every pack holds.
const CANARY: &str = "AKIACANARYCANARY0002";

/// A workspace: in `home/`, pack `team/` (its `requires:` entry given), pack `dep/`, a valid
/// archive of it, a pack whose manifest is a link to the secret (`linked/`), links to the secret
/// (`secretlink`, `credlink`), a dangling link into the watched `victim/` (`dangling`), a FIFO,
/// and a recording; outside `home/`, the secret (`secret/`: credentials, and a pack of the
/// required name whose failing check's title is the secret) and `victim/`.
fn workspace(requirement: &str) -> Dir {
    let secret_suite = SUITE
        .replace("title: t", &format!("title: {CANARY}"))
        .replace("exists: true", "exists: false");
    let work = Dir::with(&[
        ("home/dep/pack.yaml", "pack: dep\nversion: 1.0.0\n"),
        ("home/dep/s.yaml", SUITE),
        ("home/linked/s.yaml", SUITE),
        ("home/r/x.json", CALL),
        (
            "secret/credentials",
            &format!("aws_access_key_id = {CANARY}\n"),
        ),
        (
            "secret/pack.yaml",
            &format!("pack: dep\nversion: 1.0.0\ndescription: {CANARY}\n"),
        ),
        ("secret/s.yaml", &secret_suite),
    ]);
    team(&work, requirement);
    for dir in ["victim", "cache"] {
        std::fs::create_dir(work.path().join(dir)).expect("a directory");
    }
    let at = |name: &str| work.path().join(name);
    symlink(at("secret"), at("home/secretlink")).expect("a link");
    symlink(at("secret/credentials"), at("home/credlink")).expect("a link");
    symlink(at("secret/credentials"), at("home/linked/pack.yaml")).expect("a link");
    symlink(at("victim/created"), at("home/dangling")).expect("a link");
    fifo(&at("home/fifo"));
    let mut tar = tar::Builder::new(Vec::new());
    tar.append_dir_all("dep", at("home/dep"))
        .expect("an archive");
    write_archive(
        &at("home/dep.tar.gz"),
        tar.into_inner().expect("an archive"),
    );
    work
}

fn team(work: &Dir, requirement: &str) {
    work.write(
        "home/team/pack.yaml",
        &format!("pack: team\nversion: 1.0.0\nrequires:\n  - pack: dep\n{requirement}"),
    );
    work.write("home/team/s.yaml", SUITE);
}

fn write_archive(path: &Path, tar: Vec<u8>) {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&tar).expect("compressed");
    std::fs::write(path, gzip.finish().expect("compressed")).expect("written");
}

/// A repository holding pack `dep` (and a link to the secret), shared by every case: its file
/// URL.
fn repository() -> &'static str {
    static REPOSITORY: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();
    &REPOSITORY
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a directory");
            let source = dir.path().join("source");
            std::fs::create_dir_all(source.join("dep")).expect("a directory");
            std::fs::write(source.join("dep/pack.yaml"), "pack: dep\nversion: 1.0.0\n")
                .expect("a manifest");
            std::fs::write(source.join("dep/s.yaml"), SUITE).expect("a suite");
            std::fs::write(dir.path().join("credentials"), CANARY).expect("a secret");
            symlink(dir.path().join("credentials"), source.join("dep/cred.yaml")).expect("a link");
            symlink(dir.path(), source.join("dep/up")).expect("a link");
            for args in [
                &["init", "--quiet"][..],
                &["add", "-A"],
                &["commit", "--quiet", "-m", "dep"],
                &["tag", "v1.0.0"],
            ] {
                let status = Command::new("git")
                    .current_dir(&source)
                    .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
                    .args(args)
                    .output()
                    .expect("git runs");
                assert!(status.status.success(), "git {args:?}");
            }
            let url = format!("file://{}", source.display());
            (dir, url)
        })
        .1
}

/// `ekscheck ARGS…` (`@NAME` for `work/NAME`) with its cache in `work`.
fn run(work: &Dir, args: &[&str]) -> Run {
    let mut command = ekscheck_in(work, args);
    command.env("EKSCHECK_CACHE", work.join("cache"));
    within_deadline(work, command, true)
}

/// A run ended plainly: an exit code of ours with a message when it is 2, no panic, no secret
/// shown, nothing written through the dangling link, nothing setuid or special in the cache.
fn ended_plainly(run: &Run, work: &Dir) -> Result<(), TestCaseError> {
    prop_assert!(
        (0..=3).contains(&run.code),
        "exit {}\n{}",
        run.code,
        run.stderr
    );
    prop_assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    prop_assert!(
        run.code != 2 || !run.stderr.trim().is_empty(),
        "exit 2, no message"
    );
    for output in [&run.stdout, &run.stderr] {
        prop_assert!(!output.contains(CANARY), "the secret is shown:\n{output}");
    }
    let victim = std::fs::read_dir(work.path().join("victim"))
        .expect("the victim")
        .count();
    prop_assert_eq!(victim, 0, "a file was written through a link");
    if let Some(entry) = special_entry(&work.path().join("cache")) {
        return Err(TestCaseError::fail(format!("the cache holds {entry}")));
    }
    Ok(())
}

/// An entry under `dir` that is setuid, setgid, a device, a FIFO or a socket.
fn special_entry(dir: &Path) -> Option<String> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let metadata = entry.metadata().ok()?;
        let kind = metadata.file_type();
        if metadata.permissions().mode() & 0o6000 != 0
            || !(kind.is_dir() || kind.is_file() || kind.is_symlink())
        {
            return Some(entry.path().display().to_string());
        }
        if kind.is_dir()
            && let Some(found) = special_entry(&entry.path())
        {
            return Some(found);
        }
    }
    None
}

const PATHS: &[&str] = &[
    "../dep",
    "..",
    ".",
    "../../x",
    "/etc",
    "../secretlink",
    "../credlink",
    "../dangling",
    "../fifo",
    "../dep/",
    "~",
    "../nope",
    "../../secret",
    "../team",
    "../linked",
];
const ARCHIVES: &[&str] = &[
    "../dep.tar.gz",
    "../fifo",
    "../credlink",
    "../dep",
    "../dangling",
    "../nope.tar.gz",
    "../secretlink/credentials",
    "../../secret/credentials",
];
const SUBDIRS: &[&str] = &["", "dep", "..", "up", "dep/up", "dep/../..", "/abs", "nope"];
const URLS: &[&str] = &[
    "REPOSITORY",
    "ext::sh -c touch% WORK/victim/pwned",
    "file:///nonexistent.git",
    "https://127.0.0.1:9/x.git",
    "-oProxyCommand=x",
    "git@h:-x",
];
const REFS: &[&str] = &[
    "v1.0.0",
    "HEAD",
    "-x",
    "--output=WORK/victim/o",
    "a..b",
    "$(id)",
];

/// One `requires:` entry's keys (after `pack: dep`), `WORK` and `REPOSITORY` to be replaced.
fn requirement() -> impl Strategy<Value = String> {
    use prop::sample::select;
    prop_oneof![
        select(PATHS).prop_map(|path| format!("    path: \"{path}\"\n")),
        (select(ARCHIVES), select(SUBDIRS)).prop_map(|(archive, subdir)| {
            format!("    tarball: \"{archive}\"\n    subdir: \"{subdir}\"\n")
        }),
        (select(URLS), select(REFS), select(SUBDIRS), any::<bool>()).prop_map(
            |(url, reference, subdir, by_version)| {
                let selector = if by_version {
                    "version: \"^1\"".to_owned()
                } else {
                    format!("ref: \"{reference}\"")
                };
                format!("    git: \"{url}\"\n    {selector}\n    subdir: \"{subdir}\"\n")
            }
        ),
    ]
}

/// A member of a generated archive.
#[derive(Clone, Debug)]
enum Member {
    File(&'static str, u32),
    Dir(&'static str),
    Symlink(&'static str, &'static str),
    HardLink(&'static str, &'static str),
    Fifo(&'static str),
    Device(&'static str),
}

const NAMES: &[&str] = &[
    "dep/pack.yaml",
    "dep/s.yaml",
    "dep/sub/x.yaml",
    "dep",
    "dep/link",
    "dep/link/z.yaml",
    "../victim/x",
    "/victim/y",
    "./dep/./t.yaml",
    "dep/up/victim/z",
];
const TARGETS: &[&str] = &[
    "SECRET",
    "/",
    "..",
    "pack.yaml",
    "WORK/victim",
    "../../../victim",
];

fn member() -> impl Strategy<Value = Member> {
    use prop::sample::select;
    prop_oneof![
        4 => (select(NAMES), select(vec![0o644_u32, 0o4755, 0o2755]))
            .prop_map(|(name, mode)| Member::File(name, mode)),
        1 => select(NAMES).prop_map(Member::Dir),
        2 => (select(NAMES), select(TARGETS)).prop_map(|(n, t)| Member::Symlink(n, t)),
        1 => (select(NAMES), select(NAMES)).prop_map(|(n, t)| Member::HardLink(n, t)),
        1 => select(NAMES).prop_map(Member::Fifo),
        1 => select(NAMES).prop_map(Member::Device),
    ]
}

/// Members, often with a link out of the archive and a file written below it.
fn members() -> impl Strategy<Value = Vec<Member>> {
    (
        prop::collection::vec(member(), 0..8),
        any::<bool>(),
        0..8usize,
    )
        .prop_map(|(mut members, escape, at)| {
            if escape {
                let at = at.min(members.len());
                let pair = [
                    Member::Symlink("dep/link", "WORK/victim"),
                    Member::File("dep/link/z.yaml", 0o644),
                ];
                members.splice(at..at, pair);
            }
            members
        })
}

/// A tar archive of `members` (names written as they are, `..` included).
fn tar_of(members: &[Member], work: &Dir) -> Vec<u8> {
    let place = |text: &str| {
        text.replace("WORK", &work.path().display().to_string())
            .replace("SECRET", &work.join("secret/credentials"))
    };
    let mut tar = tar::Builder::new(Vec::new());
    for member in members {
        let mut header = tar::Header::new_gnu();
        let (name, kind, link, body): (&str, _, Option<String>, &[u8]) = match member {
            Member::File(name, mode) => {
                header.set_mode(*mode);
                let body: &[u8] = if name.ends_with("pack.yaml") {
                    b"pack: dep\nversion: 1.0.0\n"
                } else {
                    SUITE.as_bytes()
                };
                (name, tar::EntryType::Regular, None, body)
            }
            Member::Dir(name) => (name, tar::EntryType::Directory, None, b""),
            Member::Symlink(name, target) => {
                (name, tar::EntryType::Symlink, Some(place(target)), b"")
            }
            Member::HardLink(name, target) => {
                (name, tar::EntryType::Link, Some(place(target)), b"")
            }
            Member::Fifo(name) => (name, tar::EntryType::Fifo, None, b""),
            Member::Device(name) => (name, tar::EntryType::Char, None, b""),
        };
        header.set_entry_type(kind);
        header.set_size(body.len() as u64);
        let gnu = header.as_gnu_mut().expect("a GNU header");
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(link) = link {
            let bytes = link.as_bytes();
            let len = bytes.len().min(gnu.linkname.len());
            gnu.linkname[..len].copy_from_slice(&bytes[..len]);
        }
        header.set_cksum();
        tar.append(&header, body).expect("a member");
    }
    tar.into_inner().expect("an archive")
}

/// What a test case of pack `p` expects, for the expect.yaml property.
const EXPECT: &str = "\
description: a case
vars: { cluster: c1, region: eu-west-1 }
outcomes:
  ROW: OUTCOME
  \"p::s::c[x]\": { outcome: fail, message: \"m {{x}}\" }
others: OTHERS
";

/// What a case may list, and expect of the rows.
const ROWS: &[&str] = &[
    "p::s::c",
    "p::s::nope",
    "\"[\"",
    "\"p::s::c[\"",
    "\"\"",
    "~",
];
const OUTCOMES: &[&str] = &[
    "pass",
    "skip",
    "bogus",
    "[pass]",
    "~",
    "{ outcome: fail, message: 1 }",
    "{ outcome: x }",
    "{ message: m }",
    "{ outcome: pass, extra: 1 }",
    "PASS",
];
const OTHERS: &[&str] = &["pass", "any", "fail", "~", "[any]"];

/// A JUnit report as `ekscheck run --junit` writes it.
const JUNIT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ekscheck" tests="2" failures="1" errors="0" skipped="0" time="0.010">
    <testsuite name="p::s" tests="2" disabled="0" errors="0" failures="1">
        <properties>
            <property name="pack" value="p"/>
        </properties>
        <testcase name="c[a &lt; b]" classname="p::s" time="0.001">
            <failure message="t &amp; u" type="error">t &amp; u
assertion failed at p/s.yaml:7:14
  expected: equals "y"</failure>
        </testcase>
        <testcase name="d" classname="p::s" time="0.001"><![CDATA[x]]></testcase>
    </testsuite>
</testsuites>
"#;

/// Snippets of hostile XML.
const XML_HOSTILE: &[&str] = &[
    "<!DOCTYPE x [<!ENTITY e \"x\">]>",
    "&e;",
    "&#0;",
    "&#xFFFE;",
    "\u{1}",
    "<a>",
    "</a>",
    "]]>",
    "<!--",
    " tests=\"18446744073709551615\"",
    "<testsuites>",
    "\"",
    "&",
    "<?xml version=\"1.0\"?>",
];

/// A mutated targets file.
const TARGETS_FILE: &str = "\
targets:
  - regions: [eu-west-2, us-east-1]
    clusters: all
  - account: \"111122223333\"
    role_arn: arn:aws:iam::111122223333:role/ekscheck-read
    external_id: platform-ci
    regions: [eu-west-1]
    clusters: [prod, staging]
";

fn mutated(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    edits.iter().for_each(|edit| apply(&mut bytes, edit));
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(32),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_requires_entry_is_resolved_or_refused_plainly(
        entry in requirement(),
        locked in any::<bool>(),
    ) {
        let work = workspace("");
        let entry = entry
            .replace("WORK", &work.path().display().to_string())
            .replace("REPOSITORY", repository());
        team(&work, &entry);
        let mut args = vec!["validate", "@home/team"];
        if locked {
            args.push("--locked");
        }
        ended_plainly(&run(&work, &args), &work)?;
        ended_plainly(&run(&work, &["run", "@home/team", "--recording", "@home/r"]), &work)?;
    }

    #[test]
    fn a_tampered_lock_is_used_or_refused_plainly(
        replacement in 0usize..6,
        edits in prop::collection::vec(edit(), 1..4),
        locked in any::<bool>(),
    ) {
        let work = workspace("    path: ../dep\n");
        run(&work, &["validate", "@home/team"]).expect_code(0);
        let lock = work.path().join("home/team/ekscheck.lock");
        let text = std::fs::read_to_string(&lock).expect("a lock");
        std::fs::remove_file(&lock).expect("remove");
        match replacement {
            0 => symlink(work.path().join("secret/credentials"), &lock).expect("a link"),
            1 => symlink(work.path().join("victim/lock"), &lock).expect("a link"),
            2 => std::fs::create_dir(&lock).expect("a directory"),
            3 => fifo(&lock),
            _ => std::fs::write(&lock, mutated(&text, &edits)).expect("a lock"),
        }
        let mut args = vec!["validate", "@home/team"];
        if locked {
            args.push("--locked");
        }
        ended_plainly(&run(&work, &args), &work)?;
        ended_plainly(&run(&work, &["list", "@home/team"]), &work)?;
    }

    #[test]
    fn an_archive_is_extracted_or_refused_plainly(
        members in members(),
        edits in prop::collection::vec(edit(), 0..2),
        subdir in prop::sample::select(SUBDIRS),
    ) {
        let work = workspace(&format!("    tarball: ../gen.tar.gz\n    subdir: \"{subdir}\"\n"));
        let mut bytes = {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gzip.write_all(&tar_of(&members, &work)).expect("compressed");
            gzip.finish().expect("compressed")
        };
        edits.iter().for_each(|edit| apply(&mut bytes, edit));
        std::fs::write(work.path().join("home/gen.tar.gz"), bytes).expect("an archive");
        ended_plainly(&run(&work, &["validate", "@home/team"]), &work)?;
    }

    #[test]
    fn a_mutated_expect_yaml_is_loaded_or_refused_with_located_errors(
        row in prop::sample::select(ROWS),
        outcome in prop::sample::select(OUTCOMES),
        others in prop::sample::select(OTHERS),
        edits in prop::collection::vec(edit(), 0..3),
    ) {
        let work = Dir::with(&[
            ("p/pack.yaml", "pack: p\nversion: 1.0.0\nvars:\n  cluster: { required: true }\n"),
            ("p/s.yaml", SUITE),
            ("p/tests/c1/recording/x.json", CALL),
        ]);
        let expect = work.path().join("p/tests/c1/expect.yaml");
        let case = EXPECT
            .replace("ROW", row)
            .replace("OUTCOME", outcome)
            .replace("OTHERS", others);
        std::fs::write(&expect, mutated(&case, &edits)).expect("a case");
        let started = Instant::now();
        let (packs, diagnostics) = load_packs(&[work.path().join("p")]);
        prop_assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let plan = Plan::build(&packs).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        let mut problems = Vec::new();
        load_cases(&plan, 0, &mut problems);
        prop_assert!(started.elapsed() < BUDGET, "loading took {:?}", started.elapsed());
        if let Err(problem) = every_error_is_plain_and_names_its_file(&problems, work.path()) {
            return Err(TestCaseError::fail(problem));
        }
    }

    #[test]
    fn a_mutated_targets_file_is_loaded_or_refused_with_located_errors(
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let work = Dir::new();
        let path: PathBuf = work.path().join("fleet.yaml");
        std::fs::write(&path, mutated(TARGETS_FILE, &edits)).expect("a targets file");
        let started = Instant::now();
        let loaded = ekscheck::targets::load(&path);
        prop_assert!(started.elapsed() < BUDGET, "loading took {:?}", started.elapsed());
        if let Err(problems) = loaded {
            prop_assert!(!problems.is_empty());
            if let Err(problem) = every_error_is_plain_and_names_its_file(&problems, work.path()) {
                return Err(TestCaseError::fail(problem));
            }
        }
    }

    #[test]
    fn merge_junit_joins_or_refuses_a_mutated_report_and_its_output_joins_again(
        edits in prop::collection::vec(edit(), 0..3),
        inserts in prop::collection::vec((0.0..1.0_f64, 0..XML_HOSTILE.len(), 1usize..3), 0..3),
    ) {
        let mut bytes = mutated(JUNIT, &edits);
        for (at, snippet, times) in inserts {
            let index = ((bytes.len() as f64) * at) as usize;
            bytes.splice(index..index, XML_HOSTILE[snippet].repeat(times).bytes());
        }
        let Ok(xml) = String::from_utf8(bytes) else {
            return Ok(());
        };
        let work = Dir::new();
        let path = work.path().join("share.xml");
        let mut merger = Merger::default();
        merger.add(&work.path().join("first.xml"), JUNIT.to_owned())
            .map_err(|p| TestCaseError::fail(p.to_string()))?;
        match merger.add(&path, xml) {
            Err(problem) => {
                prop_assert!(problem.location.is_some(), "not located: {problem}");
                prop_assert!(problem.to_string().contains("share.xml"), "{problem}");
            }
            Ok(()) => {
                // Well-formed for another parser (expat, as CI's JUnit readers), and for
                // merge-junit itself.
                let merged = merger.finish();
                let written = work.path().join("merged.xml");
                std::fs::write(&written, &merged).expect("written");
                let expat = Command::new("python3")
                    .args(["-c", "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])"])
                    .arg(&written)
                    .output()
                    .expect("python3 runs");
                prop_assert!(
                    expat.status.success(),
                    "{}\n{merged}",
                    String::from_utf8_lossy(&expat.stderr)
                );
                let mut again = Merger::default();
                prop_assert!(
                    again.add(&written, merged.clone()).is_ok(),
                    "the output is not a report merge-junit takes:\n{merged}"
                );
            }
        }
    }
}
