//! A cluster as terraform-aws-eks v21 builds it with its defaults
//! (terraform-aws-modules/terraform-aws-eks v21.19.0: `main.tf`, `node_groups.tf`,
//! `modules/eks-managed-node-group`, `modules/self-managed-node-group`, `modules/karpenter`):
//! EKS's own cluster security group, the module's "cluster" security group beside it (admitting
//! the node group on 443, `ingress_nodes_443`, and letting nothing out) and its node security
//! group with its default and recommended rules; a managed node group whose launch template
//! gives its nodes the node security group only (so EKS adds no cluster security group) and
//! IMDSv2 with a hop limit of 1; a self-managed node group of the same group, its role (worker,
//! ECR read-only and CNI policies) mapped by an EC2_LINUX access entry; and a node Karpenter
//! launched with the Karpenter module's node role (ECR pull-only), its access entry, in the
//! subnets and group tagged `karpenter.sh/discovery`. Karpenter's controller (EKS Pod Identity)
//! is not part of this world: its permissions are the `iam` checks' business.

use super::super::{ERROR, Fails, Scenario, at, per_instance};
use super::{HOP_LIMIT, Reference};
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

pub(crate) static TERRAFORM_AWS_EKS: Reference = Reference {
    name: "terraform-aws-eks",
    source: "terraform-aws-modules/terraform-aws-eks v21.19.0 (bef29c4), defaults",
    world: &["terraform-aws-eks"],
    fixture: module_access_entries,
    warnings: &[
        ("launch-template::launch-template-metadata[ng-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-2]", HOP_LIMIT),
    ],
};

/// The EC2_LINUX access entries the module creates for the self-managed and Karpenter node
/// roles (EKS creates the managed node group's).
fn module_access_entries(world: &World, fixture: &mut ClusterFixture) {
    for node in [&world.self_managed, &world.karpenter_node]
        .into_iter()
        .flatten()
    {
        fixture
            .access_entries
            .push(world.access_entry(&node.role_arn, "EC2_LINUX"));
    }
}

/// The rows of unmanaged instances' check `check` (`cluster-sg-allows-nodes`).
fn unmanaged(check: &str) -> Vec<(String, super::super::Becomes)> {
    ["i-self", "i-karpenter"]
        .into_iter()
        .map(|node| at(&format!("self-managed::{check}[{node}]"), Fails(ERROR)))
        .collect()
}

#[test]
fn the_terraform_aws_eks_cluster_is_healthy() {
    TERRAFORM_AWS_EKS.outcomes();
}

#[test]
fn the_modules_cluster_security_group_without_ingress_nodes_443() {
    let mut expected = per_instance("network::cluster-sg-allows-nodes", Fails(ERROR));
    expected.extend(unmanaged("cluster-sg-allows-nodes"));
    Scenario::new("terraform-no-443", &["terraform-aws-eks-no-443"])
        .of(&TERRAFORM_AWS_EKS)
        .expect(expected, 1);
}

#[test]
fn a_node_security_group_letting_out_the_vpc_only() {
    // The nodes reach the control plane, but not EC2, ECR or STS through the NAT gateway.
    let mut expected = per_instance("network::node-sg-reaches-aws", Fails(ERROR));
    expected.extend(unmanaged("node-sg-reaches-aws"));
    Scenario::new("terraform-vpc-egress", &["terraform-aws-eks-vpc-egress"])
        .of(&TERRAFORM_AWS_EKS)
        .expect(expected, 1);
}
