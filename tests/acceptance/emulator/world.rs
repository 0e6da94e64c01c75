//! Worlds in the emulator: an EKS cluster with its VPC, IAM roles, node group and instances,
//! built by `world.py` with chosen faults, plus the fixture for what moto cannot serve.

use std::collections::HashMap;
use std::process::Command;

use serde::Deserialize;
use serde_json::{Value, json};

use super::consoles;
use super::proxy::ClusterFixture;
use super::{Emulator, aws_env, emulator, here, python, run};

/// What `world.py` built.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct World {
    /// The cluster's name (also the prefix of every other name).
    pub cluster: String,
    /// The region it is in.
    pub region: String,
    /// The cluster's Kubernetes version.
    pub kubernetes_version: String,
    /// The cluster's API server endpoint (moto's is the same for every cluster).
    pub endpoint: String,
    /// The cluster's certificate authority, base64 (moto's is random).
    pub certificate_authority: String,
    /// The cluster's OIDC issuer (moto gives every cluster the same).
    pub oidc_issuer: String,
    /// The cluster's VPC.
    pub vpc_id: String,
    /// The public address of the node subnets' NAT gateway, when they have one.
    pub nat_public_ip: Option<String>,
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
    /// The cluster's subnets (where the control plane's network interfaces sit).
    pub cluster_subnets: Vec<String>,
    /// The node group's instances.
    pub instances: Vec<String>,
    /// aws-node's own role, when the world gave it one.
    pub cni_role_arn: Option<String>,
    /// How aws-node gets that role: `IRSA` (the vpc-cni add-on's service account role) or `EKS
    /// Pod Identity` (an association for kube-system/aws-node).
    pub cni_role_through: String,
    /// The customer key that encrypts the nodes' volumes, if the world has one.
    pub kms_key_arn: Option<String>,
    /// Every customer key the world made, in order.
    pub kms_keys: Vec<String>,
    /// The AMI of the account's that the world made for its launch template, if it made one.
    pub own_image: Option<String>,
    /// The snapshot of the launch template's AMI, when it names one that exists.
    pub image_snapshot: Option<String>,
    /// An IPv6 cluster's service CIDR (EKS picks it; moto has none).
    pub service_ipv6_cidr: Option<String>,
    /// The self-managed node, when the world has one.
    pub self_managed: Option<SelfManaged>,
    /// A node Karpenter launched, when the world has one.
    pub karpenter_node: Option<SelfManaged>,
    /// The role of Karpenter's controller, when the world has one.
    pub karpenter_role_arn: Option<String>,
}

/// A node no managed node group launched.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct SelfManaged {
    /// Its role.
    pub role_arn: String,
    /// The instance.
    pub instance: String,
    /// Its subnet.
    pub subnet: String,
    /// Its instance profile's name.
    pub profile: String,
}

impl World {
    /// Builds world `name` with `faults` (see `world.py` for the list) in the shared emulator.
    #[track_caller]
    pub(crate) fn build(name: &str, faults: &[&str]) -> Self {
        Self::build_in(emulator(), name, faults)
    }

    /// Builds world `name` with `faults` in `emulator`.
    #[track_caller]
    pub(crate) fn build_in(emulator: &Emulator, name: &str, faults: &[&str]) -> Self {
        let mut command = Command::new(python());
        aws_env(&mut command, &emulator.url)
            .arg(here().join("world.py"))
            .arg(name)
            .args(faults);
        let printed = run(&mut command, &format!("world.py {name} {faults:?}"));
        serde_json::from_slice(&printed).expect("world.py prints JSON")
    }

    /// What a healthy EKS would report beyond what moto does: an ACTIVE cluster in this VPC with
    /// its security group, endpoint, certificate authority, OIDC issuer and network configuration,
    /// public and private endpoint access, control plane egress managed by AWS, API_AND_CONFIG_MAP
    /// access, no health issues (and the service range EKS picks for an IPv6 cluster); the node group's
    /// Auto Scaling group; the EC2_LINUX access entry EKS creates for the node role; the vpc-cni
    /// add-on; aws-node's own role, when the world has one, as the add-on's service account role
    /// (IRSA) or through an EKS Pod Identity association with the agent's add-on; the kube-proxy
    /// add-on, which EKS installs in every cluster it creates; a healthy AL2023 boot on each
    /// instance's console.
    pub(crate) fn fixture(&self) -> ClusterFixture {
        let mut addon = self.addon("vpc-cni", "v1.19.2-eksbuild.1");
        let mut addons = HashMap::new();
        let mut pod_identity_associations = Vec::new();
        match &self.cni_role_arn {
            Some(role) if self.cni_role_through == "IRSA" => {
                addon["serviceAccountRoleArn"] = json!(role);
            }
            Some(role) => {
                pod_identity_associations.push(self.pod_identity_association(
                    "kube-system",
                    "aws-node",
                    role,
                ));
                addons.insert(
                    "eks-pod-identity-agent".to_owned(),
                    self.addon("eks-pod-identity-agent", "v1.3.10-eksbuild.2"),
                );
            }
            None => {}
        }
        addons.insert("vpc-cni".to_owned(), addon);
        addons.insert(
            "kube-proxy".to_owned(),
            self.addon("kube-proxy", "v1.31.2-eksbuild.3"),
        );
        let healthy_console = consoles::console(&[
            consoles::HEALTHY_AL2023_CONSOLE,
            consoles::HEALTHY_AL2023_NODEADM,
        ])
        .into_bytes();
        let mut fixture = ClusterFixture {
            cluster: json!({
                "status": "ACTIVE",
                "version": self.kubernetes_version,
                "endpoint": self.endpoint,
                "certificateAuthority": {"data": self.certificate_authority},
                "identity": {"oidc": {"issuer": self.oidc_issuer}},
                "resourcesVpcConfig": {
                    "vpcId": self.vpc_id,
                    "clusterSecurityGroupId": self.cluster_security_group_id,
                    "endpointPublicAccess": true,
                    "endpointPrivateAccess": true,
                    "publicAccessCidrs": ["0.0.0.0/0"],
                    "controlPlaneEgressMode": "AWS_MANAGED"
                },
                "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
                "health": {"issues": []}
            }),
            nodegroups: [(
                self.nodegroup.clone(),
                json!({"resources": {"autoScalingGroups": [{"name": self.autoscaling_group()}]}}),
            )]
            .into(),
            access_entries: vec![self.access_entry(&self.node_role_arn, "EC2_LINUX")],
            addons,
            pod_identity_associations,
            console_outputs: self
                .instances
                .iter()
                .map(|instance| (instance.clone(), healthy_console.clone()))
                .collect(),
            ..ClusterFixture::default()
        };
        if let Some(range) = &self.service_ipv6_cidr {
            fixture.cluster["kubernetesNetworkConfig"] = json!({ "serviceIpv6Cidr": range });
        }
        fixture
    }

    /// An ACTIVE, healthy EKS add-on.
    pub(crate) fn addon(&self, name: &str, version: &str) -> Value {
        json!({
            "addonName": name,
            "clusterName": self.cluster,
            "status": "ACTIVE",
            "addonVersion": version,
            "health": {"issues": []},
        })
    }

    /// An EKS Pod Identity association of `namespace`/`service_account` with `role`.
    pub(crate) fn pod_identity_association(
        &self,
        namespace: &str,
        service_account: &str,
        role: &str,
    ) -> Value {
        let id = format!("a-{service_account}");
        json!({
            "clusterName": self.cluster,
            "namespace": namespace,
            "serviceAccount": service_account,
            "roleArn": role,
            "associationArn": format!(
                "arn:aws:eks:{}:123456789012:podidentityassociation/{}/{id}",
                self.region, self.cluster
            ),
            "associationId": id,
        })
    }

    /// The name of the Auto Scaling group EKS made for the node group.
    pub(crate) fn autoscaling_group(&self) -> String {
        format!("eks-{}-{}", self.nodegroup, self.cluster)
    }

    /// An access entry of `type` for `principal`, as `DescribeAccessEntry` returns it, created now
    /// (after the world's roles).
    pub(crate) fn access_entry(&self, principal: &str, kind: &str) -> Value {
        // EKS sends timestamps as epoch seconds.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs_f64();
        self.access_entry_created(principal, kind, now)
    }

    /// An access entry of `type` for `principal`, created at `created` (epoch seconds).
    pub(crate) fn access_entry_created(&self, principal: &str, kind: &str, created: f64) -> Value {
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
