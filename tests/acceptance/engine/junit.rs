//! `--junit FILE`: a `<testsuite>` per suite (named and classed `PACK::SUITE`), a `<testcase>` per
//! check row, `<failure type=SEVERITY>` for a failed assertion, `<error>` for a check that could
//! not be decided, `<skipped message=REASON>`, properties naming the pack, its version, the suite
//! file, the severity and the operations; the `<testsuites>` counters add up.

use std::collections::BTreeMap;

use serde_json::json;

use crate::support::{CaseOutcome, Fixture, Junit, expected, failure, skipped};

const MANIFEST: &str = "\
pack: t
version: 1.2.3
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: c1 }
";

const CLUSTER: &str = "\
checks:
  - id: active
    title: Cluster is ACTIVE
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: version
    title: Cluster runs 1.31
    on: cluster
    expect:
      - { path: $.cluster.version, equals: '1.31' }
    remediation: aws eks update-cluster-version --name c1 --kubernetes-version 1.31
  - id: logging
    title: Cluster logs & audits
    severity: warning
    on: cluster
    expect:
      - { path: $.cluster.logging, exists: true }
  - id: tags
    title: Cluster is <tagged>
    severity: info
    needs: [active]
    on: cluster
    expect:
      - { path: $.cluster.tags, empty: false }
  - id: upgraded
    title: Cluster upgraded
    needs: [version]
    on: cluster
    expect:
      - { path: $.cluster.version, exists: true }
";

const NODES: &str = "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: nodegroups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
  role:
    api: iam:GetRole
    params: { RoleName: '{{arn_name nodegroup.nodegroup.nodeRole}}' }
checks:
  - id: role-exists
    title: Role of {{ng}} exists
    on: role
    expect:
      - { path: $.Role, exists: true }
      - { on: cluster, path: $.cluster.status, exists: true }
  - id: spot
    title: '{{ng}} uses spot capacity'
    when:
      - { on: nodegroup, path: $.nodegroup.capacityType, equals: SPOT }
    on: nodegroup
    expect:
      - { path: $.nodegroup.instanceTypes, count: { gte: 2 } }
";

/// The JUnit fixture: a pass, failures of each severity with and without remediation, `needs`
/// and `when` skips, fan-out rows and a call that AWS refused.
pub(super) fn fixture() -> Fixture {
    Fixture::pack(&[
        ("pack.yaml", MANIFEST),
        ("cluster.yaml", CLUSTER),
        ("nodes.yaml", NODES),
    ])
    .respond(
        "eks:DescribeCluster",
        json!({"name": "c1"}),
        json!({"cluster": {"status": "ACTIVE", "version": "1.30", "tags": {}}}),
    )
    .respond(
        "eks:ListNodegroups",
        json!({"clusterName": "c1"}),
        json!({"nodegroups": ["ng-a", "ng-b"]}),
    )
    .respond(
        "eks:DescribeNodegroup",
        json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
        json!({"nodegroup": {"capacityType": "ON_DEMAND",
                "nodeRole": "arn:aws:iam::111122223333:role/node-a"}}),
    )
    .respond(
        "eks:DescribeNodegroup",
        json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
        json!({"nodegroup": {"capacityType": "SPOT", "instanceTypes": ["m6i.large", "m7i.large"],
                "nodeRole": "arn:aws:iam::111122223333:role/node-b"}}),
    )
    .respond(
        "iam:GetRole",
        json!({"RoleName": "node-a"}),
        json!({"Role": {"RoleName": "node-a"}}),
    )
    .fail(
        "iam:GetRole",
        json!({"RoleName": "node-b"}),
        "AccessDenied",
        "not authorized",
    )
}

fn report() -> Junit {
    let (run, report) = fixture().run_with_report(&[]);
    run.expect_code(1);
    report
}

#[test]
fn every_check_row_is_a_testcase_with_its_outcome() {
    let report = report();
    let when_false =
        r#"when: $.nodegroup.capacityType equals "SPOT" is false (actual: "ON_DEMAND")"#;
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::cluster::active", CaseOutcome::Pass),
            ("t::cluster::version", failure("error")),
            ("t::cluster::logging", failure("warning")),
            ("t::cluster::tags", failure("info")),
            ("t::cluster::upgraded", skipped("needs version (failed)")),
            ("t::nodes::role-exists[ng-a]", CaseOutcome::Pass),
            ("t::nodes::role-exists[ng-b]", CaseOutcome::Error),
            ("t::nodes::spot[ng-a]", skipped(when_false)),
            ("t::nodes::spot[ng-b]", CaseOutcome::Pass),
        ])
    );
    let names: Vec<(&str, &str)> = report
        .cases()
        .map(|case| (case.classname.as_str(), case.name.as_str()))
        .collect();
    assert_eq!(names[6], ("t::nodes", "role-exists[ng-b]"));
    // A failure's message is the title (unescaped); its text is the console's explanation.
    let version = report.case("t::cluster::version");
    assert_eq!(version.message, "Cluster runs 1.31");
    assert!(
        version
            .text
            .starts_with("Cluster runs 1.31\nassertion failed at "),
        "{}",
        version.text
    );
    assert!(
        version.text.ends_with(
            "  path:     $.cluster.version\n  expected: equals \"1.31\"\n  actual:   \"1.30\"\n\
             remediation: aws eks update-cluster-version --name c1 --kubernetes-version 1.31"
        ),
        "{}",
        version.text
    );
    assert_eq!(
        report.case("t::cluster::logging").message,
        "Cluster logs & audits"
    );
    assert_eq!(
        report.case("t::cluster::tags").message,
        "Cluster is <tagged>"
    );
    let error = report.case("t::nodes::role-exists[ng-b]");
    assert_eq!(error.message, "Role of ng-b exists");
    assert_eq!(
        error.text,
        "Role of ng-b exists\nerror: could not decide: call `role` (iam:GetRole \
         {\"RoleName\":\"node-b\"}) failed: AccessDenied: not authorized"
    );
    assert_eq!(report.case("t::nodes::spot[ng-a]").message, when_false);
}

#[test]
fn there_is_one_testsuite_per_suite_and_the_counters_add_up() {
    let report = report();
    let counts = |tests, failures, errors, skipped| {
        BTreeMap::from(
            [
                ("tests", tests),
                ("failures", failures),
                ("errors", errors),
                ("skipped", skipped),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        )
    };
    let suites: Vec<(&str, &BTreeMap<String, usize>)> = report
        .suites
        .iter()
        .map(|s| (s.name.as_str(), &s.counts))
        .collect();
    assert_eq!(
        suites,
        [
            ("t::cluster", &counts(5, 3, 0, 1)),
            ("t::nodes", &counts(4, 0, 1, 1)),
        ]
    );
    for suite in &report.suites {
        assert!(
            suite.cases.iter().all(|c| c.classname == suite.name),
            "{}",
            suite.name
        );
    }
    assert_eq!(report.counts, counts(9, 3, 1, 2));
}

#[test]
fn properties_name_the_pack_suite_file_severity_and_operations() {
    let fixture = fixture();
    let (_, report) = fixture.run_with_report(&[]);
    let suite = &report.suites[1];
    assert_eq!(
        suite.properties,
        BTreeMap::from([
            ("pack".to_owned(), "t".to_owned()),
            ("pack.version".to_owned(), "1.2.3".to_owned()),
            (
                "file".to_owned(),
                format!("{}/nodes.yaml", fixture.pack_dir())
            ),
        ])
    );
    let case = report.case("t::nodes::role-exists[ng-a]");
    assert_eq!(
        case.properties,
        BTreeMap::from([
            ("severity".to_owned(), "error".to_owned()),
            (
                "operations".to_owned(),
                "eks:DescribeCluster,iam:GetRole".to_owned()
            ),
        ])
    );
    let case = report.case("t::cluster::logging");
    assert_eq!(case.properties["severity"], "warning");
    assert_eq!(case.properties["operations"], "eks:DescribeCluster");
}

#[test]
fn a_filtered_run_reports_only_the_selected_rows() {
    let (run, report) = fixture().run_with_report(&["--", "ng-b"]);
    run.expect_code(3);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::nodes::role-exists[ng-b]", CaseOutcome::Error),
            ("t::nodes::spot[ng-b]", CaseOutcome::Pass),
        ])
    );
    assert_eq!(report.suites.len(), 1);
    assert_eq!(report.counts["tests"], 2);
}

#[test]
fn an_unwritable_report_path_is_invalid_input() {
    let fixture = fixture();
    let path = fixture.dir().join("no-such-dir/report.xml");
    let run = crate::support::ekscheck(&[
        "run",
        &fixture.pack_dir(),
        "--recording",
        &fixture.recording_dir(),
        "--junit",
        &path,
    ]);
    run.expect_code(2);
    assert!(
        run.stderr.contains(&format!("--junit {path}: ")),
        "{}",
        run.stderr
    );
    // Found before anything ran.
    assert_eq!(run.stdout, "");
}
