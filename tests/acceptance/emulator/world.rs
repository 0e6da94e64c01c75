//! Worlds in the emulator: an EKS cluster with its VPC, IAM roles, node group and instances,
//! built by `world.py` with chosen faults, plus the fixture for what moto cannot serve.

use std::process::Command;

use serde::Deserialize;
use serde_json::{Value, json};

use super::proxy::ClusterFixture;
use super::{Emulator, aws_env, emulator, here, python, run};

/// What `world.py` built.
#[derive(Clone, Debug, Deserialize)]
pub struct World {
    /// The cluster's name (also the prefix of every other name).
    pub cluster: String,
    /// The region it is in.
    pub region: String,
    /// The cluster's VPC.
    pub vpc_id: String,
    /// The security group EKS would create for the cluster.
    pub cluster_security_group_id: String,
    /// The cluster's IAM role.
    pub cluster_role_arn: String,
    /// The node group's IAM role.
    pub node_role_arn: String,
    /// The node group's name.
    pub nodegroup: String,
    /// The node group's subnets.
    pub node_subnets: Vec<String>,
    /// The node group's instances.
    pub instances: Vec<String>,
}

impl World {
    /// Builds world `name` with `faults` (see `world.py` for the list) in the shared emulator.
    #[track_caller]
    pub fn build(name: &str, faults: &[&str]) -> Self {
        Self::build_in(emulator(), name, faults)
    }

    /// Builds world `name` with `faults` in `emulator`.
    #[track_caller]
    pub fn build_in(emulator: &Emulator, name: &str, faults: &[&str]) -> Self {
        let mut command = Command::new(python());
        aws_env(&mut command, &emulator.url)
            .arg(here().join("world.py"))
            .arg(name)
            .args(faults);
        let printed = run(&mut command, &format!("world.py {name} {faults:?}"));
        serde_json::from_slice(&printed).expect("world.py prints JSON")
    }

    /// What a healthy EKS would report beyond what moto does: an ACTIVE cluster in this VPC with
    /// its security group, public and private endpoint access, API_AND_CONFIG_MAP access, no
    /// health issues, and the EC2_LINUX access entry EKS creates for the node role.
    pub fn fixture(&self) -> ClusterFixture {
        // EKS sends timestamps as epoch seconds: 2026-01-02T03:04:05.123Z.
        let created = 1_767_323_045.123;
        ClusterFixture {
            cluster: json!({
                "status": "ACTIVE",
                "resourcesVpcConfig": {
                    "vpcId": self.vpc_id,
                    "clusterSecurityGroupId": self.cluster_security_group_id,
                    "endpointPublicAccess": true,
                    "endpointPrivateAccess": true,
                    "publicAccessCidrs": ["0.0.0.0/0"]
                },
                "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
                "health": {"issues": []}
            }),
            nodegroups: Default::default(),
            access_entries: vec![self.access_entry(&self.node_role_arn, "EC2_LINUX", created)],
        }
    }

    /// An access entry of `type` for `principal`, as `DescribeAccessEntry` returns it.
    pub fn access_entry(&self, principal: &str, kind: &str, created: f64) -> Value {
        let account = principal.split(':').nth(4).unwrap_or_default();
        json!({
            "clusterName": self.cluster,
            "principalArn": principal,
            "kubernetesGroups": [],
            "accessEntryArn": format!(
                "arn:aws:eks:{}:{account}:access-entry/{}/role/{account}/{}/0ac9f4d1",
                self.region, self.cluster, principal.rsplit('/').next().unwrap_or_default()
            ),
            "createdAt": created,
            "modifiedAt": created,
            "tags": {},
            "username": "system:node:{{EC2PrivateDNSName}}",
            "type": kind
        })
    }
}
