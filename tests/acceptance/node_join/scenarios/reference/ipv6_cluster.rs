//! An IPv6 cluster in a dual-stack VPC as eksctl builds it (eksctl-io/eksctl
//! `pkg/cfn/builder/vpc_ipv6.go`: subnets with IPv4 and IPv6 ranges that assign IPv6 addresses,
//! public subnets routing `0.0.0.0/0` and `::/0` to the internet gateway, private subnets routing
//! `::/0` to an egress-only internet gateway and `0.0.0.0/0` to a NAT gateway), as terraform-aws-vpc
//! builds it for terraform-aws-eks's IPv6 tests, and as the EKS user guide describes IPv6
//! clusters (https://docs.aws.amazon.com/eks/latest/userguide/cni-ipv6.html: nodes are dual-stack,
//! built on Nitro; aws-node with the IPv6 policy of amazon-vpc-cni-k8s `docs/iam-policy.md`).

use serde_json::json;

use super::super::network::{NO_NAT_ROUTE, NOWHERE_TO_REACH};
use super::super::{Becomes, ERROR, Fails, Scenario, Skipped, at, per_instance, per_subnet};
use super::Reference;

pub(crate) static IPV6_CLUSTER: Reference = Reference {
    name: "ipv6-cluster",
    source: "eksctl-io/eksctl pkg/cfn/builder/vpc_ipv6.go; \
             https://docs.aws.amazon.com/eks/latest/userguide/cni-ipv6.html",
    world: &["ipv6"],
    fixture: |_, _| {},
    warnings: &[],
};

#[test]
fn the_ipv6_cluster_is_healthy() {
    IPV6_CLUSTER.outcomes();
}

/// How the IPv6 cluster's outcomes change when its node subnets route ::/0 to the egress-only
/// gateway and IPv4 nowhere: EC2, ECR and STS answer IPv4 only, so the subnets have no way to
/// them (cause 82), and nothing else of the IPv4 path applies.
pub(crate) fn eigw_only() -> Vec<(String, Becomes)> {
    let mut expected = per_subnet("network::subnet-egress", Fails(ERROR));
    expected.extend(per_subnet(
        "network::private-endpoint-access",
        Skipped("when: egress equals \"endpoints\" is false (actual: \"ipv6-only\")"),
    ));
    expected.extend(per_subnet(
        "network::s3-gateway-endpoint-routes",
        Skipped("needs subnet-egress (failed)"),
    ));
    expected.extend(per_subnet(
        "network::nat-gateway-usable",
        Skipped(NO_NAT_ROUTE),
    ));
    expected.extend(per_instance(
        "network::node-sg-reaches-aws",
        Skipped(NOWHERE_TO_REACH),
    ));
    expected
}

#[test]
fn an_egress_only_gateway_without_a_nat_gateway() {
    let run = Scenario::new("ipv6-eigw", &["ipv6-eigw-only"])
        .of(&IPV6_CLUSTER)
        .expect(eigw_only(), 1);
    run.expect_stdout_contains("sends ::/0 out but has no IPv4 route out");
}

#[test]
fn ipv6_subnets_that_assign_no_addresses() {
    Scenario::new("ipv6-no-assign", &["ipv6-no-assignment"])
        .of(&IPV6_CLUSTER)
        .expect(
            per_subnet("network::ipv6-subnet-assigns-addresses", Fails(ERROR)),
            1,
        );
}

#[test]
fn aws_node_with_the_ipv4_cni_policy() {
    Scenario::new("ipv6-cni", &["ipv6-cni-ipv4-policy"])
        .of(&IPV6_CLUSTER)
        .expect(
            vec![at("iam::cni-role-has-ipv6-permissions[ng-1]", Fails(ERROR))],
            1,
        );
}

#[test]
fn an_instance_type_not_built_on_nitro() {
    // m4.large runs on Xen (cause 81).
    let run = Scenario::new("ipv6-xen", &[])
        .of(&IPV6_CLUSTER)
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["instanceTypes"] =
                json!(["m5.large", "m4.large"]);
        })
        .expect(
            vec![at("network::ipv6-instance-types-nitro[ng-1]", Fails(ERROR))],
            1,
        );
    run.expect_stdout_contains("[\"m4.large\"] are not");
}

#[test]
fn a_small_subnet_is_enough_where_pods_take_ipv6_addresses() {
    // Nodes take one IPv4 address each; pods take IPv6 ones (cause 24).
    Scenario::new("ipv6-small", &["exhausted-subnet"])
        .of(&IPV6_CLUSTER)
        .expect(vec![], 0);
}
