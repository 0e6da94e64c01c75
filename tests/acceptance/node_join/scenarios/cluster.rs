//! The cluster: missing, not active, unhealthy, its endpoint and its role.

use serde_json::json;

use super::{ERROR, Fails, PRIVATE_ACCESS_OFF, Scenario, Skipped, across_subnets, at, per_subnet};
use crate::emulator::proxy::{ClusterFixture, Faults};
use crate::emulator::world::World;
use crate::node_join::diagnose;
use crate::support::CaseOutcome;

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
    assert!(!diagnosis.outcomes.is_empty());
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
fn a_cluster_being_created_is_a_warning() {
    Scenario::new("creating", &[])
        .fixture(|_, fixture| fixture.cluster["status"] = json!("CREATING"))
        .expect(vec![at("cluster::cluster-active", Fails("warning"))], 0);
}

#[test]
fn a_failed_cluster() {
    Scenario::new("failed", &[])
        .fixture(|_, fixture| fixture.cluster["status"] = json!("FAILED"))
        .expect(vec![at("cluster::cluster-active", Fails(ERROR))], 1);
}

#[test]
fn cluster_health_issue() {
    Scenario::new("cluster-health", &[])
        .fixture(|world, fixture| {
            fixture.cluster["health"] = json!({"issues": [{
                "code": "Ec2SecurityGroupNotFound",
                "message": "One or more security groups could not be found",
                "resourceIds": [world.cluster_security_group_id]
            }]})
        })
        .expect(vec![at("cluster::cluster-health", Fails(ERROR))], 1);
}

pub(super) const CIDRS_INCLUDE_EVERYONE: &str = "when: $.cluster.resourcesVpcConfig.publicAccessCidrs not \
                                      {contains \"0.0.0.0/0\"} is false (actual: [\"0.0.0.0/0\"])";

#[test]
fn endpoint_access_off() {
    let mut expected = vec![at("cluster::endpoint-access", Fails(ERROR))];
    expected.extend(per_subnet(
        "network::public-endpoint-admits-nodes",
        Skipped(CIDRS_INCLUDE_EVERYONE),
    ));
    expected.extend(across_subnets(Skipped(PRIVATE_ACCESS_OFF)));
    Scenario::new("endpoint-off", &[])
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPublicAccess"] = json!(false);
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
        })
        .expect(expected, 1);
}

#[test]
fn a_public_only_endpoint_must_admit_the_nat_address() {
    Scenario::new("endpoint-restricted", &[])
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
            fixture.cluster["resourcesVpcConfig"]["publicAccessCidrs"] = json!(["203.0.113.0/24"]);
        })
        .expect(
            [
                per_subnet("network::public-endpoint-admits-nodes", Fails(ERROR)),
                across_subnets(Skipped(PRIVATE_ACCESS_OFF)),
            ]
            .concat(),
            1,
        );
}

#[test]
fn a_public_only_endpoint_admitting_the_nat_address_is_healthy() {
    Scenario::new("endpoint-admits-nat", &[])
        .fixture(|world, fixture| {
            let nat = world.nat_public_ip.clone().expect("a NAT gateway");
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
            fixture.cluster["resourcesVpcConfig"]["publicAccessCidrs"] =
                json!(["203.0.113.0/24", format!("{nat}/32")]);
        })
        .expect(
            [
                per_subnet("network::public-endpoint-admits-nodes", super::Passes),
                across_subnets(Skipped(PRIVATE_ACCESS_OFF)),
            ]
            .concat(),
            0,
        );
}

#[test]
fn a_cluster_role_without_the_cluster_policy_is_a_warning() {
    Scenario::new("cluster-role-policy", &["cluster-role-without-policy"]).expect(
        vec![at(
            "cluster::cluster-role-has-cluster-policy",
            Fails("warning"),
        )],
        0,
    );
}

#[test]
fn a_deleted_cluster_role() {
    Scenario::new("cluster-role-gone", &[])
        .fixture(|world, fixture| {
            fixture.cluster["roleArn"] =
                json!(world.cluster_role_arn.replace("-cluster", "-deleted"));
        })
        .expect(
            vec![
                at("cluster::cluster-role-trusts-eks", Fails(ERROR)),
                at(
                    "cluster::cluster-role-has-cluster-policy",
                    Skipped("needs cluster-role-trusts-eks (failed)"),
                ),
            ],
            1,
        );
}

#[test]
fn a_degraded_vpc_cni_addon() {
    let run = Scenario::new("cni-degraded", &[])
        .fixture(|_, fixture| {
            let addon = fixture.addons.get_mut("vpc-cni").expect("vpc-cni");
            addon["status"] = json!("DEGRADED");
            addon["health"] = json!({"issues": [{
                "code": "InsufficientNumberOfReplicas",
                "message": "The add-on is unhealthy because it doesn't have the desired number of replicas.",
                "resourceIds": []
            }]});
        })
        .expect(
            vec![at("cluster::node-addon-healthy[vpc-cni]", Fails(ERROR))],
            1,
        );
    run.expect_stdout_contains("InsufficientNumberOfReplicas");
    run.expect_stdout_contains("k8s-app=aws-node");
}

#[test]
fn kube_proxy_being_updated_is_a_warning() {
    Scenario::new("kube-proxy-updating", &[])
        .fixture(|_, fixture| {
            fixture.addons.get_mut("kube-proxy").expect("kube-proxy")["status"] = json!("UPDATING");
        })
        .expect(
            vec![at(
                "cluster::node-addon-healthy[kube-proxy]",
                Fails("warning"),
            )],
            0,
        );
}

#[test]
fn kube_proxy_that_is_not_an_eks_addon_is_not_judged() {
    Scenario::new("kube-proxy-self-managed", &[])
        .fixture(|_, fixture| {
            fixture.addons.remove("kube-proxy");
        })
        .expect(
            vec![at(
                "cluster::node-addon-healthy[kube-proxy]",
                Skipped("when: $.addon.addonName exists is false (actual: absent)"),
            )],
            0,
        );
}
