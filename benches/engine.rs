//! Engine benchmark: prints its figures (run with `cargo bench --bench engine`).
//!
//! 1. A generated pack of 1,000 checks over a recording of 200 node groups × 10 subnets:
//!    load + plan + evaluate time (execution against the in-memory recording is reported apart).
//! 2. The same pack against a backend that sleeps 50 ms per call: wall time versus the
//!    dependency chain (critical path) × 50 ms, with enough concurrency for the widest level,
//!    and at the default `--max-concurrency 32` (where each level takes ⌈requests / 32⌉ rounds).
//! 3. The same pack through the live AWS backend (the real SDK clients: signing, retries,
//!    deserialisation, pagination) against a loopback fixture server that answers the same data
//!    after 50 ms: requests the server received versus unique calls (they must be equal), and
//!    wall time versus the critical path.
//! 4. The node-join pack on the largest recording of its test cases, as a user runs it: the
//!    `ekscheck` binary end to end (start, load, plan, execute, evaluate, report), against the
//!    target of 50 ms.
//! 5. Scale, run first so that the process's peak memory is theirs: loading a suite of 50,000
//!    lines, and a fan-out of 100,000 rows over a recording; each with the peak resident memory
//!    so far.

#[path = "../tests/acceptance/emulator/http.rs"]
#[allow(clippy::format_push_string, reason = "the tests' fixture code")]
mod http;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ekscheck::engine::Selection;
use ekscheck::engine::aws::{AwsBackend, AwsSettings};
use ekscheck::evaluate::evaluate;
use ekscheck::execute::recording::RecordingBackend;
use ekscheck::execute::{Backend, CallError, Limits};
use ekscheck::format::load_packs;
use ekscheck::overrides::Overrides;
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
    // SAFETY: no other thread exists yet. The live backend reads credentials from the
    // environment; the fixture server ignores them.
    #[allow(unsafe_code, reason = "set_var before any thread starts")]
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    scale(dir.path());
    let pack_dir = dir.path().join("pack");
    let recording_dir = dir.path().join("recording");
    write_pack(&pack_dir);
    write_recording(&recording_dir);

    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let backend = RecordingBackend::load(&recording_dir, u64::MAX).expect("recording loads");

    let started = Instant::now();
    let (packs, diagnostics) = load_packs(&[pack_dir]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let load = started.elapsed();
    let started = Instant::now();
    let plan = Plan::build(&packs).expect("plan");
    let vars = ekscheck::vars::resolve(&packs, &[("cluster".into(), "bench".into())], None, None)
        .expect("vars");
    let checks: Vec<usize> = (0..plan.checks.len()).collect();
    let selection = Selection::new(&plan, &checks);
    let planning = started.elapsed();
    let limits = Limits::default();
    let started = Instant::now();
    let execution = runtime.block_on(selection.execute(&vars, &backend, limits));
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
        execution
            .calls
            .iter()
            .flatten()
            .map(|results| results.instances.len())
            .sum::<usize>()
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
        let limits = Limits {
            max_concurrency,
            ..Limits::default()
        };
        let started = Instant::now();
        let execution = runtime.block_on(selection.execute(&vars, &slow, limits));
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

    node_join_offline();

    let (server, received) = runtime.block_on(fixture_server(&recording_dir));
    let settings = AwsSettings {
        region: Some("eu-west-2".into()),
        endpoint_url: Some(server),
        max_attempts: 1,
        ..AwsSettings::default()
    };
    let live = runtime
        .block_on(AwsBackend::connect(&settings))
        .expect("live backend");
    let ran = runtime
        .block_on(selection.run(&vars, &live, limits, &Overrides::default()))
        .expect("within the outcome budget");
    let wall = ran.execution.elapsed;
    let rounds: usize = LEVELS.iter().map(|&n| n.div_ceil(32)).sum();
    let critical = LATENCY * rounds as u32;
    let undecided = ran
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, ekscheck::evaluate::Status::Undecided(_)))
        .count();
    println!(
        "live backend via fixture server, 50 ms/request, max concurrency 32: wall {:.0} ms, critical path {:.0} ms ({rounds} rounds), ratio {:.2}; requests received {} = unique calls {}; {undecided} outcomes undecided",
        ms(wall),
        ms(critical),
        wall.as_secs_f64() / critical.as_secs_f64(),
        received.load(Ordering::SeqCst),
        ran.execution.requests,
    );
}

/// Runs `ekscheck run checks/node-join` on the largest recording of its test cases 20 times and
/// prints the fastest, median and slowest wall time.
fn node_join_offline() {
    const RUNS: usize = 20;
    const TARGET: Duration = Duration::from_millis(50);
    let size = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().metadata().unwrap().len())
            .sum()
    };
    let (example, bytes) = std::fs::read_dir("checks/node-join/tests")
        .expect("the pack's tests")
        .map(|entry| entry.unwrap().path().join("recording"))
        .map(|dir| {
            let bytes = size(&dir);
            (dir, bytes)
        })
        .max_by_key(|(_, bytes)| *bytes)
        .expect("an example");
    let name = example
        .parent()
        .and_then(|case| case.file_name())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_ekscheck"))
                .args(["run", "checks/node-join", "--recording"])
                .arg(&example)
                .args(["--var", &format!("cluster={name}")])
                .stdout(std::process::Stdio::null())
                .status()
                .expect("ekscheck runs");
            assert!(matches!(status.code(), Some(0 | 1)), "ekscheck: {status}");
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "node-join on its test case {name} ({} files, {} KiB), the binary end to end, {RUNS} runs: \
         fastest {:.1} ms, median {:.1} ms, slowest {:.1} ms (target {:.0} ms: {})",
        std::fs::read_dir(&example).unwrap().count(),
        bytes / 1024,
        ms(times[0]),
        ms(median),
        ms(times[RUNS - 1]),
        ms(TARGET),
        if median < TARGET { "met" } else { "MISSED" }
    );
}

/// Serves the recording's calls over HTTP the way EKS (rest-json), EC2 and IAM (query) answer
/// them, each after [`LATENCY`]; returns its URL and the count of requests it received.
async fn fixture_server(recording: &Path) -> (String, Arc<AtomicUsize>) {
    let mut answers: HashMap<String, Value> = HashMap::new();
    for entry in std::fs::read_dir(recording).unwrap() {
        let call: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let key = match call["api"].as_str().unwrap() {
            "eks:DescribeCluster" => "/clusters/bench".to_owned(),
            "eks:ListNodegroups" => "/clusters/bench/node-groups".to_owned(),
            "eks:DescribeNodegroup" => format!(
                "/clusters/bench/node-groups/{}",
                call["params"]["nodegroupName"].as_str().unwrap()
            ),
            "ec2:DescribeSubnets" => format!(
                "DescribeSubnets {}",
                call["params"]["SubnetIds"][0].as_str().unwrap()
            ),
            _ => format!(
                "ListAttachedRolePolicies {}",
                call["params"]["RoleName"].as_str().unwrap()
            ),
        };
        answers.insert(key, call["response"].clone());
    }
    let answers = Arc::new(answers);
    let received = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counter = Arc::clone(&received);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (answers, counter) = (Arc::clone(&answers), Arc::clone(&counter));
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut reader = tokio::io::BufReader::new(reader);
                while let Ok(Some(request)) = http::read_message(&mut reader).await {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(LATENCY).await;
                    let response = fixture_answer(&answers, &request);
                    if response.write(&mut writer, false).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, received)
}

/// The answer to one request, in its service's protocol.
fn fixture_answer(answers: &HashMap<String, Value>, request: &http::Message) -> http::Message {
    let path = request.start.split(' ').nth(1).unwrap_or_default();
    if path.starts_with("/clusters") {
        return http::Message::json(200, &answers[path]);
    }
    let form = String::from_utf8_lossy(&request.body).into_owned();
    let field = |name: &str| {
        form.split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let xml = |body: String| {
        http::Message::response(200, &[("Content-Type", "text/xml")], body.into_bytes())
    };
    match field("Action").as_str() {
        "DescribeSubnets" => {
            let subnets = &answers[&format!("DescribeSubnets {}", field("SubnetId.1"))]["Subnets"];
            let items = subnets.as_array().unwrap().iter().fold(String::new(), |mut items, s| {
                let _ = write!(items, "<item><subnetId>{}</subnetId><availableIpAddressCount>{}</availableIpAddressCount><state>{}</state></item>", s["SubnetId"].as_str().unwrap(), s["AvailableIpAddressCount"], s["State"].as_str().unwrap());
                items
            });
            xml(format!(
                "<DescribeSubnetsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><subnetSet>{items}</subnetSet></DescribeSubnetsResponse>"
            ))
        }
        _ => {
            let policies = &answers[&format!("ListAttachedRolePolicies {}", field("RoleName"))]["AttachedPolicies"];
            let members =
                policies
                    .as_array()
                    .unwrap()
                    .iter()
                    .fold(String::new(), |mut members, p| {
                        let _ = write!(
                            members,
                            "<member><PolicyName>{}</PolicyName></member>",
                            p["PolicyName"].as_str().unwrap()
                        );
                        members
                    });
            xml(format!(
                "<ListAttachedRolePoliciesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListAttachedRolePoliciesResult><AttachedPolicies>{members}</AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>"
            ))
        }
    }
}

/// The process's peak resident memory so far, in MiB (Linux).
fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// Loads a suite of 50,000 lines; then runs a check over a fan-out of 100,000 rows.
fn scale(dir: &Path) {
    const CHECKS: usize = 12_500;
    const ROWS: usize = 100_000;
    let pack = dir.join("scale-pack");
    std::fs::create_dir_all(&pack).unwrap();
    std::fs::write(pack.join("pack.yaml"), "pack: scale\nversion: 1.0.0\n").unwrap();
    let mut suite = String::from(
        "calls:\n  groups: { api: eks:ListNodegroups, params: { clusterName: c } }\n  group:\n    \
         for_each: { in: groups, path: \"$.nodegroups[*]\", as: ng }\n    value: \"{{ng}}\"\n\
         checks:\n  - id: each\n    title: Node group {{ng}}\n    on: group\n    expect: [{ matches: \"^ng-\" }]\n",
    );
    for index in 0..CHECKS {
        let _ = writeln!(
            suite,
            "  - id: c{index}\n    title: t\n    on: groups\n    expect: [{{ exists: true }}]"
        );
    }
    std::fs::write(pack.join("s.yaml"), &suite).unwrap();
    let started = Instant::now();
    let (packs, diagnostics) = load_packs(std::slice::from_ref(&pack));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let plan = Plan::build(&packs).expect("plan");
    println!(
        "scale: a suite of {} lines ({CHECKS} checks): load + plan {:.0} ms; peak memory {:.0} MiB",
        suite.lines().count(),
        ms(started.elapsed()),
        peak_memory_mib()
    );
    // The fan-out: one check over 100,000 rows (the other checks are not run).
    let recording = dir.join("scale-recording");
    std::fs::create_dir_all(&recording).unwrap();
    let groups: Vec<String> = (0..ROWS).map(|i| format!("ng-{i}")).collect();
    let call = json!({"api": "eks:ListNodegroups", "params": {"clusterName": "c"},
                      "response": {"nodegroups": groups}});
    std::fs::write(recording.join("groups.json"), call.to_string()).unwrap();
    let backend = RecordingBackend::load(&recording, u64::MAX).expect("recording loads");
    let vars = ekscheck::vars::resolve(&packs, &[], None, None).expect("vars");
    let selection = Selection::new(&plan, &[0]);
    let limits = Limits {
        max_rows: ROWS,
        ..Limits::default()
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let started = Instant::now();
    let ran = runtime
        .block_on(selection.run(&vars, &backend, limits, &Overrides::default()))
        .expect("within the outcome budget");
    assert_eq!(ran.outcomes.len(), ROWS);
    println!(
        "scale: a fan-out of {ROWS} rows over a recording: execute + evaluate {:.0} ms; peak memory {:.0} MiB",
        ms(started.elapsed()),
        peak_memory_mib()
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Delegates to the recording after sleeping [`LATENCY`].
struct Slow<'a> {
    inner: &'a RecordingBackend,
}

impl Backend for Slow<'_> {
    async fn call(&self, api: &str, params: &Value) -> Result<Arc<Value>, CallError> {
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
