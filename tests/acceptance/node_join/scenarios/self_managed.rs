//! Nodes no managed node group launched (self-managed groups, Karpenter): found by the cluster
//! tag, checked per instance profile, subnet and instance.

use super::{Becomes, ERROR, Fails, Passes, Scenario, Skipped, at};
use crate::emulator::iam::Organization;

/// Why `bootstrap-reaches-eks-api` is skipped for a node in a subnet with a route out.
const ROUTED: &str =
    "when: unmanaged_node_egress not {equals \"route\"} is false (actual: \"route\")";

/// Why `node-sg-reaches-aws` is skipped for a node with neither a route out nor VPC endpoints
/// (`subnet-egress` fails there).
pub(super) const NOWHERE_TO_REACH: &str = "when: unmanaged_node_egress any of: unmanaged_node_egress \
    $ equals \"route\" | endpoint_networks $ not {equals {}} is false (actual: absent)";

/// Why it is skipped for a node launched from no launch template, without a route out.
const NO_TEMPLATE: &str = "call `unmanaged_user_data` was not made: when: \
    $.LaunchTemplateVersions[0].LaunchTemplateData.UserData exists is false (actual: absent)";

/// The rows a healthy self-managed node adds (its profile, subnet and instance are normalised
/// to `self-profile`, `subnet-self` and `i-self`); `subnet-self` has no route out.
fn self_managed(subnet: &str) -> Vec<(String, Becomes)> {
    let mut rows: Vec<(String, Becomes)> = [
        "instance-profile-has-role",
        "node-role-trusts-ec2",
        "node-role-permissions",
        "node-role-has-access-entry",
    ]
    .into_iter()
    .map(|check| at(&format!("self-managed::{check}[self-profile]"), Passes))
    .collect();
    rows.push(at(
        &format!("self-managed::subnet-egress[{subnet}]"),
        Passes,
    ));
    rows.push(at("self-managed::cluster-sg-allows-nodes[i-self]", Passes));
    let (bootstrap, aws) = if subnet == "subnet-self" {
        (NO_TEMPLATE, Skipped(NOWHERE_TO_REACH))
    } else {
        (ROUTED, Passes)
    };
    rows.push(at("self-managed::node-sg-reaches-aws[i-self]", aws));
    rows.push(at(
        "self-managed::bootstrap-reaches-eks-api[i-self]",
        Skipped(bootstrap),
    ));
    rows.push(at(PASS_NODE_ROLE, Skipped(NOT_KARPENTERS)));
    rows
}

/// The row of whether Karpenter's controller may pass the role of the self-managed node.
const PASS_NODE_ROLE: &str = "self-managed::karpenter-controller-may-pass-node-role[self-profile]";

/// Why that row is skipped for a node Karpenter did not launch.
const NOT_KARPENTERS: &str =
    "when: $.Tags[?@.Key == 'karpenter.sh/nodepool'] exists is false (actual: [])";

/// The fixture of a healthy self-managed node: an EC2_LINUX access entry for its role.
fn with_entry(
    world: &crate::emulator::world::World,
    fixture: &mut crate::emulator::proxy::ClusterFixture,
) {
    let node = world.self_managed.as_ref().expect("a self-managed node");
    fixture
        .access_entries
        .push(world.access_entry(&node.role_arn, "EC2_LINUX"));
}

#[test]
fn a_self_managed_node_is_checked_like_a_managed_one() {
    Scenario::new("self", &["self-managed"])
        .fixture(with_entry)
        .expect(self_managed("subnet-1"), 0);
}

#[test]
fn a_self_managed_node_without_an_access_entry() {
    let mut expected = self_managed("subnet-1");
    expected.push(at(
        "self-managed::node-role-has-access-entry[self-profile]",
        Fails("warning"),
    ));
    Scenario::new("self-no-entry", &["self-managed"]).expect(expected, 0);
}

#[test]
fn a_self_managed_node_in_a_subnet_without_a_way_out() {
    let mut expected = self_managed("subnet-self");
    expected.push(at("self-managed::subnet-egress[subnet-self]", Fails(ERROR)));
    Scenario::new("self-isolated", &["self-managed", "self-managed-no-egress"])
        .fixture(with_entry)
        .expect(expected, 1);
}

#[test]
fn a_self_managed_node_whose_role_cannot_join() {
    let mut expected = self_managed("subnet-1");
    expected.push(at(
        "self-managed::node-role-trusts-ec2[self-profile]",
        Fails(ERROR),
    ));
    expected.push(at(
        "self-managed::node-role-permissions[self-profile]",
        Fails(ERROR),
    ));
    Scenario::new("self-bare", &["self-managed", "self-managed-bare-role"])
        .fixture(with_entry)
        .expect(expected, 1);
}

#[test]
fn a_self_managed_node_the_cluster_security_group_does_not_admit() {
    let mut expected = self_managed("subnet-1");
    expected.push(at(
        "self-managed::cluster-sg-allows-nodes[i-self]",
        Fails(ERROR),
    ));
    Scenario::new("self-sg", &["self-managed", "self-managed-own-sg"])
        .fixture(with_entry)
        .expect(expected, 1);
}

#[test]
fn a_karpenter_node_is_found_by_karpenters_tags() {
    // Its controller is not on EKS Pod Identity (IRSA, which the AWS API does not show).
    let mut expected = self_managed("subnet-1");
    expected.push(at(
        PASS_NODE_ROLE,
        Skipped(
            "call `karpenter_pass_role` was not made: it reads call `karpenter_controller`, \
             which was not made: when: $.associations[0].associationId exists is false \
             (actual: absent)",
        ),
    ));
    Scenario::new("karpenter", &["self-managed", "self-managed-karpenter"])
        .fixture(with_entry)
        .expect(expected, 0);
}

#[test]
fn a_self_managed_node_without_the_cluster_tag() {
    // It is found by its role's node access entry instead, and none of the per-node checks run.
    let run = Scenario::new("self-untagged", &["self-managed", "self-managed-untagged"])
        .fixture(with_entry)
        .expect(
            vec![at(
                "self-managed::node-tagged-for-cluster[self-profile]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains("carry no kubernetes.io/cluster/self-untagged tag");
}

#[test]
fn an_untagged_instance_whose_role_people_use_is_no_node() {
    // A bastion or CI runner in the VPC whose role has a STANDARD access entry.
    Scenario::new("self-bastion", &["self-managed", "self-managed-untagged"])
        .fixture(|world, fixture| {
            let node = world.self_managed.as_ref().expect("a self-managed node");
            fixture
                .access_entries
                .push(world.access_entry(&node.role_arn, "STANDARD"));
        })
        .expect(
            vec![at(
                "self-managed::node-tagged-for-cluster[self-profile]",
                Passes,
            )],
            0,
        );
}

/// The fixture of a world whose Karpenter controller runs with its role through EKS Pod Identity.
fn karpenter_pod_identity(
    world: &crate::emulator::world::World,
    fixture: &mut crate::emulator::proxy::ClusterFixture,
) {
    let role = world
        .karpenter_role_arn
        .as_deref()
        .expect("Karpenter's role");
    fixture
        .pod_identity_associations
        .push(world.pod_identity_association("kube-system", "karpenter", role));
}

/// The row of Karpenter's controller.
const KARPENTER_CONTROLLER: &str =
    "self-managed::karpenter-controller-may-launch[kube-system/karpenter]";

#[test]
fn a_karpenter_controller_that_may_launch_nodes() {
    Scenario::new("karpenter-controller", &["karpenter-controller"])
        .fixture(karpenter_pod_identity)
        .expect(
            vec![at(KARPENTER_CONTROLLER, Passes), at(SPOT_ROLE, Passes)],
            0,
        );
}

/// The row of EC2's Spot service-linked role for Karpenter's controller.
const SPOT_ROLE: &str = "self-managed::karpenter-spot-role[kube-system/karpenter]";

#[test]
fn a_karpenter_controller_an_scp_denies_launches() {
    let run = Scenario::new("karpenter-scp", &["karpenter-controller"])
        .fixture(|world, fixture| {
            karpenter_pod_identity(world, fixture);
            let deny = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*"}],
            });
            fixture.organization = Some(Organization::new().attach("ou", deny));
        })
        .expect(
            vec![
                at(KARPENTER_CONTROLLER, Fails(ERROR)),
                at(SPOT_ROLE, Passes),
            ],
            1,
        );
    run.expect_stdout_contains(
        "a service control policy of the organization denies [\"ec2:RunInstances\"]",
    );
}

#[test]
fn a_self_managed_bare_bootstrap_without_a_way_to_the_eks_api() {
    let mut expected = self_managed("subnet-self");
    expected.push(at("self-managed::subnet-egress[subnet-self]", Fails(ERROR)));
    expected.push(at(
        "self-managed::bootstrap-reaches-eks-api[i-self]",
        Fails(ERROR),
    ));
    Scenario::new(
        "self-bare-bootstrap",
        &[
            "self-managed",
            "self-managed-no-egress",
            "self-managed-bare-bootstrap",
        ],
    )
    .fixture(with_entry)
    .expect(expected, 1);
}

#[test]
fn a_self_managed_bare_bootstrap_beside_an_eks_endpoint_is_healthy() {
    let mut expected = super::network::private_cluster();
    expected.extend(self_managed("subnet-self"));
    expected.push(at(
        "self-managed::bootstrap-reaches-eks-api[i-self]",
        Passes,
    ));
    // Without a route out, its groups reach the VPC endpoints.
    expected.push(at("self-managed::node-sg-reaches-aws[i-self]", Passes));
    Scenario::new(
        "self-bare-bootstrap-eks",
        &[
            "private-endpoints",
            "eks-endpoint",
            "self-managed",
            "self-managed-no-egress",
            "self-managed-bare-bootstrap",
        ],
    )
    .fixture(with_entry)
    .expect(expected, 0);
}

#[test]
fn a_self_managed_node_in_an_ipv6_subnet_without_an_ipv4_way_out() {
    // The self-managed suite's egress is the node groups': ::/0 alone does not reach EC2, ECR
    // and STS (audit v3 X3).
    use super::reference::IPV6_CLUSTER;
    let mut expected = super::reference::ipv6_cluster::eigw_only();
    expected.extend(self_managed("subnet-self"));
    // Its subnet is the first node subnet, normalised as such.
    expected.retain(|(test, _)| !test.contains("subnet-self"));
    expected.push(at("self-managed::subnet-egress[subnet-1]", Fails(ERROR)));
    Scenario::new("self-ipv6", &["self-managed", "ipv6-eigw-only"])
        .of(&IPV6_CLUSTER)
        .fixture(with_entry)
        .expect(expected, 1);
}
