//! A managed node group on an AL2023 AMI of one's own, as terraform-aws-eks v21 builds it: an AMI
//! built from amazon-eks-ami (named and described as its `Makefile` and
//! `templates/al2023/variables-default.json` name and describe it), the module's launch template
//! naming it, and the user data the module renders for it
//! (`tests/user-data/rendered/al2023/eks-mng-custom-ami.txt`: a MIME document starting with
//! `Content-Type:`, a NodeConfig for the kubelet, one with the cluster's name,
//! apiServerEndpoint, certificateAuthority and cidr — which the EKS user guide requires of a
//! custom AMI, https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html — and a
//! shell part); the module's metadata options: IMDSv2 required, a hop limit of 1
//! (`docs/UPGRADE-21.0.md`). Its twins: the guide's own user data and a lowercase endpoint
//! (healthy), a NodeConfig without cidr, bootstrap.sh on AL2023, an AMI newer than the control
//! plane, a snapshot key, and a warm pool, which custom AMIs do not support.

use serde_json::json;

use super::super::{Becomes, ERROR, Fails, Passes, Scenario, at};
use super::{HOP_LIMIT, Reference};

/// Why terraform-aws-eks' metadata options draw a warning.
pub(crate) static AL2023_CUSTOM_AMI: Reference = Reference {
    name: "al2023-custom-ami",
    source: "terraform-aws-modules/terraform-aws-eks v21.19.0 \
             tests/user-data/rendered/al2023/eks-mng-custom-ami.txt; awslabs/amazon-eks-ami \
             templates/al2023; https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html",
    world: &["al2023-custom-ami"],
    fixture: |_, _| {},
    warnings: &[
        ("launch-template::launch-template-metadata[ng-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-2]", HOP_LIMIT),
    ],
};

#[test]
fn the_al2023_custom_ami_is_healthy() {
    AL2023_CUSTOM_AMI.outcomes();
}

#[test]
fn the_user_data_of_the_eks_guide_is_healthy() {
    Scenario::new("al2023-guide", &["al2023-doc-user-data"])
        .of(&AL2023_CUSTOM_AMI)
        .expect(vec![], 0);
}

#[test]
fn an_endpoint_written_in_lowercase_is_healthy() {
    // Host names compare in any case: the node reaches the same API server.
    Scenario::new("al2023-lowercase", &["lowercase-endpoint"])
        .of(&AL2023_CUSTOM_AMI)
        .expect(vec![], 0);
}

/// The custom AMI's bootstrap fails.
fn not_bootstrapped() -> Vec<(String, Becomes)> {
    vec![at(
        "launch-template::custom-ami-bootstraps[ng-1]",
        Fails(ERROR),
    )]
}

#[test]
fn a_node_config_without_the_service_cidr() {
    // nodeadm: "CIDR is missing in cluster configuration".
    Scenario::new("al2023-no-cidr", &["al2023-nodeconfig-no-cidr"])
        .of(&AL2023_CUSTOM_AMI)
        .expect(not_bootstrapped(), 1);
}

#[test]
fn bootstrap_sh_on_an_al2023_custom_ami() {
    // AL2023 has no /etc/eks/bootstrap.sh: nodeadm replaced it.
    Scenario::new("al2023-bootstrap-sh", &["al2023-bootstrap-sh"])
        .of(&AL2023_CUSTOM_AMI)
        .expect(not_bootstrapped(), 1);
}

#[test]
fn an_ami_newer_than_the_control_plane() {
    let run = Scenario::new("al2023-newer", &["al2023-ami-newer"])
        .of(&AL2023_CUSTOM_AMI)
        .expect(
            vec![at(
                "launch-template::custom-ami-version-skew[ng-1]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains("holds Kubernetes 1.35");
}

#[test]
fn a_warm_pool_on_a_custom_ami() {
    Scenario::new("al2023-warm-pool", &[])
        .of(&AL2023_CUSTOM_AMI)
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["warmPoolConfig"] =
                json!({"enabled": true, "poolState": "STOPPED"});
        })
        .expect(
            vec![at("nodegroups::warm-pool-supported[ng-1]", Fails(ERROR))],
            1,
        );
}

/// The rows of the KMS key checks for the world's key.
const KEY_ENABLED: &str = "launch-template::ebs-kms-key-enabled[ng-1/kms-key-1]";
const KEY_ALLOWS_AUTOSCALING: &str =
    "launch-template::ebs-kms-key-allows-autoscaling[ng-1/kms-key-1]";

/// The AMI's snapshot encrypted with the world's key (moto cannot encrypt it).
fn encrypted_snapshot(
    world: &crate::emulator::world::World,
    fixture: &mut crate::emulator::proxy::ClusterFixture,
) {
    let snapshot = world.image_snapshot.clone().expect("the AMI's snapshot");
    let key = world.kms_key_arn.clone().expect("the snapshot's key");
    fixture
        .ec2_account
        .encrypted_snapshots
        .insert(snapshot, key);
}

#[test]
fn a_snapshot_key_auto_scaling_may_use_is_healthy() {
    // The volume made from an encrypted snapshot is decrypted with the snapshot's key.
    Scenario::new("al2023-snapshot-key", &["snapshot-key"])
        .of(&AL2023_CUSTOM_AMI)
        .fixture(encrypted_snapshot)
        .expect(
            vec![at(KEY_ENABLED, Passes), at(KEY_ALLOWS_AUTOSCALING, Passes)],
            0,
        );
}

#[test]
fn a_snapshot_key_auto_scaling_may_not_use() {
    Scenario::new(
        "al2023-snapshot-root",
        &["snapshot-key", "kms-key-root-only"],
    )
    .of(&AL2023_CUSTOM_AMI)
    .fixture(encrypted_snapshot)
    .expect(
        vec![
            at(KEY_ENABLED, Passes),
            at(KEY_ALLOWS_AUTOSCALING, Fails(ERROR)),
        ],
        1,
    );
}
