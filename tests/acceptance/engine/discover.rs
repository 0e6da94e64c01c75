//! `ekscheck ops` lists what a pack may call and shows an operation's parameters and response;
//! `ekscheck list` shows what a pack checks. Neither makes a call.

use serde_json::Value;

use crate::support::{Fixture, ekscheck};

#[test]
fn ops_lists_every_operation_and_describes_one() {
    let all = ekscheck(&["ops"]);
    all.expect_code(0);
    let names: Vec<&str> = all.stdout.lines().take_while(|l| !l.is_empty()).collect();
    assert!(names.len() > 40, "{}", all.stdout);
    assert!(names.windows(2).all(|pair| pair[0] < pair[1]), "sorted");
    assert!(names.contains(&"eks:DescribeCluster") && names.contains(&"iam:GetRole"));
    all.expect_stdout_contains(&format!("\n{} read-only operation(s)", names.len()));
    let eks = ekscheck(&["ops", "eks"]);
    eks.expect_code(0);
    assert!(
        eks.stdout
            .lines()
            .take_while(|l| !l.is_empty())
            .all(|l| l.starts_with("eks:"))
    );
    let one = ekscheck(&["ops", "eks:DescribeNodegroup"]);
    one.expect_code(0);
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("ops_describe_nodegroup", one.stdout);
    });
}

#[test]
fn ops_suggests_the_operation_meant() {
    let run = ekscheck(&["ops", "ec2:DescribeSubnet"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("`ec2:DescribeSubnet` is not an operation ekscheck can call")
    );
    assert!(
        run.stderr.contains("did you mean `ec2:DescribeSubnets`?"),
        "{}",
        run.stderr
    );
    let run = ekscheck(&["ops", "ek"]);
    run.expect_code(2);
    assert!(run.stderr.contains("did you mean `eks`?"), "{}", run.stderr);
}

#[test]
fn list_shows_each_check_with_its_calls_needs_and_rows() {
    let fixture = Fixture::pack(&[(
        "nodes.yaml",
        "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: nodegroups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
checks:
  - id: listed
    title: Node groups are listed
    on: nodegroups
    expect: [{ path: $.nodegroups, exists: true }]
  - id: active
    title: '{{ng}} is ACTIVE'
    severity: warning
    needs: [listed]
    on: nodegroup
    expect: [{ path: $.nodegroup.status, equals: ACTIVE }]
",
    )]);
    let run = ekscheck(&["list", &fixture.pack_dir()]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "\
t::nodes::listed  [error]
    Node groups are listed
    calls: nodegroups (eks:ListNodegroups)
t::nodes::active  [warning]
    {{ng}} is ACTIVE
    calls: nodegroup (eks:DescribeNodegroup)
    needs: t::nodes::listed
    rows:  one per item of nodegroup

2 check(s)
"
    );
    let run = ekscheck(&["list", "--json", &fixture.pack_dir()]);
    run.expect_code(0);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["name"], "t::nodes::active");
    assert_eq!(lines[1]["needs"][0], "t::nodes::listed");
    assert_eq!(lines[1]["rows"][0], "nodegroup");
}
