//! A private cluster: no route out of the VPC, the interface endpoints nodes need and the S3
//! gateway endpoint, as the EKS user guide's "Deploy private clusters with limited internet
//! access" lists them (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html).

use super::super::network::{ENDPOINT_SERVICES, per_endpoint};
use super::super::{ERROR, Fails, Scenario};
use super::Reference;

pub(crate) static PRIVATE_CLUSTER: Reference = Reference {
    name: "private-cluster",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html",
    world: &["private-endpoints"],
    fixture: |_, _| {},
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
