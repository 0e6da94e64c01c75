//! The AL2023 custom AMI of `al2023_custom_ami.rs` in an IPv6 cluster, as terraform-aws-eks v21
//! builds one with `ip_family = "ipv6"`: the NodeConfig's `cidr` is the cluster's
//! `serviceIpv6Cidr` (the module passes `service_ipv6_cidr` to the user data, `node_groups.tf`;
//! EKS gives an IPv6 cluster no IPv4 service CIDR: "don't specify serviceIpv4Cidr if you select
//! ipv6", https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html),
//! from which nodeadm also takes the node's IP family (amazon-eks-ami
//! `nodeadm/internal/kubelet/config.go`, `GetCIDRIpFamily`). Its twin gives the NodeConfig an
//! IPv4 service CIDR.

use super::super::{ERROR, Fails, Scenario, at};
use super::{HOP_LIMIT, Reference};

/// Why terraform-aws-eks' metadata options draw a warning.
pub(crate) static AL2023_IPV6_CUSTOM_AMI: Reference = Reference {
    name: "al2023-ipv6",
    source: "terraform-aws-modules/terraform-aws-eks v21.19.0 node_groups.tf (service_ipv6_cidr), \
             tests/user-data/rendered/al2023/eks-mng-custom-ami.txt; \
             https://docs.aws.amazon.com/eks/latest/userguide/cni-ipv6.html",
    world: &["ipv6", "al2023-custom-ami"],
    fixture: |_, _| {},
    warnings: &[
        ("launch-template::launch-template-metadata[ng-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-1]", HOP_LIMIT),
        ("instances::instance-metadata-usable[ng-1/i-2]", HOP_LIMIT),
    ],
};

#[test]
fn the_ipv6_cluster_on_an_al2023_custom_ami_is_healthy() {
    AL2023_IPV6_CUSTOM_AMI.outcomes();
}

#[test]
fn an_ipv4_service_cidr_in_an_ipv6_cluster() {
    let run = Scenario::new("al2023-ipv6-v4cidr", &["nodeconfig-ipv4-cidr"])
        .of(&AL2023_IPV6_CUSTOM_AMI)
        .expect(
            vec![at(
                "launch-template::user-data-bootstraps-this-cluster[ng-1]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains("with service CIDR fd42:7a1c:93e5::/108");
}
