//! `ekscheck run` on the command line: libtest arguments after `--` (a name filter, `--exact`,
//! `--skip`, `--list`, `--format terse|json`), the exit codes 0/1/2/3, `--var` and `--vars-file`,
//! bad recordings and pack directories (exit 2, nothing runs), and a closed stdout.

use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::{Fixture, command, diagnostics, ekscheck, run_command};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { required: true, description: EKS cluster name }
  min_nodegroups: { default: 1 }
";

const HEALTH: &str = "\
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: \"{{vars.cluster}}\" }
checks:
  - id: cluster-active
    title: Cluster {{vars.cluster}} is ACTIVE
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: cluster-logging
    title: Cluster logs its API server
    severity: warning
    on: cluster
    expect:
      - { path: '$.cluster.logging.clusterLogging[?@.enabled == true].types[*]', contains: api }
  - id: cluster-tagged
    title: Cluster is tagged
    severity: info
    on: cluster
    expect:
      - { path: $.cluster.tags, empty: false }
";

const NODES: &str = "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: \"{{vars.cluster}}\" }
  addons:
    api: eks:ListAddons
    params: { clusterName: \"{{vars.cluster}}\" }
  fargate:
    api: eks:ListFargateProfiles
    params: { clusterName: \"{{vars.cluster}}\" }
checks:
  - id: enough-nodegroups
    title: At least {{vars.min_nodegroups}} node groups
    on: nodegroups
    expect:
      - { path: $.nodegroups, count: { gte: \"{{vars.min_nodegroups}}\" } }
  - id: addons-listed
    title: Add-ons can be listed
    on: addons
    expect:
      - { path: $.addons, exists: true }
  - id: fargate-listed
    title: Fargate profiles can be listed (no recording)
    on: fargate
    expect:
      - { path: $.fargateProfileNames, exists: true }
";

/// health: cluster-active passes, cluster-logging (warning) and cluster-tagged (info) fail;
/// nodes: enough-nodegroups passes with 1 node group and fails above, addons-listed is an error
/// (access denied), fargate-listed is an error (no recording).
fn fixture() -> Fixture {
    Fixture::pack(&[
        ("pack.yaml", MANIFEST),
        ("health.yaml", HEALTH),
        ("nodes.yaml", NODES),
    ])
    .respond(
        "eks:DescribeCluster",
        json!({"name": "c1"}),
        json!({"cluster": {"status": "ACTIVE", "tags": {},
                "logging": {"clusterLogging": [{"types": ["api"], "enabled": false}]}}}),
    )
    .respond(
        "eks:ListNodegroups",
        json!({"clusterName": "c1"}),
        json!({"nodegroups": ["ng-a"]}),
    )
    .fail(
        "eks:ListAddons",
        json!({"clusterName": "c1"}),
        "AccessDeniedException",
        "no",
    )
}

/// The `test NAME ... RESULT` lines of a console report, padding removed.
fn results(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|line| !line.starts_with("test result:"))
        .filter_map(|line| line.strip_prefix("test "))
        .map(|rest| rest.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn exit_codes_follow_the_worst_outcome_that_counts() {
    let ok = "t::health::cluster-active ... ok";
    let warning = "t::health::cluster-logging ... warning";
    let info = "t::health::cluster-tagged ... info";
    let enough = "t::nodes::enough-nodegroups ... ok";
    let not_enough = "t::nodes::enough-nodegroups ... FAILED";
    let error = "t::nodes::addons-listed ... FAILED";
    let no_recording = "t::nodes::fargate-listed ... FAILED";
    // (arguments after `--var cluster=c1`, exit code, checks reported)
    #[rustfmt::skip]
    let cases: &[(&[&str], i32, &[&str])] = &[
        (&["--", "cluster-active"], 0, &[ok]),
        // Warning and info failures do not fail the run.
        (&["--", "health::"], 0, &[ok, warning, info]),
        (&["--", "--skip", "listed"], 0, &[ok, warning, info, enough]),
        (&["--var", "min_nodegroups=2", "--", "--skip", "listed"], 1, &[ok, warning, info, not_enough]),
        (&["--", "--exact", "t::nodes::addons-listed"], 3, &[error]),
        (&["--", "listed", "--skip", "fargate"], 3, &[error]),
        (&[], 3, &[ok, warning, info, enough, error, no_recording]),
        // A failure wins over errors.
        (&["--var", "min_nodegroups=2"], 1, &[ok, warning, info, not_enough, error, no_recording]),
        (&["--", "nonexistent-check"], 0, &[]),
    ];
    let fixture = fixture();
    for (args, code, reported) in cases {
        let mut all = vec!["--var", "cluster=c1"];
        all.extend_from_slice(args);
        let (run, report) = fixture.run_with_report(&all);
        assert_eq!(run.code, *code, "{args:?}\n{}{}", run.stdout, run.stderr);
        assert_eq!(results(&run.stdout), *reported, "{args:?}\n{}", run.stdout);
        assert_eq!(report.cases().count(), reported.len(), "{args:?}");
        // As in `cargo test`, what the filters left out is counted, even if it never ran.
        let filtered = format!("; {} filtered out;", 6 - reported.len());
        assert!(
            run.stdout.contains(&filtered),
            "{args:?}: no `{filtered}` in\n{}",
            run.stdout
        );
    }
}

#[test]
fn filters_match_test_names_with_row_labels() {
    let suite = "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: \"{{vars.cluster}}\" }
  nodegroup:
    for_each: { in: nodegroups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: \"{{vars.cluster}}\", nodegroupName: \"{{ng}}\" }
checks:
  - id: active
    title: '{{ng}} is ACTIVE'
    on: nodegroup
    expect:
      - { path: $.nodegroup.status, equals: ACTIVE }
";
    let fixture = Fixture::pack(&[("pack.yaml", MANIFEST), ("rows.yaml", suite)])
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
            json!({"nodegroup": {"status": "ACTIVE"}}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
            json!({"nodegroup": {"status": "DEGRADED"}}),
        );
    let cases: &[(&[&str], i32, &[&str])] = &[
        (&["ng-a"], 0, &["t::rows::active[ng-a] ... ok"]),
        (&["active[ng-b]"], 1, &["t::rows::active[ng-b] ... FAILED"]),
        (
            &["--exact", "t::rows::active[ng-b]"],
            1,
            &["t::rows::active[ng-b] ... FAILED"],
        ),
        (&["--exact", "t::rows::active"], 0, &[]),
        (&["--skip", "ng-b"], 0, &["t::rows::active[ng-a] ... ok"]),
        (
            &["rows"],
            1,
            &[
                "t::rows::active[ng-a] ... ok",
                "t::rows::active[ng-b] ... FAILED",
            ],
        ),
    ];
    for (args, code, reported) in cases {
        let mut all = vec!["--var", "cluster=c1", "--"];
        all.extend_from_slice(args);
        let run = fixture.run(&all);
        assert_eq!(run.code, *code, "{args:?}\n{}{}", run.stdout, run.stderr);
        assert_eq!(results(&run.stdout), *reported, "{args:?}\n{}", run.stdout);
    }
}

#[test]
fn list_names_the_checks_without_making_a_call() {
    // The recording is broken: reading it, or calling anything, would exit with 2.
    let fixture = fixture();
    fixture.dir().write("recording/broken.json", "{ not json");
    let run = fixture.run(&["--var", "cluster=c1", "--", "--list"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "t::health::cluster-active: test\n\
         t::health::cluster-logging: test\n\
         t::health::cluster-tagged: test\n\
         t::nodes::enough-nodegroups: test\n\
         t::nodes::addons-listed: test\n\
         t::nodes::fargate-listed: test\n"
    );
    assert_eq!(run.stderr, "");
    let run = fixture.run(&[
        "--var",
        "cluster=c1",
        "--",
        "--list",
        "health::",
        "--skip",
        "tagged",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "t::health::cluster-active: test\nt::health::cluster-logging: test\n"
    );
}

#[test]
fn terse_format_prints_one_character_per_check() {
    let run = fixture().run(&["--var", "cluster=c1", "--", "--format", "terse"]);
    run.expect_code(3);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        ["", "running 6 tests", ".ww.FF"],
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("test result: FAILED. 2 passed; 2 failed; 2 warnings; 0 ignored;"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_format_prints_one_event_per_line() {
    let run = fixture().run(&["--var", "cluster=c1", "--", "--format", "json"]);
    run.expect_code(3);
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let finished: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["type"] == "test" && e["event"] != "started")
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["event"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("t::health::cluster-active", "ok"),
        ("t::health::cluster-logging", "warning"),
        ("t::health::cluster-tagged", "warning"),
        ("t::nodes::enough-nodegroups", "ok"),
        ("t::nodes::addons-listed", "failed"),
        ("t::nodes::fargate-listed", "failed"),
    ]
    .map(|(name, event)| (name.to_owned(), event.to_owned()));
    assert_eq!(finished, expected);
    let failed = events
        .iter()
        .find(|e| e["name"] == "t::nodes::addons-listed" && e["event"] == "failed")
        .expect("a failed event");
    assert!(
        failed["stdout"].as_str().unwrap_or_default().contains(
            "error: could not decide: call `addons` (eks:ListAddons {\"clusterName\":\"c1\"}) \
             failed: AccessDeniedException: no"
        ),
        "{failed}"
    );
    let suite = events.last().expect("a suite event");
    assert_eq!(
        (
            suite["type"].as_str(),
            suite["event"].as_str(),
            suite["passed"].as_u64(),
            suite["failed"].as_u64(),
            suite["warnings"].as_u64(),
            suite["ignored"].as_u64()
        ),
        (
            Some("suite"),
            Some("failed"),
            Some(2),
            Some(2),
            Some(2),
            Some(0)
        )
    );
}

#[test]
fn variables_come_from_the_command_line_the_vars_file_and_defaults() {
    let fixture = fixture().respond(
        "eks:DescribeCluster",
        json!({"name": "from-file"}),
        json!({"cluster": {"status": "CREATING"}}),
    );
    let vars = fixture
        .dir()
        .write("vars.yaml", "cluster: from-file\nmin_nodegroups: 1\n");
    let vars = vars.display().to_string();
    let only = ["--", "--exact", "t::health::cluster-active"];
    let mut args = vec!["--vars-file", &vars];
    args.extend_from_slice(&only);
    let (run, report) = fixture.run_with_report(&args);
    run.expect_code(1);
    assert_eq!(
        report.case("t::health::cluster-active").message,
        "Cluster from-file is ACTIVE"
    );
    // --var wins over the file.
    let mut args = vec!["--vars-file", &vars, "--var", "cluster=c1"];
    args.extend_from_slice(&only);
    let run = fixture.run(&args);
    run.expect_code(0);
}

#[test]
fn bad_variables_are_invalid_input() {
    let fixture = fixture();
    let bad_file = fixture
        .dir()
        .write(
            "bad-vars.yaml",
            "cluster: c1\nmin_nodegroups: lots\nclustr: c2\n",
        )
        .display()
        .to_string();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &["error: pack `t` needs variable `cluster` (EKS cluster name)"],
        ),
        (
            &["--var", "cluster=c1", "--var", "clutser=c2"],
            &["error: --var clutser: no pack declares a variable `clutser`"],
        ),
        (
            &["--var", "cluster=c1", "--var", "min_nodegroups=two"],
            &["error: --var min_nodegroups=two: expected a number"],
        ),
        (
            &["--vars-file", &bad_file],
            &[
                "bad-vars.yaml:2:17: error: `min_nodegroups` must be a number",
                "bad-vars.yaml:3:1: error: no pack declares a variable `clustr`",
            ],
        ),
    ];
    for (args, printed) in cases {
        let run = fixture.run(args);
        assert_eq!(run.code, 2, "{args:?}\n{}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        let report = fixture.written_report().unwrap_or_default();
        assert!(!report.contains("<testcase"), "{args:?}: {report}");
        assert_eq!(
            diagnostics(&run.stderr, fixture.dir().path()),
            *printed,
            "{args:?}"
        );
    }
}

#[test]
fn a_bad_recording_is_invalid_input_named_by_its_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "recording/broken.json",
            "{\"api\": \"eks:DescribeCluster\",\n  \"params\": {",
            "error: recording/broken.json: is not a recorded call: EOF while parsing an object \
             (line 2, column 13)",
        ),
        (
            "recording/nested/both.json",
            r#"{"api": "eks:ListAddons", "params": {}, "response": {}, "error": {"code": "X"}}"#,
            "error: recording/nested/both.json: has both or neither of `response` and `error`",
        ),
        (
            "recording/typo.json",
            r#"{"api": "eks:ListAddons", "parms": {}, "response": {}}"#,
            "error: recording/typo.json: is not a recorded call: unknown field `parms`, expected \
             one of `api`, `params`, `response`, `error`, `region` (line 1, column 33)",
        ),
        (
            "recording/list.json",
            "[]",
            "error: recording/list.json: is not a recorded call: it holds a list, not an object",
        ),
    ];
    for (path, text, printed) in cases {
        let fixture = fixture();
        fixture.dir().write(path, text);
        let run = fixture.run(&["--var", "cluster=c1"]);
        assert_eq!(run.code, 2, "{path}\n{}", run.stderr);
        assert_eq!(run.stdout, "", "{path}");
        assert_eq!(
            diagnostics(&run.stderr, fixture.dir().path()),
            [*printed],
            "{path}"
        );
    }
    let empty = Fixture::pack(&[("pack.yaml", MANIFEST), ("health.yaml", HEALTH)]);
    empty.dir().write("recording/README.txt", "no calls here");
    let run = empty.run(&["--var", "cluster=c1"]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr, empty.dir().path()),
        ["error: recording: holds no recorded calls (`*.json`)"]
    );
}

#[test]
fn an_unreadable_pack_or_recording_is_invalid_input() {
    let fixture = fixture();
    let latin1 = fixture.dir().path().join("pack/latin1.yaml");
    std::fs::write(&latin1, b"checks:\n  - id: caf\xe9\n").expect("write");
    let run = fixture.run(&["--var", "cluster=c1"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        ["pack/latin1.yaml:2:12: error: this byte is not UTF-8 text"]
    );
    std::fs::remove_file(&latin1).expect("remove");
    let missing = fixture.dir().join("no-such-pack");
    let recording = fixture.recording_dir();
    let run = ekscheck(&[
        "run",
        &missing,
        "--recording",
        &recording,
        "--var",
        "cluster=c1",
    ]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        ["error: no-such-pack: is not a pack: there is no pack.yaml"]
    );
    let pack = fixture.pack_dir();
    let missing = fixture.dir().join("no-such-recording");
    let run = ekscheck(&["run", &pack, "--recording", &missing, "--var", "cluster=c1"]);
    run.expect_code(2);
    let printed = diagnostics(&run.stderr, fixture.dir().path());
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert!(
        printed[0].starts_with("error: no-such-recording: cannot read the recording: "),
        "{printed:?}"
    );
    let run = ekscheck(&["run", &pack, "--recording", &recording, "--bogus-flag"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("unexpected argument '--bogus-flag'"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_closed_stdout_ends_the_report_without_a_panic() {
    let fixture = fixture();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let junit = fixture.dir().join("closed.xml");
    let run = run_command(
        command()
            .args([
                "run",
                &fixture.pack_dir(),
                "--recording",
                &fixture.recording_dir(),
            ])
            .args(["--var", "cluster=c1", "--junit", &junit])
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped()),
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(std::path::Path::new(&junit).is_file());
}

#[test]
fn a_recording_that_cannot_be_written_is_found_before_any_call() {
    let fixture = fixture();
    // A directory cannot be made below a regular file.
    let blocker = fixture.dir().write("blocker", "");
    let out = blocker.join("recording").display().to_string();
    let (pack, recording) = (fixture.pack_dir(), fixture.recording_dir());
    let run = ekscheck(&[
        "record",
        &pack,
        "--recording",
        &recording,
        "--var",
        "cluster=c1",
        "--out",
        &out,
    ]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("cannot write the recording"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    // A writable directory gets every call the pack makes, the failed ones too.
    let out = fixture.dir().join("copy");
    let run = ekscheck(&[
        "record",
        &pack,
        "--recording",
        &recording,
        "--var",
        "cluster=c1",
        "--out",
        &out,
    ]);
    run.expect_code(0);
    assert!(run.stdout.starts_with("recorded "), "{}", run.stdout);
}
