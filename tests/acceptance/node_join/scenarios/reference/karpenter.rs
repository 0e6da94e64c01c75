//! Karpenter v1 as its getting-started guide sets it up
//! (https://karpenter.sh/docs/getting-started/getting-started-with-karpenter/, v1.14.1:
//! `cloudformation.yaml`, `scripts/step02-create-cluster.sh`, `step06-add-spot-role.sh`,
//! `step12-add-nodepool.sh` in aws/karpenter-provider-aws): the controller's role for EKS Pod
//! Identity (eksctl's podIdentityAssociations, kube-system/karpenter) with the template's six
//! controller policies, the eks-pod-identity-agent add-on, the node role
//! KarpenterNodeRole-NAME mapped in aws-auth only (eksctl's iamIdentityMappings), EC2's Spot
//! service-linked role, the guide's managed node group, and a node Karpenter launched for
//! NodePool and EC2NodeClass `default`, tagged as Karpenter v1 tags its instances (see
//! `world.py`). Before the simulation asked as Karpenter does, `karpenter-controller-may-launch`
//! failed on it: its policies allow launches only on scoped ARNs, under request tags and
//! `iam:PassedToService`.

use super::super::{ERROR, Fails, Scenario, at};
use super::Reference;
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

pub(crate) static KARPENTER: Reference = Reference {
    name: "karpenter-v1",
    source: "https://karpenter.sh/docs/getting-started/getting-started-with-karpenter/ \
             (aws/karpenter-provider-aws v1.14.1)",
    world: &["karpenter-getting-started"],
    fixture: karpenter,
    warnings: &[(
        "self-managed::node-role-has-access-entry[self-profile]",
        "the guide maps the node role in the aws-auth ConfigMap (eksctl's iamIdentityMappings), \
         which the AWS API cannot see, beside API_AND_CONFIG_MAP access entries",
    )],
};

/// The association eksctl makes for the controller, and the agent's add-on the guide installs.
fn karpenter(world: &World, fixture: &mut ClusterFixture) {
    let role = world
        .karpenter_role_arn
        .as_deref()
        .expect("Karpenter's controller role");
    fixture
        .pod_identity_associations
        .push(world.pod_identity_association("kube-system", "karpenter", role));
    fixture.addons.insert(
        "eks-pod-identity-agent".to_owned(),
        world.addon("eks-pod-identity-agent", "v1.3.10-eksbuild.2"),
    );
}

/// The row of the controller's launches.
const CONTROLLER: &str = "self-managed::karpenter-controller-may-launch[kube-system/karpenter]";

#[test]
fn karpenter_as_its_getting_started_guide_sets_it_up_is_healthy() {
    KARPENTER.outcomes();
}

#[test]
fn a_controller_without_its_node_lifecycle_policy() {
    let run = Scenario::new(
        "karpenter-no-lifecycle",
        &["karpenter-without-lifecycle-policy"],
    )
    .of(&KARPENTER)
    .expect(vec![at(CONTROLLER, Fails(ERROR))], 1);
    run.expect_stdout_contains("\"ec2:CreateLaunchTemplate\"");
}

#[test]
fn a_controller_that_may_pass_another_node_role() {
    Scenario::new("karpenter-other-role", &["karpenter-passes-another-role"])
        .of(&KARPENTER)
        .expect(
            vec![at(
                "self-managed::karpenter-controller-may-pass-node-role[self-profile]",
                Fails(ERROR),
            )],
            1,
        );
}

#[test]
fn an_account_without_the_spot_service_linked_role() {
    Scenario::new("karpenter-no-spot-role", &[])
        .of(&KARPENTER)
        .fixture(|_, fixture| fixture.absent_roles = vec!["AWSServiceRoleForEC2Spot".into()])
        .expect(
            vec![at(
                "self-managed::karpenter-spot-role[kube-system/karpenter]",
                Fails("warning"),
            )],
            0,
        );
}
