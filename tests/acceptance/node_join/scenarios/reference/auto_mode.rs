//! EKS Auto Mode as the EKS user guide's walk-through with the AWS CLI creates it
//! (https://docs.aws.amazon.com/eks/latest/userguide/automode-get-started-cli.html): a cluster
//! role trusting eks.amazonaws.com with sts:AssumeRole and sts:TagSession, with
//! AmazonEKSClusterPolicy and the Compute, BlockStorage, LoadBalancing and Networking policies
//! (auto-cluster-iam-role.html); a node role trusting ec2.amazonaws.com with
//! AmazonEKSWorkerNodeMinimalPolicy and AmazonEC2ContainerRegistryPullOnly
//! (auto-create-node-role.html); computeConfig with the built-in node pools, block storage and
//! load balancing on, authentication mode API; the EC2 access entry with AmazonEKSAutoNodePolicy
//! that EKS creates for the node role (create-node-class.html); no managed node group, no
//! add-on; a node of the general-purpose pool, with only the tags AmazonEKSComputePolicy lets
//! Auto Mode set (`kubernetes.io/cluster/NAME` among them). The self-managed suite must leave its
//! nodes alone, and no check may fail on it.

use serde_json::json;

use super::super::{ERROR, Fails, Scenario, at};
use super::Reference;
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

pub(crate) static AUTO_MODE: Reference = Reference {
    name: "auto-mode",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/automode-get-started-cli.html",
    world: &["auto-mode"],
    fixture: auto_mode,
    warnings: &[],
};

/// What EKS reports of an Auto Mode cluster beyond moto: its compute, storage and load
/// balancing configuration, API authentication, the node role's EC2 access entry, no add-on.
fn auto_mode(world: &World, fixture: &mut ClusterFixture) {
    fixture.cluster["computeConfig"] = json!({
        "enabled": true,
        "nodeRoleArn": world.node_role_arn,
        "nodePools": ["general-purpose", "system"],
    });
    fixture.cluster["storageConfig"] = json!({"blockStorage": {"enabled": true}});
    fixture.cluster["kubernetesNetworkConfig"] = json!({"elasticLoadBalancing": {"enabled": true}});
    fixture.cluster["accessConfig"]["authenticationMode"] = json!("API");
    let mut entry = world.access_entry(&world.node_role_arn, "EC2");
    entry["associatedAccessPolicies"] = json!([{
        "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy",
        "accessScope": {"type": "cluster", "namespaces": []},
    }]);
    fixture.access_entries = vec![entry];
    fixture.addons.clear();
}

/// The row of the default NodeClass, whose nodes run as the built-in pools' role.
const DEFAULT_NODE_CLASS: &str = "auto-mode::node-class-role-has-access-entry[default]";

#[test]
fn eks_auto_mode_is_healthy() {
    let outcomes = AUTO_MODE.outcomes();
    assert!(
        outcomes
            .keys()
            .all(|test| !test.starts_with("node-join::self-managed::")),
        "Auto Mode's nodes were taken for self-managed ones: {outcomes:#?}"
    );
    assert!(outcomes.contains_key(&format!("node-join::{DEFAULT_NODE_CLASS}")));
}

#[test]
fn a_node_class_of_ones_own_whose_role_has_no_access_entry() {
    Scenario::new("auto-mode-own-class", &["auto-mode-own-node-class"])
        .of(&AUTO_MODE)
        .expect(
            vec![at(
                "auto-mode::node-class-role-has-access-entry[own]",
                Fails(ERROR),
            )],
            1,
        );
}

#[test]
fn the_built_in_pools_role_without_its_access_entry() {
    Scenario::new("auto-mode-no-entry", &[])
        .of(&AUTO_MODE)
        .fixture(|_, fixture| fixture.access_entries.clear())
        .expect(
            vec![
                at("auto-mode::node-role-has-access-entry", Fails(ERROR)),
                at(DEFAULT_NODE_CLASS, Fails(ERROR)),
            ],
            1,
        );
}
