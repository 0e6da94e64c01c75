"""Builds an EKS cluster whose nodes should join, in the AWS emulator, with chosen variations.

    python world.py NAME [VARIATION ...]

Everything is named after NAME, so several worlds live side by side in one emulator. The
endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL, AWS_REGION, ...).
Prints a JSON description of what was built, for the fixture layer and the tests.

The healthy world: a VPC with DNS support and hostnames and the Region's default DHCP options
(AmazonProvidedDNS and the Region's domain), a public subnet with an internet gateway and a NAT
gateway, two private node subnets (in two zones) routing 0.0.0.0/0 to the NAT gateway, a cluster
security group that lets its members talk to each other, a cluster role trusting
eks.amazonaws.com with AmazonEKSClusterPolicy, a node role trusting ec2.amazonaws.com with the
three worker-node policies and an instance profile, the cluster (Kubernetes 1.31), one node group
of two AL2023 instances carrying the cluster security group.

VARIATIONS lists the faults, and the configurations AWS documents that must also pass.
"""

import base64
import fcntl
import gzip
import json
import os
import sys
import zlib

import boto3

KUBERNETES = "1.31"
AL2023_X86 = "ami-087534078663b6450"
AL2023_ARM = "ami-0d409c449ab6eda95"
# moto's EKS-optimized Amazon Linux 2 AMI ("EKS Kubernetes Worker AMI with AmazonLinux2 image").
EKS_AL2 = "ami-ekslinux"
CAPACITY_BLOCK = "cr-0c4ab1e2d3f456789"

# terraform-aws-eks v21, examples/eks-managed-node-group/eks-bottlerocket.tf: the
# bootstrap_extra_args of a Bottlerocket managed node group, which the module puts in its launch
# template as they are (tests/user-data/rendered/bottlerocket/eks-mng-additional.toml).
BOTTLEROCKET_EXTRA_ARGS = """# The admin host container provides SSH access and runs with "superpowers".
# It is disabled by default, but can be disabled explicitly.
[settings.host-containers.admin]
enabled = false

# The control host container provides out-of-band access via SSM.
# It is enabled by default, and can be disabled if you do not expect to use SSM.
# This could leave you with no way to access the API and change settings on an existing node!
[settings.host-containers.control]
enabled = true

# extra args added
[settings.kernel]
lockdown = "integrity"
"""

VARIATIONS = {
    # Faults.
    "missing-cni-policy": "the node role lacks AmazonEKS_CNI_Policy",
    "missing-worker-node-policy": "the node role lacks AmazonEKSWorkerNodePolicy",
    "missing-ecr-policy": "the node role lacks AmazonEC2ContainerRegistryReadOnly",
    "trust-without-ec2": "the node role trusts eks.amazonaws.com instead of ec2.amazonaws.com",
    "node-role-missing": "the node role was deleted after the node group was created",
    "node-role-path": "the node role lives under the path /dev/",
    "no-nat-route": "the node subnets' route table has no default route",
    "private-endpoints": "no default route, but the VPC endpoints of a private cluster",
    "endpoint-without-private-dns": "(with private-endpoints) the ec2 endpoint has private DNS off",
    "endpoint-sg-closed": "(with private-endpoints) the endpoints' security group admits nothing",
    "endpoint-one-zone": "(with private-endpoints) the endpoints sit in the first node subnet only",
    "s3-endpoint-unrouted": "(with private-endpoints) the S3 gateway endpoint serves no route table",
    "endpoint-policy-restricted": "(with private-endpoints) the ecr.api endpoint's policy allows one action",
    "s3-endpoint-policy-no-layers": "(with private-endpoints) the S3 gateway's policy allows another bucket only",
    "s3-endpoint-policy-org-only": "(with private-endpoints) the S3 gateway's policy allows the organization's buckets only (a data perimeter)",
    "exhausted-subnet": "a node subnet is a /28 that is nearly full",
    "nat-private": "the node subnets' default route goes to a private NAT gateway",
    "subnet-unavailable": "a node subnet no longer exists",
    "public-subnet-no-public-ip": "the node group uses an IGW-only subnet without auto-assigned public IPs",
    "nacl-blocks-https": "a network ACL on the node subnets denies outbound 443",
    "no-dns-hostnames": "the VPC has enableDnsHostnames off",
    "custom-dns": "the VPC's DHCP options use custom DNS servers",
    "no-dhcp-options": "the VPC has no DHCP options (DhcpOptionsId default)",
    "dhcp-two-domains": "the DHCP options name two domains",
    "dhcp-no-domain": "the DHCP options name DNS servers but no domain",
    "cluster-sg-no-self-rule": "the cluster security group lets nothing in",
    "no-instances": "the node group launched no instances",
    "instance-stopped": "one node instance is stopped",
    "wrong-instance-profile": "the instances run with a profile of another role",
    "instance-without-profile": "the instances run without an instance profile",
    "custom-node-sg-closed": "(with custom-node-sg) the cluster security group does not admit the node group",
    "cluster-role-without-policy": "the cluster role lacks AmazonEKSClusterPolicy",
    "lt-not-mime": "(with launch-template) the user data is a plain shell script",
    "lt-bootstrap-sh": "(with launch-template) the user data runs /etc/eks/bootstrap.sh on AL2023",
    "lt-nodeconfig-other-cluster": "(with launch-template) the NodeConfig names another cluster",
    "lt-imds-disabled": "(with launch-template) the instance metadata service is disabled",
    "custom-ami-no-bootstrap": "(with custom-ami) the user data does not bootstrap the node",
    "custom-ami-missing": "(with custom-ami) the AMI does not exist",
    "custom-ami-arm": "(with custom-ami) an arm64 AMI on x86_64 instance types",
    "custom-ami-bootstrap-sh": "(with custom-ami) the user data runs bootstrap.sh with the cluster's name only",
    "kms-key-disabled": "(with kms-key) the EBS key is disabled",
    "kms-key-root-only": "(with kms-key) the key has the default key policy, which gives Auto Scaling nothing",
    "kms-key-default": "(with kms-key) the volumes are encrypted with the account's default key",
    "self-managed": "an extra self-managed instance, with a role of its own",
    "self-managed-no-egress": "(with self-managed) in a subnet without a route out",
    "self-managed-bare-role": "(with self-managed) its role trusts eks.amazonaws.com and has no policies",
    "self-managed-own-sg": "(with self-managed) it carries a security group the cluster's does not admit",
    "self-managed-karpenter": "(with self-managed) tagged as Karpenter tags its nodes, without the cluster tag",
    "self-managed-untagged": "(with self-managed) it carries none of the tags nodes carry",
    "self-managed-bare-bootstrap": "(with self-managed) launched from a launch template running bootstrap.sh with the cluster's name only",
    "karpenter-controller": "a role for Karpenter's controller, allowed to launch nodes",
    "cni-irsa-stale-issuer": "(with cni-irsa) aws-node's role trusts the OIDC provider of an earlier cluster",
    "cni-irsa-no-provider": "(with cni-irsa) the account has no IAM OIDC provider for the cluster's issuer",
    "cni-pod-identity-assume-only": "(with cni-pod-identity) aws-node's role trusts EKS Pod Identity without sts:TagSession",
    "ipv6-cni-2024-policy": "(with ipv6) the IPv6 CNI policy of the EKS guide before July 2026, without subnet discovery's actions",
    "auto-mode-own-node-class": "(with auto-mode) a NodeClass of one's own launched nodes with a role of its own",
    "ipv6-eigw-only": "(with ipv6) the node subnets route ::/0 to the egress-only gateway, and IPv4 nowhere",
    "nat-without-igw": "the NAT gateway sits in a subnet without a route to the internet gateway",
    "nacl-private-cluster": "(with private-endpoints) the node subnets' NACL admits the VPC and S3's prefix list only",
    "endpoint-sg-prefix-list": "(with private-endpoints) the endpoints' security group admits a prefix list holding the VPC's range",
    "endpoint-sg-prefix-list-other": "(with endpoint-sg-prefix-list) the prefix list holds other ranges only",
    "endpoint-sg-node-sg": "(with private-endpoints, custom-node-sg) the endpoints' security group admits the node security group",
    "s3-interface-endpoint": "(with private-endpoints) S3 has an interface endpoint with private DNS, no gateway",
    "hub-endpoints": "the node subnets route only the private networks to a transit gateway (endpoints in a hub VPC)",
    "nat-private-tgw": "(with nat-private) the private NAT gateway's subnet routes 0.0.0.0/0 to a transit gateway",
    "hybrid-nodes": "the cluster subnets route 192.168.100.0/24 (remote nodes) to a transit gateway, the cluster security group admits it",
    "hybrid-nodes-unrouted": "(with hybrid-nodes) the cluster subnets do not route the remote node network",
    "hybrid-nodes-sg-closed": "(with hybrid-nodes) the cluster security group does not admit the remote node network",
    "public-nodes": "the node group sits in the public subnet, its instances with public addresses",
    "terraform-aws-eks": "the security groups, node groups (managed, self-managed, Karpenter) and roles of terraform-aws-eks v21",
    "terraform-aws-eks-no-443": "(with terraform-aws-eks) the module's cluster security group lacks ingress_nodes_443",
    "terraform-aws-eks-vpc-egress": "(with terraform-aws-eks) the node security group lets out traffic to the VPC only",
    "lt-imds-unset": "(with a launch template) the template sets no instance metadata options",
    "instance-imds-disabled": "the node group's instances run with the instance metadata service off",
    "lt-instance-profile": "(with launch-template) the template names an IAM instance profile",
    "lt-spot-request": "(with launch-template) the template asks for Spot instances",
    "lt-ssm-image": "(with custom-ami) the template names its AMI as an SSM parameter",
    "kms-second-volume": "(with kms-key) a second volume, encrypted with a second key",
    "kms-second-key-disabled": "(with kms-second-volume) the second key is disabled",
    "kms-key-grant": "(with kms-key-root-only) a grant lets Auto Scaling use the key",
    "snapshot-key": "a customer key (kms-key-root-only applies), for the snapshot of an AMI",
    "bottlerocket-escaped-quotes": "(with bottlerocket) a setting's value has escaped quotes",
    "bottlerocket-mime": "(with bottlerocket) the user data is a MIME multi-part document",
    "bottlerocket-custom-ami-no-endpoint": "(with bottlerocket-custom-ami) no api-server setting",
    "al2023-nodeconfig-no-cidr": "(with al2023-custom-ami) the NodeConfig has no cidr",
    "al2023-bootstrap-sh": "(with al2023-custom-ami) the user data runs bootstrap.sh instead",
    "al2023-ami-newer": "(with al2023-custom-ami) the AMI holds a Kubernetes newer than the cluster's",
    "nodeconfig-ipv4-cidr": "(with ipv6 and al2023-custom-ami) the NodeConfig's cidr is an IPv4 one",
    "capacity-block": "the node group launches into a Capacity Block (the fixture has the reservation)",
    "custom-ami-cloud-config": "(with custom-ami) an Amazon Linux 2 AMI that cloud-config's runcmd "
                               "bootstraps",
    "custom-ami-gzip": "(with custom-ami) the NodeConfig user data is gzip-compressed",
    # Configurations AWS documents, which must pass.
    "custom-worker-policy": "the node role has the worker permissions as a customer-managed policy",
    "worker-policy-scoped": "the node role has the worker permissions as a customer-managed policy naming the cluster for eks:DescribeCluster",
    "worker-policy-source-vpc": "the node role has the worker permissions only from the VPC (aws:SourceVpc)",
    "node-role-boundary-without-ecr": "the node role's permissions boundary allows EC2 and EKS, not ECR",
    "cni-irsa": "aws-node has a role of its own through IRSA (the cluster's IAM OIDC provider) with AmazonEKS_CNI_Policy; the node role has none",
    "cni-pod-identity": "aws-node has a role of its own for EKS Pod Identity with AmazonEKS_CNI_Policy; the node role has none",
    "cni-irsa-without-policy": "(with cni-irsa or cni-pod-identity) aws-node's role lacks the CNI policy",
    "ipv6": "an IPv6 cluster's VPC as eksctl builds it: IPv6 subnets, ::/0 to an egress-only internet gateway and 0.0.0.0/0 to a NAT gateway, the IPv6 CNI policy",
    "ipv6-no-assignment": "(with ipv6) the node subnets do not assign IPv6 addresses",
    "ipv6-cni-ipv4-policy": "(with ipv6) the node role has AmazonEKS_CNI_Policy, not the IPv6 policy",
    "nacl-knowledge-center": "the node subnets' NACL allows exactly what the Knowledge Center says",
    "nacl-vpc-only": "(with private-endpoints) the node subnets' NACL admits the VPC only",
    "gwlb-egress": "the default route goes through a Gateway Load Balancer endpoint",
    "custom-node-sg": "the instances carry a node security group, not the cluster's",
    "cluster-sg-prefix-list": "(with custom-node-sg) the cluster security group admits the nodes through a prefix list of the VPC's range",
    "node-sg-vpc-egress": "(with custom-node-sg) the node security group lets out traffic to the VPC only",
    "launch-template": "the node group has a launch template whose MIME user data sets a NodeConfig",
    "custom-ami": "the node group's launch template names an AL2023 AMI and bootstraps it",
    "kms-key": "the node volumes are encrypted with a customer key that lets Auto Scaling use it",
    "s3-endpoint-policy-layers": "(with private-endpoints) the S3 gateway's policy is ECR's minimal one",
    "eks-endpoint": "(with private-endpoints) the VPC has an eks interface endpoint too",
    "eks-auth-endpoint": "(with private-endpoints) the VPC has an eks-auth interface endpoint too (EKS Pod Identity)",
    # Reference worlds (see tests/acceptance/node_join/scenarios/reference/).
    "auto-mode": "EKS Auto Mode as the EKS guide's CLI walk-through makes it: no node group, its roles, nodes of the built-in pools",
    "karpenter-getting-started": "Karpenter v1 as its getting-started guide sets it up: Pod Identity, its controller policies, a node it launched",
    "karpenter-without-lifecycle-policy": "(with karpenter-getting-started) the controller lacks the node lifecycle policy",
    "karpenter-passes-another-role": "(with karpenter-getting-started) the controller may pass another node role than its nodes'",
    "bottlerocket": "a Bottlerocket node group whose launch template has TOML settings, as "
                    "terraform-aws-eks writes them",
    "bottlerocket-custom-ami": "(with bottlerocket) the template names a Bottlerocket AMI of the "
                               "account's, with the settings that join the node",
    "al2023-custom-ami": "an AL2023 AMI of the account's (built from amazon-eks-ami), bootstrapped "
                         "by the NodeConfig user data terraform-aws-eks writes",
    "al2023-doc-user-data": "(with al2023-custom-ami) the user data of the EKS guide instead: one "
                            "NodeConfig part",
    "lowercase-endpoint": "(with al2023-custom-ami) the NodeConfig's endpoint is in lowercase",
}

WORKER_POLICIES = {
    "AmazonEKSWorkerNodePolicy": "missing-worker-node-policy",
    "AmazonEKS_CNI_Policy": "missing-cni-policy",
    "AmazonEC2ContainerRegistryReadOnly": "missing-ecr-policy",
}

CNI_ACTIONS = [
    "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes", "ec2:DescribeSubnets",
    "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
]
# The VPC CNI's IPv6 policy (amazon-vpc-cni-k8s docs/iam-policy.md; the EKS guide's since PR
# #1248 of July 2026), and the guide's before it, without what subnet discovery needs.
CNI_IPV6_ACTIONS = [
    "ec2:AssignIpv6Addresses", "ec2:DescribeInstances", "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
]
CNI_IPV6_ACTIONS_2024 = CNI_IPV6_ACTIONS[:5]
WORKER_ACTIONS = [
    "ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications", "ec2:DescribeVpcs", "eks:DescribeCluster",
]

AUTO_MODE_NODE_POLICIES = ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"]

# The network of hybrid nodes (RFC 1918, outside every world's VPC).
REMOTE_NODES = "192.168.100.0/24"

# The IPv6 service range EKS gives an IPv6 cluster (it picks one of fd00::/8).
SERVICE_IPV6_CIDR = "fd42:7a1c:93e5::/108"

KARPENTER_ACTIONS = [
    "ec2:CreateFleet", "ec2:RunInstances", "ec2:CreateLaunchTemplate", "ec2:CreateTags",
    "ec2:DescribeInstances", "ec2:DescribeSubnets", "iam:PassRole", "iam:GetInstanceProfile",
    "iam:CreateInstanceProfile", "iam:TagInstanceProfile", "iam:AddRoleToInstanceProfile",
]


def trust(service, actions="sts:AssumeRole"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": actions}],
        }
    )


# The trust of a role for EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html).
POD_IDENTITY_TRUST = trust("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"])


def irsa_trust(provider, issuer, namespace, service_account):
    """The trust of an IRSA role for one service account, as the EKS guide writes it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            f"{issuer}:aud": "sts.amazonaws.com",
        }},
    }]})


def allow(actions):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )


def endpoint_policy(action, resource):
    """A VPC endpoint policy that allows `action` on `resource` to everyone."""
    return json.dumps({"Statement": [
        {"Sid": "Access", "Principal": "*", "Action": action, "Effect": "Allow", "Resource": resource}
    ]})


def region_default_dhcp_options(ec2, region):
    """The Region's default DHCP option set: AmazonProvidedDNS and the Region's domain ("DHCP
    option set concepts", Amazon VPC User Guide). Found by its settings, made on first use; a
    lock keeps worlds built at once from making one each."""
    domain = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    default = {"domain-name": [domain], "domain-name-servers": ["AmazonProvidedDNS"]}
    lock_path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "target", ".world-dhcp.lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for options in ec2.describe_dhcp_options()["DhcpOptions"]:
            configurations = options["DhcpConfigurations"]
            settings = {c["Key"]: [v["Value"] for v in c["Values"]] for c in configurations}
            if settings == default:
                return options["DhcpOptionsId"]
        configurations = [{"Key": key, "Values": values} for key, values in default.items()]
        created = ec2.create_dhcp_options(DhcpConfigurations=configurations)
        return created["DhcpOptions"]["DhcpOptionsId"]


def create_vpc(ec2, region, **args):
    """A VPC as CreateVpc makes one on AWS: using the Region's default DHCP option set (moto
    gives a new VPC none, `default`)."""
    vpc = ec2.create_vpc(**args)["Vpc"]["VpcId"]
    ec2.associate_dhcp_options(DhcpOptionsId=region_default_dhcp_options(ec2, region), VpcId=vpc)
    return vpc


def terraform_security_groups(ec2, name, vpc, vpc_cidr, faults):
    """The security groups terraform-aws-eks v21 creates (main.tf, node_groups.tf): the
    "cluster" group, which EKS attaches to the control plane beside its own, admitting the node
    group on 443 (`ingress_nodes_443`) and letting nothing out (Terraform drops the default
    egress rule); the node group, tagged for the cluster and Karpenter's discovery, with the
    module's default and recommended rules."""
    def group(suffix, description, group_tags):
        created = ec2.create_security_group(
            GroupName=f"{name}-{suffix}", Description=description, VpcId=vpc,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": group_tags}],
        )["GroupId"]
        ec2.revoke_security_group_egress(
            GroupId=created,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        return created

    cluster = group("cluster", "EKS cluster security group", tags(f"{name}-cluster"))
    node = group("node", "EKS node shared security group", tags(
        f"{name}-node", **{f"kubernetes.io/cluster/{name}": "owned", "karpenter.sh/discovery": name}
    ))
    if "terraform-aws-eks-no-443" not in faults:
        ec2.authorize_security_group_ingress(GroupId=cluster, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "UserIdGroupPairs": [{"GroupId": node, "Description": "Node groups to cluster API"}]}
        ])
    from_cluster = [
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
         "UserIdGroupPairs": [{"GroupId": cluster}]}
        for port in (443, 10250, 4443, 6443, 8443, 9443, 10251)
    ]
    from_nodes = [
        {"IpProtocol": protocol, "FromPort": low, "ToPort": high,
         "UserIdGroupPairs": [{"GroupId": node}]}
        for protocol, low, high in (("tcp", 53, 53), ("udp", 53, 53), ("tcp", 1025, 65535))
    ]
    ec2.authorize_security_group_ingress(GroupId=node, IpPermissions=from_cluster + from_nodes)
    egress = "0.0.0.0/0" if "terraform-aws-eks-vpc-egress" not in faults else vpc_cidr
    ec2.authorize_security_group_egress(
        GroupId=node, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": egress}]}]
    )
    return {"cluster": cluster, "node": node}


def terraform_unmanaged_nodes(ec2, iam, name, node_sg, subnets, launch, user_data):
    """A node of terraform-aws-eks v21's self-managed node group (its role with the worker,
    ECR read-only and CNI policies, an access entry the module creates, a launch template of the
    node group's security group, IMDSv2 with a hop limit of 1 and a complete NodeConfig, the
    cluster tags the Auto Scaling group propagates), and one Karpenter launched with the
    Karpenter module's node role (ECR pull-only) into a subnet and security group tagged
    `karpenter.sh/discovery`, tagged as Karpenter v1 tags its nodes."""
    def role(role_name, profile, policies):
        arn = iam.create_role(
            RoleName=role_name, AssumeRolePolicyDocument=trust("ec2.amazonaws.com")
        )["Role"]["Arn"]
        for policy in policies:
            iam.attach_role_policy(RoleName=role_name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
        profile_arn = iam.create_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Arn"]
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role_name)
        return arn, profile_arn

    role_arn, profile_arn = role(f"{name}-self", f"{name}-self-profile", [
        "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy",
    ])
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{name}-self",
        LaunchTemplateData={
            "ImageId": AL2023_X86,
            "SecurityGroupIds": [node_sg],
            "IamInstanceProfile": {"Arn": profile_arn},
            "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                "HttpPutResponseHopLimit": 1},
            "UserData": base64.b64encode(user_data.encode()).decode(),
        },
    )["LaunchTemplate"]["LaunchTemplateId"]
    [instance] = launch(subnets[0], [node_sg], profile_arn, tags(f"{name}-self", **{
        f"kubernetes.io/cluster/{name}": "owned", f"k8s.io/cluster/{name}": "owned",
    }), template)
    self_managed = {"role_arn": role_arn, "instance": instance, "subnet": subnets[0],
                    "profile": f"{name}-self-profile"}
    karpenter_arn, karpenter_profile = role(f"Karpenter-{name}", f"{name}-karpenter-profile", [
        "AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy",
    ])
    ec2.create_tags(Resources=subnets, Tags=[{"Key": "karpenter.sh/discovery", "Value": name}])
    [karpenter] = launch(subnets[1], [node_sg], karpenter_profile, tags(f"{name}-karpenter", **{
        f"kubernetes.io/cluster/{name}": "owned", "karpenter.sh/nodepool": "default",
        "eks:eks-cluster-name": name, "karpenter.k8s.aws/ec2nodeclass": "default",
    }))
    return self_managed, {"role_arn": karpenter_arn, "instance": karpenter,
                          "subnet": subnets[1], "profile": f"{name}-karpenter-profile"}


def tags(name, **extra):
    pairs = {"Name": name, **extra}
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def identity(name, region):
    """The endpoint, certificate authority and OIDC issuer EKS would give the cluster (moto
    gives every cluster the same issuer)."""
    digest = "%032X" % zlib.crc32(name.encode())
    endpoint = f"https://{digest}.gr7.{region}.eks.amazonaws.com"
    ca = base64.b64encode(f"certificate authority of {name}".encode()).decode()
    issuer = f"https://oidc.eks.{region}.amazonaws.com/id/{digest}"
    return endpoint, ca, issuer


def mime(*parts):
    body = ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="==BOUNDARY=="', ""]
    for content_type, text in parts:
        body += ["--==BOUNDARY==", f"Content-Type: {content_type}", "", text, ""]
    body.append("--==BOUNDARY==--")
    return "\n".join(body)


def nodeconfig(cluster, endpoint, ca, cidr):
    return "\n".join([
        "---",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  cluster:",
        f"    name: {cluster}",
        f"    apiServerEndpoint: {endpoint}",
        f"    certificateAuthority: {ca}",
        f"    cidr: {cidr}",
    ])


# The thumbprint eksctl and the EKS guide give the IAM OIDC provider of a cluster's issuer.
OIDC_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def aws_node_role(iam, name, account, issuer, cni_policy, faults):
    """aws-node's own role, when the world gives it one: through IRSA (trusting the IAM OIDC
    provider of the cluster's issuer, as `eksctl create iamserviceaccount` makes it) or EKS Pod
    Identity; None otherwise."""
    if not {"cni-irsa", "cni-pod-identity"} & faults:
        return None
    role_name = f"{name}-aws-node"
    if "cni-irsa" in faults:
        issuer = issuer.removeprefix("https://")
        trusted = issuer
        if "cni-irsa-stale-issuer" in faults:
            # The cluster was created again: the role still trusts the first one's issuer, whose
            # provider is left in the account.
            trusted = issuer.rsplit("/", 1)[0] + "/%032X" % zlib.crc32(f"{name}-before".encode())
        providers = {issuer, trusted} - ({issuer} if "cni-irsa-no-provider" in faults else set())
        for host in providers:
            iam.create_open_id_connect_provider(
                Url=f"https://{host}", ClientIDList=["sts.amazonaws.com"],
                ThumbprintList=[OIDC_THUMBPRINT],
            )
        provider = f"arn:aws:iam::{account}:oidc-provider/{trusted}"
        document = irsa_trust(provider, trusted, "kube-system", "aws-node")
    elif "cni-pod-identity-assume-only" in faults:
        document = trust("pods.eks.amazonaws.com")
    else:
        document = POD_IDENTITY_TRUST
    arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=document)["Role"]["Arn"]
    if "cni-irsa-without-policy" not in faults:
        iam.attach_role_policy(RoleName=role_name, PolicyArn=cni_policy)
    return arn


def karpenter_controller_policies(cluster, region, account, node_role):
    """The six controller policies of Karpenter's getting-started CloudFormation template
    (aws/karpenter-provider-aws website/content/en/docs/getting-started/getting-started-with-karpenter/
    cloudformation.yaml, v1.14.1), with its substitutions made, by name."""
    ec2 = f"arn:aws:ec2:{region}"
    created = [f"{ec2}:*:{kind}/*" for kind in (
        "fleet", "instance", "volume", "network-interface", "launch-template",
        "spot-instances-request")]
    request_tags = {
        "StringEquals": {f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
                         "aws:RequestTag/eks:eks-cluster-name": cluster},
        "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
    }
    resource_tags = {
        "StringEquals": {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"},
        "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
    }
    profiles = f"arn:aws:iam::{account}:instance-profile/*"
    profile_tags = {
        f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:ResourceTag/topology.kubernetes.io/region": region,
    }
    profile_request_tags = {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
        "aws:RequestTag/topology.kubernetes.io/region": region,
    }
    cluster_arn = f"arn:aws:eks:{region}:{account}:cluster/{cluster}"
    policy = lambda *statements: {"Version": "2012-10-17", "Statement": list(statements)}
    return {
        f"KarpenterControllerNodeLifecyclePolicy-{cluster}": policy(
            {"Sid": "AllowScopedEC2InstanceAccessActions", "Effect": "Allow",
             "Resource": [f"{ec2}::image/*", f"{ec2}::snapshot/*", f"{ec2}:*:security-group/*",
                          f"{ec2}:*:subnet/*", f"{ec2}:*:capacity-reservation/*",
                          f"{ec2}:*:placement-group/*"],
             "Action": ["ec2:RunInstances", "ec2:CreateFleet"]},
            {"Sid": "AllowScopedEC2LaunchTemplateAccessActions", "Effect": "Allow",
             "Resource": f"{ec2}:*:launch-template/*",
             "Action": ["ec2:RunInstances", "ec2:CreateFleet"], "Condition": resource_tags},
            {"Sid": "AllowScopedEC2InstanceActionsWithTags", "Effect": "Allow",
             "Resource": created,
             "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
             "Condition": request_tags},
            {"Sid": "AllowScopedResourceCreationTagging", "Effect": "Allow", "Resource": created,
             "Action": "ec2:CreateTags",
             "Condition": {"StringEquals": {
                 **request_tags["StringEquals"],
                 "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
                 "StringLike": request_tags["StringLike"]}},
            {"Sid": "AllowScopedResourceTagging", "Effect": "Allow",
             "Resource": f"{ec2}:*:instance/*", "Action": "ec2:CreateTags",
             "Condition": {**resource_tags,
                           "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                           "ForAllValues:StringEquals": {"aws:TagKeys": [
                               "eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]}}},
            {"Sid": "AllowScopedDeletion", "Effect": "Allow",
             "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
             "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
             "Condition": resource_tags},
        ),
        f"KarpenterControllerIAMIntegrationPolicy-{cluster}": policy(
            {"Sid": "AllowPassingInstanceRole", "Effect": "Allow", "Resource": node_role,
             "Action": "iam:PassRole",
             "Condition": {"StringEquals": {"iam:PassedToService": [
                 "ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}}},
            {"Sid": "AllowScopedInstanceProfileCreationActions", "Effect": "Allow",
             "Resource": profiles, "Action": ["iam:CreateInstanceProfile"],
             "Condition": {"StringEquals": profile_request_tags,
                           "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileTagActions", "Effect": "Allow",
             "Resource": profiles, "Action": ["iam:TagInstanceProfile"],
             "Condition": {"StringEquals": {**profile_tags, **profile_request_tags},
                           "StringLike": {
                               "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                               "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
            {"Sid": "AllowScopedInstanceProfileActions", "Effect": "Allow",
             "Resource": profiles,
             "Action": ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                        "iam:DeleteInstanceProfile"],
             "Condition": {"StringEquals": profile_tags,
                           "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
        ),
        f"KarpenterControllerEKSIntegrationPolicy-{cluster}": policy(
            {"Sid": "AllowAPIServerEndpointDiscovery", "Effect": "Allow", "Resource": cluster_arn,
             "Action": "eks:DescribeCluster"},
        ),
        f"KarpenterControllerInterruptionPolicy-{cluster}": policy(
            {"Sid": "AllowInterruptionQueueActions", "Effect": "Allow",
             "Resource": f"arn:aws:sqs:{region}:{account}:{cluster}",
             "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]},
        ),
        f"KarpenterControllerZonalShiftPolicy-{cluster}": policy(
            {"Sid": "AllowZonalShiftStatusReadOnly", "Effect": "Allow", "Resource": "*",
             "Action": ["arc-zonal-shift:GetManagedResource"],
             "Condition": {"StringEquals": {"arc-zonal-shift:ResourceIdentifier": cluster_arn}}},
        ),
        f"KarpenterControllerResourceDiscoveryPolicy-{cluster}": policy(
            {"Sid": "AllowRegionalReadActions", "Effect": "Allow", "Resource": "*",
             "Action": ["ec2:DescribeCapacityReservations", "ec2:DescribeImages",
                        "ec2:DescribeInstances", "ec2:DescribeInstanceStatus",
                        "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplates", "ec2:DescribePlacementGroups",
                        "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory",
                        "ec2:DescribeSubnets"],
             "Condition": {"StringEquals": {"aws:RequestedRegion": region}}},
            {"Sid": "AllowSSMReadActions", "Effect": "Allow",
             "Resource": f"arn:aws:ssm:{region}::parameter/aws/service/*",
             "Action": "ssm:GetParameter"},
            {"Sid": "AllowPricingReadActions", "Effect": "Allow", "Resource": "*",
             "Action": "pricing:GetProducts"},
            {"Sid": "AllowUnscopedInstanceProfileListAction", "Effect": "Allow", "Resource": "*",
             "Action": "iam:ListInstanceProfiles"},
            {"Sid": "AllowInstanceProfileReadActions", "Effect": "Allow", "Resource": profiles,
             "Action": "iam:GetInstanceProfile"},
        ),
    }


def spot_service_linked_role(iam):
    """What `aws iam create-service-linked-role --aws-service-name spot.amazonaws.com` makes, once
    per account (moto would name it AWSServiceRoleForspot)."""
    try:
        iam.create_role(
            RoleName="AWSServiceRoleForEC2Spot", Path="/aws-service-role/spot.amazonaws.com/",
            AssumeRolePolicyDocument=trust("spot.amazonaws.com"),
        )
    except iam.exceptions.EntityAlreadyExistsException:
        pass


def karpenter_getting_started(iam, ec2, name, region, account, vpc, cluster_sg, subnet, launch,
                              faults):
    """Karpenter v1.14 as its getting-started guide sets it up on the cluster
    (https://karpenter.sh/docs/getting-started/getting-started-with-karpenter/): the node role
    KarpenterNodeRole-NAME of its CloudFormation template, which the guide maps in aws-auth only
    (eksctl's iamIdentityMappings); the controller's role NAME-karpenter for EKS Pod Identity
    (eksctl's podIdentityAssociations) with the template's six policies; EC2's Spot
    service-linked role (step06); and a node Karpenter launched for NodePool and EC2NodeClass
    `default`: tagged as Karpenter v1 tags its instances, with the instance profile Karpenter
    makes for the EC2NodeClass's role, and eksctl's shared node security group, which the guide's
    securityGroupSelectorTerms find by its karpenter.sh/discovery tag (a stack tag of eksctl's)
    and the cluster security group admits. Returns the node (as a self-managed one) and the
    controller's role."""
    node_role = f"KarpenterNodeRole-{name}"
    node_role_arn = iam.create_role(
        RoleName=node_role, AssumeRolePolicyDocument=trust("ec2.amazonaws.com")
    )["Role"]["Arn"]
    for policy in ["AmazonEKS_CNI_Policy", "AmazonEKSWorkerNodePolicy",
                   "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"]:
        iam.attach_role_policy(RoleName=node_role, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    controller = f"{name}-karpenter"
    controller_arn = iam.create_role(
        RoleName=controller, AssumeRolePolicyDocument=POD_IDENTITY_TRUST
    )["Role"]["Arn"]
    passed = node_role_arn
    if "karpenter-passes-another-role" in faults:
        passed = f"arn:aws:iam::{account}:role/KarpenterNodeRole-{name}-old"
    for policy_name, document in karpenter_controller_policies(
        name, region, account, passed
    ).items():
        if "karpenter-without-lifecycle-policy" in faults and "NodeLifecycle" in policy_name:
            continue
        arn = iam.create_policy(PolicyName=policy_name, PolicyDocument=json.dumps(document))
        iam.attach_role_policy(RoleName=controller, PolicyArn=arn["Policy"]["Arn"])
    spot_service_linked_role(iam)
    node_sg = ec2.create_security_group(
        GroupName=f"eksctl-{name}-cluster-ClusterSharedNodeSecurityGroup",
        Description="Communication between all nodes in the cluster", VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": [{"Key": "karpenter.sh/discovery", "Value": name}]}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=node_sg,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": node_sg}]}],
    )
    ec2.authorize_security_group_ingress(
        GroupId=cluster_sg,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": node_sg}]}],
    )
    profile = f"{name}_%d" % zlib.crc32(f"{name}/default".encode())
    iam.create_instance_profile(
        InstanceProfileName=profile, Path=f"/karpenter/{region}/{name}/0f1e2d3c/"
    )
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=node_role)
    profile_arn = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Arn"]
    [instance] = launch(subnet, [node_sg], profile_arn, [
        {"Key": "Name", "Value": f"ip-10-0-1-17.{region}.compute.internal"},
        {"Key": "karpenter.sh/nodepool", "Value": "default"},
        {"Key": "karpenter.k8s.aws/ec2nodeclass", "Value": "default"},
        {"Key": f"kubernetes.io/cluster/{name}", "Value": "owned"},
        {"Key": "eks:eks-cluster-name", "Value": name},
        {"Key": "karpenter.sh/nodeclaim", "Value": "default-x7k2p"},
    ])
    node = {"role_arn": node_role_arn, "instance": instance, "subnet": subnet, "profile": profile}
    return node, controller_arn


def launch_auto_mode_nodes(iam, name, region, node_role, subnets, cluster_sg, faults, launch):
    """A node EKS Auto Mode launched for its built-in general-purpose pool and the default
    NodeClass: its instance profile of the node role, the cluster security group, and
    only the tags AmazonEKSComputePolicy lets it set (no Name); with `auto-mode-own-node-class`,
    a node of a NodeClass of one's own with another role (which EKS gives no access entry)."""
    def node(pool, node_class, role, subnet):
        profile = f"eks-{region}-{name}-{node_class}"
        iam.create_instance_profile(InstanceProfileName=profile)
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
        arn = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Arn"]
        launch(subnet, [cluster_sg], arn, [
            {"Key": "eks:eks-cluster-name", "Value": name},
            {"Key": "eks:kubernetes-node-pool-name", "Value": pool},
            {"Key": "eks:kubernetes-node-class-name", "Value": node_class},
            {"Key": f"kubernetes.io/cluster/{name}", "Value": "owned"},
        ])

    node("general-purpose", "default", node_role, subnets[0])
    if "auto-mode-own-node-class" in faults:
        own = f"{name}-own-node"
        iam.create_role(RoleName=own, AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
        for policy in AUTO_MODE_NODE_POLICIES:
            iam.attach_role_policy(RoleName=own, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
        node("gpu", "own", own, subnets[1])


def bottlerocket_settings(cluster, endpoint, ca, service_cidr):
    """The settings terraform-aws-eks writes for a Bottlerocket custom AMI
    (templates/bottlerocket_user_data.tpl; rendered: eks-mng-custom-ami.toml)."""
    dns = service_cidr.rsplit(".", 2)[0] + ".0.10"
    lines = ["[settings.kubernetes]", f'"cluster-name" = "{cluster}"']
    if endpoint:
        lines.append(f'"api-server" = "{endpoint}"')
    lines += [f'"cluster-certificate" = "{ca}"', f'"cluster-dns-ip" = ["{dns}", "169.254.20.10"]']
    return "\n".join(lines) + "\n"


def terraform_al2023_mime(cluster_config):
    """terraform-aws-eks v21's user data for an AL2023 custom AMI
    (tests/user-data/rendered/al2023/eks-mng-custom-ami.txt): headers in its order, a NodeConfig
    for the kubelet, one for the cluster, and a shell part."""
    kubelet = "\n".join([
        "---", "apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", "spec:", "  kubelet:",
        "    config:", "      shutdownGracePeriod: 30s", "      featureGates:",
        "        DisableKubeletCloudCredentialProviders: true",
    ])
    part = "--MIMEBOUNDARY\nContent-Transfer-Encoding: 7bit\nContent-Type: {}\nMime-Version: 1.0\n\n{}\n"
    return "".join([
        'Content-Type: multipart/mixed; boundary="MIMEBOUNDARY"\nMIME-Version: 1.0\n\n',
        part.format("application/node.eks.aws", kubelet + "\n"),
        part.format("application/node.eks.aws", cluster_config + "\n"),
        part.format('text/x-shellscript; charset="us-ascii"', 'echo "All done"\n'),
        "--MIMEBOUNDARY--\n",
    ])


def eks_guide_mime(cluster_config):
    """The EKS user guide's AL2023 user data (launch-templates.html): one NodeConfig part."""
    return ('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
            f"--BOUNDARY\nContent-Type: application/node.eks.aws\n\n{cluster_config}\n\n"
            "--BOUNDARY--\n")


def build(name, variations):
    unknown = [v for v in variations if v not in VARIATIONS]
    if unknown:
        sys.exit(f"unknown variations {unknown}; known: {sorted(VARIATIONS)}")
    faults = set(variations)
    session = boto3.session.Session()
    region = session.region_name
    ec2 = session.client("ec2")
    iam = session.client("iam")
    eks = session.client("eks")
    kms = session.client("kms")
    octet = zlib.crc32(name.encode()) % 200 + 10
    cidr = lambda third, size=24: f"10.{octet}.{third}.0/{size}"
    zones = [f"{region}a", f"{region}b"]
    endpoint, ca, issuer = identity(name, region)
    service_cidr = "172.20.0.0/16"
    ipv6 = "ipv6" in faults
    service_ipv6_cidr = SERVICE_IPV6_CIDR if ipv6 else None

    vpc = create_vpc(ec2, region, CidrBlock=cidr(0, 16), AmazonProvidedIpv6CidrBlock=ipv6)
    ec2.create_tags(Resources=[vpc], Tags=tags(name))
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(
        VpcId=vpc, EnableDnsHostnames={"Value": "no-dns-hostnames" not in faults}
    )
    vpc_ipv6 = None
    if ipv6:
        vpc_ipv6 = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0][
            "Ipv6CidrBlock"
        ]
    if "no-dhcp-options" in faults:
        ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc)
    elif {"custom-dns", "dhcp-two-domains", "dhcp-no-domain"} & faults:
        servers = ["10.0.0.2"] if "custom-dns" in faults else ["AmazonProvidedDNS"]
        domain = f"{region}.compute.internal"
        if "dhcp-two-domains" in faults:
            domain = f"{domain} corp.example.com"
        configurations = [{"Key": "domain-name-servers", "Values": servers}]
        if "dhcp-no-domain" not in faults:
            configurations.append({"Key": "domain-name", "Values": [domain]})
        dhcp = ec2.create_dhcp_options(DhcpConfigurations=configurations)["DhcpOptions"][
            "DhcpOptionsId"
        ]
        ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=vpc)

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_ipv6 = {"Ipv6CidrBlock": vpc_ipv6.replace("::/56", "00::/64")} if ipv6 else {}
    public = ec2.create_subnet(
        VpcId=vpc, CidrBlock=cidr(0), AvailabilityZone=zones[0], **public_ipv6
    )["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    if "nat-without-igw" not in faults:
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    if ipv6:
        ec2.modify_subnet_attribute(SubnetId=public, AssignIpv6AddressOnCreation={"Value": True})
        ec2.create_route(RouteTableId=public_rt, DestinationIpv6CidrBlock="::/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)

    first_size = 28 if "exhausted-subnet" in faults else 24
    private = []
    for index, size in enumerate([first_size, 24]):
        extra = {}
        if ipv6:
            extra["Ipv6CidrBlock"] = vpc_ipv6.replace("::/56", f"{index + 1:02x}::/64")
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=cidr(index + 1, size), AvailabilityZone=zones[index], **extra
        )["Subnet"]["SubnetId"]
        if ipv6 and "ipv6-no-assignment" not in faults:
            ec2.modify_subnet_attribute(
                SubnetId=subnet, AssignIpv6AddressOnCreation={"Value": True}
            )
        private.append(subnet)
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet in private:
        ec2.associate_route_table(RouteTableId=private_rt, SubnetId=subnet)
    private_cluster = "private-endpoints" in faults
    if "gwlb-egress" in faults:
        balancer = session.client("elbv2").create_load_balancer(
            Name=f"{name}-firewall", Subnets=[public], Type="gateway"
        )["LoadBalancers"][0]["LoadBalancerArn"]
        service = ec2.create_vpc_endpoint_service_configuration(
            GatewayLoadBalancerArns=[balancer], AcceptanceRequired=False
        )["ServiceConfiguration"]["ServiceName"]
        firewall = ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=service,
            VpcEndpointType="GatewayLoadBalancer",
            SubnetIds=[public],
        )["VpcEndpoint"]["VpcEndpointId"]
        ec2.create_route(
            RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", VpcEndpointId=firewall
        )
    if ipv6:
        eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"][
            "EgressOnlyInternetGatewayId"
        ]
        ec2.create_route(
            RouteTableId=private_rt, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw
        )
    transit_gateway = None
    if {"hub-endpoints", "nat-private-tgw", "hybrid-nodes"} & faults:
        transit_gateway = ec2.create_transit_gateway(Description=f"{name} hub")["TransitGateway"][
            "TransitGatewayId"
        ]
        ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=transit_gateway, VpcId=vpc, SubnetIds=private
        )
    nat_public_ip = None
    if "nat-private" in faults:
        nat = ec2.create_nat_gateway(SubnetId=public, ConnectivityType="private")["NatGateway"][
            "NatGatewayId"
        ]
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        if "nat-private-tgw" in faults:
            # A private NAT gateway hands its traffic to a transit gateway (to a central egress
            # VPC): its own subnet routes 0.0.0.0/0 there.
            ec2.delete_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0")
            ec2.create_route(
                RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0",
                TransitGatewayId=transit_gateway,
            )
    elif "hub-endpoints" in faults:
        ec2.create_route(
            RouteTableId=private_rt, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=transit_gateway
        )
    elif not ({"no-nat-route", "gwlb-egress", "ipv6-eigw-only"} & faults or private_cluster):
        address = ec2.allocate_address(Domain="vpc")
        nat_public_ip = address["PublicIp"]
        nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=address["AllocationId"])[
            "NatGateway"
        ]["NatGatewayId"]
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)

    cluster_sg = ec2.create_security_group(
        GroupName=f"eks-cluster-sg-{name}", Description="EKS cluster security group", VpcId=vpc
    )["GroupId"]
    if "cluster-sg-no-self-rule" not in faults:
        ec2.authorize_security_group_ingress(
            GroupId=cluster_sg,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": cluster_sg}]}],
        )
    if "hybrid-nodes" in faults:
        # EKS's guide to preparing networking for hybrid nodes: the remote node network is routed
        # to the transit gateway, and the cluster security group admits it on 443.
        if "hybrid-nodes-unrouted" not in faults:
            ec2.create_route(
                RouteTableId=private_rt, DestinationCidrBlock=REMOTE_NODES,
                TransitGatewayId=transit_gateway,
            )
        if "hybrid-nodes-sg-closed" not in faults:
            ec2.authorize_security_group_ingress(
                GroupId=cluster_sg,
                IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                "IpRanges": [{"CidrIp": REMOTE_NODES}]}],
            )
    node_groups_sg = [cluster_sg]
    module = None
    if "terraform-aws-eks" in faults:
        module = terraform_security_groups(ec2, name, vpc, cidr(0, 16), faults)
        node_groups_sg = [module["node"]]
    if "custom-node-sg" in faults:
        node_sg = ec2.create_security_group(
            GroupName=f"nodes-{name}", Description="node security group", VpcId=vpc
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=node_sg,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": node_sg}]}],
        )
        if "node-sg-vpc-egress" in faults:
            everywhere = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
            ec2.revoke_security_group_egress(GroupId=node_sg, IpPermissions=everywhere)
            ec2.authorize_security_group_egress(GroupId=node_sg, IpPermissions=[
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": cidr(0, 16)}]}
            ])
        admitted = {"UserIdGroupPairs": [{"GroupId": node_sg}]}
        if "cluster-sg-prefix-list" in faults:
            nodes = ec2.create_managed_prefix_list(
                PrefixListName=f"{name}-nodes", AddressFamily="IPv4", MaxEntries=5,
                Entries=[{"Cidr": cidr(0, 16), "Description": "the VPC"}],
            )["PrefixList"]["PrefixListId"]
            admitted = {"PrefixListIds": [{"PrefixListId": nodes}]}
        if "custom-node-sg-closed" not in faults:
            ec2.authorize_security_group_ingress(
                GroupId=cluster_sg,
                IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **admitted}],
            )
        node_groups_sg = [node_sg]

    if private_cluster:
        endpoint_sg = ec2.create_security_group(
            GroupName=f"endpoints-{name}", Description="VPC endpoints", VpcId=vpc
        )["GroupId"]
        admitted = {"IpRanges": [{"CidrIp": cidr(0, 16)}]}
        if "endpoint-sg-prefix-list" in faults:
            ranges = ["192.168.0.0/16"] if "endpoint-sg-prefix-list-other" in faults else ["10.0.0.0/8"]
            corporate = ec2.create_managed_prefix_list(
                PrefixListName=f"{name}-corporate", AddressFamily="IPv4", MaxEntries=5,
                Entries=[{"Cidr": block, "Description": "corporate"} for block in ranges],
            )["PrefixList"]["PrefixListId"]
            admitted = {"PrefixListIds": [{"PrefixListId": corporate}]}
        elif "endpoint-sg-node-sg" in faults:
            # eksctl's fully-private clusters: the endpoints carry the shared node group.
            admitted = {"UserIdGroupPairs": [{"GroupId": node_groups_sg[0]}]}
        if "endpoint-sg-closed" not in faults:
            ec2.authorize_security_group_ingress(
                GroupId=endpoint_sg,
                IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, **admitted}],
            )
        endpoint_subnets = private[:1] if "endpoint-one-zone" in faults else private
        services = ["ec2", "ecr.api", "ecr.dkr", "sts"] + (["eks"] if "eks-endpoint" in faults else [])
        services += ["eks-auth"] if "eks-auth-endpoint" in faults else []
        for service in services:
            policy = {}
            if service == "ecr.api" and "endpoint-policy-restricted" in faults:
                policy["PolicyDocument"] = endpoint_policy("ecr:DescribeRepositories", "*")
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{region}.{service}",
                VpcEndpointType="Interface",
                SubnetIds=endpoint_subnets,
                SecurityGroupIds=[endpoint_sg],
                PrivateDnsEnabled=not (service == "ec2" and "endpoint-without-private-dns" in faults),
                **policy,
            )
        policy = {}
        if "s3-endpoint-policy-layers" in faults:
            # ECR's guide to VPC endpoints: the minimal policy for image layers.
            policy["PolicyDocument"] = endpoint_policy(
                "s3:GetObject", [f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*"]
            )
        elif "s3-endpoint-policy-no-layers" in faults:
            policy["PolicyDocument"] = endpoint_policy("s3:GetObject", ["arn:aws:s3:::team-artifacts/*"])
        elif "s3-endpoint-policy-org-only" in faults:
            # A data perimeter: only buckets of the organization, which ECR's is not.
            perimeter = json.loads(endpoint_policy("s3:*", "*"))
            perimeter["Statement"][0]["Condition"] = {
                "StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}
            }
            policy["PolicyDocument"] = json.dumps(perimeter)
        if "s3-interface-endpoint" in faults:
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{region}.s3",
                VpcEndpointType="Interface",
                SubnetIds=endpoint_subnets,
                SecurityGroupIds=[endpoint_sg],
                PrivateDnsEnabled=True,
            )
        else:
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{region}.s3",
                VpcEndpointType="Gateway",
                RouteTableIds=[] if "s3-endpoint-unrouted" in faults else [private_rt],
                **policy,
            )

    acl_rules = None
    if "nacl-blocks-https" in faults:
        acl_rules = [(50, "6", "deny", True, "0.0.0.0/0", (443, 443)),
                     (100, "-1", "allow", True, "0.0.0.0/0", None),
                     (100, "-1", "allow", False, "0.0.0.0/0", None)]
    elif "nacl-knowledge-center" in faults:
        acl_rules = []
        for number, ports in [(100, (443, 443)), (110, (80, 80)), (120, (1025, 65535))]:
            acl_rules.append((number, "6", "allow", True, "0.0.0.0/0", ports))
        acl_rules.append((100, "6", "allow", False, "0.0.0.0/0", (1025, 65535)))
    elif "nacl-vpc-only" in faults:
        acl_rules = [(100, "-1", "allow", True, cidr(0, 16), None),
                     (100, "-1", "allow", False, cidr(0, 16), None)]
    elif "nacl-private-cluster" in faults:
        # The gateway endpoint's traffic goes to S3's public ranges: the ACL admits them, from
        # the Region's S3 prefix list, beside the VPC (Amazon VPC User Guide, "Gateway endpoints").
        s3_list = ec2.describe_managed_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{region}.s3"]}]
        )["PrefixLists"][0]["PrefixListId"]
        s3_blocks = [
            entry["Cidr"]
            for entry in ec2.get_managed_prefix_list_entries(PrefixListId=s3_list)["Entries"]
        ]
        # Within the VPC, everything (DNS, the endpoints, the control plane calling kubelet).
        acl_rules = [(100, "-1", "allow", egress, cidr(0, 16), None) for egress in (True, False)]
        for number, block in enumerate(s3_blocks, start=110):
            acl_rules.append((number, "6", "allow", True, block, (443, 443)))
            acl_rules.append((number, "6", "allow", False, block, (1024, 65535)))
    if ipv6 and acl_rules is None:
        # AWS gives the default ACL of an IPv6 VPC rules for ::/0 too; moto does not.
        acl_rules = [(100, "-1", "allow", egress, "0.0.0.0/0", None) for egress in (True, False)]
        acl_rules += [(101, "-1", "allow", egress, "::/0", None) for egress in (True, False)]
    if acl_rules is not None:
        acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        for number, protocol, action, egress, block, ports in acl_rules:
            entry = dict(NetworkAclId=acl, RuleNumber=number, Protocol=protocol,
                         RuleAction=action, Egress=egress)
            entry["Ipv6CidrBlock" if ":" in block else "CidrBlock"] = block
            if ports:
                entry["PortRange"] = {"From": ports[0], "To": ports[1]}
            ec2.create_network_acl_entry(**entry)
        associations = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": private}]
        )["NetworkAcls"]
        for current in associations:
            for association in current["Associations"]:
                if association["SubnetId"] in private:
                    ec2.replace_network_acl_association(
                        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
                    )

    node_subnets = list(private)
    if "public-nodes" in faults:
        node_subnets = [public]
    if "public-subnet-no-public-ip" in faults:
        bare = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(3), AvailabilityZone=zones[0])[
            "Subnet"
        ]["SubnetId"]
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=bare)
        node_subnets = [bare]

    # EKS Auto Mode (https://docs.aws.amazon.com/eks/latest/userguide/automode-get-started-cli.html):
    # the cluster role EKS tags sessions of, with the policies of the capabilities it runs; a node
    # role with the minimal node policy; no managed node group.
    auto_mode = "auto-mode" in faults
    cluster_role_name = f"{name}-cluster"
    cluster_role = iam.create_role(
        RoleName=cluster_role_name,
        AssumeRolePolicyDocument=trust(
            "eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"] if auto_mode else "sts:AssumeRole"
        ),
    )["Role"]["Arn"]
    cluster_policies = [] if "cluster-role-without-policy" in faults else ["AmazonEKSClusterPolicy"]
    if auto_mode:
        cluster_policies += ["AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy",
                             "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"]
    for policy in cluster_policies:
        iam.attach_role_policy(
            RoleName=cluster_role_name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}"
        )
    node_role_name = f"{name}-node"
    trusted = "eks.amazonaws.com" if "trust-without-ec2" in faults else "ec2.amazonaws.com"
    boundary = {}
    if "node-role-boundary-without-ecr" in faults:
        boundary["PermissionsBoundary"] = iam.create_policy(
            PolicyName=f"{name}-boundary", PolicyDocument=allow(["ec2:*", "eks:*", "eks-auth:*"])
        )["Policy"]["Arn"]
    node_role = iam.create_role(
        RoleName=node_role_name,
        AssumeRolePolicyDocument=trust(trusted),
        Path="/dev/" if "node-role-path" in faults else "/",
        **boundary,
    )["Role"]["Arn"]
    dropped = set()
    account = session.client("sts").get_caller_identity()["Account"]
    worker_policy = None
    if "custom-worker-policy" in faults:
        worker_policy = allow(WORKER_ACTIONS)
    elif "worker-policy-scoped" in faults:
        # Least privilege: eks:DescribeCluster on this cluster only.
        worker_policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": WORKER_ACTIONS[:-1], "Resource": "*"},
            {"Effect": "Allow", "Action": "eks:DescribeCluster",
             "Resource": f"arn:aws:eks:{region}:{account}:cluster/{name}"},
        ]})
    elif "worker-policy-source-vpc" in faults:
        # A data perimeter: the node's calls must come through the VPC's endpoints.
        worker_policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": WORKER_ACTIONS, "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceVpc": vpc}}},
        ]})
    if worker_policy is not None:
        dropped.add("missing-worker-node-policy")
        custom = iam.create_policy(PolicyName=f"{name}-worker", PolicyDocument=worker_policy)
        iam.attach_role_policy(RoleName=node_role_name, PolicyArn=custom["Policy"]["Arn"])
    if {"cni-irsa", "cni-pod-identity", "ipv6"} & faults:
        dropped.add("missing-cni-policy")
    node_policies = [policy for policy, fault in WORKER_POLICIES.items()
                     if fault not in faults and fault not in dropped]
    if auto_mode:
        node_policies = AUTO_MODE_NODE_POLICIES
    for policy in node_policies:
        iam.attach_role_policy(
            RoleName=node_role_name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}"
        )
    # The CNI policy for the cluster's IP family, on aws-node's own role when it has one.
    cni_policy = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
    if ipv6 and "ipv6-cni-ipv4-policy" not in faults:
        cni_policy = iam.create_policy(
            PolicyName="AmazonEKS_CNI_IPv6_Policy", Path=f"/{name}/",
            PolicyDocument=allow(
                CNI_IPV6_ACTIONS_2024 if "ipv6-cni-2024-policy" in faults else CNI_IPV6_ACTIONS
            ),
        )["Policy"]["Arn"]
    if ipv6 and not {"cni-irsa", "cni-pod-identity"} & faults:
        iam.attach_role_policy(RoleName=node_role_name, PolicyArn=cni_policy)
    profile_role = node_role_name
    if "wrong-instance-profile" in faults:
        profile_role = f"{name}-other"
        iam.create_role(RoleName=profile_role, AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
    profile = iam.create_instance_profile(InstanceProfileName=f"{name}-node-profile")
    iam.add_role_to_instance_profile(
        InstanceProfileName=f"{name}-node-profile", RoleName=profile_role
    )

    eks.create_cluster(
        name=name,
        version=KUBERNETES,
        roleArn=cluster_role,
        resourcesVpcConfig={
            "subnetIds": private,
            "securityGroupIds": [module["cluster"]] if module else [],
        },
        # EKS takes no service range of an IPv6 cluster: it picks one.
        kubernetesNetworkConfig=(
            {"ipFamily": "ipv6"} if ipv6
            else {"serviceIpv4Cidr": service_cidr, "ipFamily": "ipv4"}
        ),
    )
    cni_role = aws_node_role(iam, name, account, issuer, cni_policy, faults)
    cluster_cidr = service_ipv6_cidr if ipv6 else service_cidr

    def customer_key(disabled):
        """A customer key whose policy lets Auto Scaling use it (not with kms-key-root-only)."""
        account = "123456789012"
        slr = (f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/"
               "AWSServiceRoleForAutoScaling")
        if "kms-key-root-only" in faults:
            # The default key policy, which a key created without one gets (moto's is AWS's):
            # the account's IAM policies decide, and Auto Scaling's role is not named.
            key = kms.create_key()
        else:
            statements = [
                {"Sid": "Root", "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": [slr]},
                 "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
                            "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": [slr]}, "Action": ["kms:CreateGrant"],
                 "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}}},
            ]
            key = kms.create_key(
                Policy=json.dumps({"Version": "2012-10-17", "Statement": statements})
            )
        if "kms-key-grant" in faults:
            kms.create_grant(KeyId=key["KeyMetadata"]["KeyId"], GranteePrincipal=slr,
                             Operations=["Decrypt", "Encrypt", "GenerateDataKey",
                                         "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom",
                                         "ReEncryptTo", "CreateGrant", "DescribeKey"])
        if disabled:
            kms.disable_key(KeyId=key["KeyMetadata"]["KeyId"])
        return key["KeyMetadata"]["Arn"]

    own_images = []

    def own_image(image_name, description):
        """An AMI of the account's, made from an instance as a build pipeline makes one."""
        builder = ec2.run_instances(ImageId=AL2023_X86, InstanceType="m5.large", MinCount=1,
                                    MaxCount=1, SubnetId=public)["Instances"][0]["InstanceId"]
        made = ec2.create_image(InstanceId=builder, Name=image_name,
                                Description=description)["ImageId"]
        ec2.terminate_instances(InstanceIds=[builder])
        own_images.append(made)
        return made

    kms_keys = []
    if "snapshot-key" in faults:
        kms_keys.append(customer_key("kms-key-disabled" in faults))

    launch_template = None
    image = AL2023_X86
    image_snapshot = None
    ami_type = "AL2023_x86_64_STANDARD"
    capacity_type = None
    metadata_options = {}
    if module:
        # The node group module's launch template: its security groups (the node group only,
        # so EKS adds no cluster security group) and IMDSv2 with a hop limit of 1; EKS's AMI and
        # user data.
        module_data = {
            "SecurityGroupIds": [module["node"]],
            "MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                "HttpPutResponseHopLimit": 1},
        }
        launch_template = ec2.create_launch_template(
            LaunchTemplateName=f"{name}-nodes", LaunchTemplateData=module_data,
        )["LaunchTemplate"]
        metadata_options = module_data["MetadataOptions"]
    lt_worlds = {"launch-template", "custom-ami", "kms-key", "bottlerocket", "al2023-custom-ami",
                 "capacity-block"}
    if lt_worlds & faults:
        data = {"MetadataOptions": {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                    "HttpPutResponseHopLimit": 2}}
        if "lt-imds-disabled" in faults:
            data["MetadataOptions"]["HttpEndpoint"] = "disabled"
        config = nodeconfig("someone-else" if "lt-nodeconfig-other-cluster" in faults else name,
                            endpoint, ca, service_cidr)
        user_data = None
        if "custom-ami" in faults:
            data["ImageId"] = AL2023_X86
            if "custom-ami-missing" in faults:
                data["ImageId"] = "ami-00000000000000000"
            if "custom-ami-arm" in faults:
                data["ImageId"] = image = AL2023_ARM
            if "lt-ssm-image" in faults:
                data["ImageId"] = ("resolve:ssm:/aws/service/eks/optimized-ami/"
                                   f"{KUBERNETES}/amazon-linux-2023/x86_64/standard/recommended/image_id")
            user_data = mime(("application/node.eks.aws", config))
            if "custom-ami-no-bootstrap" in faults:
                user_data = "#!/bin/bash\necho no bootstrap\n"
            if "custom-ami-bootstrap-sh" in faults:
                # bootstrap.sh belongs to Amazon Linux 2: on an EKS AL2 AMI.
                data["ImageId"] = image = EKS_AL2
                user_data = f"#!/bin/bash\n/etc/eks/bootstrap.sh {name}\n"
            if "custom-ami-cloud-config" in faults:
                data["ImageId"] = image = EKS_AL2
                user_data = ("#cloud-config\nruncmd:\n"
                             f"  - [/etc/eks/bootstrap.sh, {name}, --apiserver-endpoint, {endpoint},"
                             f" --b64-cluster-ca, '{ca}']\n")
        elif "launch-template" in faults:
            shell = "#!/bin/bash\necho tuning the node\n"
            if "lt-bootstrap-sh" in faults:
                shell = f"#!/bin/bash\n/etc/eks/bootstrap.sh {name}\n"
            user_data = shell if "lt-not-mime" in faults else mime(
                ("application/node.eks.aws", config), ("text/x-shellscript", shell)
            )
        elif "bottlerocket" in faults:
            # terraform-aws-eks v21: the module's launch template, IMDSv2 with a hop limit of 1.
            data["MetadataOptions"]["HttpPutResponseHopLimit"] = 1
            ami_type = "BOTTLEROCKET_x86_64"
            user_data = BOTTLEROCKET_EXTRA_ARGS
            if "bottlerocket-escaped-quotes" in faults:
                user_data += '[settings.motd]\nmotd = "Welcome to \\"production\\""\n'
            if "bottlerocket-mime" in faults:
                user_data = mime(("text/x-shellscript", "#!/bin/bash\necho tuning the node\n"))
            if "bottlerocket-custom-ami" in faults:
                ami_type = "CUSTOM"
                data["ImageId"] = image = own_image(
                    f"bottlerocket-aws-k8s-{KUBERNETES}-x86_64-v1.27.1-6b3c1e9f",
                    f"bottlerocket-aws-k8s-{KUBERNETES}-x86_64-v1.27.1-6b3c1e9f")
                user_data = bottlerocket_settings(
                    name, None if "bottlerocket-custom-ami-no-endpoint" in faults else endpoint,
                    ca, service_cidr) + user_data
        elif "al2023-custom-ami" in faults:
            # terraform-aws-eks v21: an AMI of one's own in the module's launch template.
            data["MetadataOptions"]["HttpPutResponseHopLimit"] = 1
            ami_type = "CUSTOM"
            version = "1.35" if "al2023-ami-newer" in faults else KUBERNETES
            data["ImageId"] = image = own_image(
                f"amazon-eks-al2023-node-{version}-v20261101",
                "EKS-optimized Kubernetes node based on Amazon Linux 2023, "
                f"(k8s: {version}.2, containerd: 2.*)")
            written = endpoint.lower() if "lowercase-endpoint" in faults else endpoint
            cidr_given = service_cidr if "nodeconfig-ipv4-cidr" in faults else cluster_cidr
            cluster_config = nodeconfig(name, written, ca, cidr_given)
            if "al2023-nodeconfig-no-cidr" in faults:
                cluster_config = "\n".join(cluster_config.split("\n")[:-1])
            if "al2023-doc-user-data" in faults:
                user_data = eks_guide_mime(cluster_config)
            else:
                user_data = terraform_al2023_mime(cluster_config)
            if "al2023-bootstrap-sh" in faults:
                user_data = f"#!/bin/bash\n/etc/eks/bootstrap.sh {name}\n"
        elif "capacity-block" in faults:
            # The EKS guide's Capacity Block launch template (capacity-blocks-mng.html).
            data["InstanceMarketOptions"] = {"MarketType": "capacity-block"}
            data["CapacityReservationSpecification"] = {
                "CapacityReservationTarget": {"CapacityReservationId": CAPACITY_BLOCK}}
            capacity_type = "CAPACITY_BLOCK"
        if "lt-instance-profile" in faults:
            data["IamInstanceProfile"] = {"Name": f"{name}-node-profile"}
        if "lt-spot-request" in faults:
            data["InstanceMarketOptions"] = {"MarketType": "spot"}
        if "lt-imds-unset" in faults:
            del data["MetadataOptions"]
        if user_data is not None:
            encoded = user_data.encode()
            if "custom-ami-gzip" in faults:
                encoded = gzip.compress(encoded)
            data["UserData"] = base64.b64encode(encoded).decode()
        if "kms-key" in faults:
            kms_keys.append(customer_key("kms-key-disabled" in faults))
            ebs = {"VolumeSize": 20, "VolumeType": "gp3", "Encrypted": True}
            if "kms-key-default" not in faults:
                ebs["KmsKeyId"] = kms_keys[0]
            data["BlockDeviceMappings"] = [{"DeviceName": "/dev/xvda", "Ebs": ebs}]
            if "kms-second-volume" in faults:
                kms_keys.append(customer_key("kms-second-key-disabled" in faults))
                data["BlockDeviceMappings"].append({"DeviceName": "/dev/xvdb", "Ebs": {
                    "VolumeSize": 100, "VolumeType": "gp3", "Encrypted": True,
                    "KmsKeyId": kms_keys[1]}})
        launch_template = ec2.create_launch_template(
            LaunchTemplateName=f"{name}-nodes", LaunchTemplateData=data
        )["LaunchTemplate"]
        if image != AL2023_X86 and image.startswith("ami-"):
            described = ec2.describe_images(ImageIds=[image])["Images"]
            if described:
                image_snapshot = described[0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
        if "custom-ami" in faults:
            ami_type = "CUSTOM"
        metadata_options = data.get("MetadataOptions") or {}

    nodegroup = "ng-1"
    nodegroup_args = dict(
        clusterName=name,
        nodegroupName=nodegroup,
        subnets=node_subnets,
        nodeRole=node_role,
        scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
        instanceTypes=["m5.large"],
    )
    if launch_template is not None:
        nodegroup_args["launchTemplate"] = {
            "id": launch_template["LaunchTemplateId"],
            "version": str(launch_template["LatestVersionNumber"]),
        }
    nodegroup_args.update(
        amiType=ami_type,
        version=KUBERNETES,
        releaseVersion=f"{KUBERNETES}.0-20261101",
    )
    if capacity_type:
        nodegroup_args["capacityType"] = capacity_type
    if not auto_mode:
        eks.create_nodegroup(**nodegroup_args)
    if "node-role-missing" in faults:
        for policy in iam.list_attached_role_policies(RoleName=node_role_name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=node_role_name, PolicyArn=policy["PolicyArn"])
        iam.remove_role_from_instance_profile(
            InstanceProfileName=f"{name}-node-profile", RoleName=node_role_name
        )
        iam.delete_role(RoleName=node_role_name)

    def launch(subnet, security_groups, profile_arn, instance_tags, template=None, count=1,
               metadata=None):
        extra = {"IamInstanceProfile": {"Arn": profile_arn}} if profile_arn else {}
        if template:
            extra["LaunchTemplate"] = {"LaunchTemplateId": template, "Version": "1"}
        if metadata:
            extra["MetadataOptions"] = metadata
        launched = ec2.run_instances(
            ImageId=image,
            InstanceType="m5.large",
            MinCount=count,
            MaxCount=count,
            SubnetId=subnet,
            SecurityGroupIds=security_groups,
            TagSpecifications=[{"ResourceType": "instance", "Tags": instance_tags}],
            **extra,
        )["Instances"]
        ids = [instance["InstanceId"] for instance in launched]
        # RunInstances gives its profile to every instance it launches; moto to the first only.
        for instance in ids[1:] if profile_arn else []:
            ec2.associate_iam_instance_profile(
                IamInstanceProfile={"Arn": profile_arn}, InstanceId=instance
            )
        return ids

    instances = []
    if auto_mode:
        launch_auto_mode_nodes(iam, name, region, node_role_name, private, cluster_sg, faults, launch)
    elif "no-instances" not in faults:
        profile_arn = None if "instance-without-profile" in faults else profile["InstanceProfile"]["Arn"]
        # Two instances spread over the node subnets, one launch per subnet.
        placement = [node_subnets[index % len(node_subnets)] for index in range(2)]
        for subnet in dict.fromkeys(placement):
            instances += launch(
                subnet,
                node_groups_sg,
                profile_arn,
                tags(nodegroup, **{
                    "eks:cluster-name": name,
                    "eks:nodegroup-name": nodegroup,
                    f"kubernetes.io/cluster/{name}": "owned",
                }),
                count=placement.count(subnet),
                # What the node group's launch template sets, as EC2 applies it.
                metadata={"HttpEndpoint": "disabled"} if "instance-imds-disabled" in faults
                else metadata_options,
            )
        if "instance-stopped" in faults:
            ec2.stop_instances(InstanceIds=instances[:1])

    self_managed = None
    if "self-managed" in faults:
        role_name = f"{name}-self"
        bare = "self-managed-bare-role" in faults
        role_arn = iam.create_role(
            RoleName=role_name,
            AssumeRolePolicyDocument=trust("eks.amazonaws.com" if bare else "ec2.amazonaws.com"),
        )["Role"]["Arn"]
        for policy in [] if bare else ["AmazonEKSWorkerNodePolicy",
                                        "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"]:
            iam.attach_role_policy(RoleName=role_name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
        self_profile = iam.create_instance_profile(InstanceProfileName=f"{name}-self-profile")
        iam.add_role_to_instance_profile(
            InstanceProfileName=f"{name}-self-profile", RoleName=role_name
        )
        subnet = private[0]
        if "self-managed-no-egress" in faults:
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(4), AvailabilityZone=zones[0])[
                "Subnet"
            ]["SubnetId"]
            isolated = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
            ec2.associate_route_table(RouteTableId=isolated, SubnetId=subnet)
        node_tags = {f"kubernetes.io/cluster/{name}": "owned"}
        if "self-managed-karpenter" in faults:
            node_tags = {"karpenter.sh/nodepool": "default", "eks:eks-cluster-name": name}
        if "self-managed-untagged" in faults:
            node_tags = {}
        groups = [cluster_sg]
        if "self-managed-own-sg" in faults:
            groups = [ec2.create_security_group(
                GroupName=f"self-{name}", Description="self-managed nodes", VpcId=vpc
            )["GroupId"]]
        template = None
        if "self-managed-bare-bootstrap" in faults:
            script = f"#!/bin/bash\n/etc/eks/bootstrap.sh {name}\n"
            template = ec2.create_launch_template(
                LaunchTemplateName=f"{name}-self",
                LaunchTemplateData={"UserData": base64.b64encode(script.encode()).decode()},
            )["LaunchTemplate"]["LaunchTemplateId"]
        [instance] = launch(subnet, groups, self_profile["InstanceProfile"]["Arn"],
                            tags(f"{name}-self", **node_tags), template)
        self_managed = {"role_arn": role_arn, "instance": instance, "subnet": subnet,
                        "profile": f"{name}-self-profile"}

    karpenter_node = None
    if module:
        self_managed, karpenter_node = terraform_unmanaged_nodes(
            ec2, iam, name, module["node"], private, launch,
            mime(("application/node.eks.aws", nodeconfig(name, endpoint, ca, service_cidr))),
        )

    karpenter_role = None
    if "karpenter-getting-started" in faults:
        self_managed, karpenter_role = karpenter_getting_started(
            iam, ec2, name, region, account, vpc, cluster_sg, private[0], launch, faults
        )
    if "karpenter-controller" in faults:
        karpenter_role = iam.create_role(
            RoleName=f"{name}-karpenter", AssumeRolePolicyDocument=POD_IDENTITY_TRUST
        )["Role"]["Arn"]
        iam.put_role_policy(
            RoleName=f"{name}-karpenter", PolicyName="KarpenterController",
            PolicyDocument=allow(KARPENTER_ACTIONS),
        )
        spot_service_linked_role(iam)

    if "subnet-unavailable" in faults:
        ec2.delete_subnet(SubnetId=node_subnets[0])

    return {
        "cluster": name,
        "region": region,
        "kubernetes_version": KUBERNETES,
        "endpoint": endpoint,
        "certificate_authority": ca,
        "oidc_issuer": issuer,
        "kms_key_arn": kms_keys[0] if kms_keys else None,
        "kms_keys": kms_keys,
        "own_image": own_images[0] if own_images else None,
        "image_snapshot": image_snapshot,
        "vpc_id": vpc,
        "nat_public_ip": nat_public_ip,
        "cluster_security_group_id": cluster_sg,
        "cluster_role_arn": cluster_role,
        "node_role_arn": node_role,
        "cni_role_arn": cni_role,
        "cni_role_through": "EKS Pod Identity" if "cni-pod-identity" in faults else "IRSA",
        "nodegroup": nodegroup,
        "node_subnets": node_subnets,
        "cluster_subnets": private,
        "instances": instances,
        "self_managed": self_managed,
        "karpenter_node": karpenter_node,
        "service_ipv6_cidr": service_ipv6_cidr,
        "karpenter_role_arn": karpenter_role,
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(json.dumps(build(sys.argv[1], sys.argv[2:])))
