//! Engine benchmark: prints its figures (run with `cargo bench --bench engine`).
//!
//! 1. A generated pack of 1,000 checks over a recording of 200 node groups × 10 subnets:
//!    load + plan + evaluate time (execution against the in-memory recording is reported apart).
//! 2. The same pack against a backend that sleeps 50 ms per call: wall time versus the
//!    dependency chain (critical path) × 50 ms, with enough concurrency for the widest level,
//!    and at the default `--max-concurrency 32` (where each level takes ⌈requests / 32⌉ rounds).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use ekscheck::evaluate::evaluate;
use ekscheck::execute::recording::RecordingBackend;
use ekscheck::execute::{Backend, CallError, Limits, execute};
use ekscheck::format::load_packs;
use ekscheck::plan::Plan;
use serde_json::{Value, json};

const NODEGROUPS: usize = 200;
const SUBNETS_PER_NODEGROUP: usize = 10;
const CHECKS: usize = 1_000;
const SUITES: usize = 10;
const LATENCY: Duration = Duration::from_millis(50);
/// Requests per dependency level: DescribeCluster + ListNodegroups, then DescribeNodegroup per
/// node group, then DescribeSubnets and ListAttachedRolePolicies per node group.
const LEVELS: [usize; 3] = [2, NODEGROUPS, 2 * NODEGROUPS];

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let pack_dir = dir.path().join("pack");
    let recording_dir = dir.path().join("recording");
    write_pack(&pack_dir);
    write_recording(&recording_dir);

    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let backend = RecordingBackend::load(&recording_dir).expect("recording loads");

    let started = Instant::now();
    let (packs, diagnostics) = load_packs(&[pack_dir]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let load = started.elapsed();
    let started = Instant::now();
    let plan = Plan::build(&packs).expect("plan");
    let vars =
        ekscheck::vars::resolve(&packs, &[("cluster".into(), "bench".into())], None).expect("vars");
    let checks: Vec<usize> = (0..plan.checks.len()).collect();
    let needed = plan.calls_needed(&checks);
    let planning = started.elapsed();
    let limits = Limits {
        max_concurrency: 32,
    };
    let started = Instant::now();
    let execution = runtime.block_on(execute(&plan, &vars, &needed, &backend, limits));
    let executing = started.elapsed();
    let started = Instant::now();
    let outcomes = evaluate(&plan, &execution, &vars, &checks);
    let evaluating = started.elapsed();

    println!(
        "pack: {CHECKS} checks in {SUITES} suites; recording: {NODEGROUPS} node groups × {SUBNETS_PER_NODEGROUP} subnets"
    );
    println!("  load      {:>8.1} ms", ms(load));
    println!("  plan      {:>8.1} ms", ms(planning));
    println!(
        "  execute   {:>8.1} ms  ({} requests for {} call instances, in memory)",
        ms(executing),
        execution.requests,
        execution.instances
    );
    println!(
        "  evaluate  {:>8.1} ms  ({} outcomes)",
        ms(evaluating),
        outcomes.len()
    );
    println!(
        "  load + plan + evaluate: {:.1} ms",
        ms(load + planning + evaluating)
    );

    for max_concurrency in [usize::MAX >> 1, 32] {
        let slow = Slow { inner: &backend };
        let limits = Limits { max_concurrency };
        let started = Instant::now();
        let execution = runtime.block_on(execute(&plan, &vars, &needed, &slow, limits));
        let wall = started.elapsed();
        // The critical path, in rounds of `max_concurrency` requests per level.
        let rounds: usize = LEVELS.iter().map(|&n| n.div_ceil(max_concurrency)).sum();
        let critical = LATENCY * rounds as u32;
        let shown = if max_concurrency > 1 << 20 {
            "unbounded".to_owned()
        } else {
            max_concurrency.to_string()
        };
        println!(
            "latency 50 ms/call, max concurrency {shown}: wall {:.0} ms, critical path {:.0} ms ({rounds} rounds), ratio {:.2}; requests {} = unique calls {}",
            ms(wall),
            ms(critical),
            wall.as_secs_f64() / critical.as_secs_f64(),
            execution.requests,
            backend.times_asked().len(),
        );
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Delegates to the recording after sleeping [`LATENCY`].
struct Slow<'a> {
    inner: &'a RecordingBackend,
}

impl Backend for Slow<'_> {
    async fn call(&self, api: &str, params: &Value) -> Result<Value, CallError> {
        tokio::time::sleep(LATENCY).await;
        self.inner.call(api, params).await
    }
}

fn write_pack(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("pack.yaml"),
        r#"pack: bench
version: 1.0.0
vars:
  cluster: { required: true }
  min_free: { default: 10 }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: "{{vars.cluster}}" }
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: "{{vars.cluster}}" }
  nodegroup:
    for_each: { in: nodegroups, path: "$.nodegroups[*]", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: "{{vars.cluster}}", nodegroupName: "{{ng}}" }
  subnets:
    api: ec2:DescribeSubnets
    params: { SubnetIds: "{{nodegroup.nodegroup.subnets}}" }
  policies:
    api: iam:ListAttachedRolePolicies
    params: { RoleName: "{{arn_name nodegroup.nodegroup.nodeRole}}" }
"#,
    )
    .unwrap();
    // Each suite: 10 cluster checks, 45 node group checks, 45 subnet checks.
    for suite in 0..SUITES {
        let mut text = String::from("checks:\n");
        for index in 0..CHECKS / SUITES {
            let id = format!("check-{suite}-{index}");
            let body = match index % 10 {
                0 => "    on: cluster\n    expect:\n      - { path: $.cluster.status, equals: ACTIVE }\n".to_owned(),
                1..=5 => format!(
                    "    on: policies\n    expect:\n      - {{ path: \"$.AttachedPolicies[*].PolicyName\", contains: Policy{} }}\n",
                    index % 3
                ),
                _ => "    on: subnets\n    expect:\n      - path: $.Subnets[*]\n        all: { path: $.AvailableIpAddressCount, gte: \"{{vars.min_free}}\" }\n".to_owned(),
            };
            let needs = if index % 10 == 2 {
                format!("    needs: [check-{suite}-1]\n")
            } else {
                String::new()
            };
            writeln!(text, "  - id: {id}\n    title: Check {index} of suite {suite} for {{{{ng}}}}\n{needs}{body}").unwrap();
        }
        // Cluster checks do not read `ng`: give them a title without it.
        let text = text.replace("for {{ng}}\n    on: cluster", "\n    on: cluster");
        std::fs::write(dir.join(format!("suite{suite}.yaml")), text).unwrap();
    }
}

fn write_recording(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut file_index = 0;
    let mut put = |api: &str, params: Value, response: Value| {
        file_index += 1;
        let call = json!({"api": api, "params": params, "response": response});
        std::fs::write(dir.join(format!("{file_index:05}.json")), call.to_string()).unwrap();
    };
    put(
        "eks:DescribeCluster",
        json!({"name": "bench"}),
        json!({"cluster": {"name": "bench", "status": "ACTIVE"}}),
    );
    let names: Vec<String> = (0..NODEGROUPS).map(|i| format!("ng-{i:03}")).collect();
    put(
        "eks:ListNodegroups",
        json!({"clusterName": "bench"}),
        json!({"nodegroups": names}),
    );
    for (i, name) in names.iter().enumerate() {
        let subnets: Vec<String> = (0..SUBNETS_PER_NODEGROUP)
            .map(|s| format!("subnet-{i:03}-{s}"))
            .collect();
        let role = format!("arn:aws:iam::111122223333:role/node-{i:03}");
        put(
            "eks:DescribeNodegroup",
            json!({"clusterName": "bench", "nodegroupName": name}),
            json!({"nodegroup": {"nodegroupName": name, "status": "ACTIVE", "subnets": subnets, "nodeRole": role}}),
        );
        let described: Vec<Value> = subnets
            .iter()
            .enumerate()
            .map(|(s, id)| json!({"SubnetId": id, "AvailableIpAddressCount": 50 + s * 100, "State": "available"}))
            .collect();
        put(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": subnets}),
            json!({"Subnets": described}),
        );
        put(
            "iam:ListAttachedRolePolicies",
            json!({"RoleName": format!("node-{i:03}")}),
            json!({"AttachedPolicies": [{"PolicyName": "Policy0"}, {"PolicyName": "Policy1"}]}),
        );
    }
}
