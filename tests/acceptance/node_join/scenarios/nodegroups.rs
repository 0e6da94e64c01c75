//! The node groups: status and health, the cluster role used as node role, the kubelet's version
//! skew, Amazon Linux 2 past 1.32, and the CloudFormation stack the node group was made with.

use serde_json::json;

use super::{ERROR, Fails, Passes, Scenario, Skipped, at, per_instance};
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

#[test]
fn degraded_node_group() {
    Scenario::new("degraded", &[])
        .fixture(|world, fixture| {
            let nodegroup = fixture.nodegroups.get_mut("ng-1").expect("ng-1");
            nodegroup["status"] = json!("DEGRADED");
            nodegroup["health"] = json!({"issues": [{
                "code": "NodeCreationFailure",
                "message": "Instances failed to join the kubernetes cluster",
                "resourceIds": world.instances
            }]});
        })
        .expect(
            vec![
                at("nodegroups::nodegroup-active[ng-1]", Fails(ERROR)),
                at("nodegroups::nodegroup-health[ng-1]", Fails(ERROR)),
                // The instances EKS names boot cleanly (the world's healthy consoles): the cause
                // is one a console does not show, and the suite says so.
                at(
                    "boot-log::reported-failure-explained[ng-1/i-1]",
                    Fails("info"),
                ),
                at(
                    "boot-log::reported-failure-explained[ng-1/i-2]",
                    Fails("info"),
                ),
            ],
            1,
        );
}

#[test]
fn a_node_group_being_updated_is_a_warning() {
    Scenario::new("updating", &[])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["status"] = json!("UPDATING");
        })
        .expect(
            vec![at("nodegroups::nodegroup-active[ng-1]", Fails("warning"))],
            0,
        );
}

#[test]
fn a_scale_in_health_issue_is_a_warning() {
    Scenario::new("eviction", &[])
        .fixture(|world, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["health"] =
                json!({"issues": [{
                    "code": "PodEvictionFailure",
                    "message": "Reached max retries while trying to evict pods from nodes in node group ng-1",
                    "resourceIds": [world.instances[0]]
                }]});
        })
        .expect(vec![at("nodegroups::nodegroup-health[ng-1]", Fails("warning"))], 0);
}

#[test]
fn node_group_with_the_cluster_role() {
    let mut expected = vec![
        at(
            "nodegroups::node-role-is-not-cluster-role[ng-1]",
            Fails(ERROR),
        ),
        at("iam::node-role-trusts-ec2[ng-1]", Fails(ERROR)),
        at("iam::node-role-has-worker-node-policy[ng-1]", Fails(ERROR)),
        at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR)),
        at("iam::node-role-has-ecr-read-policy[ng-1]", Fails(ERROR)),
        at("access::node-role-has-access-entry[ng-1]", Fails("warning")),
        at(
            "access::access-entry-type[ng-1]",
            Skipped("needs node-role-has-access-entry (failed)"),
        ),
        at(
            "access::access-entry-not-stale[ng-1]",
            Skipped("needs node-role-has-access-entry (failed)"),
        ),
    ];
    expected.extend(per_instance(
        "instances::instance-profile-role",
        Fails(ERROR),
    ));
    Scenario::new("cluster-role", &[])
        .fixture(|world, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["nodeRole"] =
                json!(world.cluster_role_arn);
        })
        .expect(expected, 1);
}

#[test]
fn a_kubelet_four_versions_behind() {
    let run = Scenario::new("skew", &[])
        .fixture(|world, fixture| {
            let minor: u32 = world.kubernetes_version[2..].parse().expect("1.MINOR");
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["version"] =
                json!(format!("1.{}", minor - 4));
        })
        .expect(
            vec![at("nodegroups::nodegroup-version-skew[ng-1]", Fails(ERROR))],
            1,
        );
    run.expect_stdout_contains("one minor version at a time");
}

#[test]
fn a_kubelet_three_versions_behind_is_healthy() {
    Scenario::new("skew-3", &[])
        .fixture(|world, fixture| {
            let minor: u32 = world.kubernetes_version[2..].parse().expect("1.MINOR");
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["version"] =
                json!(format!("1.{}", minor - 3));
        })
        .expect(vec![], 0);
}

#[test]
fn amazon_linux_2_after_1_32() {
    Scenario::new("al2-133", &[])
        .fixture(|_, fixture| {
            fixture.cluster["version"] = json!("1.33");
            let nodegroup = fixture.nodegroups.get_mut("ng-1").expect("ng-1");
            nodegroup["version"] = json!("1.33");
            nodegroup["amiType"] = json!("AL2_x86_64");
        })
        .expect(
            vec![at("nodegroups::ami-type-published[ng-1]", Fails(ERROR))],
            1,
        );
    Scenario::new("al2-132", &[])
        .fixture(|_, fixture| {
            fixture.cluster["version"] = json!("1.32");
            let nodegroup = fixture.nodegroups.get_mut("ng-1").expect("ng-1");
            nodegroup["version"] = json!("1.32");
            nodegroup["amiType"] = json!("AL2_x86_64");
        })
        .expect(vec![at("nodegroups::ami-type-published[ng-1]", Passes)], 0);
}

/// A rolled-back stack `name`, whose first failure is the node role's, in `fixture`.
fn failed_stack(world: &World, fixture: &mut ClusterFixture, name: &str) {
    stack_in(world, fixture, name, "ROLLBACK_COMPLETE");
}

/// Stack `name` in `status` after a failure of the node role's, in `fixture`.
fn stack_in(world: &World, fixture: &mut ClusterFixture, name: &str, status: &str) {
    let stack_id = format!(
        "arn:aws:cloudformation:{}:123456789012:stack/{name}/0f6ad1c0-8c1e-11ef-9b3e-0a1b2c3d4e5f",
        world.region
    );
    let event = |id: &str, logical: &str, kind: &str, status: &str, reason: &str| {
        json!({
            "StackId": stack_id, "EventId": id, "StackName": name,
            "LogicalResourceId": logical, "PhysicalResourceId": "",
            "ResourceType": kind, "Timestamp": "2026-11-27T09:10:00.000Z",
            "ResourceStatus": status, "ResourceStatusReason": reason
        })
    };
    fixture.stacks.insert(
        name.to_owned(),
        (
            json!({
                "StackId": stack_id, "StackName": name,
                "CreationTime": "2026-11-27T09:00:00.000Z",
                "StackStatus": status,
                "DisableRollback": false,
                "Tags": [], "EnableTerminationProtection": false,
                "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}
            }),
            vec![
                event("e-3", name, "AWS::CloudFormation::Stack", status, ""),
                event("e-2", "ManagedNodeGroup", "AWS::EKS::Nodegroup", "CREATE_FAILED",
                      "Resource handler returned message: \"[Issue(Code=NodeCreationFailure, Message=Instances failed to join the kubernetes cluster)]\""),
                event("e-1", "NodeInstanceRole", "AWS::IAM::Role", "CREATE_FAILED",
                      "Encountered a permissions error performing a tagging operation"),
            ],
        ),
    );
}

/// What the failure of `failed_stack` says.
const FIRST_FAILURE: &str =
    "Its first failure: NodeInstanceRole (AWS::IAM::Role): Encountered a permissions error";

#[test]
fn a_failed_eksctl_stack_quotes_its_first_failure() {
    let run = Scenario::new("stack", &[])
        .fixture(|world, fixture| {
            failed_stack(
                world,
                fixture,
                &format!("eksctl-{}-nodegroup-ng-1", world.cluster),
            );
        })
        .expect(
            vec![at(
                "nodegroups::nodegroup-stack-healthy[ng-1]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains(FIRST_FAILURE);
}

#[test]
fn a_failed_stack_found_by_the_node_groups_cloudformation_tag() {
    // A stack of one's own (AWS::EKS::Nodegroup): CloudFormation tags the node group with it.
    let run = Scenario::new("stack-tagged", &[])
        .fixture(|world, fixture| {
            failed_stack(world, fixture, "platform-nodes");
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["tags"] =
                json!({"aws:cloudformation:stack-name": "platform-nodes"});
        })
        .expect(
            vec![at(
                "nodegroups::nodegroup-stack-healthy[ng-1]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains("Stack platform-nodes is ROLLBACK_COMPLETE");
    run.expect_stdout_contains(FIRST_FAILURE);
}

#[test]
fn a_stack_whose_update_rolled_back_is_a_warning() {
    // UPDATE_ROLLBACK_COMPLETE: the update failed, the node group is as it was.
    let run = Scenario::new("stack-update", &[])
        .fixture(|world, fixture| {
            let name = format!("eksctl-{}-nodegroup-ng-1", world.cluster);
            stack_in(world, fixture, &name, "UPDATE_ROLLBACK_COMPLETE");
        })
        .expect(
            vec![at(
                "nodegroups::nodegroup-stack-healthy[ng-1]",
                Fails("warning"),
            )],
            0,
        );
    run.expect_stdout_contains(FIRST_FAILURE);
}

#[test]
fn a_warm_pool_of_stopped_instances_is_healthy() {
    Scenario::new("warm-pool", &[])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["warmPoolConfig"] =
                json!({"enabled": true, "minSize": 1, "maxGroupPreparedCapacity": 4,
                       "poolState": "STOPPED", "reuseOnScaleIn": true});
        })
        .expect(vec![at("nodegroups::warm-pool-supported[ng-1]", Passes)], 0);
}

#[test]
fn a_hibernated_warm_pool_on_a_type_that_cannot_hibernate() {
    Scenario::new("warm-pool-hibernated", &[])
        .fixture(|_, fixture| {
            let nodegroup = fixture.nodegroups.get_mut("ng-1").expect("ng-1");
            nodegroup["instanceTypes"] = json!(["m5.large", "c5a.large"]);
            nodegroup["warmPoolConfig"] = json!({"enabled": true, "poolState": "HIBERNATED"});
        })
        .expect(
            vec![at("nodegroups::warm-pool-supported[ng-1]", Fails(ERROR))],
            1,
        );
}

/// Node group `ng-1` with `types` (in the world's region, moto offers `c6id.large` in zone `a`
/// only, `m6in.large` in zone `b` only).
fn instance_types(types: &'static [&'static str]) -> impl FnOnce(&World, &mut ClusterFixture) {
    move |_, fixture| {
        fixture.nodegroups.get_mut("ng-1").expect("ng-1")["instanceTypes"] = json!(types);
    }
}

#[test]
fn a_diversified_list_with_a_type_one_zone_lacks_is_a_warning() {
    // The Auto Scaling group launches the other types in that zone.
    Scenario::new("types-diversified", &[])
        .fixture(instance_types(&["m5.large", "c6id.large"]))
        .expect(
            vec![at(
                "network::instance-types-offered[ng-1/subnet-2]",
                Fails("warning"),
            )],
            0,
        );
}

#[test]
fn an_instance_type_a_zone_does_not_offer() {
    Scenario::new("types-missing", &[])
        .fixture(instance_types(&["m6in.large"]))
        .expect(
            vec![at(
                "network::instance-types-offered[ng-1/subnet-1]",
                Fails(ERROR),
            )],
            1,
        );
}
