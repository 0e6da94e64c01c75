//! Fan-out: one call instance per item `for_each` selects, nested fan-outs (subnets per node
//! group), inherited fan-out (a call reading a fanned-out call runs once per row), and row labels
//! (`as` values joined with `/` by default, or a `label:` template).

use serde_json::{Value, json};

use crate::support::{CaseOutcome, Fixture, expected, failure};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { default: c1 }
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: \"{{vars.cluster}}\" }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: \"{{vars.cluster}}\", nodegroupName: \"{{ng}}\" }
";

const NODES: &str = "\
calls:
  role:
    api: iam:GetRole
    params: { RoleName: \"{{arn_name nodegroup.nodegroup.nodeRole}}\" }
  subnet:
    for_each: { in: nodegroup, path: \"$.nodegroup.subnets[*]\", as: subnet_id }
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
checks:
  - id: cluster-has-nodegroups
    title: Cluster has node groups
    on: nodegroups
    expect:
      - { path: $.nodegroups, count: { gte: 1 } }
  - id: nodegroup-active
    title: Node group {{ng}} is ACTIVE
    on: nodegroup
    expect:
      - { path: $.nodegroup.status, equals: ACTIVE }
  - id: role-path
    title: Role of {{ng}} lives under /eks/
    on: role
    expect:
      - { path: $.Role.Path, equals: /eks/ }
  - id: subnet-free-ips
    title: Subnet {{subnet_id}} of {{ng}} has free addresses
    on: subnet
    expect:
      - { path: '$.Subnets[0].AvailableIpAddressCount', gte: 10 }
  - id: subnet-matches-nodegroup
    title: Subnet {{subnet_id}} is listed by node group {{ng}}
    on: subnet
    expect:
      - { path: '$.Subnets[0].SubnetId', equals: '{{subnet_id}}' }
      - { on: nodegroup, path: $.nodegroup.subnets, contains: '{{subnet_id}}' }
";

fn nodegroup(name: &str, status: &str, role: &str, subnets: &[&str]) -> Value {
    json!({"nodegroup": {
        "nodegroupName": name,
        "status": status,
        "nodeRole": format!("arn:aws:iam::111122223333:role/{role}"),
        "subnets": subnets,
    }})
}

fn subnet(id: &str, free: u64) -> Value {
    json!({"Subnets": [{"SubnetId": id, "AvailableIpAddressCount": free, "VpcId": "vpc-1"}]})
}

/// Two node groups: ng-a (ACTIVE, role eks/node-a, two subnets) and ng-b (DEGRADED, role
/// node-b, one subnet), with `files` as the pack.
fn two_nodegroups(files: &[(&str, &str)]) -> Fixture {
    let mut fixture = Fixture::pack(files)
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
            nodegroup("ng-a", "ACTIVE", "eks/node-a", &["subnet-1", "subnet-2"]),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
            nodegroup("ng-b", "DEGRADED", "node-b", &["subnet-3"]),
        )
        .respond(
            "iam:GetRole",
            json!({"RoleName": "node-a"}),
            json!({"Role": {"RoleName": "node-a", "Path": "/eks/"}}),
        )
        .respond(
            "iam:GetRole",
            json!({"RoleName": "node-b"}),
            json!({"Role": {"RoleName": "node-b", "Path": "/"}}),
        );
    for (id, free) in [("subnet-1", 100), ("subnet-2", 3), ("subnet-3", 50)] {
        fixture = fixture.respond(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": [id]}),
            subnet(id, free),
        );
    }
    fixture
}

#[test]
fn checks_run_once_per_row_of_their_fan_out() {
    let (run, report) =
        two_nodegroups(&[("pack.yaml", MANIFEST), ("nodes.yaml", NODES)]).run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::nodes::cluster-has-nodegroups", CaseOutcome::Pass),
            ("t::nodes::nodegroup-active[ng-a]", CaseOutcome::Pass),
            ("t::nodes::nodegroup-active[ng-b]", failure("error")),
            ("t::nodes::role-path[ng-a]", CaseOutcome::Pass),
            ("t::nodes::role-path[ng-b]", failure("error")),
            (
                "t::nodes::subnet-free-ips[ng-a/subnet-1]",
                CaseOutcome::Pass
            ),
            ("t::nodes::subnet-free-ips[ng-a/subnet-2]", failure("error")),
            (
                "t::nodes::subnet-free-ips[ng-b/subnet-3]",
                CaseOutcome::Pass
            ),
            (
                "t::nodes::subnet-matches-nodegroup[ng-a/subnet-1]",
                CaseOutcome::Pass
            ),
            (
                "t::nodes::subnet-matches-nodegroup[ng-a/subnet-2]",
                CaseOutcome::Pass
            ),
            (
                "t::nodes::subnet-matches-nodegroup[ng-b/subnet-3]",
                CaseOutcome::Pass
            ),
        ])
    );
    // Each row's templates see that row's items: the title and the failure name the row.
    let case = report.case("t::nodes::subnet-free-ips[ng-a/subnet-2]");
    assert_eq!(case.message, "Subnet subnet-2 of ng-a has free addresses");
    assert_eq!(
        case.text.lines().last(),
        Some("  actual:   3"),
        "{}",
        case.text
    );
    assert_eq!(
        report.case("t::nodes::role-path[ng-b]").message,
        "Role of ng-b lives under /eks/"
    );
    assert!(run.stdout.contains("running 11 tests\n"), "{}", run.stdout);
}

#[test]
fn a_fan_out_over_nothing_has_no_rows() {
    let (run, report) = Fixture::pack(&[("pack.yaml", MANIFEST), ("nodes.yaml", NODES)])
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": []}),
        )
        .run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.outcome_list(),
        expected(&[("t::nodes::cluster-has-nodegroups", failure("error"))])
    );
    assert!(run.stdout.contains("running 1 test\n"), "{}", run.stdout);
}

#[test]
fn a_for_each_path_may_select_a_list_or_an_absent_value() {
    // A singular path selecting a list iterates the list; selecting nothing makes no rows.
    let suite = "\
calls:
  listed:
    for_each: { in: nodegroups, path: $.nodegroups, as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: \"{{ng}}\" }
  nothing:
    for_each: { in: nodegroups, path: $.missing, as: gone }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: \"{{gone}}\" }
checks:
  - id: listed
    title: listed
    on: listed
    expect:
      - { path: $.nodegroup.nodegroupName, equals: '{{ng}}' }
  - id: nothing
    title: nothing
    on: nothing
    expect:
      - { exists: true }
";
    let manifest = "pack: t\nversion: 1.0.0\ncalls:\n  nodegroups:\n    api: eks:ListNodegroups\n    params: { clusterName: c1 }\n";
    let (run, report) =
        two_nodegroups(&[("pack.yaml", manifest), ("s.yaml", suite)]).run_with_report(&[]);
    run.expect_code(0);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::s::listed[ng-a]", CaseOutcome::Pass),
            ("t::s::listed[ng-b]", CaseOutcome::Pass),
        ])
    );
}

#[test]
fn row_labels_default_to_the_as_values_or_follow_a_label_template() {
    let labelled = "\
calls:
  group:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: name, label: \"{{vars.cluster}}:{{name}}\" }
    api: eks:DescribeNodegroup
    params: { clusterName: \"{{vars.cluster}}\", nodegroupName: \"{{name}}\" }
  group_subnet:
    for_each: { in: group, path: \"$.nodegroup.subnets[*]\", as: id }
    label: \"{{name}} subnet {{id}}\"
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{id}}\"] }
checks:
  - id: group
    title: group
    on: group
    expect:
      - { path: $.nodegroup.nodegroupName, exists: true }
  - id: group-subnet
    title: group subnet
    on: group_subnet
    expect:
      - { path: '$.Subnets[0].SubnetId', equals: '{{id}}' }
";
    let (run, report) =
        two_nodegroups(&[("pack.yaml", MANIFEST), ("labels.yaml", labelled)]).run_with_report(&[]);
    run.expect_code(0);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::labels::group[c1:ng-a]", CaseOutcome::Pass),
            ("t::labels::group[c1:ng-b]", CaseOutcome::Pass),
            (
                "t::labels::group-subnet[c1:ng-a/ng-a subnet subnet-1]",
                CaseOutcome::Pass
            ),
            (
                "t::labels::group-subnet[c1:ng-a/ng-a subnet subnet-2]",
                CaseOutcome::Pass
            ),
            (
                "t::labels::group-subnet[c1:ng-b/ng-b subnet subnet-3]",
                CaseOutcome::Pass
            ),
        ])
    );
}

#[test]
fn a_call_reading_a_fanned_out_call_inherits_its_rows() {
    // `policies` reads `role`, which reads `nodegroup`: two levels of inheritance. `summary` is a
    // computed call reading `subnet`, so it runs per subnet row.
    let suite = "\
calls:
  role:
    api: iam:GetRole
    params: { RoleName: \"{{arn_name nodegroup.nodegroup.nodeRole}}\" }
  policies:
    api: iam:ListAttachedRolePolicies
    params: { RoleName: \"{{role.Role.RoleName}}\" }
  subnet:
    for_each: { in: nodegroup, path: \"$.nodegroup.subnets[*]\", as: subnet_id }
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
  summary:
    value: { id: \"{{subnet_id}}\", free: \"{{subnet.Subnets.0.AvailableIpAddressCount}}\", role: \"{{role.Role.RoleName}}\" }
checks:
  - id: cni-policy
    title: CNI policy
    on: policies
    expect:
      - { path: '$.AttachedPolicies[*].PolicyName', contains: AmazonEKS_CNI_Policy }
  - id: summary
    title: summary
    on: summary
    expect:
      - { path: $.free, gte: 10 }
";
    let (run, report) = two_nodegroups(&[("pack.yaml", MANIFEST), ("inherit.yaml", suite)])
        .respond(
            "iam:ListAttachedRolePolicies",
            json!({"RoleName": "node-a"}),
            json!({"AttachedPolicies": [{"PolicyName": "AmazonEKS_CNI_Policy"}]}),
        )
        .respond(
            "iam:ListAttachedRolePolicies",
            json!({"RoleName": "node-b"}),
            json!({"AttachedPolicies": []}),
        )
        .run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::inherit::cni-policy[ng-a]", CaseOutcome::Pass),
            ("t::inherit::cni-policy[ng-b]", failure("error")),
            ("t::inherit::summary[ng-a/subnet-1]", CaseOutcome::Pass),
            ("t::inherit::summary[ng-a/subnet-2]", failure("error")),
            ("t::inherit::summary[ng-b/subnet-3]", CaseOutcome::Pass),
        ])
    );
    let text = &report.case("t::inherit::summary[ng-a/subnet-2]").text;
    assert_eq!(text.lines().last(), Some("  actual:   3"), "{text}");
}

#[test]
fn a_call_reading_only_a_for_each_item_inherits_its_rows_wherever_it_is_declared() {
    // `role` is declared before the call whose `as` name it reads.
    let suite = "\
calls:
  role:
    api: iam:GetRole
    params: { RoleName: \"{{arn_name role_arn}}\" }
  role_arns:
    for_each: { in: nodegroup, path: $.nodegroup.nodeRole, as: role_arn }
    label: \"{{arn_name role_arn}}\"
    value: \"{{role_arn}}\"
checks:
  - id: role-path
    title: role path
    on: role
    expect:
      - { path: $.Role.Path, equals: /eks/ }
";
    let (run, report) =
        two_nodegroups(&[("pack.yaml", MANIFEST), ("early.yaml", suite)]).run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::early::role-path[ng-a/node-a]", CaseOutcome::Pass),
            ("t::early::role-path[ng-b/node-b]", failure("error")),
        ])
    );
}

#[test]
fn a_for_each_nests_under_the_rows_it_reads_and_may_keep_one_row_per_label() {
    // The route tables of the VPC, once per subnet of each node group; and the node roles, one
    // row per role however many node groups share it.
    let suite = "\
calls:
  tables:
    api: ec2:DescribeRouteTables
    params: { Filters: [{ Name: vpc-id, Values: [vpc-1] }] }
  subnet:
    for_each: { in: nodegroup, path: \"$.nodegroup.subnets[*]\", as: subnet_id }
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
  table:
    for_each:
      in: tables
      path: \"$.RouteTables[?@.VpcId == '{{subnet.Subnets.0.VpcId}}']\"
      as: candidate
      label: \"{{candidate.RouteTableId}}\"
    value: \"{{candidate}}\"
  role_of_group:
    for_each:
      in: nodegroups
      path: \"$.nodegroups[*]\"
      as: name
      label: shared
      unique: true
    value: \"{{name}}\"
checks:
  - id: table-in-vpc
    title: Route table {{candidate.RouteTableId}} of {{subnet_id}}
    on: table
    expect:
      - { path: $.VpcId, equals: vpc-1 }
  - id: one-row-per-label
    title: Roles
    on: role_of_group
    expect:
      - { equals: ng-a }
";
    let fixture = two_nodegroups(&[("pack.yaml", MANIFEST), ("nested.yaml", suite)]).respond(
        "ec2:DescribeRouteTables",
        json!({"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]}),
        json!({"RouteTables": [
            {"RouteTableId": "rtb-1", "VpcId": "vpc-1"},
            {"RouteTableId": "rtb-2", "VpcId": "vpc-1"},
            {"RouteTableId": "rtb-9", "VpcId": "vpc-9"}
        ]}),
    );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(0);
    let names: Vec<String> = report.cases().map(|c| c.full_name()).collect();
    assert_eq!(
        names,
        [
            "t::nested::table-in-vpc[ng-a/subnet-1/rtb-1]",
            "t::nested::table-in-vpc[ng-a/subnet-1/rtb-2]",
            "t::nested::table-in-vpc[ng-a/subnet-2/rtb-1]",
            "t::nested::table-in-vpc[ng-a/subnet-2/rtb-2]",
            "t::nested::table-in-vpc[ng-b/subnet-3/rtb-1]",
            "t::nested::table-in-vpc[ng-b/subnet-3/rtb-2]",
            "t::nested::one-row-per-label[shared]",
        ]
    );
    assert!(report.cases().all(|c| c.outcome == CaseOutcome::Pass));
}

/// Node groups ng-a (ACTIVE, subnets 1 and 2, with 100 and 3 free addresses) and ng-b
/// (DEGRADED, subnet-9, whose description fails with `code`), with `files` as the pack.
fn gathering(files: &[(&str, &str)], code: &str) -> Fixture {
    let mut fixture = Fixture::pack(files)
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        )
        .fail(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": ["subnet-9"]}),
            code,
            "The subnet ID 'subnet-9' does not exist",
        );
    for (name, status, subnets) in [
        ("ng-a", "ACTIVE", &["subnet-1", "subnet-2"][..]),
        ("ng-b", "DEGRADED", &["subnet-9"][..]),
    ] {
        fixture = fixture.respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": name}),
            nodegroup(name, status, "node", subnets),
        );
    }
    for (id, free) in [("subnet-1", 100), ("subnet-2", 3)] {
        fixture = fixture.respond(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": [id]}),
            subnet(id, free),
        );
    }
    fixture
}

#[test]
fn a_gathering_call_answers_once_per_row_with_every_items_response() {
    // Per node group, the subnets it names, gathered into one answer: one row per node group,
    // not per subnet. The item `subnet-9` fails with an accepted error, which is its answer;
    // `named` is made for no item of ng-b, whose `when` is false.
    let suite = "\
calls:
  subnets:
    for_each:
      in: nodegroup
      path: \"$.nodegroup.subnets[*]\"
      as: subnet_id
      gather: true
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
    accept_errors: [InvalidSubnetID.NotFound]
  named:
    for_each:
      in: nodegroup
      path: \"$.nodegroup.subnets[*]\"
      as: named_subnet
      label: \"zone-{{named_subnet}}\"
      gather: true
    when:
      - { on: nodegroup, path: $.nodegroup.status, equals: ACTIVE }
    value: \"{{named_subnet}}\"
checks:
  - id: subnets-have-free-addresses
    title: Every subnet of {{ng}} has free addresses
    on: subnets
    expect:
      - { path: '$.*.Subnets[0].AvailableIpAddressCount', all: { gte: 10 } }
      - { path: '$.*.Error.Code', empty: true }
  - id: labels-key-the-answers
    title: Labels of {{ng}}
    on: named
    expect:
      - { path: $, equals: { zone-subnet-1: subnet-1, zone-subnet-2: subnet-2 } }
";
    let fixture = gathering(
        &[("pack.yaml", MANIFEST), ("gathered.yaml", suite)],
        "InvalidSubnetID.NotFound",
    );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            (
                "t::gathered::subnets-have-free-addresses[ng-a]",
                failure("error")
            ),
            (
                "t::gathered::subnets-have-free-addresses[ng-b]",
                failure("error")
            ),
            (
                "t::gathered::labels-key-the-answers[ng-a]",
                CaseOutcome::Pass
            ),
            (
                "t::gathered::labels-key-the-answers[ng-b]",
                failure("error")
            ),
        ])
    );
    // ng-a: subnet-2 has 3 free addresses; ng-b: subnet-9 is gone; ng-b is not ACTIVE.
    run.expect_stdout_contains("element 1 decides it: 3");
    run.expect_stdout_contains("\"InvalidSubnetID.NotFound\"");
}

#[test]
fn a_gathering_call_fails_with_its_first_failed_item() {
    let suite = "\
calls:
  subnets:
    for_each: { in: nodegroup, path: \"$.nodegroup.subnets[*]\", as: subnet_id, gather: true }
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
checks:
  - id: subnets-answer
    title: Every subnet of {{ng}} answers
    on: subnets
    expect:
      - { path: '$.*', count: { gte: 1 } }
";
    let fixture = gathering(
        &[("pack.yaml", MANIFEST), ("gathered.yaml", suite)],
        "UnauthorizedOperation",
    );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(3);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::gathered::subnets-answer[ng-a]", CaseOutcome::Pass),
            ("t::gathered::subnets-answer[ng-b]", CaseOutcome::Error),
        ])
    );
    run.expect_stdout_contains("UnauthorizedOperation");
}
