//! Launch templates: user data EKS merges (its format, the cluster it names, a second
//! bootstrap), a custom AMI that must bootstrap itself (missing, of another architecture), the
//! instance metadata service, and the KMS key of the nodes' volumes.

use serde_json::json;

use super::{Becomes, ERROR, Fails, Gone, Passes, Scenario, Skipped, at, per_instance, per_subnet};
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

/// Why `bootstrap-reaches-eks-api` is skipped in a subnet with a route out of the VPC.
const ROUTE_OUT: &str = "when: egress not {equals \"route\"} is false (actual: \"route\")";

const IMAGE_NOT_NAMED: &str = "call `image` was not made: when: \
    $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId exists is false (actual: absent)";

/// Why the checks of a Capacity Block are skipped for a node group of another capacity type.
const NOT_A_CAPACITY_BLOCK: &str = "when: $.nodegroup.capacityType equals \"CAPACITY_BLOCK\" is \
    false (actual: \"ON_DEMAND\")";

/// Why `capacity-reservation-usable` is skipped when the template targets no reservation.
const NO_RESERVATION: &str = "call `capacity_reservation` was not made: when: \
    $.LaunchTemplateVersions[0].LaunchTemplateData.CapacityReservationSpecification.\
    CapacityReservationTarget.CapacityReservationId exists is false (actual: absent)";

/// How the checks every launch template gets differ from the healthy world's: the settings EKS
/// forbids, and the capacity reservation it does not target.
fn any_launch_template() -> Vec<(String, Becomes)> {
    vec![
        at("launch-template::launch-template-exists[ng-1]", Passes),
        at(
            "launch-template::launch-template-settings-allowed[ng-1]",
            Passes,
        ),
        at(
            "launch-template::capacity-block-configured[ng-1]",
            Skipped(NOT_A_CAPACITY_BLOCK),
        ),
        at(
            "launch-template::capacity-reservation-usable[ng-1]",
            Skipped(NO_RESERVATION),
        ),
        at("launch-template::launch-template-metadata[ng-1]", Passes),
    ]
}

/// How a healthy node group with a launch template (EKS's AMI, MIME user data with a NodeConfig)
/// differs from the healthy world.
fn launch_template() -> Vec<(String, Becomes)> {
    let mut expected = per_subnet(
        "launch-template::bootstrap-reaches-eks-api",
        Skipped(ROUTE_OUT),
    );
    expected.extend(any_launch_template());
    let no_image = "when: $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId exists is false \
                    (actual: absent)";
    expected.extend([
        at("launch-template::user-data-format[ng-1]", Passes),
        at(
            "launch-template::user-data-bootstraps-this-cluster[ng-1]",
            Passes,
        ),
        at(
            "launch-template::custom-ami-bootstraps[ng-1]",
            Skipped(no_image),
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
        at(
            "launch-template::image-not-ssm-parameter[ng-1]",
            Skipped(no_image),
        ),
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
    expected.extend(any_launch_template());
    expected.extend([
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
        at("launch-template::image-not-ssm-parameter[ng-1]", Passes),
        at(
            "launch-template::custom-ami-version-skew[ng-1]",
            Skipped(NO_KUBERNETES_VERSION),
        ),
        at(
            "nodegroups::ami-type-published[ng-1]",
            Skipped("when: $.nodegroup.amiType matches /^AL2_/ is false (actual: \"CUSTOM\")"),
        ),
        at(
            "nodegroups::nodegroup-version-skew[ng-1]",
            Skipped(CUSTOM_AMI),
        ),
    ]);
    expected
}

/// Why `custom-ami-version-skew` is skipped for an AMI that does not name its Kubernetes version.
pub(super) const NO_KUBERNETES_VERSION: &str =
    "when: image_kubernetes_version not {equals null} is false (actual: null)";

/// Why `nodegroups::nodegroup-version-skew` is skipped for a node group on a custom AMI.
pub(super) const CUSTOM_AMI: &str =
    "when: $.nodegroup.amiType not {equals \"CUSTOM\"} is false (actual: \"CUSTOM\")";

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
    // The instances launched from the template have it off too.
    let mut changes = per_instance("instances::instance-metadata-usable", Fails(ERROR));
    changes.push(at(
        "launch-template::launch-template-metadata[ng-1]",
        Fails(ERROR),
    ));
    Scenario::new("lt-imds", &["launch-template", "lt-imds-disabled"])
        .expect(with(launch_template(), changes), 1);
}

/// The account's instance metadata defaults, as EC2 spells them.
fn imds_defaults(defaults: serde_json::Value) -> impl FnOnce(&World, &mut ClusterFixture) {
    move |_, fixture| fixture.ec2_account.instance_metadata_defaults = Some(defaults)
}

#[test]
fn the_account_defaults_apply_where_the_template_is_silent() {
    // The account's defaults of the EC2 guide ("IMDSv2 required, hop limit 2") stand in for the
    // template's.
    Scenario::new("imds-account", &["launch-template", "lt-imds-unset"])
        .fixture(imds_defaults(json!({
            "httpTokens": "required", "httpPutResponseHopLimit": 2, "managedBy": "account"
        })))
        .expect(launch_template(), 0);
}

#[test]
fn the_account_default_disables_instance_metadata_where_the_template_is_silent() {
    let run = Scenario::new("imds-account-off", &["launch-template", "lt-imds-unset"])
        .fixture(imds_defaults(json!({"httpEndpoint": "disabled"})))
        .expect(
            with(
                launch_template(),
                vec![at(
                    "launch-template::launch-template-metadata[ng-1]",
                    Fails(ERROR),
                )],
            ),
            1,
        );
    run.expect_stdout_contains("\"HttpEndpoint\":\"disabled\"");
}

#[test]
fn the_account_enforces_imdsv2_on_a_template_that_does_not_require_it() {
    Scenario::new("imds-enforced", &["launch-template", "lt-imds-unset"])
        .fixture(imds_defaults(json!({"httpTokensEnforced": "enabled"})))
        .expect(
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
fn a_template_naming_an_instance_profile() {
    Scenario::new("lt-profile", &["launch-template", "lt-instance-profile"]).expect(
        with(
            launch_template(),
            vec![at(
                "launch-template::launch-template-settings-allowed[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn a_template_requesting_spot_instances() {
    Scenario::new("lt-spot", &["launch-template", "lt-spot-request"]).expect(
        with(
            launch_template(),
            vec![at(
                "launch-template::launch-template-settings-allowed[ng-1]",
                Fails(ERROR),
            )],
        ),
        1,
    );
}

#[test]
fn an_ami_named_by_an_ssm_parameter() {
    let ssm = concat!(
        "resolve:ssm:/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/",
        "recommended/image_id"
    );
    let not_described: &'static str = Box::leak(
        format!(
            "call `image` was not made: when: $.LaunchTemplateVersions[0].LaunchTemplateData.\
             ImageId not {{matches /^resolve:ssm:/}} is false (actual: \"{ssm}\")"
        )
        .into_boxed_str(),
    );
    let image_named: &'static str = Box::leak(
        format!(
            "when: $.LaunchTemplateVersions[0].LaunchTemplateData.ImageId does not exist is \
             false (actual: \"{ssm}\")"
        )
        .into_boxed_str(),
    );
    let run = Scenario::new("ami-ssm", &["custom-ami", "lt-ssm-image"]).expect(
        with(
            custom_ami(image_named),
            vec![
                at(
                    "launch-template::image-available[ng-1]",
                    Skipped(not_described),
                ),
                at(
                    "launch-template::image-architecture[ng-1]",
                    Skipped("needs image-available (skipped)"),
                ),
                at(
                    "launch-template::custom-ami-version-skew[ng-1]",
                    Skipped("needs image-available (skipped)"),
                ),
                at(
                    "launch-template::image-not-ssm-parameter[ng-1]",
                    Fails(ERROR),
                ),
            ],
        ),
        1,
    );
    run.expect_stdout_contains("aws ssm get-parameter --name /aws/service/eks/optimized-ami/");
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
                at(
                    "launch-template::custom-ami-version-skew[ng-1]",
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

/// How a node group with a launch template without user data (EKS's AMI) differs from the
/// healthy world.
fn without_user_data() -> Vec<(String, Becomes)> {
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
        ],
    )
}

/// How a node group whose launch template encrypts its volumes with a customer key (and has no
/// user data) differs from the healthy world.
fn kms_key() -> Vec<(String, Becomes)> {
    with(
        without_user_data(),
        vec![at(KEY_ENABLED, Passes), at(KEY_ALLOWS_AUTOSCALING, Passes)],
    )
}

/// The rows of the KMS key checks for the world's first key.
const KEY_ENABLED: &str = "launch-template::ebs-kms-key-enabled[ng-1/kms-key-1]";
const KEY_ALLOWS_AUTOSCALING: &str =
    "launch-template::ebs-kms-key-allows-autoscaling[ng-1/kms-key-1]";

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
                at(KEY_ENABLED, Fails(ERROR)),
                at(
                    KEY_ALLOWS_AUTOSCALING,
                    Skipped("needs ebs-kms-key-enabled (failed)"),
                ),
            ],
        ),
        1,
    );
}

#[test]
fn a_second_volume_whose_key_is_disabled() {
    let second = "launch-template::ebs-kms-key-enabled[ng-1/kms-key-2]";
    Scenario::new(
        "kms-second",
        &["kms-key", "kms-second-volume", "kms-second-key-disabled"],
    )
    .expect(
        with(
            kms_key(),
            vec![
                at(second, Fails(ERROR)),
                at(
                    "launch-template::ebs-kms-key-allows-autoscaling[ng-1/kms-key-2]",
                    Skipped("needs ebs-kms-key-enabled (failed)"),
                ),
            ],
        ),
        1,
    );
}

#[test]
fn a_key_auto_scaling_may_use_by_a_grant_is_healthy() {
    // The Auto Scaling guide's other way, and the only one for another account's key.
    Scenario::new(
        "kms-grant",
        &["kms-key", "kms-key-root-only", "kms-key-grant"],
    )
    .expect(kms_key(), 0);
}

#[test]
fn a_kms_key_auto_scaling_may_not_use() {
    Scenario::new("kms-root", &["kms-key", "kms-key-root-only"]).expect(
        with(kms_key(), vec![at(KEY_ALLOWS_AUTOSCALING, Fails(ERROR))]),
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
                    at(
                        "launch-template::launch-template-settings-allowed[ng-1]",
                        needs,
                    ),
                    at("launch-template::image-not-ssm-parameter[ng-1]", needs),
                    at("launch-template::capacity-block-configured[ng-1]", needs),
                    at("launch-template::capacity-reservation-usable[ng-1]", needs),
                ]);
                expected
            },
            1,
        );
}

#[test]
fn volumes_encrypted_with_the_aws_managed_default_key_are_healthy() {
    // The template asks for encryption without a key: the account's default, here AWS's own,
    // which is always usable: it has no row.
    Scenario::new("kms-aws", &["kms-key", "kms-key-default"]).expect(
        with(
            kms_key(),
            vec![at(KEY_ENABLED, Gone), at(KEY_ALLOWS_AUTOSCALING, Gone)],
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
                at(KEY_ENABLED, Fails(ERROR)),
                at(
                    KEY_ALLOWS_AUTOSCALING,
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
    expected.extend(custom_ami(image_named!("ami-ekslinux")));
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

#[test]
fn a_custom_ami_bootstrapped_by_cloud_config_is_healthy() {
    Scenario::new(
        "ami-cloud-config",
        &["custom-ami", "custom-ami-cloud-config"],
    )
    .expect(custom_ami(image_named!("ami-ekslinux")), 0);
}

#[test]
fn a_custom_ami_bootstrapped_by_gzip_compressed_user_data_is_healthy() {
    Scenario::new("ami-gzip", &["custom-ami", "custom-ami-gzip"])
        .expect(custom_ami(image_named!("ami-087534078663b6450")), 0);
}

/// The Capacity Block the `capacity-block` world's launch template targets, in `state`, in zone
/// `zone` of the world's region (its node subnets are in `a` and `b`).
fn capacity_block(
    state: &'static str,
    zone: &'static str,
) -> impl FnOnce(&World, &mut ClusterFixture) {
    move |world, fixture| {
        fixture.ec2_account.capacity_reservations = vec![json!({
            "capacityReservationId": "cr-0c4ab1e2d3f456789",
            "ownerId": "123456789012",
            "instanceType": "m5.large",
            "instancePlatform": "Linux/UNIX",
            "availabilityZone": format!("{}{zone}", world.region),
            "tenancy": "default",
            "totalInstanceCount": 2,
            "availableInstanceCount": 0,
            "state": state,
            "startDate": "2026-12-01T11:30:00.000Z",
            "endDate": "2026-12-08T11:30:00.000Z",
            "endDateType": "limited",
            "instanceMatchCriteria": "targeted",
            "reservationType": "capacity-block"
        })];
    }
}

/// How a node group on a Capacity Block (the EKS guide's launch template, without user data)
/// differs from the healthy world, its reservation's check becoming `reservation`.
fn on_a_capacity_block(reservation: Becomes) -> Vec<(String, Becomes)> {
    with(
        without_user_data(),
        vec![
            at("launch-template::capacity-block-configured[ng-1]", Passes),
            at(
                "launch-template::capacity-reservation-usable[ng-1]",
                reservation,
            ),
        ],
    )
}

#[test]
fn a_capacity_block_in_one_zone_of_the_node_group() {
    // Launches in the other zone's subnet fail: a warning while one subnet is in the zone.
    Scenario::new("capacity-block", &["capacity-block"])
        .fixture(capacity_block("active", "a"))
        .expect(on_a_capacity_block(Fails("warning")), 0);
}

#[test]
fn an_expired_capacity_block() {
    Scenario::new("capacity-expired", &["capacity-block"])
        .fixture(capacity_block("expired", "a"))
        .expect(on_a_capacity_block(Fails(ERROR)), 1)
        .expect_stdout_contains("is expired");
}

#[test]
fn a_capacity_block_in_another_zone() {
    Scenario::new("capacity-zone", &["capacity-block"])
        .fixture(capacity_block("active", "c"))
        .expect(on_a_capacity_block(Fails(ERROR)), 1);
}

#[test]
fn a_capacity_block_not_active_yet_is_a_warning() {
    let run = Scenario::new("capacity-scheduled", &["capacity-block"])
        .fixture(capacity_block("scheduled", "a"))
        .expect(on_a_capacity_block(Fails("warning")), 0);
    // The state warns, beside the zone of the other subnet.
    run.expect_stdout_contains("path:     $.CapacityReservations[0].State");
    run.expect_stdout_contains("is scheduled");
}

#[test]
fn a_capacity_block_node_group_without_its_market_type() {
    Scenario::new("capacity-market", &["launch-template"])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["capacityType"] =
                json!("CAPACITY_BLOCK");
        })
        .expect(
            with(
                launch_template(),
                vec![at(
                    "launch-template::capacity-block-configured[ng-1]",
                    Fails(ERROR),
                )],
            ),
            1,
        );
}

/// The account's Allowed AMIs, enabled with `criteria` (as EC2 spells them).
fn allowed_amis(criteria: serde_json::Value) -> impl FnOnce(&World, &mut ClusterFixture) {
    move |_, fixture| {
        fixture.ec2_account.allowed_images = Some(json!({
            "state": "enabled", "imageCriterionSet": criteria, "managedBy": "account"
        }));
    }
}

#[test]
fn allowed_amis_admitting_amazon_are_healthy() {
    Scenario::new("allowed-amis", &[])
        .fixture(allowed_amis(
            json!([{"imageProviderSet": ["amazon", "aws-marketplace"]}]),
        ))
        .expect(
            vec![at("launch-template::eks-ami-allowed[ng-1]", Passes)],
            0,
        );
}

#[test]
fn allowed_amis_excluding_eks_amis() {
    Scenario::new("allowed-own", &[])
        .fixture(allowed_amis(
            json!([{"imageProviderSet": ["123456789012"]}]),
        ))
        .expect(
            vec![at("launch-template::eks-ami-allowed[ng-1]", Fails(ERROR))],
            1,
        );
}

#[test]
fn allowed_amis_admitting_amazon_by_name_only_are_a_warning() {
    Scenario::new("allowed-names", &[])
        .fixture(allowed_amis(json!([
            {"imageProviderSet": ["123456789012"]},
            {"imageProviderSet": ["amazon"], "imageNameSet": ["al2023-ami-*"]}
        ])))
        .expect(
            vec![at(
                "launch-template::eks-ami-allowed[ng-1]",
                Fails("warning"),
            )],
            0,
        );
}
