//! EKS Hybrid Nodes (cause 80): a cluster with a remote node network, as EKS's guide to preparing
//! networking for hybrid nodes builds it (the cluster subnets route the network to a transit
//! gateway, the cluster security group admits it on 443) with an access entry of type
//! HYBRID_LINUX for the nodes' role; and each of those links missing.

use serde_json::json;

use super::{ERROR, Fails, Passes, Scenario, at};
use crate::emulator::proxy::ClusterFixture;
use crate::emulator::world::World;

/// The remote node network of `world.py`'s `hybrid-nodes`.
const REMOTE_NODES: &str = "192.168.100.0/24";

/// The cluster's remote node network, and, when `entry`, the Hybrid Nodes role's access entry.
fn hybrid(entry: bool) -> impl FnOnce(&World, &mut ClusterFixture) {
    move |world, fixture| {
        fixture.cluster["remoteNetworkConfig"] =
            json!({"remoteNodeNetworks": [{"cidrs": [REMOTE_NODES]}], "remotePodNetworks": []});
        if entry {
            let role = format!(
                "arn:aws:iam::123456789012:role/{}-hybrid-nodes",
                world.cluster
            );
            fixture
                .access_entries
                .push(world.access_entry(&role, "HYBRID_LINUX"));
        }
    }
}

/// Every row of the hybrid checks becomes `routed`, `admitted` and `entry`.
fn rows(
    routed: super::Becomes,
    admitted: super::Becomes,
    entry: super::Becomes,
) -> Vec<(String, super::Becomes)> {
    let mut rows: Vec<(String, super::Becomes)> = (1..=2)
        .map(|n| {
            at(
                &format!("hybrid::remote-node-networks-routed[subnet-{n}]"),
                routed,
            )
        })
        .collect();
    rows.push(at("hybrid::control-plane-admits-remote-nodes", admitted));
    rows.push(at("hybrid::hybrid-node-access-entry", entry));
    rows
}

#[test]
fn hybrid_nodes_routed_admitted_and_mapped_are_healthy() {
    Scenario::new("hybrid", &["hybrid-nodes"])
        .fixture(hybrid(true))
        .expect(rows(Passes, Passes, Passes), 0);
}

#[test]
fn cluster_subnets_without_a_route_to_the_remote_nodes() {
    let run = Scenario::new(
        "hybrid-unrouted",
        &["hybrid-nodes", "hybrid-nodes-unrouted"],
    )
    .fixture(hybrid(true))
    .expect(rows(Fails(ERROR), Passes, Passes), 1);
    run.expect_stdout_contains("192.168.100.0/24 is outside");
}

#[test]
fn a_control_plane_that_does_not_admit_the_remote_nodes() {
    Scenario::new("hybrid-sg", &["hybrid-nodes", "hybrid-nodes-sg-closed"])
        .fixture(hybrid(true))
        .expect(rows(Passes, Fails(ERROR), Passes), 1);
}

#[test]
fn hybrid_nodes_without_an_access_entry() {
    Scenario::new("hybrid-no-entry", &["hybrid-nodes"])
        .fixture(hybrid(false))
        .expect(rows(Passes, Passes, Fails(ERROR)), 1);
}
