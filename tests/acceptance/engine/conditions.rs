//! `needs` and `when`: a check is skipped, with its reason, when a needed check did not pass for
//! the same row ("needs X (failed)", also across suites as `suite/check-id`) or when a `when`
//! assertion is false.

use serde_json::json;

use crate::support::{CaseOutcome, Fixture, expected, failure, skipped};

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

const IAM: &str = "\
calls:
  role:
    api: iam:GetRole
    params: { RoleName: \"{{arn_name nodegroup.nodegroup.nodeRole}}\" }
    accept_errors: [NoSuchEntity]
checks:
  - id: role-exists
    title: Role of {{ng}} exists
    on: role
    expect:
      - { path: $.Role.Arn, exists: true }
  - id: role-trusts-ec2
    title: Role of {{ng}} trusts EC2
    needs: [role-exists]
    on: role
    expect:
      - path: '$.Role.AssumeRolePolicyDocument.Statement[*]'
        any: { path: $.Principal.Service, contains: ec2.amazonaws.com }
  - id: role-is-tagged
    title: Role of {{ng}} is tagged
    needs: [role-trusts-ec2]
    on: role
    expect:
      - { path: $.Role.Tags, empty: false }
";

const STATUS: &str = "\
calls:
  addons:
    api: eks:ListAddons
    params: { clusterName: c1 }
checks:
  - id: active-nodegroup-role-is-an-arn
    title: Node role of {{ng}} is an ARN
    needs: [iam/role-exists]
    when:
      - { on: nodegroup, path: $.nodegroup.status, equals: ACTIVE }
    on: nodegroup
    expect:
      - { path: $.nodegroup.nodeRole, matches: '^arn:aws:iam::' }
  - id: failed-nodegroup-reports-issues
    title: Failed node group {{ng}} reports its issues
    when:
      - { on: nodegroup, path: $.nodegroup.status, equals: CREATE_FAILED }
      - { on: nodegroup, path: $.nodegroup.health, exists: true }
    on: nodegroup
    expect:
      - { path: $.nodegroup.health.issues, count: { gte: 1 } }
  - id: every-role-exists
    title: Every node group has its role
    needs: [iam/role-exists]
    on: nodegroups
    expect:
      - { path: $.nodegroups, count: 2 }
  - id: addons-listed
    title: Add-ons can be listed
    on: addons
    expect:
      - { path: $.addons, exists: true }
  - id: addon-count
    title: At most 10 add-ons
    needs: [addons-listed]
    on: addons
    expect:
      - { path: $.addons, count: { lte: 10 } }
  - id: nodegroups-listed
    title: Node groups can be listed
    needs: [iam/role-is-tagged]
    on: nodegroups
    expect:
      - { path: $.nodegroups, exists: true }
";

fn fixture() -> Fixture {
    let trust = json!({"Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    Fixture::pack(&[
        ("pack.yaml", MANIFEST),
        ("iam.yaml", IAM),
        ("status.yaml", STATUS),
    ])
    .respond(
        "eks:ListNodegroups",
        json!({"clusterName": "c1"}),
        json!({"nodegroups": ["ng-a", "ng-b", "ng-c"]}),
    )
    .respond(
        "eks:DescribeNodegroup",
        json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
        json!({"nodegroup": {"status": "ACTIVE",
                "nodeRole": "arn:aws:iam::111122223333:role/node-a"}}),
    )
    .respond(
        "eks:DescribeNodegroup",
        json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
        json!({"nodegroup": {"status": "CREATE_FAILED",
                "nodeRole": "arn:aws:iam::111122223333:role/node-b",
                "health": {"issues": [{"code": "IamNodeRoleNotFound"}]}}}),
    )
    .respond(
        "eks:DescribeNodegroup",
        json!({"clusterName": "c1", "nodegroupName": "ng-c"}),
        json!({"nodegroup": {"status": "ACTIVE",
                "nodeRole": "arn:aws:iam::111122223333:role/node-c"}}),
    )
    .respond(
        "iam:GetRole",
        json!({"RoleName": "node-a"}),
        json!({"Role": {"Arn": "arn:aws:iam::111122223333:role/node-a",
                "AssumeRolePolicyDocument": trust, "Tags": [{"Key": "team", "Value": "a"}]}}),
    )
    .fail(
        "iam:GetRole",
        json!({"RoleName": "node-b"}),
        "NoSuchEntity",
        "The role with name node-b cannot be found.",
    )
    .respond(
        "iam:GetRole",
        json!({"RoleName": "node-c"}),
        json!({"Role": {"Arn": "arn:aws:iam::111122223333:role/node-c",
                "AssumeRolePolicyDocument": {"Statement": []}}}),
    )
    .fail(
        "eks:ListAddons",
        json!({"clusterName": "c1"}),
        "AccessDeniedException",
        "not allowed",
    )
}

#[test]
fn needs_and_when_skip_rows_with_their_reason() {
    let (run, report) = fixture().run_with_report(&[]);
    run.expect_code(1);
    let when_failed_is_false =
        r#"when: $.nodegroup.status equals "CREATE_FAILED" is false (actual: "ACTIVE")"#;
    #[rustfmt::skip]
    let want = expected(&[
        ("t::iam::role-exists[ng-a]", CaseOutcome::Pass),
        ("t::iam::role-exists[ng-b]", failure("error")),
        ("t::iam::role-exists[ng-c]", CaseOutcome::Pass),
        ("t::iam::role-trusts-ec2[ng-a]", CaseOutcome::Pass),
        ("t::iam::role-trusts-ec2[ng-b]", skipped("needs role-exists (failed)")),
        ("t::iam::role-trusts-ec2[ng-c]", failure("error")),
        ("t::iam::role-is-tagged[ng-a]", CaseOutcome::Pass),
        ("t::iam::role-is-tagged[ng-b]", skipped("needs role-trusts-ec2 (skipped)")),
        ("t::iam::role-is-tagged[ng-c]", skipped("needs role-trusts-ec2 (failed)")),
        ("t::status::active-nodegroup-role-is-an-arn[ng-a]", CaseOutcome::Pass),
        // `needs` is decided before `when`.
        ("t::status::active-nodegroup-role-is-an-arn[ng-b]", skipped("needs role-exists (failed)")),
        ("t::status::active-nodegroup-role-is-an-arn[ng-c]", CaseOutcome::Pass),
        ("t::status::failed-nodegroup-reports-issues[ng-a]", skipped(when_failed_is_false)),
        ("t::status::failed-nodegroup-reports-issues[ng-b]", CaseOutcome::Pass),
        ("t::status::failed-nodegroup-reports-issues[ng-c]", skipped(when_failed_is_false)),
        // A check without fan-out needing a fanned-out one: any row that did not pass.
        ("t::status::every-role-exists", skipped("needs role-exists (failed)")),
        ("t::status::addons-listed", CaseOutcome::Error),
        ("t::status::addon-count", skipped("needs addons-listed (error)")),
        ("t::status::nodegroups-listed", skipped("needs role-is-tagged (skipped)")),
    ]);
    assert_eq!(report.outcome_list(), want);
    // The console shows the same reasons.
    for line in [
        "test t::iam::role-trusts-ec2[ng-b] ... ignored (needs role-exists (failed))",
        &format!(
            "test t::status::failed-nodegroup-reports-issues[ng-a] ... ignored ({when_failed_is_false})"
        ),
    ] {
        assert!(
            run.stdout.lines().any(|l| squeeze(l) == line),
            "no line `{line}` in\n{}",
            run.stdout
        );
    }
}

/// A console line with libtest's alignment padding collapsed to one space.
fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_when_reason_names_the_first_false_assertion() {
    let suite = "\
checks:
  - id: gated
    title: gated
    when:
      - { on: nodegroups, path: '$.nodegroups[*]', count: { gte: 1 } }
      - { on: nodegroups, path: $.cluster, exists: true }
      - { on: nodegroups, path: $.nodegroups, empty: true }
    on: nodegroups
    expect:
      - { exists: true }
";
    let (run, report) = Fixture::pack(&[("pack.yaml", MANIFEST), ("gate.yaml", suite)])
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a"]}),
        )
        .run_with_report(&[]);
    run.expect_code(0);
    assert_eq!(
        report.outcome_list(),
        expected(&[(
            "t::gate::gated",
            skipped("when: $.cluster exists is false (actual: absent)")
        )])
    );
    assert!(
        run.stdout
            .contains("test result: ok. 0 passed; 0 failed; 0 warnings; 1 ignored"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_false_when_skips_the_row_even_if_another_call_of_the_check_failed() {
    // In CONFIG_MAP mode EKS refuses to list access entries: the check does not apply, and says
    // so, rather than ending in an error. With API mode, the refusal is an error.
    let suite = "\
calls:
  cluster: { api: eks:DescribeCluster, params: { name: c1 } }
  entries: { api: eks:ListAccessEntries, params: { clusterName: c1 } }
checks:
  - id: entry
    title: entry
    when:
      - { on: cluster, path: $.cluster.accessConfig.authenticationMode, one_of: [API] }
    on: entries
    expect:
      - { path: $.accessEntries, count: { gte: 1 } }
";
    for (mode, outcome) in [
        (
            "CONFIG_MAP",
            skipped(
                r#"when: $.cluster.accessConfig.authenticationMode one_of ["API"] is false (actual: "CONFIG_MAP")"#,
            ),
        ),
        ("API", CaseOutcome::Error),
    ] {
        let (_, report) = Fixture::pack(&[("pack.yaml", MANIFEST), ("gate.yaml", suite)])
            .respond(
                "eks:DescribeCluster",
                json!({"name": "c1"}),
                json!({"cluster": {"accessConfig": {"authenticationMode": mode}}}),
            )
            .fail(
                "eks:ListAccessEntries",
                json!({"clusterName": "c1"}),
                "InvalidRequestException",
                "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP]",
            )
            .run_with_report(&[]);
        assert_eq!(
            report.outcome_list(),
            expected(&[("t::gate::entry", outcome)]),
            "{mode}"
        );
    }
}
