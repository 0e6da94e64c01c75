//! A healthy cluster in a member account of an AWS Organization governed by AWS Control Tower,
//! whose landing zone's Region deny control (GRREGIONDENY) denies every action but those of
//! global services outside the governed Regions, unless the principal is Control Tower's own
//! role. The SCP is the control's text verbatim (`control_tower_region_deny.json`, from
//! https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html),
//! with the governed Regions filled in as Control Tower fills them (the cluster's Region and
//! us-east-1), attached to the OU over the account beside FullAWSAccess.
//!
//! Before the simulations gave `aws:RequestedRegion`, every node group failed here: without the
//! key, `StringNotEquals` holds and the SCP denies the node role's every regional action.

use serde_json::{Value, json};

use super::super::{ERROR, Fails, Scenario, at};
use super::Reference;
use crate::emulator::iam::Organization;
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

pub(crate) static CONTROL_TOWER: Reference = Reference {
    name: "control-tower",
    source: "https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html",
    world: &[],
    fixture: |world, fixture| governed(fixture, &[&world.region, "us-east-1"]),
    warnings: &[],
};

/// The Region deny control over the account, governing `regions`.
fn governed(fixture: &mut ClusterFixture, regions: &[&str]) {
    let mut scp: Value =
        serde_json::from_str(include_str!("control_tower_region_deny.json")).expect("the SCP");
    scp["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] = json!(regions);
    fixture.organization = Some(Organization::new().attach("ou", scp));
}

#[test]
fn a_cluster_under_control_towers_region_deny_is_healthy() {
    CONTROL_TOWER.outcomes();
}

#[test]
fn a_cluster_in_a_region_control_tower_does_not_govern() {
    // The SCP really denies what the nodes call: EC2, ECR and EKS in the cluster's Region.
    let run = Scenario::new("control-tower-ungoverned", &[])
        .of(&CONTROL_TOWER)
        .fixture(|_: &World, fixture| governed(fixture, &["us-east-1", "eu-west-1"]))
        .expect(
            vec![
                at("iam::node-role-has-worker-node-policy[ng-1]", Fails(ERROR)),
                at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR)),
                at("iam::node-role-has-ecr-read-policy[ng-1]", Fails(ERROR)),
            ],
            1,
        );
    run.expect_stdout_contains("Decided by simulation in eu-west-2: the role may not call");
    run.expect_stdout_contains("A service control policy of the organization denies");
}
