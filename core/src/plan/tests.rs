//! Planning small packs loaded from text: what each call and check refers to, the fan-outs they
//! inherit, the calls a check needs, and the references that point nowhere.

use super::*;
use crate::testkit::{load, pack};

/// The id of the call named `name`.
fn call(plan: &Plan, name: &str) -> CallId {
    plan.calls
        .iter()
        .position(|call| call.def.name == name)
        .unwrap_or_else(|| panic!("no call `{name}`"))
}

/// The names of calls `ids`.
fn names<'p>(plan: &'p Plan, ids: &[CallId]) -> Vec<&'p str> {
    ids.iter()
        .map(|&id| plan.calls[id].def.name.as_str())
        .collect()
}

const FAN_OUTS: &str = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: '{{vars.cluster}}', nodegroupName: '{{ng}}' }
  subnet:
    for_each: { in: group, path: '$.nodegroup.subnets[*]', as: id }
    value: '{{id}}'
  version:
    value: '{{cluster.cluster.version}}'
checks:
  - id: cluster
    title: Cluster {{vars.cluster}}
    on: version
    expect: [{ exists: true }]
  - id: group
    title: Group {{ng}}
    on: group
    needs: [cluster]
    expect: [{ exists: true }]
  - id: subnet
    title: Subnet {{id}} of {{ng}}
    on: subnet
    needs: [group]
    expect: [{ exists: true }]
";

#[test]
fn calls_depend_on_what_they_read_and_inherit_its_fan_out() {
    let loaded = pack(FAN_OUTS);
    let plan = loaded.plan();
    let (group, subnet, version) = (
        call(&plan, "group"),
        call(&plan, "subnet"),
        call(&plan, "version"),
    );
    assert_eq!(names(&plan, &plan.calls[group].depends_on), ["groups"]);
    assert_eq!(names(&plan, &plan.calls[group].fanout), ["group"]);
    assert_eq!(plan.calls[group].iterated(), Some(call(&plan, "groups")));
    // A row of `subnet` is a subnet of a node group's row: its rows nest under `group`'s.
    assert_eq!(names(&plan, &plan.calls[subnet].depends_on), ["group"]);
    assert_eq!(
        names(&plan, &plan.calls[subnet].fanout),
        ["group", "subnet"]
    );
    assert_eq!(names(&plan, &plan.calls[version].depends_on), ["cluster"]);
    assert!(plan.calls[version].fanout.is_empty());
    assert_eq!(plan.calls[version].iterated(), None);
    assert_eq!(
        plan.calls[group].refs.get("ng"),
        Some(&Ref::Binding(group)),
        "{:?}",
        plan.calls[group].refs
    );
    assert_eq!(plan.calls[group].refs.get("vars"), Some(&Ref::Vars));
    let check = |id: &str| {
        plan.checks
            .iter()
            .position(|check| check.def.id == id)
            .unwrap()
    };
    let (first, second, third) = (check("cluster"), check("group"), check("subnet"));
    assert_eq!(plan.checks[third].name, "t::s::subnet");
    assert_eq!(
        names(&plan, &plan.checks[third].fanout),
        ["group", "subnet"]
    );
    assert_eq!(plan.checks[third].needs, [second]);
    assert_eq!(plan.with_needed_checks(&[third]), [first, second, third]);
    assert_eq!(plan.needs_first(&[third]), [first, second, third]);
    let needed: Vec<&str> = (0..plan.calls.len())
        .filter(|&id| plan.calls_needed(&[first])[id])
        .map(|id| plan.calls[id].def.name.as_str())
        .collect();
    assert_eq!(needed, ["cluster", "version"]);
    let needed = plan.calls_needed(&[third]);
    assert_eq!(
        needed,
        (0..plan.calls.len())
            .map(|id| id != version && plan.calls[id].def.name != "cluster")
            .collect::<Vec<_>>()
    );
}

#[test]
fn references_that_point_nowhere_or_in_circles_are_problems() {
    let loaded = pack(
        "\
calls:
  first:
    value: '{{second}}'
  second:
    value: '{{first}}'
  spelled:
    value: '{{clustr.cluster}}'
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng, label: '{{cluster.cluster.name}}' }
    value: '{{ng}}'
  other:
    for_each: { in: groups, path: '$.nodegroups[*]', as: o }
    value: '{{o}}'
  both:
    value: '{{ng}} {{o}}'
checks:
  - id: a
    title: '{{vars.clustr}}'
    on: cluster
    needs: [a, nowhere]
    expect: [{ exists: true }]
  - id: b
    title: B
    on: cluster
    needs: [c]
    expect: [{ exists: true }]
  - id: c
    title: C
    on: cluster
    needs: [b]
    expect: [{ exists: true }]
",
    );
    assert_eq!(loaded.problems(), Vec::<String>::new());
    let mut problems = loaded.plan_problems();
    problems.sort();
    assert_eq!(
        problems,
        [
            "pack/s.yaml:14:3: error: call `both` refers to two unrelated fan-outs: `ng` (one row per \
             group) and `o` (one row per other)",
            "pack/s.yaml:18:12: error: the pack declares no variable `clustr`",
            "pack/s.yaml:20:13: error: check `a` needs itself",
            "pack/s.yaml:20:16: error: undefined check `nowhere`",
            "pack/s.yaml:22:9: error: `needs` of check `b` form a cycle: b → c → b",
            "pack/s.yaml:2:3: error: calls depend on each other in a cycle: first → second → first",
            "pack/s.yaml:7:12: error: undefined name `clustr`",
            "pack/s.yaml:8:3: error: the row label of `group` reads a call's response",
        ]
    );
}

#[test]
fn a_pack_sees_the_calls_of_the_packs_it_requires() {
    let base = "\
pack: base
version: 1.0.0
calls:
  identity: { api: 'sts:GetCallerIdentity' }
";
    let team = "\
pack: team
version: 1.0.0
requires: [{ pack: base, path: ../base }]
";
    let suite = "\
checks:
  - id: account
    title: Account
    on: base::identity
    needs: ['base::s/known']
    expect: [{ path: $.Account, exists: true }]
";
    let base_suite = "\
checks:
  - id: known
    title: Known
    on: identity
    expect: [{ exists: true }]
";
    let loaded = load(&[
        ("pack.yaml", team),
        ("s.yaml", suite),
        ("../base/pack.yaml", base),
        ("../base/s.yaml", base_suite),
    ]);
    let (mut packs, problems) =
        crate::format::load_packs(&[loaded.dir().join("base"), loaded.dir().join("pack")]);
    assert!(problems.is_empty(), "{problems:?}");
    let plan = Plan::build(&packs).expect("a plan");
    let account = &plan.checks[1];
    assert_eq!(account.name, "team::s::account");
    assert_eq!(
        account.refs.get("base::identity"),
        Some(&Ref::Call(0)),
        "{:?}",
        account.refs
    );
    assert_eq!(account.needs, [0]);
    // Without the requirement, the name is undefined.
    packs[1].requires.clear();
    let problems = Plan::build(&packs).expect_err("undefined names");
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn a_checks_operations_are_those_of_the_calls_it_reads_not_of_its_rows() {
    let loaded = pack(&format!(
        "{FAN_OUTS}  - id: both
    title: In {{{{groups.nodegroups.0}}}} of {{{{cluster.cluster.name}}}}
    on: cluster
    expect: [{{ exists: true }}]
"
    ));
    let plan = loaded.plan();
    let operations = |id: &str| {
        let check = plan
            .checks
            .iter()
            .position(|check| check.def.id == id)
            .unwrap_or_else(|| panic!("no check `{id}`"));
        plan.operations(check)
    };
    assert_eq!(
        operations("both"),
        ["eks:DescribeCluster", "eks:ListNodegroups"]
    );
    assert_eq!(operations("group"), ["eks:DescribeNodegroup"]);
    // `subnet` reads a computed value, and `{{ng}}` of the rows it runs over.
    assert!(
        operations("subnet").is_empty(),
        "{:?}",
        operations("subnet")
    );
}
