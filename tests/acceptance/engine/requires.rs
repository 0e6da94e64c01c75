//! `requires:`: a pack builds on another, by path or from git (a tag range or a ref), using its
//! calls (`PACK::CALL`) and needing its checks (`PACK::SUITE/ID`); `ekscheck.lock` pins each
//! requirement (commit and content hash), `--locked` refuses a missing or stale lock, and the
//! cache makes a second run offline. Git repositories here are local (file URLs), never the
//! network.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{Dir, Run, command, run_command};

/// The pack other packs build on: one call and one check, at `version`.
fn base(version: &str) -> Vec<(String, String)> {
    vec![
        (
            "pack.yaml".into(),
            format!(
                "pack: base\nversion: {version}\nvars:\n  cluster: {{ required: true }}\ncalls:\n  cluster:\n    api: eks:DescribeCluster\n    params: {{ name: '{{{{vars.cluster}}}}' }}\n"
            ),
        ),
        (
            "cluster.yaml".into(),
            "checks:\n  - id: active\n    title: Cluster is ACTIVE\n    on: cluster\n    expect: [{ path: $.cluster.status, equals: ACTIVE }]\n".into(),
        ),
    ]
}

const TEAM_CHECKS: &str = "\
checks:
  - id: current
    title: Cluster runs 1.31
    needs: [base::cluster/active]
    on: base::cluster
    expect: [{ path: $.cluster.version, equals: '1.31' }]
";

fn team(requirement: &str) -> String {
    format!(
        "pack: team\nversion: 0.1.0\nvars:\n  cluster: {{ required: true }}\nrequires:\n  - pack: base\n{requirement}"
    )
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// A repository holding the base pack under `packs/base`, tagged `v1.0.0`, `v1.1.0`, `v2.0.0`;
/// its bare clone's file URL.
fn repository(work: &Dir) -> String {
    let source = work.path().join("source");
    std::fs::create_dir_all(&source).unwrap();
    git(&source, &["init", "--quiet"]);
    for version in ["1.0.0", "1.1.0", "2.0.0"] {
        for (path, text) in base(version) {
            work.write(&format!("source/packs/base/{path}"), &text);
        }
        git(&source, &["add", "-A"]);
        git(&source, &["commit", "--quiet", "-m", version]);
        git(&source, &["tag", &format!("v{version}")]);
    }
    git(
        work.path(),
        &["clone", "--quiet", "--bare", "source", "packs.git"],
    );
    format!("file://{}", work.path().join("packs.git").display())
}

fn recording(work: &Dir) -> String {
    work.write(
        "recording/cluster.json",
        &json!({"api": "eks:DescribeCluster", "params": {"name": "c1"},
                "response": {"cluster": {"status": "ACTIVE", "version": "1.30"}}})
        .to_string(),
    );
    work.join("recording")
}

/// `ekscheck ARGS…` with its cache in `work`.
fn ekscheck(work: &Dir, args: &[&str]) -> Run {
    run_command(
        command()
            .env("EKSCHECK_CACHE", work.join("cache"))
            .args(args),
    )
}

/// `ekscheck run` of pack `team/` on the recording of cluster `c1`, with `extra` arguments.
fn run_team(work: &Dir, extra: &[&str]) -> Run {
    let recording = recording(work);
    let pack = work.join("team");
    let mut args = vec![
        "run",
        &pack,
        "--recording",
        &recording,
        "--var",
        "cluster=c1",
    ];
    args.extend_from_slice(extra);
    ekscheck(work, &args)
}

fn locked_commit(work: &Dir) -> String {
    let lock = std::fs::read_to_string(work.path().join("team/ekscheck.lock")).expect("a lock");
    let line = lock
        .lines()
        .find(|l| l.trim_start().starts_with("commit:"))
        .expect("a commit");
    line.split('"').nth(1).expect("quoted").to_owned()
}

fn commit_of(work: &Dir, tag: &str) -> String {
    let output = Command::new("git")
        .current_dir(work.path().join("source"))
        .args(["rev-parse", tag])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn a_pack_from_git_is_pinned_by_the_lock_and_runs_offline_once_fetched() {
    let work = Dir::new();
    let url = repository(&work);
    work.write(
        "team/pack.yaml",
        &team(&format!(
            "    git: \"{url}\"\n    subdir: packs/base\n    version: \"^1.0\"\n"
        )),
    );
    work.write("team/checks.yaml", TEAM_CHECKS);
    let pack = work.join("team");
    run_team(&work, &[])
        .expect_code(1)
        .expect_stdout_contains("test team::checks::current ... FAILED")
        .expect_stdout_contains("test base::cluster::active ... ok");
    // The highest tag in range, pinned.
    assert_eq!(locked_commit(&work), commit_of(&work, "v1.1.0"));
    // A newer tag in range changes nothing while the lock stands.
    let source = work.path().join("source");
    for (path, text) in base("1.2.0") {
        work.write(&format!("source/packs/base/{path}"), &text);
    }
    git(&source, &["commit", "--quiet", "-am", "1.2.0"]);
    git(&source, &["tag", "v1.2.0"]);
    git(
        &source,
        &[
            "push",
            "--quiet",
            "--tags",
            "../packs.git",
            "HEAD:refs/heads/main",
        ],
    );
    ekscheck(&work, &["validate", &pack]).expect_code(0);
    assert_eq!(locked_commit(&work), commit_of(&work, "v1.1.0"));
    // Offline: the repository is gone, the cache and the lock suffice; an override skips a
    // check of the required pack by its name.
    std::fs::rename(work.path().join("packs.git"), work.path().join("gone.git")).unwrap();
    let overrides = work.write(
        "team.yaml",
        "checks:\n  base::cluster::active: { skip: checked by the platform team }\n",
    );
    run_team(
        &work,
        &["--locked", "--overrides", overrides.to_str().unwrap()],
    )
    .expect_code(0)
    .expect_stdout_contains("ignored (overridden: checked by the platform team)")
    .expect_stdout_contains("ignored (needs active (skipped))");
}

#[test]
fn locked_refuses_a_missing_or_stale_lock() {
    let work = Dir::new();
    let url = repository(&work);
    let requirement = |range: &str| {
        team(&format!(
            "    git: \"{url}\"\n    subdir: packs/base\n    version: \"{range}\"\n"
        ))
    };
    work.write("team/pack.yaml", &requirement("^1.0"));
    work.write("team/checks.yaml", TEAM_CHECKS);
    let pack = work.join("team");
    let run = ekscheck(&work, &["validate", "--locked", &pack]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("ekscheck.lock: is missing, and --locked runs only with it"),
        "{}",
        run.stderr
    );
    ekscheck(&work, &["validate", &pack]).expect_code(0);
    ekscheck(&work, &["validate", "--locked", &pack]).expect_code(0);
    work.write("team/pack.yaml", &requirement("^2.0"));
    let run = ekscheck(&work, &["validate", "--locked", &pack]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("`base` is not in ekscheck.lock as required here: the lock is stale"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("undefined call"),
        "no cascade: {}",
        run.stderr
    );
    ekscheck(&work, &["validate", &pack]).expect_code(0);
    assert_eq!(locked_commit(&work), commit_of(&work, "v2.0.0"));
}

#[test]
fn a_pack_by_path_is_locked_by_its_content() {
    let work = Dir::new();
    for (path, text) in base("1.0.0") {
        work.write(&format!("base/{path}"), &text);
    }
    work.write("team/pack.yaml", &team("    path: ../base\n"));
    work.write("team/checks.yaml", TEAM_CHECKS);
    let pack = work.join("team");
    ekscheck(&work, &["validate", &pack]).expect_code(0);
    ekscheck(&work, &["validate", "--locked", &pack]).expect_code(0);
    work.write("base/cluster.yaml", "checks: []\n");
    let run = ekscheck(&work, &["validate", "--locked", &pack]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("the files of `base` differ from those ekscheck.lock was written for"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_requirements_are_located_and_nothing_runs() {
    let work = Dir::new();
    for (path, text) in base("1.0.0") {
        work.write(&format!("base/{path}"), &text);
    }
    let cases: &[(&str, &str)] = &[
        (
            "    path: ../base\n    git: https://example.com/x.git\n",
            "a required pack comes from a `path`, from `git` or from a `tarball`: one of them",
        ),
        (
            "    git: \"ext::sh -c touch% /tmp/pwned\"\n    ref: main\n",
            "a pack is fetched over https, ssh or from a file URL",
        ),
        (
            "    git: https://example.com/x.git\n",
            "a pack from git needs `version` (a range of its tags) or `ref`",
        ),
        (
            "    git: https://example.com/x.git\n    version: one\n",
            "`version` must be a semver range of the repository's tags",
        ),
        (
            "    git: https://example.com/x.git\n    ref: --upload-pack=touch\n",
            "not a tag, branch or commit name",
        ),
        (
            "    path: /etc\n",
            "a required pack's `path` is relative to this pack's directory",
        ),
        (
            "    path: ../../..\n",
            "is outside the directory that holds this pack",
        ),
        (
            "    path: ../base\n    ref: main\n",
            "`ref` is for a pack from git",
        ),
        ("    path: ../nowhere\n", "cannot read"),
        (
            &format!(
                "    git: \"file://{}\"\n    ref: main\n",
                work.join("missing.git")
            ),
            "cannot fetch file://",
        ),
        ("    path: ../base\n    tag: v1\n", "unknown field `tag`"),
    ];
    for (requirement, message) in cases {
        work.write("team/pack.yaml", &team(requirement));
        work.write("team/checks.yaml", TEAM_CHECKS);
        let run = ekscheck(&work, &["validate", &work.join("team")]);
        run.expect_code(2);
        assert!(
            run.stderr.contains(message),
            "{requirement}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("team/pack.yaml:"),
            "located: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("undefined call"),
            "no cascade: {}",
            run.stderr
        );
    }
    assert!(!Path::new("/tmp/pwned").exists());
    // A pack under another name, and packs requiring each other.
    work.write("team/pack.yaml", &team("    path: ../other\n"));
    work.write("other/pack.yaml", "pack: other\nversion: 1.0.0\n");
    let run = ekscheck(&work, &["validate", &work.join("team")]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("holds pack `other`, not `base`"),
        "{}",
        run.stderr
    );
    work.write(
        "base/pack.yaml",
        "pack: base\nversion: 1.0.0\nrequires:\n  - pack: team\n    path: ../team\n",
    );
    work.write("team/pack.yaml", &team("    path: ../base\n"));
    let run = ekscheck(&work, &["validate", &work.join("team")]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("packs require each other in a cycle: team → base → team"),
        "{}",
        run.stderr
    );
    // A check of a pack that is not required.
    work.write(
        "team/pack.yaml",
        "pack: team\nversion: 0.1.0\ncalls:\n  c: { value: 1 }\n",
    );
    work.write("team/checks.yaml", "checks:\n  - id: a\n    title: A\n    needs: [base::cluster/active]\n    on: c\n    expect: [{ equals: 1 }]\n");
    let run = ekscheck(&work, &["validate", &work.join("team")]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("add `base` to `requires:` in pack.yaml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_pack_from_a_tarball_is_extracted_once_and_locked() {
    let work = Dir::new();
    for (path, text) in base("1.0.0") {
        work.write(&format!("build/packs/base/{path}"), &text);
    }
    let tar = |name: &str| {
        let status = Command::new("tar")
            .current_dir(work.path().join("build"))
            .args(["-czf", &format!("../{name}"), "packs"])
            .status()
            .expect("tar runs");
        assert!(status.success());
    };
    tar("base-1.0.0.tar.gz");
    work.write(
        "team/pack.yaml",
        &team("    tarball: ../base-1.0.0.tar.gz\n    subdir: packs/base\n"),
    );
    work.write("team/checks.yaml", TEAM_CHECKS);
    let pack = work.join("team");
    run_team(&work, &[])
        .expect_code(1)
        .expect_stdout_contains("test base::cluster::active ... ok");
    ekscheck(&work, &["validate", "--locked", &pack]).expect_code(0);
    // Another archive under the same name: the lock no longer matches.
    work.write("build/packs/base/cluster.yaml", "checks: []\n");
    tar("base-1.0.0.tar.gz");
    let run = ekscheck(&work, &["validate", "--locked", &pack]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("the files of `base` differ"),
        "{}",
        run.stderr
    );
    work.write("not-gzip.tar.gz", "plain text");
    work.write("team/pack.yaml", &team("    tarball: ../not-gzip.tar.gz\n"));
    let run = ekscheck(&work, &["validate", &pack]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("is not a .tar.gz archive tar can read"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_pack_test_decides_the_checks_it_needs_from_required_packs() {
    let work = Dir::new();
    for (path, text) in base("1.0.0") {
        work.write(&format!("base/{path}"), &text);
    }
    // A check of the base pack that reads a call no check of the team pack reads.
    work.write(
        "base/addons.yaml",
        "calls:\n  addons:\n    api: eks:ListAddons\n    params: { clusterName: '{{vars.cluster}}' }\nchecks:\n  - id: listed\n    title: Add-ons are listed\n    on: addons\n    expect: [{ path: $.addons, exists: true }]\n",
    );
    work.write("team/pack.yaml", &team("    path: ../base\n"));
    work.write(
        "team/checks.yaml",
        "checks:\n  - id: current\n    title: Cluster runs 1.31\n    needs: [base::addons/listed]\n    on: base::cluster\n    expect: [{ path: $.cluster.version, equals: '1.31' }]\n",
    );
    work.write(
        "team/tests/old/expect.yaml",
        "vars: { cluster: c1 }\noutcomes:\n  team::checks::current: { outcome: fail, message: '\"1.30\"' }\nothers: pass\n",
    );
    work.write(
        "team/tests/old/recording/cluster.json",
        &json!({"api": "eks:DescribeCluster", "params": {"name": "c1"},
                "response": {"cluster": {"status": "ACTIVE", "version": "1.30"}}})
        .to_string(),
    );
    work.write(
        "team/tests/old/recording/addons.json",
        &json!({"api": "eks:ListAddons", "params": {"clusterName": "c1"},
                "response": {"addons": ["vpc-cni"]}})
        .to_string(),
    );
    ekscheck(&work, &["test", &work.join("team")])
        .expect_code(0)
        .expect_stdout_contains("test team::tests::old ... ok");
}
