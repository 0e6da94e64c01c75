//! Failures on the wire: throttling and server errors are retried and every check is still
//! decided; a call throttled past its retries, a denied call, a call that does not answer in
//! time or a missing region end as errors with the AWS error code, never as a pass or a crash.

use serde_json::{Value, json};

use crate::emulator::proxy::{Faults, Proxy};
use crate::emulator::world::World;
use crate::live::{live, pack_of_calls};
use crate::support::{CaseOutcome, ekscheck, parse_junit};

/// One call of each protocol (EKS rest-json, EC2, IAM query), several times over.
fn calls(world: &World) -> Vec<(&'static str, Value)> {
    let node_role = world.node_role_arn.rsplit('/').next().unwrap().to_owned();
    let mut calls = vec![
        ("eks:DescribeCluster", json!({"name": world.cluster})),
        ("eks:ListNodegroups", json!({"clusterName": world.cluster})),
        (
            "eks:ListAccessEntries",
            json!({"clusterName": world.cluster}),
        ),
        ("iam:GetRole", json!({"RoleName": node_role})),
        (
            "iam:ListAttachedRolePolicies",
            json!({"RoleName": node_role}),
        ),
        ("ec2:DescribeVpcs", json!({"VpcIds": [world.vpc_id]})),
    ];
    for subnet in &world.node_subnets {
        calls.push(("ec2:DescribeSubnets", json!({"SubnetIds": [subnet]})));
    }
    for instance in &world.instances {
        calls.push(("ec2:DescribeInstances", json!({"InstanceIds": [instance]})));
    }
    calls
}

#[test]
fn throttling_and_server_errors_are_retried_until_every_check_is_decided() {
    let world = World::build("retries", &[]);
    let proxy = Proxy::start(Faults {
        throttle_every: Some(4),
        unavailable_every: Some(6),
        ..Faults::default()
    });
    proxy.set_cluster(&world.cluster, world.fixture());
    let calls = calls(&world);
    let dir = pack_of_calls(&calls);
    let run = live(&proxy, &["run", &dir.join("pack"), "--max-attempts", "8"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains(&format!("{} passed; 0 failed", calls.len())),
        "{}",
        run.stdout
    );
    let made = proxy.requests();
    assert!(
        made >= calls.len() + calls.len() / 4,
        "{made} requests for {} calls: the injected failures were not retried",
        calls.len()
    );
}

#[test]
fn a_call_throttled_past_its_retries_is_an_error_with_the_aws_code() {
    let world = World::build("throttled", &[]);
    let proxy = Proxy::start(Faults {
        always_throttle: vec!["ec2:DescribeSubnets".into(), "eks:ListNodegroups".into()],
        ..Faults::default()
    });
    proxy.set_cluster(&world.cluster, world.fixture());
    let calls = calls(&world);
    let dir = pack_of_calls(&calls);
    let junit = dir.join("junit.xml");
    let run = live(
        &proxy,
        &[
            "run",
            &dir.join("pack"),
            "--max-attempts",
            "2",
            "--junit",
            &junit,
        ],
    );
    run.expect_code(3);
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    for (index, (api, _)) in calls.iter().enumerate() {
        let case = report.case(&format!("calls::calls::c{index}"));
        match *api {
            "ec2:DescribeSubnets" => {
                assert_eq!(case.outcome, CaseOutcome::Error);
                assert!(
                    case.text.contains("failed: RequestLimitExceeded"),
                    "{}",
                    case.text
                );
            }
            "eks:ListNodegroups" => {
                assert_eq!(case.outcome, CaseOutcome::Error);
                assert!(
                    case.text.contains("failed: ThrottlingException"),
                    "{}",
                    case.text
                );
            }
            _ => assert_eq!(case.outcome, CaseOutcome::Pass, "{api}"),
        }
    }
    // Two attempts each, no more.
    assert_eq!(proxy.requests(), calls.len() + world.node_subnets.len() + 1);
}

#[test]
fn a_denied_call_names_the_iam_action_it_needs() {
    let world = World::build("denied", &[]);
    // One denial per protocol whose message does not name the action (ekscheck adds it), and
    // one per protocol whose message does (ekscheck adds nothing).
    let unnamed = ["ec2:DescribeVpcs", "iam:GetRole", "eks:ListAccessEntries"];
    let named = [
        "ec2:DescribeSubnets",
        "iam:ListAttachedRolePolicies",
        "eks:ListNodegroups",
    ];
    let proxy = Proxy::start(Faults {
        denied: named.iter().map(|a| a.to_string()).collect(),
        denied_without_action: unnamed.iter().map(|a| a.to_string()).collect(),
        ..Faults::default()
    });
    proxy.set_cluster(&world.cluster, world.fixture());
    let calls = calls(&world);
    let dir = pack_of_calls(&calls);
    let junit = dir.join("junit.xml");
    let run = live(&proxy, &["run", &dir.join("pack"), "--junit", &junit]);
    run.expect_code(3);
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    let mut checked = 0;
    for (index, (api, _)) in calls.iter().enumerate() {
        let case = report.case(&format!("calls::calls::c{index}"));
        let suffix = format!("(this check needs the IAM action {api})");
        let code = match api.split(':').next() {
            Some("ec2") => "UnauthorizedOperation",
            Some("iam") => "AccessDenied",
            _ => "AccessDeniedException",
        };
        if unnamed.contains(api) {
            assert_eq!(case.outcome, CaseOutcome::Error, "{api}");
            assert!(
                case.text.contains(&format!("failed: {code}: ")),
                "{}",
                case.text
            );
            assert!(
                case.text.trim_end().ends_with(&suffix),
                "{api}: no `{suffix}` at the end of:\n{}",
                case.text
            );
            checked += 1;
        } else if named.contains(api) {
            assert_eq!(case.outcome, CaseOutcome::Error, "{api}");
            assert!(
                case.text.contains(&format!("failed: {code}: ")),
                "{}",
                case.text
            );
            assert!(
                !case.text.contains("this check needs the IAM action"),
                "{api}: the message already names the action:\n{}",
                case.text
            );
            checked += 1;
        } else {
            assert_eq!(case.outcome, CaseOutcome::Pass, "{api}");
        }
    }
    assert!(
        checked >= unnamed.len() + named.len(),
        "only {checked} denied calls were checked"
    );
}

/// A denied call recorded now replays in the words of the live run (the service's message, then
/// the action it needs unless the message names it): the recording keeps the action apart.
#[test]
fn a_recorded_denial_replays_in_the_words_of_the_live_run() {
    let proxy = Proxy::start(Faults {
        denied_without_action: vec!["ec2:DescribeVpcs".to_owned(), "iam:GetRole".to_owned()],
        denied: vec!["eks:ListNodegroups".to_owned()],
        ..Faults::default()
    });
    let calls = [
        ("ec2:DescribeVpcs", json!({"VpcIds": ["vpc-0abc"]})),
        ("iam:GetRole", json!({"RoleName": "node"})),
        ("eks:ListNodegroups", json!({"clusterName": "c1"})),
    ];
    let dir = pack_of_calls(&calls);
    let pack = dir.join("pack");
    let (live_junit, replay_junit) = (dir.join("live.xml"), dir.join("replay.xml"));
    let recording = dir.join("recording");
    let made = live(&proxy, &["run", &pack, "--junit", &live_junit]);
    made.expect_code(3);
    live(&proxy, &["record", &pack, "--out", &recording]).expect_code(0);
    let replayed = ekscheck(&[
        "run",
        &pack,
        "--recording",
        &recording,
        "--junit",
        &replay_junit,
    ]);
    replayed.expect_code(3);
    let report = |path: &str| parse_junit(&std::fs::read_to_string(path).unwrap());
    let (live_report, replay_report) = (report(&live_junit), report(&replay_junit));
    for (index, (api, _)) in calls.iter().enumerate() {
        let name = format!("calls::calls::c{index}");
        let words = live_report.case(&name).text.clone();
        let suffix = format!("(this check needs the IAM action {api})");
        assert_eq!(
            words.trim_end().ends_with(&suffix),
            *api != "eks:ListNodegroups",
            "{words}"
        );
        assert_eq!(replay_report.case(&name).text, words, "{api}");
    }
    // The console too, but for the line with the time the run took and its requests.
    let console = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter(|line| !line.starts_with("test result: "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(console(&replayed.stdout), console(&made.stdout));
}

#[test]
fn without_a_region_nothing_runs() {
    let proxy = Proxy::start(Faults::default());
    let dir = pack_of_calls(&[("sts:GetCallerIdentity", json!({}))]);
    for empty in [None, Some("")] {
        let mut ekscheck = crate::support::command();
        crate::emulator::aws_env(&mut ekscheck, &proxy.url)
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION");
        if let Some(region) = empty {
            ekscheck.env("AWS_REGION", region);
        }
        let run = crate::support::run_command(ekscheck.args(["run", &dir.join("pack")]));
        run.expect_code(2);
        assert!(run.stderr.contains("no AWS region"), "{}", run.stderr);
    }
    assert_eq!(proxy.requests(), 0);
}

#[test]
fn a_call_that_does_not_answer_in_time_is_an_error() {
    let world = World::build("stalled", &[]);
    let proxy = Proxy::start(Faults {
        stalled: vec!["ec2:DescribeVpcs".into()],
        ..Faults::default()
    });
    proxy.set_cluster(&world.cluster, world.fixture());
    let calls = calls(&world);
    let dir = pack_of_calls(&calls);
    let started = std::time::Instant::now();
    let run = live(
        &proxy,
        &[
            "run",
            &dir.join("pack"),
            // Long enough for the other calls on a loaded machine (with 1 s they timed out too
            // under a load of 6 on two cores), far below the minute the stalled call waits.
            "--call-timeout",
            "10",
            "--max-attempts",
            "1",
        ],
    );
    run.expect_code(3);
    assert!(started.elapsed() < std::time::Duration::from_secs(40));
    assert!(run.stdout.contains("failed: Timeout: "), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("{} passed; 1 failed", calls.len() - 1)),
        "{}",
        run.stdout
    );
}

#[test]
fn the_endpoint_url_flag_wins_over_the_environment() {
    let proxy = Proxy::start(Faults::default());
    let dir = pack_of_calls(&[("sts:GetCallerIdentity", json!({}))]);
    let mut ekscheck = crate::support::command();
    crate::emulator::aws_env(&mut ekscheck, "http://127.0.0.1:9");
    let run = crate::support::run_command(ekscheck.args([
        "run",
        &dir.join("pack"),
        "--endpoint-url",
        &proxy.url,
    ]));
    run.expect_code(0);
    assert_eq!(proxy.requests(), 1);
}

#[test]
fn without_credentials_nothing_runs() {
    let proxy = Proxy::start(Faults::default());
    let dir = pack_of_calls(&[("sts:GetCallerIdentity", json!({}))]);
    let mut ekscheck = crate::support::command();
    crate::emulator::aws_env(&mut ekscheck, &proxy.url)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let run = crate::support::run_command(ekscheck.args(["run", &dir.join("pack")]));
    run.expect_code(2);
    assert!(run.stderr.contains("no AWS credentials"), "{}", run.stderr);
    assert_eq!(proxy.requests(), 0);
}
