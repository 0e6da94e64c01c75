//! The instances a node group launched: none (and why, from its Auto Scaling group), fewer than
//! wanted, stopped or pending, and their instance profiles.

use serde_json::json;

use super::{ERROR, Fails, Gone, Scenario, Skipped, at, boot_log_rows, per_instance};

#[test]
fn no_instances_quotes_the_failed_scaling_activity() {
    let mut expected = vec![
        at("instances::nodegroup-has-instances[ng-1]", Fails(ERROR)),
        at(
            "instances::instances-running[ng-1]",
            Skipped("when: $.Reservations[*].Instances[*] count >= 1 is false (actual: [])"),
        ),
    ];
    for check in [
        "instances::instance-profile-role",
        "instances::instance-metadata-usable",
        "network::cluster-sg-allows-nodes",
        "network::node-sg-reaches-aws",
    ] {
        expected.extend(per_instance(check, Gone));
    }
    for instance in 1..=2 {
        expected.extend(boot_log_rows(instance, Gone, Some(Gone)));
    }
    let run = Scenario::new("no-instances", &["no-instances"])
        .fixture(|world, fixture| {
            fixture.scaling_activities.insert(
                world.autoscaling_group(),
                vec![json!({
                    "ActivityId": "5e3c1f7a-0c2d-4b8e-9f3a-2d1e4c5b6a70",
                    "AutoScalingGroupName": world.autoscaling_group(),
                    "Description": "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient m5.large capacity in the Availability Zone you requested (eu-west-2a).",
                    "Cause": "At 2026-11-27T09:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 2.",
                    "StartTime": "2026-11-27T09:00:05.123Z",
                    "EndTime": "2026-11-27T09:00:06Z",
                    "StatusCode": "Failed",
                    "StatusMessage": "We currently do not have sufficient m5.large capacity in the Availability Zone you requested (eu-west-2a).",
                    "Progress": 100,
                    "Details": "{}"
                })],
            );
        })
        .expect(expected, 1);
    run.expect_stdout_contains(
        "Its Auto Scaling group last failed with: We currently do not have sufficient m5.large \
         capacity",
    );
}

/// Why the boot-log checks skip the first instance when it is stopped.
const STOPPED_CONSOLE: &str = "call `console` was not made: it reads call `booted`, which was \
    not made: when: console_read_for contains \"i-1\" is false (actual: [\"i-2\"])";

#[test]
fn stopped_instance() {
    // The stopped instance's console is not read: only a running one past its first status
    // checks has a boot log worth reading.
    let mut expected = vec![at("instances::instances-running[ng-1]", Fails(ERROR))];
    expected.extend(boot_log_rows(1, Skipped(STOPPED_CONSOLE), None));
    Scenario::new("stopped", &["instance-stopped"]).expect(expected, 1);
}

#[test]
fn instance_profile_of_another_role() {
    Scenario::new("other-profile", &["wrong-instance-profile"]).expect(
        per_instance("instances::instance-profile-role", Fails(ERROR)),
        1,
    );
}

#[test]
fn instances_without_an_instance_profile() {
    let run = Scenario::new("no-profile", &["instance-without-profile"]).expect(
        per_instance("instances::instance-profile-role", Fails(ERROR)),
        1,
    );
    run.expect_stdout_contains("has no instance profile");
}

#[test]
fn fewer_instances_than_wanted_is_a_warning() {
    Scenario::new("scaling", &[])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["scalingConfig"] =
                json!({"minSize": 1, "maxSize": 4, "desiredSize": 3});
        })
        .expect(
            vec![at(
                "instances::nodegroup-has-instances[ng-1]",
                Fails("warning"),
            )],
            0,
        );
}

#[test]
fn instances_without_instance_metadata() {
    let run = Scenario::new("imds-off", &["instance-imds-disabled"]).expect(
        per_instance("instances::instance-metadata-usable", Fails(ERROR)),
        1,
    );
    run.expect_stdout_contains("\"HttpEndpoint\":\"disabled\"");
}

#[test]
fn instances_a_warm_pool_keeps_stopped_are_healthy() {
    // The warm pool's instances carry the node group's tags, and wait stopped; the console of a
    // stopped one is not read.
    let mut expected = vec![at("nodegroups::warm-pool-supported[ng-1]", super::Passes)];
    expected.extend(boot_log_rows(1, Skipped(STOPPED_CONSOLE), None));
    Scenario::new("warm-pool-stopped", &["instance-stopped"])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["warmPoolConfig"] =
                json!({"enabled": true, "minSize": 1});
        })
        .expect(expected, 0);
}
