//! A Bottlerocket managed node group as terraform-aws-eks v21 builds it
//! (`examples/eks-managed-node-group/eks-bottlerocket.tf`): AMI type `BOTTLEROCKET_x86_64` on
//! EKS's AMI, in the module's launch template, whose user data is the node group's
//! `bootstrap_extra_args`: TOML settings starting with comments
//! (`tests/user-data/rendered/bottlerocket/eks-mng-additional.toml`), which EKS merges with its
//! own as the EKS user guide describes
//! (https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html#launch-template-user-data);
//! the module's metadata options: IMDSv2 required, a hop limit of 1 (`docs/UPGRADE-21.0.md`).
//! Its twins: TOML the guide lists as unsupported, Amazon Linux user data on Bottlerocket, a warm
//! pool Bottlerocket does not support, and a Bottlerocket AMI of one's own, with the settings the
//! module writes for it (`eks-mng-custom-ami.toml`) and without.

use serde_json::json;

use super::super::launch_template::CUSTOM_AMI;
use super::super::{ERROR, Fails, Passes, Scenario, Skipped, at};
use super::{HOP_LIMIT, Reference};

/// Why terraform-aws-eks' metadata options draw a warning.
pub(crate) static BOTTLEROCKET: Reference = Reference {
    name: "bottlerocket",
    source: "terraform-aws-modules/terraform-aws-eks v21.19.0 \
             examples/eks-managed-node-group/eks-bottlerocket.tf; \
             https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html",
    world: &["bottlerocket"],
    fixture: |_, _| {},
    warnings: &[
        ("launch-template::launch-template-metadata[ng-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-2]", HOP_LIMIT),
    ],
};

#[test]
fn the_bottlerocket_node_group_is_healthy() {
    BOTTLEROCKET.outcomes();
}

#[test]
fn toml_with_escaped_quotes_eks_cannot_merge() {
    let run = Scenario::new("bottlerocket-quotes", &["bottlerocket-escaped-quotes"])
        .of(&BOTTLEROCKET)
        .expect(
            vec![at("launch-template::user-data-format[ng-1]", Fails(ERROR))],
            1,
        );
    run.expect_stdout_contains("escaped quotes in a value (line 16)");
}

#[test]
fn amazon_linux_user_data_on_bottlerocket() {
    Scenario::new("bottlerocket-mime", &["bottlerocket-mime"])
        .of(&BOTTLEROCKET)
        .expect(
            vec![at("launch-template::user-data-format[ng-1]", Fails(ERROR))],
            1,
        );
}

#[test]
fn a_hibernated_warm_pool_on_bottlerocket() {
    Scenario::new("bottlerocket-warm-pool", &[])
        .of(&BOTTLEROCKET)
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["warmPoolConfig"] =
                json!({"enabled": true, "poolState": "HIBERNATED"});
        })
        .expect(
            vec![at("nodegroups::warm-pool-supported[ng-1]", Fails(ERROR))],
            1,
        );
}

/// Why the checks of EKS's AMIs are skipped for the Bottlerocket AMI of the account's.
const OWN_AMI_NAMED: &str = "when: $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId does \
    not exist is false (actual: \"ami-own\")";

/// How the node group differs on a Bottlerocket AMI of the account's, bootstrapped by its
/// settings (`custom-ami-bootstraps` becoming `bootstraps`).
fn on_an_own_bottlerocket_ami(
    bootstraps: super::super::Becomes,
) -> Vec<(String, super::super::Becomes)> {
    vec![
        at(
            "launch-template::user-data-format[ng-1]",
            Skipped(OWN_AMI_NAMED),
        ),
        at(
            "launch-template::eks-ami-bootstrapped-once[ng-1]",
            Skipped(OWN_AMI_NAMED),
        ),
        at("launch-template::custom-ami-bootstraps[ng-1]", bootstraps),
        at("launch-template::image-available[ng-1]", Passes),
        at("launch-template::image-architecture[ng-1]", Passes),
        at("launch-template::image-not-ssm-parameter[ng-1]", Passes),
        at("launch-template::custom-ami-version-skew[ng-1]", Passes),
        at(
            "nodegroups::ami-type-published[ng-1]",
            Skipped("when: $.nodegroup.amiType matches /^AL2_/ is false (actual: \"CUSTOM\")"),
        ),
        at(
            "nodegroups::nodegroup-version-skew[ng-1]",
            Skipped(CUSTOM_AMI),
        ),
    ]
}

#[test]
fn a_bottlerocket_ami_of_ones_own_with_its_settings_is_healthy() {
    Scenario::new("bottlerocket-own", &["bottlerocket-custom-ami"])
        .of(&BOTTLEROCKET)
        .expect(on_an_own_bottlerocket_ami(Passes), 0);
}

#[test]
fn a_bottlerocket_ami_of_ones_own_without_the_api_server() {
    Scenario::new(
        "bottlerocket-own-bare",
        &[
            "bottlerocket-custom-ami",
            "bottlerocket-custom-ami-no-endpoint",
        ],
    )
    .of(&BOTTLEROCKET)
    .expect(on_an_own_bottlerocket_ami(Fails(ERROR)), 1);
}
