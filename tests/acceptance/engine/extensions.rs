//! The format extensions the node-join pack needed: assertion `severity`, variables `from:
//! region`, and where those keys have no meaning.

use serde_json::json;

use crate::support::{Fixture, failure, skipped};

const MANIFEST: &str =
    "pack: t\nversion: 1.0.0\nvars:\n  region: { from: region, default: nowhere }\n";

/// Fails as an error when private access is off and public access is off too; only warns when
/// public access is on but restricted.
const ENDPOINT: &str = r#"
calls:
  cluster: { api: eks:DescribeCluster, params: { name: c1 } }
checks:
  - id: endpoint
    title: Endpoint of c1 in {{vars.region}}
    on: cluster
    expect:
      - any_of:
          - { path: $.cluster.private, equals: true }
          - { path: $.cluster.public, equals: true }
      - severity: warning
        any_of:
          - { path: $.cluster.private, equals: true }
          - { path: $.cluster.cidrs, contains: 0.0.0.0/0 }
  - id: after
    title: After the endpoint check
    needs: [endpoint]
    on: cluster
    expect: [{ path: $.cluster.private, exists: true }]
"#;

fn endpoint(cluster: serde_json::Value) -> Fixture {
    Fixture::pack(&[("pack.yaml", MANIFEST), ("p.yaml", ENDPOINT)]).respond(
        "eks:DescribeCluster",
        json!({"name": "c1"}),
        json!({ "cluster": cluster }),
    )
}

#[test]
fn a_failed_assertion_counts_with_its_own_severity() {
    let cases = [
        (json!({"private": true, "public": false}), "pass", 0),
        (
            json!({"private": false, "public": true, "cidrs": ["10.0.0.0/8"]}),
            "warning",
            0,
        ),
        (
            json!({"private": false, "public": false, "cidrs": ["0.0.0.0/0"]}),
            "error",
            1,
        ),
        // Both assertions fail: the most severe decides.
        (
            json!({"private": false, "public": false, "cidrs": []}),
            "error",
            1,
        ),
    ];
    for (cluster, severity, code) in cases {
        let (run, report) = endpoint(cluster.clone()).run_with_report(&[]);
        assert_eq!(run.code, code, "{cluster}\n{}", run.stdout);
        let outcome = &report.case("t::p::endpoint").outcome;
        match severity {
            "pass" => assert_eq!(*outcome, crate::support::CaseOutcome::Pass, "{cluster}"),
            severity => assert_eq!(*outcome, failure(severity), "{cluster}"),
        }
        if severity == "warning" {
            // A needed check that only warns did not pass: what needs it is skipped.
            assert_eq!(
                report.case("t::p::after").outcome,
                skipped("needs endpoint (failed)")
            );
        }
    }
}

#[test]
fn a_variable_from_region_is_the_run_s_region() {
    // A hand-made recording says nothing of its region: the default stands; `--region` gives
    // it; `--var` wins over both.
    for (args, region) in [
        (&[][..], "nowhere"),
        (&["--region", "eu-west-2"][..], "eu-west-2"),
        (
            &["--region", "eu-west-2", "--var", "region=us-east-1"][..],
            "us-east-1",
        ),
    ] {
        let run = endpoint(json!({"private": false, "public": false})).run(args);
        run.expect_code(1);
        assert!(
            run.stdout
                .contains(&format!("Endpoint of c1 in {region}\n")),
            "{args:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_recording_made_by_ekscheck_remembers_its_region() {
    let fixture = endpoint(json!({"private": false, "public": false}));
    // A recorded file carries the region it was recorded in.
    fixture.dir().write(
        "recording/call-001.json",
        &json!({
            "api": "eks:DescribeCluster", "params": {"name": "c1"},
            "response": {"cluster": {"private": false, "public": false}},
            "region": "ap-south-1"
        })
        .to_string(),
    );
    let run = fixture.run(&[]);
    assert!(
        run.stdout.contains("Endpoint of c1 in ap-south-1"),
        "{}",
        run.stdout
    );
}

#[test]
fn severity_and_calls_where_they_mean_nothing_are_rejected() {
    let suite = r#"
calls:
  cluster: { api: eks:DescribeCluster, params: { name: c1 } }
checks:
  - id: a
    title: A
    on: cluster
    when:
      - { path: $.x, exists: true, severity: info }
    expect:
      - path: $.list
        any:
          severity: warning
          exists: true
      - path: $.list
        any:
          any_of:
            - { on: cluster, path: $.x, exists: true }
            - { path: $.y, exists: true }
      - all_of:
          - { path: $.x, exists: true, severity: warning }
          - { path: $.y, exists: true }
      - all_of:
          - { path: $.x, exists: true }
"#;
    let manifest = "pack: t\nversion: 1.0.0\nvars:\n  r: { from: region, type: number }\n";
    let (run, printed) = Fixture::pack(&[("pack.yaml", manifest), ("p.yaml", suite)]).validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [
            "pack/p.yaml:13:21: error: a nested predicate has no severity of its own",
            "pack/p.yaml:18:21: error: inside a nested predicate, `any_of` cannot name a call",
            "pack/p.yaml:21:50: error: an assertion of `all_of` has no severity of its own",
            "pack/p.yaml:24:11: error: `all_of` needs at least two assertions",
            "pack/p.yaml:9:46: error: a `when` condition has no severity of its own",
            "pack/pack.yaml:4:28: error: a variable `from: region` is text",
        ]
    );
}
