//! A fleet against the emulator, through the live backend: clusters in two regions found with
//! `clusters: all`, the base account named from sts:GetCallerIdentity, a fault reported under
//! exactly its target, and a target whose role cannot be assumed erroring alone.

use crate::emulator::aws_env;
use crate::emulator::proxy::{ClusterFixture, Faults, Proxy};
use crate::emulator::{Emulator, aws_cli};
use crate::support::{CLUSTER_MANIFEST, Dir, command, run_command};

const SUITE: &str = "\
checks:
  - id: active
    title: '{{vars.cluster}} is ACTIVE'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";

fn create_cluster(endpoint: &str, region: &str, name: &str) {
    aws_cli(
        endpoint,
        &[
            "eks",
            "create-cluster",
            "--region",
            region,
            "--name",
            name,
            "--role-arn",
            "arn:aws:iam::123456789012:role/cluster",
            "--resources-vpc-config",
            "subnetIds=subnet-0123456789abcdef0",
        ],
    );
}

#[test]
fn a_fleet_across_regions_and_accounts_reports_each_target_alone() {
    let emulator = Emulator::start();
    let proxy = Proxy::start_in(
        &emulator,
        Faults {
            denied: vec!["sts:AssumeRole".to_owned()],
            ..Faults::default()
        },
    );
    for (region, name) in [
        ("us-east-2", "east-a"),
        ("us-east-2", "east-b"),
        ("ap-southeast-2", "south"),
    ] {
        create_cluster(&proxy.url, region, name);
    }
    proxy.set_cluster(
        "east-b",
        ClusterFixture {
            cluster: serde_json::json!({"status": "FAILED"}),
            ..ClusterFixture::default()
        },
    );
    let dir = Dir::with(&[
        ("pack/pack.yaml", CLUSTER_MANIFEST),
        ("pack/s.yaml", SUITE),
        (
            "fleet.yaml",
            "\
targets:
  - regions: [us-east-2, ap-southeast-2]
    clusters: all
  - account: \"222233334444\"
    role_arn: arn:aws:iam::222233334444:role/ekscheck-read
    regions: [us-east-2]
    clusters: [other]
",
        ),
    ]);
    let mut ekscheck = command();
    aws_env(&mut ekscheck, &proxy.url);
    let run = run_command(ekscheck.args([
        "run",
        &dir.join("pack"),
        "--targets",
        &dir.join("fleet.yaml"),
    ]));
    run.expect_code(1);
    let account = "123456789012";
    let line = |label: &str| {
        run.stdout
            .lines()
            .find(|line| line.starts_with(&format!("test t::s::active[{label}] ")))
            .unwrap_or_else(|| panic!("no line for {label}:\n{}", run.stdout))
            .to_owned()
    };
    assert!(line(&format!("{account}/us-east-2/east-a")).ends_with("... ok"));
    assert!(line(&format!("{account}/us-east-2/east-b")).ends_with("... FAILED"));
    assert!(line(&format!("{account}/ap-southeast-2/south")).ends_with("... ok"));
    assert!(line("222233334444/us-east-2/other").ends_with("... FAILED"));
    run.expect_stdout_contains("east-b is ACTIVE\nassertion failed")
        .expect_stdout_contains("CredentialsError");
    assert_eq!(
        run.stdout.matches("test t::s::active[").count(),
        4,
        "{}",
        run.stdout
    );
}
