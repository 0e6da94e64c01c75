//! One scenario per fault: build the healthy world with exactly that fault (in the emulator, or in
//! the fixture for what moto cannot serve), run the pack, and compare every outcome with the
//! healthy world's: exactly the listed checks change.

use serde_json::json;

use super::{Outcomes, changes, diagnose, healthy};
use crate::emulator::proxy::{ClusterFixture, Faults};
use crate::emulator::world::World;
use crate::support::CaseOutcome;

/// What a check's outcome becomes under the fault.
enum Becomes {
    /// Fails with severity error (`warning`, `info`: with that severity).
    Fails(&'static str),
    /// Is skipped for this reason.
    Skipped(&'static str),
    /// Has no outcome any more (its row disappeared).
    Gone,
}

use Becomes::{Fails, Gone, Skipped};

const ERROR: &str = "error";

/// Builds world `name` with `faults`, applies `fixture_fault` to its fixture, runs the pack and
/// checks that the outcomes are the healthy ones but for `expected`, and the exit code.
fn scenario(
    name: &str,
    faults: &[&str],
    fixture_fault: impl FnOnce(&World, &mut ClusterFixture),
    expected: &[(&str, Becomes)],
    exit_code: i32,
) {
    let world = World::build(name, faults);
    let mut fixture = world.fixture();
    fixture_fault(&world, &mut fixture);
    let diagnosis = diagnose(&world, fixture, Faults::default());
    let mut want: Outcomes = healthy().clone();
    for (test, becomes) in expected {
        let test = format!("node-join::{test}");
        match becomes {
            Fails(severity) => want.insert(test, CaseOutcome::Failure(severity.to_string())),
            Skipped(reason) => want.insert(test, CaseOutcome::Skipped(reason.to_string())),
            Gone => want.remove(&test),
        };
    }
    let differences = changes(&want, &diagnosis.outcomes);
    assert!(
        differences.is_empty(),
        "scenario {name}: outcomes differ from the expected ones:\n{}\n--- output ---\n{}",
        differences.join("\n"),
        diagnosis.run.stdout
    );
    diagnosis.run.expect_code(exit_code);
}

fn no_fixture_fault(_: &World, _: &mut ClusterFixture) {}

#[test]
fn cluster_missing() {
    // The world exists, but the pack is pointed at a cluster the fixture does not complete
    // and moto does not know.
    let world = World::build("cluster-missing", &[]);
    let mut ghost = world.clone();
    ghost.cluster = "no-such-cluster".into();
    let diagnosis = diagnose(&ghost, ClusterFixture::default(), Faults::default());
    diagnosis.run.expect_code(1);
    let failed: Vec<&String> = diagnosis
        .outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, CaseOutcome::Skipped(_)))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        failed,
        ["node-join::cluster::cluster-exists"],
        "{}",
        diagnosis.run.stdout
    );
    assert!(
        diagnosis
            .run
            .stdout
            .contains("There is no EKS cluster named no-such-cluster in region eu-west-2"),
        "{}",
        diagnosis.run.stdout
    );
    for (name, outcome) in &diagnosis.outcomes {
        match outcome {
            // Directly, or through a check that was skipped for it.
            CaseOutcome::Skipped(reason) => assert!(
                reason == "needs cluster-exists (failed)"
                    || (reason.starts_with("needs ") && reason.ends_with("(skipped)")),
                "{name}: {reason}"
            ),
            other => assert_eq!(*other, CaseOutcome::Failure(ERROR.into()), "{name}"),
        }
    }
}

#[test]
fn cluster_not_active() {
    scenario(
        "not-active",
        &[],
        |_, fixture| fixture.cluster["status"] = json!("CREATING"),
        &[("cluster::cluster-active", Fails(ERROR))],
        1,
    );
}

#[test]
fn cluster_health_issue() {
    scenario(
        "cluster-health",
        &[],
        |world, fixture| {
            fixture.cluster["health"] = json!({"issues": [{
                "code": "Ec2SecurityGroupNotFound",
                "message": "One or more security groups could not be found",
                "resourceIds": [world.cluster_security_group_id]
            }]})
        },
        &[("cluster::cluster-health", Fails(ERROR))],
        1,
    );
}

#[test]
fn endpoint_access_off() {
    scenario(
        "endpoint-off",
        &[],
        |_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPublicAccess"] = json!(false);
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
        },
        &[("cluster::endpoint-access", Fails(ERROR))],
        1,
    );
}

#[test]
fn endpoint_public_only_with_restricted_cidrs_is_a_warning() {
    scenario(
        "endpoint-restricted",
        &[],
        |_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
            fixture.cluster["resourcesVpcConfig"]["publicAccessCidrs"] = json!(["203.0.113.0/24"]);
        },
        &[("cluster::endpoint-access", Fails("warning"))],
        0,
    );
}

#[test]
fn config_map_authentication_skips_the_access_checks() {
    let when = "when: $.cluster.accessConfig.authenticationMode one_of [\"API\",\"API_AND_CONFIG_MAP\"] is false (actual: \"CONFIG_MAP\")";
    scenario(
        "config-map",
        &[],
        |_, fixture| {
            fixture.cluster["accessConfig"]["authenticationMode"] = json!("CONFIG_MAP");
            fixture.access_entries.clear();
        },
        &[
            ("cluster::authentication-mode", Fails("info")),
            ("access::node-role-has-access-entry[ng-1]", Skipped(when)),
            (
                "access::access-entry-type[ng-1]",
                Skipped("needs node-role-has-access-entry (skipped)"),
            ),
        ],
        0,
    );
}

#[test]
fn missing_access_entry_in_api_mode() {
    scenario(
        "no-entry-api",
        &[],
        |_, fixture| {
            fixture.cluster["accessConfig"]["authenticationMode"] = json!("API");
            fixture.access_entries.clear();
        },
        &[
            ("access::node-role-has-access-entry[ng-1]", Fails(ERROR)),
            (
                "access::access-entry-type[ng-1]",
                Skipped("needs node-role-has-access-entry (failed)"),
            ),
        ],
        1,
    );
}

#[test]
fn missing_access_entry_beside_aws_auth_is_a_warning() {
    scenario(
        "no-entry-both",
        &[],
        |_, fixture| fixture.access_entries.clear(),
        &[
            ("access::node-role-has-access-entry[ng-1]", Fails("warning")),
            (
                "access::access-entry-type[ng-1]",
                Skipped("needs node-role-has-access-entry (failed)"),
            ),
        ],
        0,
    );
}

#[test]
fn standard_access_entry() {
    scenario(
        "standard-entry",
        &[],
        |world, fixture| {
            fixture.access_entries =
                vec![world.access_entry(&world.node_role_arn, "STANDARD", 1_767_323_045.0)];
        },
        &[("access::access-entry-type[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn degraded_node_group() {
    scenario(
        "degraded",
        &[],
        |world, fixture| {
            fixture.nodegroups.insert(
                world.nodegroup.clone(),
                json!({"status": "DEGRADED", "health": {"issues": [{
                    "code": "NodeCreationFailure",
                    "message": "Instances failed to join the kubernetes cluster",
                    "resourceIds": world.instances
                }]}}),
            );
        },
        &[
            ("nodegroups::nodegroup-active[ng-1]", Fails(ERROR)),
            ("nodegroups::nodegroup-health[ng-1]", Fails(ERROR)),
        ],
        1,
    );
}

#[test]
fn node_group_with_the_cluster_role() {
    let world = World::build("cluster-role", &[]);
    let mut fixture = world.fixture();
    fixture.nodegroups.insert(
        world.nodegroup.clone(),
        json!({"nodeRole": world.cluster_role_arn}),
    );
    let diagnosis = diagnose(&world, fixture, Faults::default());
    assert_eq!(
        diagnosis.outcomes["node-join::nodegroups::node-role-is-not-cluster-role[ng-1]"],
        CaseOutcome::Failure(ERROR.into())
    );
}

#[test]
fn missing_cni_policy() {
    scenario(
        "no-cni",
        &["missing-cni-policy"],
        no_fixture_fault,
        &[("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn missing_worker_node_policy() {
    scenario(
        "no-worker",
        &["missing-worker-node-policy"],
        no_fixture_fault,
        &[("iam::node-role-has-worker-node-policy[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn missing_ecr_policy() {
    scenario(
        "no-ecr",
        &["missing-ecr-policy"],
        no_fixture_fault,
        &[("iam::node-role-has-ecr-read-policy[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn trust_policy_without_ec2() {
    scenario(
        "trust-eks",
        &["trust-without-ec2"],
        no_fixture_fault,
        &[("iam::node-role-trusts-ec2[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn node_role_missing_skips_what_depends_on_it() {
    let needs = "needs node-role-exists (failed)";
    scenario(
        "no-role",
        &["node-role-missing"],
        no_fixture_fault,
        &[
            ("iam::node-role-exists[ng-1]", Fails(ERROR)),
            ("iam::node-role-trusts-ec2[ng-1]", Skipped(needs)),
            (
                "iam::node-role-has-worker-node-policy[ng-1]",
                Skipped(needs),
            ),
            ("iam::node-role-has-cni-policy[ng-1]", Skipped(needs)),
            ("iam::node-role-has-ecr-read-policy[ng-1]", Skipped(needs)),
            ("access::node-role-has-access-entry[ng-1]", Skipped(needs)),
            (
                "access::access-entry-type[ng-1]",
                Skipped("needs node-role-has-access-entry (skipped)"),
            ),
            ("instances::instance-profile-role[ng-1/i-1]", Skipped(needs)),
            ("instances::instance-profile-role[ng-1/i-2]", Skipped(needs)),
        ],
        1,
    );
}

#[test]
fn no_instances() {
    scenario(
        "no-instances",
        &["no-instances"],
        no_fixture_fault,
        &[
            ("instances::nodegroup-has-instances[ng-1]", Fails(ERROR)),
            (
                "instances::instances-running[ng-1]",
                Skipped("needs nodegroup-has-instances (failed)"),
            ),
            ("instances::instance-profile-role[ng-1/i-1]", Gone),
            ("instances::instance-profile-role[ng-1/i-2]", Gone),
        ],
        1,
    );
}

#[test]
fn stopped_instance() {
    scenario(
        "stopped",
        &["instance-stopped"],
        no_fixture_fault,
        &[("instances::instances-running[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn instance_profile_of_another_role() {
    scenario(
        "other-profile",
        &["wrong-instance-profile"],
        no_fixture_fault,
        &[
            ("instances::instance-profile-role[ng-1/i-1]", Fails(ERROR)),
            ("instances::instance-profile-role[ng-1/i-2]", Fails(ERROR)),
        ],
        1,
    );
}

#[test]
fn private_subnets_without_nat_or_endpoints() {
    scenario(
        "no-nat",
        &["no-nat-route"],
        no_fixture_fault,
        &[
            ("network::subnet-egress[ng-1/subnet-1]", Fails(ERROR)),
            ("network::subnet-egress[ng-1/subnet-2]", Fails(ERROR)),
        ],
        1,
    );
}

#[test]
fn private_cluster_with_vpc_endpoints_needs_no_nat() {
    scenario(
        "endpoints",
        &["private-endpoints"],
        no_fixture_fault,
        &[],
        0,
    );
}

#[test]
fn exhausted_subnet() {
    scenario(
        "exhausted",
        &["exhausted-subnet"],
        no_fixture_fault,
        &[("network::subnet-free-ips[ng-1/subnet-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn deleted_subnet() {
    let needs = "needs subnet-available (failed)";
    scenario(
        "deleted-subnet",
        &["subnet-unavailable"],
        no_fixture_fault,
        &[
            ("network::subnet-available[ng-1/subnet-1]", Fails(ERROR)),
            ("network::subnet-free-ips[ng-1/subnet-1]", Skipped(needs)),
            ("network::subnet-egress[ng-1/subnet-1]", Skipped(needs)),
            (
                "network::public-subnet-maps-public-ip[ng-1/subnet-1]",
                Skipped(needs),
            ),
            (
                "network::nacl-allows-node-traffic[ng-1/subnet-1]",
                Skipped(needs),
            ),
        ],
        1,
    );
}

#[test]
fn public_subnet_without_public_ips() {
    // The node group has one subnet, routed to an internet gateway only.
    let world = World::build("public-no-ip", &["public-subnet-no-public-ip"]);
    let diagnosis = diagnose(&world, world.fixture(), Faults::default());
    let subnet_rows: Outcomes = diagnosis
        .outcomes
        .iter()
        .filter(|(name, _)| name.contains("subnet-1]"))
        .map(|(name, outcome)| (name.clone(), outcome.clone()))
        .collect();
    let pass = CaseOutcome::Pass;
    assert_eq!(
        subnet_rows.into_iter().collect::<Vec<_>>(),
        [
            (
                "node-join::network::nacl-allows-node-traffic[ng-1/subnet-1]".to_owned(),
                pass.clone()
            ),
            (
                "node-join::network::public-subnet-maps-public-ip[ng-1/subnet-1]".to_owned(),
                CaseOutcome::Failure(ERROR.into())
            ),
            (
                "node-join::network::subnet-available[ng-1/subnet-1]".to_owned(),
                pass.clone()
            ),
            (
                "node-join::network::subnet-egress[ng-1/subnet-1]".to_owned(),
                pass.clone()
            ),
            (
                "node-join::network::subnet-free-ips[ng-1/subnet-1]".to_owned(),
                pass
            ),
        ]
    );
    diagnosis.run.expect_code(1);
}

#[test]
fn network_acl_blocking_https() {
    scenario(
        "nacl",
        &["nacl-blocks-https"],
        no_fixture_fault,
        &[
            (
                "network::nacl-allows-node-traffic[ng-1/subnet-1]",
                Fails(ERROR),
            ),
            (
                "network::nacl-allows-node-traffic[ng-1/subnet-2]",
                Fails(ERROR),
            ),
        ],
        1,
    );
}

#[test]
fn vpc_without_dns_hostnames() {
    scenario(
        "no-hostnames",
        &["no-dns-hostnames"],
        no_fixture_fault,
        &[("network::vpc-dns", Fails(ERROR))],
        1,
    );
}

#[test]
fn custom_dns_servers_are_a_warning() {
    scenario(
        "custom-dns",
        &["custom-dns"],
        no_fixture_fault,
        &[("network::dhcp-options-dns", Fails("warning"))],
        0,
    );
}

#[test]
fn cluster_security_group_without_its_self_rule() {
    scenario(
        "cluster-sg",
        &["cluster-sg-no-self-rule"],
        no_fixture_fault,
        &[("network::cluster-sg-allows-nodes", Fails(ERROR))],
        1,
    );
}
