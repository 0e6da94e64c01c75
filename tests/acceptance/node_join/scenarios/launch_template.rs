//! Launch templates: user data EKS merges (its format, the cluster it names, a second
//! bootstrap), a custom AMI that must bootstrap itself (missing, of another architecture), the
//! instance metadata service, and the KMS key of the nodes' volumes.

use super::{Becomes, ERROR, Fails, Passes, Scenario, Skipped, at, per_subnet};

/// Why `bootstrap-reaches-eks-api` is skipped in a subnet with a route out of the VPC.
const ROUTE_OUT: &str = "when: egress not {equals \"route\"} is false (actual: \"route\")";

const IMAGE_NOT_NAMED: &str = "call `image` was not made: when: \
    $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId exists is false (actual: absent)";

/// How a healthy node group with a launch template (EKS's AMI, MIME user data with a NodeConfig)
/// differs from the healthy world.
fn launch_template() -> Vec<(String, Becomes)> {
    let mut expected = per_subnet(
        "launch-template::bootstrap-reaches-eks-api",
        Skipped(ROUTE_OUT),
    );
    expected.extend([
        at("launch-template::launch-template-exists[ng-1]", Passes),
        at("launch-template::user-data-format[ng-1]", Passes),
        at(
            "launch-template::user-data-bootstraps-this-cluster[ng-1]",
            Passes,
        ),
        at(
            "launch-template::custom-ami-bootstraps[ng-1]",
            Skipped(
                "when: $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId exists is false \
                 (actual: absent)",
            ),
        ),
        at("launch-template::eks-ami-bootstrapped-once[ng-1]", Passes),
        at(
            "launch-template::image-available[ng-1]",
            Skipped(IMAGE_NOT_NAMED),
        ),
        at(
            "launch-template::image-architecture[ng-1]",
            Skipped("needs image-available (skipped)"),
        ),
        at("launch-template::launch-template-metadata[ng-1]", Passes),
    ]);
    expected
}

/// Why the checks of EKS's own AMIs are skipped for a launch template naming AMI `$image` (one
/// of the worlds' in `world.py`: AL2023 for x86_64 or arm64, or one that does not exist).
macro_rules! image_named {
    ($image:literal) => {
        concat!(
            "when: $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId does not exist is \
             false (actual: \"",
            $image,
            "\")"
        )
    };
}

/// How a healthy node group with a custom AMI that its user data bootstraps differs, the checks
/// of EKS's AMIs skipped with `image_named`.
fn custom_ami(image_named: &'static str) -> Vec<(String, Becomes)> {
    let mut expected = per_subnet(
        "launch-template::bootstrap-reaches-eks-api",
        Skipped(ROUTE_OUT),
    );
    expected.extend([
        at("launch-template::launch-template-exists[ng-1]", Passes),
        at(
            "launch-template::user-data-format[ng-1]",
            Skipped(image_named),
        ),
        at(
            "launch-template::user-data-bootstraps-this-cluster[ng-1]",
            Passes,
        ),
        at("launch-template::custom-ami-bootstraps[ng-1]", Passes),
        at(
            "launch-template::eks-ami-bootstrapped-once[ng-1]",
            Skipped(image_named),
        ),
        at("launch-template::image-available[ng-1]", Passes),
        at("launch-template::image-architecture[ng-1]", Passes),
        at("launch-template::launch-template-metadata[ng-1]", Passes),
        at(
            "nodegroups::ami-type-published[ng-1]",
            Skipped("when: $.nodegroup.amiType matches /^AL2_/ is false (actual: \"CUSTOM\")"),
        ),
    ]);
    expected
}

fn with(
    mut base: Vec<(String, Becomes)>,
    changes: Vec<(String, Becomes)>,
) -> Vec<(String, Becomes)> {
    base.extend(changes);
    base
}

#[test]
fn a_launch_template_with_a_node_config_is_healthy() {
    Scenario::new("lt", &["launch-template"]).expect(launch_template(), 0);
}

#[test]
fn user_data_that_is_not_mime() {
    Scenario::new("lt-shell", &["launch-template", "lt-not-mime"]).expect(
        with(
            launch_template(),
            vec![at("launch-template::user-data-format[ng-1]", Fails(ERROR))],
        ),
        1,
    );
}

#[test]
fn bootstrap_sh_on_al2023() {
    Scenario::new("lt-bootstrap", &["launch-template", "lt-bootstrap-sh"]).expect(
        with(
            launch_template(),
            vec![at(
                "launch-template::eks-ami-bootstrapped-once[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn a_node_config_naming_another_cluster() {
    let run = Scenario::new(
        "lt-other",
        &["launch-template", "lt-nodeconfig-other-cluster"],
    )
    .expect(
        with(
            launch_template(),
            vec![at(
                "launch-template::user-data-bootstraps-this-cluster[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
    run.expect_stdout_contains("someone-else");
}

#[test]
fn instance_metadata_disabled() {
    Scenario::new("lt-imds", &["launch-template", "lt-imds-disabled"]).expect(
        with(
            launch_template(),
            vec![at(
                "launch-template::launch-template-metadata[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn a_custom_ami_bootstrapped_by_its_node_config_is_healthy() {
    Scenario::new("ami", &["custom-ami"])
        .expect(custom_ami(image_named!("ami-087534078663b6450")), 0);
}

#[test]
fn a_custom_ami_without_a_bootstrap() {
    Scenario::new("ami-bare", &["custom-ami", "custom-ami-no-bootstrap"]).expect(
        with(
            custom_ami(image_named!("ami-087534078663b6450")),
            vec![at(
                "launch-template::custom-ami-bootstraps[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn a_custom_ami_that_does_not_exist() {
    Scenario::new("ami-missing", &["custom-ami", "custom-ami-missing"]).expect(
        with(
            custom_ami(image_named!("ami-00000000000000000")),
            vec![
                at("launch-template::image-available[ng-1]", Fails(ERROR)),
                at(
                    "launch-template::image-architecture[ng-1]",
                    Skipped("needs image-available (failed)"),
                ),
            ],
        ),
        1,
    );
}

#[test]
fn an_arm_ami_on_x86_instance_types() {
    Scenario::new("ami-arm", &["custom-ami", "custom-ami-arm"]).expect(
        with(
            custom_ami(image_named!("ami-0d409c449ab6eda95")),
            vec![at(
                "launch-template::image-architecture[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

/// How a node group whose launch template encrypts its volumes with a customer key (and has no
/// user data) differs from the healthy world.
fn kms_key() -> Vec<(String, Becomes)> {
    let no_user_data = Skipped(
        "call `user_data` was not made: when: \
         $.LaunchTemplateVersions[0].LaunchTemplateData.UserData exists is false (actual: absent)",
    );
    with(
        launch_template(),
        vec![
            at("launch-template::user-data-format[ng-1]", no_user_data),
            at(
                "launch-template::user-data-bootstraps-this-cluster[ng-1]",
                no_user_data,
            ),
            at(
                "launch-template::eks-ami-bootstrapped-once[ng-1]",
                no_user_data,
            ),
            at("launch-template::ebs-kms-key-enabled[ng-1]", Passes),
            at(
                "launch-template::ebs-kms-key-allows-autoscaling[ng-1]",
                Passes,
            ),
        ],
    )
}

#[test]
fn volumes_encrypted_with_a_key_auto_scaling_may_use_are_healthy() {
    Scenario::new("kms", &["kms-key"]).expect(kms_key(), 0);
}

#[test]
fn a_disabled_kms_key() {
    Scenario::new("kms-disabled", &["kms-key", "kms-key-disabled"]).expect(
        with(
            kms_key(),
            vec![
                at("launch-template::ebs-kms-key-enabled[ng-1]", Fails(ERROR)),
                at(
                    "launch-template::ebs-kms-key-allows-autoscaling[ng-1]",
                    Skipped("needs ebs-kms-key-enabled (failed)"),
                ),
            ],
        ),
        1,
    );
}

#[test]
fn a_kms_key_auto_scaling_may_not_use() {
    Scenario::new("kms-root", &["kms-key", "kms-key-root-only"]).expect(
        with(
            kms_key(),
            vec![at(
                "launch-template::ebs-kms-key-allows-autoscaling[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn a_deleted_launch_template() {
    let needs = Skipped("needs launch-template-exists (failed)");
    let mut expected = per_subnet("launch-template::bootstrap-reaches-eks-api", needs);
    Scenario::new("lt-deleted", &["launch-template"])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["launchTemplate"] =
                serde_json::json!({"id": "lt-0123456789abcdef0", "version": "1"});
        })
        .expect(
            {
                expected.extend([
                    at(
                        "launch-template::launch-template-exists[ng-1]",
                        Fails(ERROR),
                    ),
                    at("launch-template::user-data-format[ng-1]", needs),
                    at(
                        "launch-template::user-data-bootstraps-this-cluster[ng-1]",
                        needs,
                    ),
                    at("launch-template::custom-ami-bootstraps[ng-1]", needs),
                    at("launch-template::eks-ami-bootstrapped-once[ng-1]", needs),
                    at("launch-template::image-available[ng-1]", needs),
                    at(
                        "launch-template::image-architecture[ng-1]",
                        Skipped("needs image-available (skipped)"),
                    ),
                    at("launch-template::launch-template-metadata[ng-1]", needs),
                ]);
                expected
            },
            1,
        );
}

#[test]
fn volumes_encrypted_with_the_aws_managed_default_key_are_healthy() {
    // The template asks for encryption without a key: the account's default, here AWS's own.
    let default_key = Skipped(
        "call `kms_key` was not made: when: ebs_key_id not {matches /alias/aws/ebs$/} is false \
         (actual: \"arn:aws:kms:eu-west-2:123456789012:alias/aws/ebs\")",
    );
    Scenario::new("kms-aws", &["kms-key", "kms-key-default"]).expect(
        with(
            kms_key(),
            vec![
                at("launch-template::ebs-kms-key-enabled[ng-1]", default_key),
                at(
                    "launch-template::ebs-kms-key-allows-autoscaling[ng-1]",
                    Skipped("needs ebs-kms-key-enabled (skipped)"),
                ),
            ],
        ),
        0,
    );
}

#[test]
fn a_disabled_account_default_key() {
    Scenario::new(
        "kms-default",
        &["kms-key", "kms-key-default", "kms-key-disabled"],
    )
    .fixture(|world, fixture| fixture.ebs_default_kms_key = world.kms_key_arn.clone())
    .expect(
        with(
            kms_key(),
            vec![
                at("launch-template::ebs-kms-key-enabled[ng-1]", Fails(ERROR)),
                at(
                    "launch-template::ebs-kms-key-allows-autoscaling[ng-1]",
                    Skipped("needs ebs-kms-key-enabled (failed)"),
                ),
            ],
        ),
        1,
    );
}

#[test]
fn a_redacted_recording_keeps_the_user_data_matching_its_cluster() {
    use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};
    let world = crate::emulator::world::World::build("lt-redacted", &["launch-template"]);
    let proxy = crate::emulator::proxy::Proxy::start(Default::default());
    proxy.set_cluster(&world.cluster, world.fixture());
    let dir = Dir::new();
    let recording = dir.join("recording");
    let cluster = format!("cluster={}", world.cluster);
    let pack = super::super::PACK;
    crate::live::live(
        &proxy,
        &[
            "record", pack, "--var", &cluster, "--redact", "--out", &recording,
        ],
    )
    .expect_code(0);
    let junit = dir.join("junit.xml");
    let run = ekscheck(&[
        "run",
        pack,
        "--recording",
        &recording,
        "--var",
        &cluster,
        "--junit",
        &junit,
    ]);
    let report = parse_junit(&std::fs::read_to_string(&junit).expect("a report"));
    let outcome = report
        .cases()
        .find(|case| {
            case.full_name()
                .contains("user-data-bootstraps-this-cluster")
        })
        .map(|case| case.outcome.clone());
    assert_eq!(outcome, Some(CaseOutcome::Pass), "{}", run.stdout);
    run.expect_code(0);
}

/// A private cluster's node group on a custom AMI whose user data runs bootstrap.sh with the
/// cluster's name only: bootstrap.sh asks EKS for the endpoint and CA at boot.
fn bare_bootstrap_in_a_private_cluster() -> Vec<(String, Becomes)> {
    let mut expected = super::network::private_cluster();
    expected.extend(custom_ami(image_named!("ami-087534078663b6450")));
    expected
}

#[test]
fn a_bare_bootstrap_without_a_way_to_the_eks_api() {
    let mut expected = bare_bootstrap_in_a_private_cluster();
    expected.extend(per_subnet(
        "launch-template::bootstrap-reaches-eks-api",
        Fails(ERROR),
    ));
    let run = Scenario::new(
        "bare-bootstrap",
        &["private-endpoints", "custom-ami", "custom-ami-bootstrap-sh"],
    )
    .expect(expected, 1);
    run.expect_stdout_contains("com.amazonaws.eu-west-2.eks");
}

#[test]
fn a_bare_bootstrap_beside_an_eks_endpoint_is_healthy() {
    let mut expected = bare_bootstrap_in_a_private_cluster();
    expected.extend(per_subnet(
        "launch-template::bootstrap-reaches-eks-api",
        Passes,
    ));
    Scenario::new(
        "bare-bootstrap-eks",
        &[
            "private-endpoints",
            "eks-endpoint",
            "custom-ami",
            "custom-ami-bootstrap-sh",
        ],
    )
    .expect(expected, 0);
}
