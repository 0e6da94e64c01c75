//! Fleet benchmark: prints its figures (run with `cargo bench --bench fleet`).
//!
//! 200 clusters (40 accounts × regions of 5 clusters each) × 5 node groups × 10 instances
//! (10,000 instances), checked by the `ekscheck` binary end to end with `--targets`, through the
//! live backend against a loopback server that answers each request after 50 ms. Reported: the
//! requests the server received against the unique calls (they must be equal), the wall time
//! against the lower bound that the call graph's depth, `--max-concurrency` and the rate budget
//! allow, and the binary's peak resident memory.

#[path = "../tests/acceptance/emulator/http.rs"]
#[allow(clippy::format_push_string, reason = "the tests' fixture code")]
mod http;

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ekscheck::engine::budget::aws_rate;
use serde_json::json;

const ACCOUNTS: usize = 20;
const REGIONS: [&str; 2] = ["eu-west-1", "us-east-1"];
const CLUSTERS_PER_GROUP: usize = 5;
const NODEGROUPS: usize = 5;
const INSTANCES: usize = 10;
const LATENCY: Duration = Duration::from_millis(50);
const MAX_CONCURRENCY: usize = 32;
/// Call-graph depth: cluster and node groups listed, each node group described, its instances.
const DEPTH: u32 = 3;

const PACK: &str = r#"pack: fleet
version: 1.0.0
vars:
  cluster: { required: true }
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
  instances:
    api: ec2:DescribeInstances
    params:
      Filters:
        - { Name: "tag:eks:cluster-name", Values: ["{{vars.cluster}}"] }
        - { Name: "tag:eks:nodegroup-name", Values: ["{{nodegroup.nodegroup.nodegroupName}}"] }
"#;

const SUITE: &str = r#"checks:
  - id: cluster-active
    title: Cluster is ACTIVE
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: nodegroup-active
    title: "{{ng}} is ACTIVE"
    on: nodegroup
    expect: [{ path: $.nodegroup.status, equals: ACTIVE }]
  - id: instances-running
    title: "The instances of {{ng}} run"
    on: instances
    expect:
      - { path: "$.Reservations[*].Instances[*]", count: 10 }
      - { path: "$.Reservations[*].Instances[*].State.Name", all: { equals: running } }
"#;

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir_all(dir.path().join("pack")).unwrap();
    std::fs::write(dir.path().join("pack/pack.yaml"), PACK).unwrap();
    std::fs::write(dir.path().join("pack/checks.yaml"), SUITE).unwrap();
    let (targets, clusters) = targets_file();
    std::fs::write(dir.path().join("fleet.yaml"), targets).unwrap();

    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (url, received) = runtime.block_on(server());
    let started = Instant::now();
    let (status, output, peak_kib) = run_measured(dir.path(), &url);
    let wall = started.elapsed();
    let summary = String::from_utf8_lossy(&output.stdout);
    let result = summary
        .lines()
        .find(|line| line.starts_with("test result:"))
        .unwrap_or("no summary")
        .to_owned();
    assert!(status.success(), "ekscheck failed: {status}\n{summary}");

    let eks_per_cluster = 2 + NODEGROUPS;
    let ec2_per_cluster = NODEGROUPS;
    let unique = clusters * (eks_per_cluster + ec2_per_cluster);
    // Lower bounds: the dependency chain; the requests in flight; each account-region bucket.
    let depth = LATENCY * DEPTH;
    let concurrency = LATENCY.mul_f64((unique as f64 / MAX_CONCURRENCY as f64).ceil());
    let bucket = |service: &str, calls: usize| {
        let rate = aws_rate(service);
        Duration::from_secs_f64(((calls as f64 - rate.burst).max(0.0)) / rate.per_second)
    };
    let eks = bucket("eks", CLUSTERS_PER_GROUP * eks_per_cluster);
    let ec2 = bucket("ec2", CLUSTERS_PER_GROUP * ec2_per_cluster);
    let bound = depth.max(concurrency).max(eks).max(ec2);
    println!(
        "fleet: {clusters} clusters × {NODEGROUPS} node groups × {INSTANCES} instances ({} instances), \
         50 ms/request, max concurrency {MAX_CONCURRENCY}, {} buckets per service",
        clusters * NODEGROUPS * INSTANCES,
        ACCOUNTS * REGIONS.len()
    );
    println!(
        "  requests received {} = unique calls {unique}: {}",
        received.load(Ordering::SeqCst),
        if received.load(Ordering::SeqCst) == unique {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "  wall {:.2} s; lower bound {:.2} s (depth {:.2} s, concurrency {:.2} s, EKS bucket {:.2} s, EC2 bucket {:.2} s); ratio {:.2} (target 1.2: {})",
        wall.as_secs_f64(),
        bound.as_secs_f64(),
        depth.as_secs_f64(),
        concurrency.as_secs_f64(),
        eks.as_secs_f64(),
        ec2.as_secs_f64(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        if wall.as_secs_f64() <= 1.2 * bound.as_secs_f64() {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "  peak resident memory {:.0} MiB (target 150 MiB: {})",
        peak_kib as f64 / 1024.0,
        if peak_kib < 150 * 1024 {
            "met"
        } else {
            "MISSED"
        }
    );
    println!("  {result}");
}

/// The targets file of the fleet, and how many clusters it names.
fn targets_file() -> (String, usize) {
    let mut targets = String::from("targets:\n");
    let mut cluster = 0;
    for account in 0..ACCOUNTS {
        for region in REGIONS {
            let names: Vec<String> = (0..CLUSTERS_PER_GROUP)
                .map(|_| {
                    cluster += 1;
                    format!("c{cluster}")
                })
                .collect();
            let _ = writeln!(
                targets,
                "  - account: \"{:012}\"\n    regions: [{region}]\n    clusters: [{}]",
                100_000_000_000 + account,
                names.join(", ")
            );
        }
    }
    (targets, cluster)
}

/// Runs `ekscheck run` on the fleet in `dir` against the fixture server at `url`: its exit
/// status, its output, and its peak resident memory in KiB.
fn run_measured(
    dir: &std::path::Path,
    url: &str,
) -> (std::process::ExitStatus, std::process::Output, u64) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ekscheck"))
        .args([
            "run",
            "pack",
            "--targets",
            "fleet.yaml",
            "--max-attempts",
            "1",
        ])
        .args(["--endpoint-url", url, "--region", REGIONS[0]])
        .args([
            "--max-concurrency",
            &MAX_CONCURRENCY.to_string(),
            "--",
            "-q",
        ])
        .current_dir(dir)
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ekscheck runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0_u64;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|status| {
                let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
        {
            peak_kib = peak_kib.max(kib);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().expect("output");
    (status, output, peak_kib)
}

/// A loopback EKS and EC2 that answers after 50 ms: every cluster ACTIVE with node groups
/// `ng-0` … `ng-4`, each with 10 running instances.
async fn server() -> (String, Arc<AtomicUsize>) {
    let received = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counter = Arc::clone(&received);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut reader = tokio::io::BufReader::new(reader);
                while let Ok(Some(request)) = http::read_message(&mut reader).await {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(LATENCY).await;
                    if answer(&request).write(&mut writer, false).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, received)
}

fn answer(request: &http::Message) -> http::Message {
    let path = request.start.split(' ').nth(1).unwrap_or_default();
    let segments: Vec<&str> = path.split('?').next().unwrap_or("").split('/').collect();
    match segments[1..] {
        ["clusters", name] => {
            http::Message::json(200, &json!({"cluster": {"name": name, "status": "ACTIVE"}}))
        }
        ["clusters", _, "node-groups"] => http::Message::json(
            200,
            &json!({"nodegroups": (0..NODEGROUPS).map(|i| format!("ng-{i}")).collect::<Vec<_>>()}),
        ),
        ["clusters", _, "node-groups", name] => http::Message::json(
            200,
            &json!({"nodegroup": {"nodegroupName": name, "status": "ACTIVE"}}),
        ),
        _ => {
            let instances = (0..INSTANCES).fold(String::new(), |mut items, i| {
                let _ = write!(
                    items,
                    "<item><instanceId>i-{i:017}</instanceId><instanceState><code>16</code><name>running</name></instanceState></item>"
                );
                items
            });
            let body = format!(
                "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><reservationSet><item><reservationId>r-1</reservationId><instancesSet>{instances}</instancesSet></item></reservationSet></DescribeInstancesResponse>"
            );
            http::Message::response(200, &[("Content-Type", "text/xml")], body.into_bytes())
        }
    }
}
