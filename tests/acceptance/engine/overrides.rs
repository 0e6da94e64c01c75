//! `--overrides FILE` (and `overrides:` in a vars file): a team changes a shared pack without
//! forking it — a check's severity, a check or one row skipped with its reason (shown, and in
//! JUnit), variable defaults below `--var` and the vars file. A name that is not a check of the
//! packs is invalid input, located, and nothing runs.

use serde_json::json;

use super::junit;
use crate::support::{
    CLUSTER_MANIFEST, CaseOutcome, Fixture, diagnostics, expected, failure, skipped,
};

#[test]
fn overrides_change_severities_and_skip_checks_and_rows_with_their_reason() {
    let fixture = junit::fixture();
    let overrides = fixture.dir().write(
        "team.yaml",
        "\
checks:
  t::cluster::version: { severity: warning }
  t::cluster::logging: { severity: error }
  t::nodes::spot: { skip: spot is not used here }
  t::nodes::role-exists[ng-b]: { skip: ng-b is being retired }
",
    );
    let (run, report) = fixture.run_with_report(&["--overrides", overrides.to_str().unwrap()]);
    run.expect_code(1).expect_stdout_contains(
        "test t::nodes::role-exists[ng-b] ... ignored (overridden: ng-b is being retired)",
    );
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::cluster::active", CaseOutcome::Pass),
            ("t::cluster::version", failure("warning")),
            ("t::cluster::logging", failure("error")),
            ("t::cluster::tags", failure("info")),
            ("t::cluster::upgraded", skipped("needs version (failed)")),
            ("t::nodes::role-exists[ng-a]", CaseOutcome::Pass),
            (
                "t::nodes::role-exists[ng-b]",
                skipped("overridden: ng-b is being retired")
            ),
            (
                "t::nodes::spot[ng-a]",
                skipped("overridden: spot is not used here")
            ),
            (
                "t::nodes::spot[ng-b]",
                skipped("overridden: spot is not used here")
            ),
        ])
    );
    // Without the logging override, nothing of severity error fails.
    let overrides = fixture.dir().write(
        "team.yaml",
        "checks:\n  t::cluster::version: { severity: warning }\n  t::nodes::role-exists[ng-b]: { skip: retired }\n",
    );
    fixture
        .run(&["--overrides", overrides.to_str().unwrap()])
        .expect_code(0);
}

const ACTIVE: &str = "\
checks:
  - id: active
    title: '{{vars.cluster}} is ACTIVE'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";

#[test]
fn variables_of_overrides_are_defaults_below_the_vars_file_and_the_command_line() {
    let status = |status: &str| json!({"cluster": {"status": status}});
    let fixture = Fixture::pack(&[("pack.yaml", CLUSTER_MANIFEST), ("s.yaml", ACTIVE)])
        .respond(
            "eks:DescribeCluster",
            json!({"name": "team"}),
            status("ACTIVE"),
        )
        .respond(
            "eks:DescribeCluster",
            json!({"name": "file"}),
            status("CREATING"),
        )
        .respond(
            "eks:DescribeCluster",
            json!({"name": "cli"}),
            status("DELETING"),
        );
    let team = fixture
        .dir()
        .write("team.yaml", "vars: { cluster: team }\n");
    let team = team.to_str().unwrap();
    fixture
        .run(&["--overrides", team])
        .expect_code(0)
        .expect_stdout_contains("test t::s::active ... ok");
    let vars = fixture.dir().write("vars.yaml", "cluster: file\n");
    let vars = vars.to_str().unwrap();
    fixture
        .run(&["--overrides", team, "--vars-file", vars])
        .expect_code(1)
        .expect_stdout_contains("file is ACTIVE\n");
    fixture
        .run(&[
            "--overrides",
            team,
            "--vars-file",
            vars,
            "--var",
            "cluster=cli",
        ])
        .expect_code(1)
        .expect_stdout_contains("cli is ACTIVE\n");
    // A vars file may carry overrides of its own.
    let vars = fixture.dir().write(
        "vars.yaml",
        "cluster: file\noverrides:\n  checks:\n    t::s::active: { skip: checked elsewhere }\n",
    );
    fixture
        .run(&["--vars-file", vars.to_str().unwrap()])
        .expect_code(0)
        .expect_stdout_contains("test t::s::active ... ignored (overridden: checked elsewhere)");
}

#[test]
fn bad_overrides_are_invalid_input_and_nothing_runs() {
    let fixture = junit::fixture();
    let overrides = fixture.dir().write(
        "team.yaml",
        "\
checks:
  t::cluster::versio: { severity: warning }
  t::cluster::logging: { severity: fatal }
  t::nodes::spot: { skip: '' }
  t::nodes::role-exists[ng-b]: { severity: info }
  t::cluster::tags: { skipp: why }
vars: [oops]
other: 1
",
    );
    let run = fixture.run(&["--overrides", overrides.to_str().unwrap()]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(fixture.written_report(), None, "nothing ran");
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "team.yaml:2:3: error: `t::cluster::versio` is not a check of the packs run",
            "team.yaml:3:36: error: not a severity",
            "team.yaml:4:27: error: a skip needs its reason",
            "team.yaml:5:34: error: a severity applies to a whole check, not to one row",
            "team.yaml:6:23: error: unknown key `skipp`",
            "team.yaml:7:7: error: variables must be a mapping of names to values",
            "team.yaml:8:1: error: unknown key `other`",
        ]
    );
    assert!(
        run.stderr.contains("did you mean `t::cluster::version`?"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `skip`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_later_overrides_file_wins() {
    let status = |status: &str| json!({"cluster": {"status": status}});
    let fixture = Fixture::pack(&[("pack.yaml", CLUSTER_MANIFEST), ("s.yaml", ACTIVE)])
        .respond(
            "eks:DescribeCluster",
            json!({"name": "first"}),
            status("CREATING"),
        )
        .respond(
            "eks:DescribeCluster",
            json!({"name": "second"}),
            status("ACTIVE"),
        );
    let first = fixture.dir().write(
        "first.yaml",
        "checks:\n  t::s::active: { severity: info }\nvars: { cluster: first }\n",
    );
    let second = fixture.dir().write(
        "second.yaml",
        "checks:\n  t::s::active: { severity: warning }\nvars: { cluster: second }\n",
    );
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    fixture
        .run(&["--overrides", first, "--overrides", second])
        .expect_code(0)
        .expect_stdout_contains("test t::s::active ... ok");
    fixture
        .run(&["--overrides", second, "--overrides", first])
        .expect_code(0)
        .expect_stdout_contains("test t::s::active ... info");
}
