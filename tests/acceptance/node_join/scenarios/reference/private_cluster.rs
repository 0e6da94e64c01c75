//! A private cluster: no route out of the VPC, private endpoint access only, and the VPC
//! endpoints nodes need — the interface endpoints of EC2, ECR (api and dkr) and STS with private
//! DNS and a security group admitting the VPC's range, and the S3 gateway endpoint on the node
//! subnets' route table — as the EKS user guide's "Deploy private clusters with limited internet
//! access" lists them (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html).
//! The guide leaves network ACLs as they are (the VPC's default one admits everything).

use serde_json::json;

use super::super::network::{ENDPOINT_SERVICES, per_endpoint};
use super::super::{ERROR, Fails, Gone, Passes, Scenario, per_instance, per_subnet};
use super::Reference;

pub(crate) static PRIVATE_CLUSTER: Reference = Reference {
    name: "private-cluster",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html",
    world: &["private-endpoints"],
    fixture: |_, fixture| {
        fixture.cluster["resourcesVpcConfig"]["endpointPublicAccess"] = json!(false);
    },
    warnings: &[],
};

#[test]
fn the_private_cluster_is_healthy() {
    PRIVATE_CLUSTER.outcomes();
}

#[test]
fn an_endpoint_without_private_dns() {
    Scenario::new("endpoint-dns", &["endpoint-without-private-dns"])
        .of(&PRIVATE_CLUSTER)
        .expect(
            per_endpoint(
                "network::private-endpoint-usable",
                &[1, 2],
                &["ec2"],
                Fails(ERROR),
            ),
            1,
        );
}

#[test]
fn endpoints_whose_security_group_admits_nothing() {
    Scenario::new("endpoint-sg", &["endpoint-sg-closed"])
        .of(&PRIVATE_CLUSTER)
        .expect(
            per_endpoint(
                "network::private-endpoint-usable",
                &[1, 2],
                &ENDPOINT_SERVICES,
                Fails(ERROR),
            ),
            1,
        );
}

#[test]
fn endpoints_in_one_zone_only() {
    Scenario::new("endpoint-zone", &["endpoint-one-zone"])
        .of(&PRIVATE_CLUSTER)
        .expect(
            per_endpoint(
                "network::private-endpoint-usable",
                &[2],
                &ENDPOINT_SERVICES,
                Fails(ERROR),
            ),
            1,
        );
}

#[test]
fn a_network_acl_admitting_the_vpc_only() {
    // ECR's image layers come from S3's public ranges through the gateway endpoint (audit X4).
    let run = Scenario::new("private-nacl-vpc", &["nacl-vpc-only"])
        .of(&PRIVATE_CLUSTER)
        .expect(
            per_subnet("network::nacl-allows-node-traffic", Fails(ERROR)),
            1,
        );
    run.expect_stdout_contains("and to S3's ranges");
}

#[test]
fn a_network_acl_admitting_the_vpc_and_s3s_ranges_is_healthy() {
    // What the gateway endpoints' guide asks of ACLs: the service's prefix list ranges.
    Scenario::new("private-nacl-s3", &["nacl-private-cluster"])
        .of(&PRIVATE_CLUSTER)
        .expect(vec![], 0);
}

#[test]
fn an_endpoint_security_group_admitting_a_prefix_list_of_the_vpcs_range_is_healthy() {
    Scenario::new("endpoint-sg-pl", &["endpoint-sg-prefix-list"])
        .of(&PRIVATE_CLUSTER)
        .expect(vec![], 0);
}

#[test]
fn an_endpoint_security_group_admitting_a_prefix_list_of_other_ranges() {
    Scenario::new(
        "endpoint-sg-pl-other",
        &["endpoint-sg-prefix-list", "endpoint-sg-prefix-list-other"],
    )
    .of(&PRIVATE_CLUSTER)
    .expect(
        per_endpoint(
            "network::private-endpoint-usable",
            &[1, 2],
            &ENDPOINT_SERVICES,
            Fails(ERROR),
        ),
        1,
    );
}

#[test]
fn endpoints_admitting_the_node_security_group_are_healthy() {
    // eksctl's fully private clusters give the endpoints the shared node security group.
    Scenario::new(
        "endpoint-sg-nodes",
        &["custom-node-sg", "endpoint-sg-node-sg"],
    )
    .of(&PRIVATE_CLUSTER)
    .expect(vec![], 0);
}

#[test]
fn an_s3_interface_endpoint_instead_of_the_gateway_is_healthy() {
    let mut expected = per_endpoint("network::private-endpoint-usable", &[1, 2], &["s3"], Passes);
    expected.extend(per_endpoint(
        "network::private-endpoint-policy",
        &[1, 2],
        &["s3"],
        Passes,
    ));
    // No gateway, no gateway policy.
    expected.extend(per_endpoint(
        "network::s3-gateway-endpoint-policy",
        &[1, 2],
        &["s3"],
        Gone,
    ));
    Scenario::new("s3-interface", &["s3-interface-endpoint"])
        .of(&PRIVATE_CLUSTER)
        .expect(expected, 0);
}

#[test]
fn customer_routed_control_plane_egress_without_a_way_out() {
    // The control plane goes out through the cluster subnets, which have no route out (cause 79).
    let rows = (1..=2).map(|n| {
        super::super::at(
            &format!("network::control-plane-egress-routed[subnet-{n}]"),
            Fails(ERROR),
        )
    });
    Scenario::new("private-customer-routed", &[])
        .of(&PRIVATE_CLUSTER)
        .fixture(|_, fixture| {
            fixture.cluster["resourcesVpcConfig"]["controlPlaneEgressMode"] =
                json!("CUSTOMER_ROUTED");
        })
        .expect(rows.collect(), 1);
}

#[test]
fn an_s3_gateway_policy_of_a_data_perimeter_is_a_warning() {
    // It allows the organization's buckets only, which ECR's layer bucket is not, unless the
    // perimeter excepts it: the condition decides, which is not evaluated here (cause 49).
    Scenario::new("s3-policy-perimeter", &["s3-endpoint-policy-org-only"])
        .of(&PRIVATE_CLUSTER)
        .expect(
            per_endpoint(
                "network::s3-gateway-endpoint-policy",
                &[1, 2],
                &["s3"],
                Fails("warning"),
            ),
            0,
        );
}

#[test]
fn a_node_security_group_letting_out_the_vpc_only() {
    // The endpoints are in the VPC, but S3's gateway sends image layers to S3's public ranges.
    Scenario::new(
        "private-node-sg-vpc",
        &["custom-node-sg", "node-sg-vpc-egress"],
    )
    .of(&PRIVATE_CLUSTER)
    .expect(
        per_instance("network::node-sg-reaches-aws", Fails(ERROR)),
        1,
    );
}
