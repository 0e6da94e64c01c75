"""Builds an EKS cluster whose nodes should join, in the AWS emulator, with chosen faults.

    python world.py NAME [FAULT ...]

Everything is named after NAME, so several worlds live side by side in one emulator. The
endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL, AWS_REGION, ...).
Prints a JSON description of what was built, for the fixture layer and the tests.

The healthy world: a VPC with DNS support and hostnames, DHCP options with AmazonProvidedDNS, a
public subnet with an internet gateway and a NAT gateway, two private node subnets routing
0.0.0.0/0 to the NAT gateway, a cluster security group that lets its members talk to each other,
a cluster role trusting eks.amazonaws.com, a node role trusting ec2.amazonaws.com with the three
worker-node policies and an instance profile, the cluster, one node group of two instances.
"""

import json
import sys
import zlib

import boto3

FAULTS = {
    "missing-cni-policy": "the node role lacks AmazonEKS_CNI_Policy",
    "missing-worker-node-policy": "the node role lacks AmazonEKSWorkerNodePolicy",
    "missing-ecr-policy": "the node role lacks AmazonEC2ContainerRegistryReadOnly",
    "trust-without-ec2": "the node role trusts eks.amazonaws.com instead of ec2.amazonaws.com",
    "node-role-missing": "the node role was deleted after the node group was created",
    "no-nat-route": "the node subnets' route table has no default route",
    "private-endpoints": "no default route, but the VPC endpoints of a private cluster",
    "blackhole-route": "the default route points at a deleted NAT gateway",
    "exhausted-subnet": "a node subnet is a /28 that is nearly full",
    "subnet-unavailable": "a node subnet no longer exists",
    "public-subnet-no-public-ip": "the node group uses an IGW-only subnet without auto-assigned public IPs",
    "nacl-blocks-https": "a network ACL on the node subnets denies outbound 443",
    "no-dns-hostnames": "the VPC has enableDnsHostnames off",
    "custom-dns": "the VPC's DHCP options use custom DNS servers",
    "cluster-sg-no-self-rule": "the cluster security group lets nothing in",
    "no-instances": "the node group launched no instances",
    "instance-stopped": "one node instance is stopped",
    "wrong-instance-profile": "the instances run with a profile of another role",
}

WORKER_POLICIES = {
    "AmazonEKSWorkerNodePolicy": "missing-worker-node-policy",
    "AmazonEKS_CNI_Policy": "missing-cni-policy",
    "AmazonEC2ContainerRegistryReadOnly": "missing-ecr-policy",
}


def trust(service):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def tags(name, **extra):
    pairs = {"Name": name, **extra}
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def build(name, faults):
    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        sys.exit(f"unknown faults {unknown}; known: {sorted(FAULTS)}")
    session = boto3.session.Session()
    region = session.region_name
    ec2 = session.client("ec2")
    iam = session.client("iam")
    eks = session.client("eks")
    octet = zlib.crc32(name.encode()) % 200 + 10
    cidr = lambda third, size=24: f"10.{octet}.{third}.0/{size}"

    vpc = ec2.create_vpc(CidrBlock=cidr(0, 16))["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=tags(name))
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(
        VpcId=vpc, EnableDnsHostnames={"Value": "no-dns-hostnames" not in faults}
    )
    servers = ["10.0.0.2"] if "custom-dns" in faults else ["AmazonProvidedDNS"]
    dhcp = ec2.create_dhcp_options(
        DhcpConfigurations=[
            {"Key": "domain-name", "Values": [f"{region}.compute.internal"]},
            {"Key": "domain-name-servers", "Values": servers},
        ]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=dhcp, VpcId=vpc)

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(0))["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)

    first_size = 28 if "exhausted-subnet" in faults else 24
    private = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(1, first_size))["Subnet"]["SubnetId"],
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(2))["Subnet"]["SubnetId"],
    ]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet in private:
        ec2.associate_route_table(RouteTableId=private_rt, SubnetId=subnet)
    without_nat = {"no-nat-route", "private-endpoints"} & set(faults)
    if not without_nat:
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        if "blackhole-route" in faults:
            ec2.delete_nat_gateway(NatGatewayId=nat)
    if "private-endpoints" in faults:
        for service in ["ec2", "ecr.api", "ecr.dkr", "sts"]:
            ec2.create_vpc_endpoint(
                VpcId=vpc,
                ServiceName=f"com.amazonaws.{region}.{service}",
                VpcEndpointType="Interface",
                SubnetIds=private,
                PrivateDnsEnabled=True,
            )
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{region}.s3",
            VpcEndpointType="Gateway",
            RouteTableIds=[private_rt],
        )
    if "nacl-blocks-https" in faults:
        acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        for egress in [True, False]:
            ec2.create_network_acl_entry(
                NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                Egress=egress, CidrBlock="0.0.0.0/0",
            )
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=50, Protocol="6", RuleAction="deny", Egress=True,
            CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443},
        )
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
    if "public-subnet-no-public-ip" in faults:
        bare = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr(3))["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=bare)
        node_subnets = [bare]

    cluster_sg = ec2.create_security_group(
        GroupName=f"eks-cluster-sg-{name}", Description="EKS cluster security group", VpcId=vpc
    )["GroupId"]
    if "cluster-sg-no-self-rule" not in faults:
        ec2.authorize_security_group_ingress(
            GroupId=cluster_sg,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": cluster_sg}]}],
        )

    cluster_role = iam.create_role(
        RoleName=f"{name}-cluster", AssumeRolePolicyDocument=trust("eks.amazonaws.com")
    )["Role"]["Arn"]
    iam.attach_role_policy(
        RoleName=f"{name}-cluster", PolicyArn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    )
    node_role_name = f"{name}-node"
    trusted = "eks.amazonaws.com" if "trust-without-ec2" in faults else "ec2.amazonaws.com"
    node_role = iam.create_role(
        RoleName=node_role_name, AssumeRolePolicyDocument=trust(trusted)
    )["Role"]["Arn"]
    for policy, fault in WORKER_POLICIES.items():
        if fault not in faults:
            iam.attach_role_policy(
                RoleName=node_role_name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}"
            )
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
        version="1.31",
        roleArn=cluster_role,
        resourcesVpcConfig={"subnetIds": private, "securityGroupIds": []},
    )
    nodegroup = "ng-1"
    eks.create_nodegroup(
        clusterName=name,
        nodegroupName=nodegroup,
        subnets=node_subnets,
        nodeRole=node_role,
        scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
        amiType="AL2023_x86_64_STANDARD",
    )
    if "node-role-missing" in faults:
        for policy in iam.list_attached_role_policies(RoleName=node_role_name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=node_role_name, PolicyArn=policy["PolicyArn"])
        iam.remove_role_from_instance_profile(
            InstanceProfileName=f"{name}-node-profile", RoleName=node_role_name
        )
        iam.delete_role(RoleName=node_role_name)

    instances = []
    if "no-instances" not in faults:
        for index in range(2):
            launched = ec2.run_instances(
                ImageId="ami-12c6146b",
                InstanceType="m5.large",
                MinCount=1,
                MaxCount=1,
                SubnetId=node_subnets[index % len(node_subnets)],
                SecurityGroupIds=[cluster_sg],
                IamInstanceProfile={"Arn": profile["InstanceProfile"]["Arn"]},
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": tags(
                            f"{nodegroup}-{index}",
                            **{
                                "eks:cluster-name": name,
                                "eks:nodegroup-name": nodegroup,
                                f"kubernetes.io/cluster/{name}": "owned",
                            },
                        ),
                    }
                ],
            )
            instances.append(launched["Instances"][0]["InstanceId"])
        if "instance-stopped" in faults:
            ec2.stop_instances(InstanceIds=instances[:1])
    if "subnet-unavailable" in faults:
        ec2.delete_subnet(SubnetId=node_subnets[0])

    return {
        "cluster": name,
        "region": region,
        "vpc_id": vpc,
        "cluster_security_group_id": cluster_sg,
        "cluster_role_arn": cluster_role,
        "node_role_arn": node_role,
        "nodegroup": nodegroup,
        "node_subnets": node_subnets,
        "instances": instances,
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(json.dumps(build(sys.argv[1], sys.argv[2:])))
