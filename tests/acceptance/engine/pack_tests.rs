//! `ekscheck test PACK`: each case under `PACK/tests/` runs offline on its recording and passes
//! when the rows it lists end as listed (with the listed text in their message) and, with
//! `others: pass`, no other row fails; each difference is shown; a bad `expect.yaml` is invalid
//! input, located, before any case runs.

use crate::support::{CLUSTER_MANIFEST, CaseOutcome, Fixture, diagnostics, parse_junit};

const SUITE: &str = "\
checks:
  - id: active
    title: Cluster is ACTIVE
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: tagged
    title: Cluster is tagged
    on: cluster
    expect:
      - { path: $.cluster.tags, empty: false }
";

fn recording(name: &str, status: &str) -> String {
    format!(
        r#"{{"api": "eks:DescribeCluster", "params": {{"name": "{name}"}},
            "response": {{"cluster": {{"status": "{status}", "tags": {{}}}}}}}}"#
    )
}

/// A pack whose cases are `cases`: (name, expect.yaml, status the recorded cluster has).
fn pack(cases: &[(&str, &str, &str)]) -> Fixture {
    let mut files = vec![
        ("pack.yaml".to_owned(), CLUSTER_MANIFEST.to_owned()),
        ("cluster.yaml".to_owned(), SUITE.to_owned()),
    ];
    for (name, expect, status) in cases {
        files.push((format!("tests/{name}/expect.yaml"), (*expect).to_owned()));
        files.push((
            format!("tests/{name}/recording/call.json"),
            recording(name, status),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    Fixture::pack(&files)
}

fn test(fixture: &Fixture, args: &[&str]) -> crate::support::Run {
    let pack = fixture.pack_dir();
    let mut all = vec!["test", pack.as_str()];
    all.extend_from_slice(args);
    crate::support::ekscheck(&all)
}

#[test]
fn cases_pass_when_the_rows_end_as_listed() {
    let fixture = pack(&[
        (
            "down",
            "vars: { cluster: down }\noutcomes:\n  t::cluster::active: { outcome: fail, message: '\"CREATING\"' }\n  t::cluster::tagged: fail\n",
            "CREATING",
        ),
        (
            "untagged",
            "vars: { cluster: untagged }\noutcomes:\n  t::cluster::active: pass\nothers: any\n",
            "ACTIVE",
        ),
    ]);
    let junit = fixture.dir().join("cases.xml");
    let run = test(&fixture, &["--junit", &junit]);
    run.expect_code(0)
        .expect_stdout_contains("test t::tests::down     ... ok")
        .expect_stdout_contains("test t::tests::untagged ... ok")
        .expect_stdout_contains("test result: ok. 2 passed; 0 failed;");
    let report = parse_junit(&std::fs::read_to_string(&junit).expect("a JUnit report"));
    let cases: Vec<(String, CaseOutcome)> = report
        .cases()
        .map(|case| (case.full_name(), case.outcome.clone()))
        .collect();
    assert_eq!(
        cases,
        [
            ("t::tests::down".to_owned(), CaseOutcome::Pass),
            ("t::tests::untagged".to_owned(), CaseOutcome::Pass),
        ]
    );
}

#[test]
fn each_difference_is_shown_with_the_rows_message() {
    let fixture = pack(&[
        (
            "wrong",
            "vars: { cluster: wrong }\noutcomes:\n  t::cluster::active: fail\n  t::cluster::tagged: { outcome: fail, message: nope }\n",
            "ACTIVE",
        ),
        (
            "unlisted",
            "vars: { cluster: unlisted }\noutcomes:\n  t::cluster::active: pass\n  t::cluster::active[x]: pass\n",
            "ACTIVE",
        ),
    ]);
    let run = test(&fixture, &[]);
    run.expect_code(1)
        .expect_stdout_contains("test t::tests::unlisted ... FAILED")
        .expect_stdout_contains("test t::tests::wrong    ... FAILED");
    let expected = [
        "t::cluster::active[x]: no such row; the check's rows: t::cluster::active",
        "t::cluster::tagged: failed but not listed (others: pass)\n    Cluster is tagged\n",
        "t::cluster::active: expected fail, got pass\n    Cluster is ACTIVE\n",
        "t::cluster::tagged: the message lacks \"nope\"\n    Cluster is tagged\n",
    ];
    for text in expected {
        run.expect_stdout_contains(text);
    }
    run.expect_stdout_contains("test result: FAILED. 0 passed; 2 failed;");
}

#[test]
fn a_filter_selects_cases_by_name() {
    let fixture = pack(&[
        ("one", "vars: { cluster: one }\nothers: any\n", "ACTIVE"),
        ("two", "vars: { cluster: two }\nothers: any\n", "ACTIVE"),
    ]);
    let run = test(&fixture, &["--", "two"]);
    run.expect_code(0)
        .expect_stdout_contains("running 1 test\ntest t::tests::two ... ok")
        .expect_stdout_contains(
            "1 passed; 0 failed; 0 warnings; 0 ignored; 0 measured; 1 filtered out;",
        );
}

#[test]
fn a_bad_case_is_invalid_input_and_no_case_runs() {
    let fixture = pack(&[
        (
            "bad",
            "vars: { cluster: bad }\noutcomes:\n  t::cluster::activ: pass\n  t::cluster::tagged: passes\n  t::cluster::active: { outcome: fail, mesage: x }\nothers: some\n",
            "ACTIVE",
        ),
        ("typo", "vars: { clustr: typo }\n", "ACTIVE"),
        ("good", "vars: { cluster: good }\nothers: any\n", "ACTIVE"),
    ]);
    fixture.dir().write("pack/tests/empty/notes.txt", "nothing");
    let run = test(&fixture, &[]);
    run.expect_code(2);
    assert_eq!(run.stdout, "", "no case ran");
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "error: pack/tests/empty: is not a pack test: there is no expect.yaml",
            "pack/tests/bad/expect.yaml:6:9: error: unknown variant `some`, expected one of pass, any",
        ]
    );
    // Once `others` is right, every problem of the case is shown.
    fixture.dir().write(
        "pack/tests/bad/expect.yaml",
        "vars: { cluster: bad }\noutcomes:\n  t::cluster::activ: pass\n  t::cluster::tagged: passes\n  t::cluster::active: { outcome: fail, mesage: x }\n",
    );
    let run = test(&fixture, &[]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "error: pack/tests/empty: is not a pack test: there is no expect.yaml",
            "pack/tests/bad/expect.yaml:3:3: error: `t::cluster::activ` is not a check of this pack",
            "pack/tests/bad/expect.yaml:4:23: error: `passes` is not an outcome",
            "pack/tests/bad/expect.yaml:5:40: error: unknown key `mesage`",
        ]
    );
    assert!(
        run.stderr.contains("did you mean `t::cluster::active`?"),
        "{}",
        run.stderr
    );
    // A variable no pack declares is found when the case runs, before any other case is reported.
    std::fs::remove_dir_all(fixture.dir().join("pack/tests/bad")).unwrap();
    std::fs::remove_dir_all(fixture.dir().join("pack/tests/empty")).unwrap();
    let run = test(&fixture, &[]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "error: pack/tests/typo/expect.yaml: pack `t` needs variable `cluster`",
            "pack/tests/typo/expect.yaml:1:9: error: no pack declares a variable `clustr`"
        ]
    );
    assert!(
        run.stderr.contains("give it under `vars:` in this file"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_scaffolds_a_pack_that_validates_and_passes_its_own_test() {
    let dir = crate::support::Dir::new();
    let pack = dir.join("team-nodes");
    crate::support::ekscheck(&["new", &pack])
        .expect_code(0)
        .expect_stdout_contains("created pack `team-nodes`");
    crate::support::ekscheck(&["validate", &pack]).expect_code(0);
    crate::support::ekscheck(&["test", &pack])
        .expect_code(0)
        .expect_stdout_contains("test team-nodes::tests::active ... ok");
    // Never over an existing pack, and only under a name a pack may have.
    let again = crate::support::ekscheck(&["new", &pack]);
    again.expect_code(2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let bad = crate::support::ekscheck(&["new", &dir.join("Team_Nodes")]);
    bad.expect_code(2);
    assert!(
        bad.stderr.contains("`Team_Nodes` cannot name a pack"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_bundled_example_pack_passes_its_own_test() {
    crate::support::ekscheck(&["test", "examples/team-nodes"])
        .expect_code(0)
        .expect_stdout_contains("test result: ok. 1 passed;");
}

#[test]
fn a_pack_without_test_cases_is_said_to_have_none() {
    let fixture = pack(&[]);
    let run = test(&fixture, &[]);
    run.expect_code(0).expect_stdout_contains("running 0 tests");
    assert!(
        run.stderr.contains("has no test cases (tests/CASE/)"),
        "{}",
        run.stderr
    );
}
