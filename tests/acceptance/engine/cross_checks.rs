//! `cross_checks`: a failure shows how the checks deciding the same cause from other evidence
//! ended for its row (agreeing or not), here a check of a node's console beside a check of its
//! user data, read line by line (`line_matches`, `no_line_matches`, `base64_decode`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::support::{CaseOutcome, Fixture, expected, failure};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: \"{{ng}}\" }
";

const CONFIG: &str = "\
calls:
  user_data:
    value: \"{{base64_decode nodegroup.nodegroup.tags.userdata}}\"
checks:
  - id: user-data-runs-nodeadm
    title: The user data of {{ng}} runs nodeadm
    on: user_data
    expect:
      - line_matches: '^nodeadm init'
";

const CONSOLE: &str = "\
calls:
  console:
    for_each: { in: nodegroup, path: \"$.nodegroup.tags.instance\", as: node }
    api: ec2:GetConsoleOutput
    params: { InstanceId: \"{{node}}\" }
checks:
  - id: nodeadm-ran
    title: The console of {{node}} shows no nodeadm failure
    cross_checks: [config/user-data-runs-nodeadm]
    on: console
    expect:
      - path: $.Output
        no_line_matches: 'Failed to start .*EKS Nodeadm'
";

/// Node groups `ng-a` (its user data runs nodeadm, its console says nodeadm failed: they
/// disagree), `ng-b` (a shell script that does not, and the same console: they agree) and
/// `ng-c` (nodeadm, and a console without the failure).
fn fixture() -> Fixture {
    let failed = "[  OK  ] Started containerd.\r\n\
                  [\u{1b}[0;1;31mFAILED\u{1b}[0m] Failed to start nodeadm-config.service - EKS Nodeadm Config.\r\n";
    let mut fixture = Fixture::pack(&[
        ("pack.yaml", MANIFEST),
        ("config.yaml", CONFIG),
        ("console.yaml", CONSOLE),
    ])
    .respond(
        "eks:ListNodegroups",
        json!({"clusterName": "c1"}),
        json!({"nodegroups": ["ng-a", "ng-b", "ng-c"]}),
    );
    for (ng, user_data, console) in [
        ("ng-a", "nodeadm init\n", failed),
        ("ng-b", "#!/bin/bash\necho hi\n", failed),
        (
            "ng-c",
            "nodeadm init\n",
            "[  OK  ] Started nodeadm-config.service.\n",
        ),
    ] {
        let instance = format!("i-{ng}");
        fixture = fixture
            .respond(
                "eks:DescribeNodegroup",
                json!({"clusterName": "c1", "nodegroupName": ng}),
                json!({"nodegroup": {"tags": {
                    "userdata": STANDARD.encode(user_data), "instance": instance}}}),
            )
            .respond(
                "ec2:GetConsoleOutput",
                json!({"InstanceId": instance}),
                json!({"InstanceId": instance, "Output": console}),
            );
    }
    fixture
}

/// A console line with libtest's alignment padding collapsed to one space.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_failure_shows_whether_the_checks_it_cross_checks_agree() {
    let (run, report) = fixture().run_with_report(&[]);
    run.expect_code(1);
    #[rustfmt::skip]
    let want = expected(&[
        ("t::config::user-data-runs-nodeadm[ng-a]", CaseOutcome::Pass),
        ("t::config::user-data-runs-nodeadm[ng-b]", failure("error")),
        ("t::config::user-data-runs-nodeadm[ng-c]", CaseOutcome::Pass),
        ("t::console::nodeadm-ran[ng-a/i-ng-a]", failure("error")),
        ("t::console::nodeadm-ran[ng-b/i-ng-b]", failure("error")),
        ("t::console::nodeadm-ran[ng-c/i-ng-c]", CaseOutcome::Pass),
    ]);
    assert_eq!(report.outcome_list(), want);
    let printed: Vec<String> = run.stdout.lines().map(squeeze).collect();
    for line in [
        // The line that matched, its number, its control characters escaped.
        r#"note: line 2: "[\u001b[0;1;31mFAILED\u001b[0m] Failed to start nodeadm-config.service - EKS Nodeadm Config.""#,
        "expected: no line matches /Failed to start .*EKS Nodeadm/",
        "cross-check: t::config::user-data-runs-nodeadm[ng-a] passed, but this check found the \
         fault: they disagree",
        "cross-check: t::config::user-data-runs-nodeadm[ng-b] failed too: they agree",
    ] {
        assert!(
            printed.iter().any(|printed| printed == &squeeze(line)),
            "no `{line}` in\n{}",
            run.stdout
        );
    }
    // Each failure shows its own row's cross-check only; a pass shows none.
    assert_eq!(
        run.stdout.matches("cross-check:").count(),
        2,
        "{}",
        run.stdout
    );
    // The JUnit report words the failure the same way.
    let case = report.case("t::console::nodeadm-ran[ng-b/i-ng-b]");
    assert!(
        case.text.contains(
            "cross-check: t::config::user-data-runs-nodeadm[ng-b] failed too: they agree"
        ),
        "{}",
        case.text
    );
}

#[test]
fn a_cross_checked_check_is_decided_when_a_filter_leaves_it_out() {
    let (run, report) = fixture().run_with_report(&["--", "--skip", "config::"]);
    run.expect_code(1);
    assert_eq!(report.outcome_list().len(), 3, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("user-data-runs-nodeadm[ng-a] passed, but this check found the fault"),
        "{}",
        run.stdout
    );
}
