//! Deduplication, through the library's run sequence: identical calls (same operation, same
//! rendered params) are made once per run, whichever checks, suites, packs or fan-out rows ask
//! for them; only the calls the selected checks need are made, and only their outcomes kept.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use ekscheck::engine::{Run, Selection};
use ekscheck::evaluate::{NeedState, SkipReason, Status};
use ekscheck::execute::recording::RecordingBackend;
use ekscheck::execute::{Limits, call_key};
use ekscheck::format::{Pack, load_packs};
use ekscheck::overrides::Overrides;
use ekscheck::plan::{CheckId, Plan};

use crate::support::{Dir, ekscheck};

const MANIFEST: &str = "\
pack: PACK
version: 1.0.0
vars:
  cluster: { required: true }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: \"{{vars.cluster}}\" }
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: \"{{vars.cluster}}\" }
";

/// Two suites asking for the same calls under other names, with literal or templated params,
/// and fan-out rows whose calls coincide (a shared role, a subnet in two node groups).
const CLUSTER: &str = "\
calls:
  same_cluster:
    api: eks:DescribeCluster
    params: { name: c1 }
checks:
  - id: active
    title: active
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: active-again
    title: active again
    on: same_cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
      - { on: cluster, path: $.cluster.name, equals: c1 }
";

const NODES: &str = "\
calls:
  listed:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: listed, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: \"{{vars.cluster}}\", nodegroupName: \"{{ng}}\" }
  role:
    api: iam:GetRole
    params: { RoleName: \"{{arn_name nodegroup.nodegroup.nodeRole}}\" }
  subnet:
    for_each: { in: nodegroup, path: '$.nodegroup.subnets[*]', as: subnet_id }
    api: ec2:DescribeSubnets
    params: { SubnetIds: [\"{{subnet_id}}\"] }
  cluster_again:
    api: eks:DescribeCluster
    params: { name: \"{{nodegroup.nodegroup.clusterName}}\" }
checks:
  - id: role
    title: role
    on: role
    expect:
      - { path: $.Role.RoleName, equals: node }
  - id: subnet
    title: subnet
    on: subnet
    expect:
      - { path: '$.Subnets[0].SubnetId', equals: '{{subnet_id}}' }
  - id: same-cluster
    title: same cluster
    on: cluster_again
    expect:
      - { path: $.cluster.name, equals: '{{vars.cluster}}' }
  - id: counted
    title: counted
    on: nodegroups
    expect:
      - { path: $.nodegroups, count: 2 }
";

fn recorded(dir: &Dir, name: &str, api: &str, params: Value, response: Value) {
    let call = json!({"api": api, "params": params, "response": response});
    dir.write(&format!("recording/{name}.json"), &call.to_string());
}

/// Two packs (`first` and `second`, the same calls) and a recording of every distinct call.
fn setup() -> (Dir, Vec<PathBuf>, Vec<(&'static str, Value)>) {
    let (first, second) = (
        MANIFEST.replace("PACK", "first"),
        MANIFEST.replace("PACK", "second"),
    );
    let dir = Dir::with(&[
        ("first/pack.yaml", &first),
        ("first/cluster.yaml", CLUSTER),
        ("first/nodes.yaml", NODES),
        ("second/pack.yaml", &second),
        ("second/cluster.yaml", CLUSTER),
        ("second/nodes.yaml", NODES),
    ]);
    let calls: Vec<(&str, Value, Value)> = vec![
        (
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            json!({"cluster": {"name": "c1", "status": "ACTIVE"}}),
        ),
        (
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        ),
        (
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
            json!({"nodegroup": {"clusterName": "c1", "subnets": ["s-1", "s-2"],
                "nodeRole": "arn:aws:iam::111122223333:role/node"}}),
        ),
        (
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
            json!({"nodegroup": {"clusterName": "c1", "subnets": ["s-2", "s-3"],
                "nodeRole": "arn:aws:iam::111122223333:role/node"}}),
        ),
        (
            "iam:GetRole",
            json!({"RoleName": "node"}),
            json!({"Role": {"RoleName": "node"}}),
        ),
    ];
    let mut distinct: Vec<(&str, Value)> = Vec::new();
    for (index, (api, params, response)) in calls.into_iter().enumerate() {
        recorded(
            &dir,
            &format!("call-{index}"),
            api,
            params.clone(),
            response,
        );
        distinct.push((api, params));
    }
    for id in ["s-1", "s-2", "s-3"] {
        let params = json!({"SubnetIds": [id]});
        let response = json!({"Subnets": [{"SubnetId": id}]});
        recorded(&dir, id, "ec2:DescribeSubnets", params.clone(), response);
        distinct.push(("ec2:DescribeSubnets", params));
    }
    let packs = vec![dir.path().join("first"), dir.path().join("second")];
    (dir, packs, distinct)
}

fn load(dirs: &[PathBuf]) -> Vec<Pack> {
    let (packs, diagnostics) = load_packs(dirs);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    packs
}

/// Runs `checks` (their calls, then their outcomes) on the recording; returns the run and how
/// often each call was asked.
fn run(
    plan: &Plan,
    vars: &[Value],
    checks: &[CheckId],
    recording: &std::path::Path,
    max_concurrency: usize,
) -> (Run, BTreeMap<String, usize>) {
    let backend = RecordingBackend::load(recording, u64::MAX).expect("a valid recording");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("a runtime");
    let limits = Limits {
        max_concurrency,
        ..Limits::default()
    };
    let run = runtime
        .block_on(Selection::new(plan, checks).run(vars, &backend, limits, &Overrides::default()))
        .expect("within the outcome budget");
    (run, backend.times_asked().into_iter().collect())
}

#[test]
fn each_distinct_call_is_asked_for_exactly_once() {
    let (dir, dirs, distinct) = setup();
    let packs = load(&dirs);
    let plan = Plan::build(&packs).expect("a valid plan");
    let vars = ekscheck::vars::resolve(&packs, &[("cluster".into(), "c1".into())], None, None)
        .expect("valid variables");
    let all: Vec<CheckId> = (0..plan.checks.len()).collect();
    let expected: BTreeMap<String, usize> = distinct
        .iter()
        .map(|(api, params)| (call_key(api, params), 1))
        .collect();
    for max_concurrency in [1, 32] {
        let (ran, asked) = run(
            &plan,
            &vars,
            &all,
            &dir.path().join("recording"),
            max_concurrency,
        );
        assert_eq!(asked, expected, "max concurrency {max_concurrency}");
        assert_eq!(ran.execution.requests, distinct.len());
        // Per pack: cluster, nodegroups, same_cluster, listed, 2 nodegroup, 2 role, 4 subnet and
        // 2 cluster_again instances.
        let instances: usize = ran
            .execution
            .calls
            .iter()
            .flatten()
            .map(|results| results.instances.len())
            .sum();
        assert_eq!(instances, 2 * 14);
        let outcomes = ran.outcomes;
        let names: Vec<(&str, &Status)> = outcomes
            .iter()
            .map(|o| (o.name.as_str(), &o.status))
            .collect();
        assert_eq!(outcomes.len(), 2 * 11, "{names:#?}");
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{names:#?}"
        );
    }
    // The binary agrees: every check passes against a recording that answers each call once.
    let recording = dir.join("recording");
    let (first, second) = (dir.join("first"), dir.join("second"));
    let run = ekscheck(&[
        "run",
        &first,
        &second,
        "--recording",
        &recording,
        "--var",
        "cluster=c1",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("test result: ok. 22 passed;"),
        "{}",
        run.stdout
    );
}

#[test]
fn only_the_calls_of_the_selected_checks_are_made() {
    let (dir, dirs, _) = setup();
    let packs = load(&dirs);
    let plan = Plan::build(&packs).expect("a valid plan");
    let vars = ekscheck::vars::resolve(&packs, &[("cluster".into(), "c1".into())], None, None)
        .expect("valid variables");
    let pick = |name: &str| {
        plan.checks
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}"))
    };
    let recording = dir.path().join("recording");
    let key = |api: &str, params: Value| (call_key(api, &params), 1);
    // (selected checks, the calls asked for)
    let cases: Vec<(Vec<&str>, BTreeMap<String, usize>)> = vec![
        (
            vec!["first::cluster::active"],
            BTreeMap::from([key("eks:DescribeCluster", json!({"name": "c1"}))]),
        ),
        (
            vec!["second::nodes::role"],
            BTreeMap::from([
                key("eks:ListNodegroups", json!({"clusterName": "c1"})),
                key(
                    "eks:DescribeNodegroup",
                    json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
                ),
                key(
                    "eks:DescribeNodegroup",
                    json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
                ),
                key("iam:GetRole", json!({"RoleName": "node"})),
            ]),
        ),
        (
            vec!["first::nodes::counted", "second::cluster::active-again"],
            BTreeMap::from([
                key("eks:ListNodegroups", json!({"clusterName": "c1"})),
                key("eks:DescribeCluster", json!({"name": "c1"})),
            ]),
        ),
    ];
    for (names, expected) in cases {
        let checks: Vec<CheckId> = names.iter().map(|name| pick(name)).collect();
        let (ran, asked) = run(&plan, &vars, &checks, &recording, 32);
        assert_eq!(asked, expected, "{names:?}");
        let outcomes = ran.outcomes;
        // Every selected check was decided (at least one row each), and every row passed.
        let decided: std::collections::BTreeSet<&str> =
            outcomes.iter().map(|o| o.name.check()).collect();
        assert_eq!(
            decided,
            names.iter().copied().collect(),
            "{names:?}: the checks decided"
        );
        assert!(
            outcomes.iter().all(|o| o.status == Status::Pass),
            "{names:?}"
        );
    }
}

#[test]
fn a_run_reports_the_selected_checks_only_though_it_decides_the_checks_they_need() {
    let suite = "\
checks:
  - id: active
    title: active
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: counted
    title: counted
    on: nodegroups
    needs: [active]
    expect:
      - { path: $.nodegroups, count: 2 }
";
    let dir = Dir::with(&[
        ("pack/pack.yaml", &MANIFEST.replace("PACK", "p")),
        ("pack/s.yaml", suite),
    ]);
    recorded(
        &dir,
        "cluster",
        "eks:DescribeCluster",
        json!({"name": "c1"}),
        json!({"cluster": {"name": "c1", "status": "CREATING"}}),
    );
    recorded(
        &dir,
        "nodegroups",
        "eks:ListNodegroups",
        json!({"clusterName": "c1"}),
        json!({"nodegroups": ["ng-a", "ng-b"]}),
    );
    let packs = load(&[dir.path().join("pack")]);
    let plan = Plan::build(&packs).expect("a valid plan");
    let vars = ekscheck::vars::resolve(&packs, &[("cluster".into(), "c1".into())], None, None)
        .expect("valid variables");
    let counted = plan
        .checks
        .iter()
        .position(|check| check.name == "p::s::counted")
        .expect("the check");
    let (ran, asked) = run(&plan, &vars, &[counted], &dir.path().join("recording"), 32);
    // The needed check's call was made and the check decided (it failed), but only the selected
    // check is reported: skipped for its need.
    assert_eq!(asked.len(), 2, "{asked:?}");
    let reported: Vec<(&str, &Status)> = ran
        .outcomes
        .iter()
        .map(|outcome| (outcome.name.as_str(), &outcome.status))
        .collect();
    assert_eq!(
        reported,
        [(
            "p::s::counted",
            &Status::Skip(SkipReason::Needs {
                check: "active".into(),
                state: NeedState::Failed,
            })
        )]
    );
}
