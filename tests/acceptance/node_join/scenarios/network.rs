//! The network: routes out (NAT, internet gateway, Gateway Load Balancer, egress-only gateway, or
//! a private cluster's VPC endpoints), subnets, network ACLs, DNS and DHCP options, security
//! groups, IPv6, and instance type capacity.

use serde_json::json;

use super::{
    Becomes, ERROR, Fails, Gone, PRIVATE_ACCESS_OFF, Passes, Scenario, Skipped, across_subnets, at,
    per_instance, per_subnet,
};
use crate::emulator::world::World;

/// Why `nat-gateway-usable` is skipped in a subnet whose default route is no NAT gateway.
pub(super) const NO_NAT_ROUTE: &str = "call `nat_gateway` was not made: when: \
    $.Routes[?@.DestinationCidrBlock == '0.0.0.0/0' && @.NatGatewayId].NatGatewayId exists is \
    false (actual: [])";

/// Why `control-plane-egress-routed` is skipped where EKS routes the control plane's traffic.
const CONTROL_PLANE_EGRESS_MANAGED: &str = "when: \
    $.cluster.resourcesVpcConfig.controlPlaneEgressMode equals \"CUSTOMER_ROUTED\" is false \
    (actual: \"AWS_MANAGED\")";

/// Why the hybrid node checks are skipped for a cluster without remote node networks.
const NO_HYBRID_NODES: &str = "when: remote_node_networks not {equals []} is false (actual: [])";

/// The interface endpoints a private cluster needs.
pub(super) const ENDPOINT_SERVICES: [&str; 4] = ["ec2", "ecr.api", "ecr.dkr", "sts"];

/// Row `test` of each node subnet and interface endpoint `services`.
pub(super) fn per_endpoint(
    test: &str,
    subnets: &[usize],
    services: &[&str],
    becomes: Becomes,
) -> Vec<(String, Becomes)> {
    let mut rows = Vec::new();
    for subnet in subnets {
        for service in services {
            rows.push((
                format!("{test}[ng-1/subnet-{subnet}/com.amazonaws.eu-west-2.{service}]"),
                becomes,
            ));
        }
    }
    rows
}

/// The row of `network::s3-gateway-endpoint-policy` of each node subnet becomes `becomes`.
fn per_s3_gateway(becomes: Becomes) -> Vec<(String, Becomes)> {
    per_endpoint(
        "network::s3-gateway-endpoint-policy",
        &[1, 2],
        &["s3"],
        becomes,
    )
}

/// How a healthy private cluster (no default route, VPC endpoints) differs from the healthy world.
pub(super) fn private_cluster() -> Vec<(String, Becomes)> {
    let mut expected = per_subnet("network::private-endpoint-access", Passes);
    expected.extend(per_subnet("network::s3-gateway-endpoint-routes", Passes));
    expected.extend(per_s3_gateway(Passes));
    expected.extend(per_endpoint(
        "network::private-endpoint-policy",
        &[1, 2],
        &ENDPOINT_SERVICES,
        Passes,
    ));
    expected.extend(per_subnet(
        "network::nat-gateway-usable",
        Skipped(NO_NAT_ROUTE),
    ));
    expected.extend(per_endpoint(
        "network::private-endpoint-usable",
        &[1, 2],
        &ENDPOINT_SERVICES,
        Passes,
    ));
    expected
}

/// Why `node-sg-reaches-aws` is skipped for a node with neither a route out nor VPC endpoints
/// (`subnet-egress` fails there).
pub(super) const NOWHERE_TO_REACH: &str = "when: instance_egress any of: instance_egress $ equals \
    \"route\" | endpoint_networks $ not {equals {}} is false (actual: absent)";

#[test]
fn private_subnets_without_nat_or_endpoints() {
    let mut expected = per_subnet("network::subnet-egress", Fails(ERROR));
    expected.extend(per_instance(
        "network::node-sg-reaches-aws",
        Skipped(NOWHERE_TO_REACH),
    ));
    expected.extend(per_subnet("network::private-endpoint-access", Passes));
    expected.extend(per_subnet(
        "network::s3-gateway-endpoint-routes",
        Skipped("needs subnet-egress (failed)"),
    ));
    expected.extend(per_subnet(
        "network::nat-gateway-usable",
        Skipped(NO_NAT_ROUTE),
    ));
    Scenario::new("no-nat", &["no-nat-route"]).expect(expected, 1);
}

#[test]
fn private_cluster_with_vpc_endpoints_needs_no_nat() {
    Scenario::new("endpoints", &["private-endpoints"]).expect(private_cluster(), 0);
}

#[test]
fn a_private_cluster_with_private_access_off() {
    let mut expected = private_cluster();
    expected.extend(per_subnet("network::private-endpoint-access", Fails(ERROR)));
    expected.extend(per_subnet(
        "network::public-endpoint-admits-nodes",
        Skipped(super::cluster::CIDRS_INCLUDE_EVERYONE),
    ));
    expected.extend(across_subnets(Skipped(PRIVATE_ACCESS_OFF)));
    Scenario::new("endpoints-public", &["private-endpoints"])
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
        })
        .expect(expected, 1);
}

#[test]
fn a_gateway_load_balancer_route_is_a_way_out() {
    Scenario::new("gwlb", &["gwlb-egress"]).expect(
        per_subnet("network::nat-gateway-usable", Skipped(NO_NAT_ROUTE)),
        0,
    );
}

#[test]
fn exhausted_subnet() {
    Scenario::new("exhausted", &["exhausted-subnet"]).expect(
        vec![at("network::subnet-free-ips[ng-1/subnet-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn deleted_subnet() {
    let needs = Skipped("needs subnet-available (failed)");
    let mut expected = vec![at("network::subnet-available[ng-1/subnet-1]", Fails(ERROR))];
    for check in [
        "subnet-in-cluster-vpc",
        "subnet-free-ips",
        "subnet-egress",
        "private-endpoint-access",
        "nat-gateway-usable",
        "block-public-access-spares-egress",
        "public-endpoint-admits-nodes",
        "public-subnet-maps-public-ip",
        "ipv6-subnet-assigns-addresses",
        "instance-types-offered",
        "nacl-allows-node-traffic",
    ] {
        expected.push(at(&format!("network::{check}[ng-1/subnet-1]"), needs));
    }
    expected.push(at(
        "network::s3-gateway-endpoint-routes[ng-1/subnet-1]",
        Skipped("needs subnet-egress (skipped)"),
    ));
    // The deleted subnet was a cluster subnet too. Its row against the other subnet stays as it
    // was: moto keeps a deleted subnet's ACL association (AWS drops it, and the `when` on the ACL
    // skips the row).
    expected.push(at(
        "network::control-plane-nacl-admits-nodes[ng-1/subnet-1/subnet-2]",
        needs,
    ));
    Scenario::new("deleted-subnet", &["subnet-unavailable"]).expect(expected, 1);
}

/// How the healthy world changes when its node group moves to one subnet routed to the internet
/// gateway, none of the cluster's: the second node subnet's rows are gone, the cluster subnets'
/// rows are named after them, and both their ACLs are judged for the node subnet.
fn in_the_public_subnet() -> Vec<(String, Becomes)> {
    let mut expected = vec![at(
        "network::nat-gateway-usable[ng-1/subnet-1]",
        Skipped(NO_NAT_ROUTE),
    )];
    for check in [
        "subnet-available",
        "subnet-in-cluster-vpc",
        "subnet-free-ips",
        "subnet-egress",
        "private-endpoint-access",
        "s3-gateway-endpoint-routes",
        "nat-gateway-usable",
        "block-public-access-spares-egress",
        "public-endpoint-admits-nodes",
        "public-subnet-maps-public-ip",
        "ipv6-subnet-assigns-addresses",
        "instance-types-offered",
        "nacl-allows-node-traffic",
    ] {
        expected.push(at(&format!("network::{check}[ng-1/subnet-2]"), Gone));
    }
    for (check, reason) in [
        (
            "network::control-plane-egress-routed",
            CONTROL_PLANE_EGRESS_MANAGED,
        ),
        ("hybrid::remote-node-networks-routed", NO_HYBRID_NODES),
    ] {
        for n in [1, 2] {
            expected.push(at(&format!("{check}[subnet-{n}]"), Gone));
            expected.push(at(&format!("{check}[cluster-subnet-{n}]"), Skipped(reason)));
        }
    }
    expected.push(at(
        "launch-template::bootstrap-reaches-eks-api[ng-1/subnet-2]",
        Gone,
    ));
    expected.push(at("iam::pod-identity-endpoint[ng-1/subnet-2]", Gone));
    // The node subnet is none of the cluster's: both cluster subnets' ACLs are judged.
    expected.extend(across_subnets(Gone));
    for cluster_subnet in [1, 2] {
        expected.push(at(
            &format!(
                "network::control-plane-nacl-admits-nodes[ng-1/subnet-1/cluster-subnet-{cluster_subnet}]"
            ),
            Passes,
        ));
    }
    expected
}

#[test]
fn public_subnet_without_public_ips() {
    let mut expected = in_the_public_subnet();
    expected.push(at(
        "network::public-subnet-maps-public-ip[ng-1/subnet-1]",
        Fails(ERROR),
    ));
    Scenario::new("public-no-ip", &["public-subnet-no-public-ip"]).expect(expected, 1);
}

#[test]
fn a_public_only_endpoint_that_excludes_the_nodes_own_addresses() {
    // Nodes in a subnet routed to the internet gateway come from their own public addresses
    // (cause 4).
    let mut expected = in_the_public_subnet();
    expected.push(at(
        "network::public-subnet-maps-public-ip[ng-1/subnet-1]",
        Passes,
    ));
    expected.push(at(
        "network::public-endpoint-admits-nodes[ng-1/subnet-1]",
        Fails(ERROR),
    ));
    for cluster_subnet in [1, 2] {
        expected.push(at(
            &format!(
                "network::control-plane-nacl-admits-nodes[ng-1/subnet-1/cluster-subnet-{cluster_subnet}]"
            ),
            Skipped(PRIVATE_ACCESS_OFF),
        ));
    }
    Scenario::new("public-nodes", &["public-nodes"])
        .fixture(|_, fixture| {
            let config = &mut fixture.cluster["resourcesVpcConfig"];
            config["endpointPrivateAccess"] = json!(false);
            config["publicAccessCidrs"] = json!(["203.0.113.0/24"]);
        })
        .expect(expected, 1);
}

#[test]
fn network_acl_blocking_https() {
    Scenario::new("nacl", &["nacl-blocks-https"]).expect(
        per_subnet("network::nacl-allows-node-traffic", Fails(ERROR)),
        1,
    );
}

#[test]
fn the_knowledge_center_network_acl_is_healthy_with_a_public_endpoint() {
    // The article's ACL (inbound 1025-65535 only) is for node subnets that reach the public
    // endpoint through the NAT gateway.
    Scenario::new("nacl-kc", &["nacl-knowledge-center"])
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["endpointPrivateAccess"] = json!(false);
        })
        .expect(
            [
                across_subnets(Skipped(PRIVATE_ACCESS_OFF)),
                per_subnet(
                    "network::public-endpoint-admits-nodes",
                    Skipped(super::cluster::CIDRS_INCLUDE_EVERYONE),
                ),
            ]
            .concat(),
            0,
        );
}

#[test]
fn the_knowledge_center_network_acl_on_cluster_subnets_blocks_the_private_endpoint() {
    // The node subnets are the cluster's too: a node reaches the control plane's interface in
    // the other subnet on 443, which that subnet's ACL does not let in.
    let run = Scenario::new("nacl-kc-private", &["nacl-knowledge-center"])
        .expect(across_subnets(Fails(ERROR)), 1);
    run.expect_stdout_contains("Allow inbound TCP 443 from 10.");
}

#[test]
fn a_network_acl_admitting_the_vpc_only_blocks_a_nat_route() {
    Scenario::new("nacl-vpc", &["nacl-vpc-only"]).expect(
        per_subnet("network::nacl-allows-node-traffic", Fails(ERROR)),
        1,
    );
}

#[test]
fn vpc_without_dns_hostnames() {
    Scenario::new("no-hostnames", &["no-dns-hostnames"])
        .expect(vec![at("network::vpc-dns", Fails(ERROR))], 1);
}

#[test]
fn custom_dns_servers_are_a_warning() {
    Scenario::new("custom-dns", &["custom-dns"])
        .expect(vec![at("network::dhcp-options-dns", Fails("warning"))], 0);
}

#[test]
fn a_vpc_without_dhcp_options() {
    let run = Scenario::new("no-dhcp", &["no-dhcp-options"])
        .expect(vec![at("network::dhcp-options-dns", Fails(ERROR))], 1);
    run.expect_stdout_contains("has no DHCP options");
}

#[test]
fn dhcp_options_naming_two_domains() {
    Scenario::new("two-domains", &["dhcp-two-domains"])
        .expect(vec![at("network::dhcp-options-dns", Fails(ERROR))], 1);
}

#[test]
fn dhcp_options_without_a_domain() {
    // Nodes get no private DNS name (`node "" not found`), as EKS's troubleshooting guide says.
    Scenario::new("no-domain", &["dhcp-no-domain"])
        .expect(vec![at("network::dhcp-options-dns", Fails(ERROR))], 1);
}

#[test]
fn cluster_security_group_without_its_self_rule() {
    Scenario::new("cluster-sg", &["cluster-sg-no-self-rule"]).expect(
        per_instance("network::cluster-sg-allows-nodes", Fails(ERROR)),
        1,
    );
}

#[test]
fn nodes_with_a_security_group_the_cluster_admits_are_healthy() {
    Scenario::new("node-sg", &["custom-node-sg"]).expect(vec![], 0);
}

#[test]
fn a_cluster_security_group_admitting_the_nodes_through_a_prefix_list_is_healthy() {
    // Its rule names a managed prefix list holding the VPC's range (audit v3 X2).
    Scenario::new("node-sg-pl", &["custom-node-sg", "cluster-sg-prefix-list"]).expect(vec![], 0);
}

#[test]
fn nodes_with_a_security_group_the_cluster_does_not_admit() {
    Scenario::new(
        "node-sg-closed",
        &["custom-node-sg", "custom-node-sg-closed"],
    )
    .expect(
        per_instance("network::cluster-sg-allows-nodes", Fails(ERROR)),
        1,
    );
}

#[test]
fn an_instance_type_a_zone_does_not_offer() {
    // inf2.xlarge is offered in eu-west-2a only (the first node subnet's zone).
    Scenario::new("capacity", &[])
        .fixture(|_, fixture| {
            fixture.nodegroups.get_mut("ng-1").expect("ng-1")["instanceTypes"] =
                json!(["inf2.xlarge"]);
        })
        .expect(
            vec![at(
                "network::instance-types-offered[ng-1/subnet-2]",
                Fails(ERROR),
            )],
            1,
        );
}

#[test]
fn with_custom_networking_a_small_node_subnet_is_enough() {
    Scenario::new("exhausted-custom", &["exhausted-subnet"])
        .fixture(|_, fixture| {
            fixture.addons.get_mut("vpc-cni").expect("vpc-cni")["configurationValues"] = json!(
                r#"{"env":{"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG":"true","ENI_CONFIG_LABEL_DEF":"topology.kubernetes.io/zone"}}"#
            );
        })
        .expect(vec![], 0);
}

/// A private cluster's recording moved to China (`cn-north-1`, partition `aws-cn`), its interface
/// endpoints named `cn.com.amazonaws.…` when `china_names`, as they are there (but S3's), and the
/// normalised outcomes of the pack on it.
fn in_china(name: &str, china_names: bool) -> super::Outcomes {
    use crate::support::{Dir, ekscheck, parse_junit};
    let world = World::build(name, &["private-endpoints"]);
    let proxy = crate::emulator::proxy::Proxy::start(Default::default());
    proxy.set_cluster(&world.cluster, world.fixture());
    let recording = Dir::new();
    let dir = recording.join("recording");
    let cluster = format!("cluster={}", world.cluster);
    crate::live::live(
        &proxy,
        &[
            "record",
            super::super::PACK,
            "--var",
            &cluster,
            "--out",
            &dir,
        ],
    )
    .expect_code(0);
    for entry in std::fs::read_dir(&dir).expect("the recording") {
        let path = entry.expect("a file").path();
        let mut text = std::fs::read_to_string(&path).expect("a recorded call");
        text = text
            .replace("eu-west-2", "cn-north-1")
            .replace("arn:aws:", "arn:aws-cn:");
        if china_names {
            for service in ENDPOINT_SERVICES {
                text = text.replace(
                    &format!("\"com.amazonaws.cn-north-1.{service}\""),
                    &format!("\"cn.com.amazonaws.cn-north-1.{service}\""),
                );
            }
        }
        std::fs::write(&path, text).expect("the recording rewritten");
    }
    let junit = recording.join("junit.xml");
    let run = ekscheck(&[
        "run",
        super::super::PACK,
        "--recording",
        &dir,
        "--var",
        &cluster,
        "--junit",
        &junit,
    ]);
    let xml =
        std::fs::read_to_string(&junit).unwrap_or_else(|_| panic!("no report: {}", run.stderr));
    parse_junit(&xml)
        .cases()
        .map(|case| {
            let name = super::super::normalise(&case.full_name(), &world)
                .replace("cn.com.amazonaws.cn-north-1", "com.amazonaws.eu-west-2")
                .replace("com.amazonaws.cn-north-1", "com.amazonaws.eu-west-2");
            (name, case.outcome.clone())
        })
        .collect()
}

#[test]
fn a_private_cluster_in_china_is_healthy_with_chinas_endpoint_names() {
    use crate::support::CaseOutcome;
    let outcomes = in_china("china", true);
    let egress: Vec<_> = outcomes
        .iter()
        .filter(|(name, _)| {
            name.contains("subnet-egress") || name.contains("private-endpoint-usable")
        })
        .collect();
    assert_eq!(egress.len(), 2 + 8, "{egress:?}");
    assert!(
        egress
            .iter()
            .all(|(_, outcome)| **outcome == CaseOutcome::Pass),
        "{egress:?}"
    );
    // The same endpoints under the commercial names are not what nodes in China use.
    let commercial = in_china("china-misnamed", false);
    for subnet in 1..=2 {
        assert_eq!(
            commercial[&format!("node-join::network::subnet-egress[ng-1/subnet-{subnet}]")],
            CaseOutcome::Failure(ERROR.into())
        );
    }
}

#[test]
fn a_default_route_to_a_private_nat_gateway() {
    let run = Scenario::new("nat-private", &["nat-private"])
        .expect(per_subnet("network::nat-gateway-usable", Fails(ERROR)), 1);
    run.expect_stdout_contains("is available (private)");
}

#[test]
fn an_s3_gateway_endpoint_that_serves_no_node_route_table() {
    let mut expected = private_cluster();
    expected.extend(per_subnet(
        "network::s3-gateway-endpoint-routes",
        Fails(ERROR),
    ));
    // The gateway serves no node route table: its policy has no row.
    expected.extend(per_s3_gateway(Gone));
    Scenario::new(
        "s3-unrouted",
        &["private-endpoints", "s3-endpoint-unrouted"],
    )
    .expect(expected, 1);
}

#[test]
fn a_node_subnet_of_another_vpc() {
    use crate::support::CaseOutcome;
    let world = World::build("other-vpc", &[]);
    let elsewhere = World::build("other-vpc-elsewhere", &[]);
    let mut fixture = world.fixture();
    fixture.nodegroups.get_mut("ng-1").expect("ng-1")["subnets"] =
        json!([world.node_subnets[0], elsewhere.node_subnets[0]]);
    let diagnosis = super::super::diagnose(&world, fixture, Default::default());
    let outcome = |subnet: &str| {
        diagnosis.outcomes[&format!("node-join::network::subnet-in-cluster-vpc[ng-1/{subnet}]")]
            .clone()
    };
    assert_eq!(outcome("subnet-1"), CaseOutcome::Pass);
    assert_eq!(
        outcome(&elsewhere.node_subnets[0]),
        CaseOutcome::Failure(ERROR.into())
    );
    diagnosis.run.expect_code(1);
}

#[test]
fn an_endpoint_policy_of_its_own_is_a_warning() {
    let mut expected = private_cluster();
    expected.extend(per_endpoint(
        "network::private-endpoint-policy",
        &[1, 2],
        &["ecr.api"],
        Fails("warning"),
    ));
    Scenario::new(
        "endpoint-policy",
        &["private-endpoints", "endpoint-policy-restricted"],
    )
    .expect(expected, 0);
}

#[test]
fn an_s3_gateway_policy_without_the_ecr_layer_bucket() {
    let mut expected = private_cluster();
    expected.extend(per_s3_gateway(Fails(ERROR)));
    let run = Scenario::new(
        "s3-policy",
        &["private-endpoints", "s3-endpoint-policy-no-layers"],
    )
    .expect(expected, 1);
    run.expect_stdout_contains("arn:aws:s3:::prod-eu-west-2-starport-layer-bucket/*");
}

#[test]
fn the_minimal_s3_gateway_policy_of_ecrs_guide_is_healthy() {
    Scenario::new(
        "s3-policy-ecr",
        &["private-endpoints", "s3-endpoint-policy-layers"],
    )
    .expect(private_cluster(), 0);
}

#[test]
fn a_nat_gateway_in_a_subnet_without_the_internet_gateway() {
    let run = Scenario::new("nat-no-igw", &["nat-without-igw"])
        .expect(per_subnet("network::nat-gateway-usable", Fails(ERROR)), 1);
    run.expect_stdout_contains("in a subnet routed to an internet gateway");
}

#[test]
fn a_private_nat_gateway_behind_a_transit_gateway_is_healthy() {
    // A private NAT gateway hands its traffic to a central egress VPC through a transit gateway.
    Scenario::new("nat-private-tgw", &["nat-private", "nat-private-tgw"]).expect(vec![], 0);
}

#[test]
fn endpoints_of_a_hub_vpc_are_a_warning() {
    // No route out and no endpoints here, but a transit gateway to the private networks: the
    // endpoints may be a hub VPC's (cause 46), which this VPC's API does not show.
    let mut expected = per_subnet("network::subnet-egress", Fails("warning"));
    expected.extend(per_subnet("network::private-endpoint-access", Passes));
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
    let run = Scenario::new("hub", &["hub-endpoints"]).expect(expected, 0);
    run.expect_stdout_contains("aws route53 list-hosted-zones-by-vpc");
}

/// The Region's VPC Block Public Access in mode `mode`, with `exclusions` of the world's VPC.
fn block_public_access(
    mode: &'static str,
    excluded_as: Option<&'static str>,
) -> impl FnOnce(&World, &mut crate::emulator::proxy::ClusterFixture) {
    move |world, fixture| {
        let exclusions = excluded_as.map(|exclusion_mode| {
            json!({
                "ExclusionId": "exclusion-0123456789abcdef0",
                "InternetGatewayExclusionMode": exclusion_mode,
                "ResourceArn": format!(
                    "arn:aws:ec2:{}:123456789012:vpc/{}",
                    world.region, world.vpc_id
                ),
                "State": "create-complete",
                "CreationTimestamp": "2026-11-27T09:00:05Z"
            })
        });
        fixture.block_public_access = Some((mode.to_owned(), exclusions.into_iter().collect()));
    }
}

#[test]
fn block_public_access_in_bidirectional_mode_drops_the_nat_gateways_traffic() {
    // Cause 74: the NAT gateway's subnet (or the VPC) must be excluded.
    let run = Scenario::new("bpa", &[])
        .fixture(block_public_access("block-bidirectional", None))
        .expect(
            per_subnet("network::block-public-access-spares-egress", Fails(ERROR)),
            1,
        );
    run.expect_stdout_contains("create-vpc-block-public-access-exclusion");
}

#[test]
fn block_public_access_with_the_vpc_excluded_for_egress_is_healthy() {
    Scenario::new("bpa-excluded", &[])
        .fixture(block_public_access(
            "block-bidirectional",
            Some("allow-egress"),
        ))
        .expect(
            per_subnet("network::block-public-access-spares-egress", Passes),
            0,
        );
}

#[test]
fn block_public_access_in_ingress_mode_lets_nat_gateways_through() {
    Scenario::new("bpa-ingress", &[])
        .fixture(block_public_access("block-ingress", None))
        .expect(
            per_subnet("network::block-public-access-spares-egress", Passes),
            0,
        );
}

#[test]
fn customer_routed_control_plane_egress_through_the_nat_gateway_is_healthy() {
    // The cluster subnets route 0.0.0.0/0 to the NAT gateway; the cluster security group lets
    // everything out, the default ACL admits everything, the DHCP options name
    // AmazonProvidedDNS: as EKS's control plane egress guide asks.
    Scenario::new("customer-routed", &[])
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["controlPlaneEgressMode"] =
                json!("CUSTOMER_ROUTED");
        })
        .expect(
            (1..=2)
                .map(|n| {
                    at(
                        &format!("network::control-plane-egress-routed[subnet-{n}]"),
                        Passes,
                    )
                })
                .collect(),
            0,
        );
}
