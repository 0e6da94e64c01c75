//! Parity: for every registered operation the emulator supports, ekscheck's live backend returns
//! exactly the document `aws <service> <command> --output json` prints for the same call against
//! the same emulator (through the same fixture layer).

use ekscheck::execute::call_key;
use serde_json::{Value, json};

use crate::emulator::proxy::{Faults, Proxy};
use crate::emulator::world::World;
use crate::emulator::{Emulator, aws_cli, cli_command};
use crate::live::record;

/// Where two documents differ, as `path: left != right` lines.
fn differences(path: &str, left: &Value, right: &Value, out: &mut Vec<String>) {
    match (left, right) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let (x, y) = (a.get(key), b.get(key));
                match (x, y) {
                    (Some(x), Some(y)) => differences(&format!("{path}.{key}"), x, y, out),
                    _ => out.push(format!("{path}.{key}: {x:?} != {y:?}")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (index, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{index}]"), x, y, out);
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} != {b}")),
        _ => {}
    }
}

#[test]
fn every_operation_returns_what_the_aws_cli_prints() {
    // An emulator of its own: listing operations (ListClusters) see what concurrent tests create.
    let emulator = Emulator::start();
    let proxy = Proxy::start_in(&emulator, Faults::default());
    let world = World::build_in(&emulator, "parity", &[]);
    // What moto lacks and the fixture layer answers: an add-on (the world's vpc-cni), a Pod
    // Identity association, a failed scaling activity, VPC Block Public Access, the default EBS
    // key.
    let mut fixture = world.fixture();
    fixture.pod_identity_associations = vec![json!({
        "clusterName": world.cluster,
        "namespace": "kube-system",
        "serviceAccount": "aws-node",
        "roleArn": world.node_role_arn,
        "associationArn": format!(
            "arn:aws:eks:{}:123456789012:podidentityassociation/{}/a-0123456789abcdef0",
            world.region, world.cluster
        ),
        "associationId": "a-0123456789abcdef0",
        "tags": {},
        "createdAt": 1_767_323_045.5,
        "modifiedAt": 1_767_323_045.5,
        "ownerArn": ""
    })];
    fixture.scaling_activities.insert(
        "parity-asg".into(),
        vec![json!({
            "ActivityId": "5e3c1f7a-0c2d-4b8e-9f3a-2d1e4c5b6a70",
            "AutoScalingGroupName": "parity-asg",
            "Description": "Launching a new EC2 instance.  Status Reason: We currently do not have sufficient m5.large capacity.",
            "Cause": "At 2026-11-27T09:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 1.",
            "StartTime": "2026-11-27T09:00:05.123Z",
            "EndTime": "2026-11-27T09:00:06Z",
            "StatusCode": "Failed",
            "StatusMessage": "We currently do not have sufficient m5.large capacity.",
            "Progress": 100,
            "Details": "{\"Subnet ID\":\"subnet-1\"}"
        })],
    );
    // The console of one instance as the fixture layer serves it, bytes that are not UTF-8 and
    // Windows line ends included (the AWS CLI replaces what it cannot decode); the other's is
    // moto's.
    fixture.console_outputs = [(
        world.instances[0].clone(),
        b"[  OK  ] Started containerd.\r\nFailed to start \xe2\x80\xa6 \xff\xfe\r\n".to_vec(),
    )]
    .into();
    // VPC Block Public Access on, with one subnet excluded.
    fixture.block_public_access = Some((
        "block-bidirectional".into(),
        vec![json!({
            "ExclusionId": "exclusion-0123456789abcdef0",
            "InternetGatewayExclusionMode": "allow-egress",
            "ResourceArn": format!(
                "arn:aws:ec2:{}:123456789012:subnet/{}",
                world.region, world.node_subnets[0]
            ),
            "State": "create-complete",
            "CreationTimestamp": "2026-11-27T09:00:05.123Z",
            "LastUpdateTimestamp": "2026-11-27T09:00:06Z"
        })],
    ));
    fixture.ebs_default_kms_key = Some(format!(
        "arn:aws:kms:{}:123456789012:key/0c1f6f3e-1f5a-4f7e-9d2c-5b8a7e6d4c3b",
        world.region
    ));
    // The account's EC2 settings and a capacity reservation, which moto lacks.
    fixture.ec2_account.instance_metadata_defaults = Some(json!({
        "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled",
        "instanceMetadataTags": "disabled", "managedBy": "account", "httpTokensEnforced": "enabled"
    }));
    fixture.ec2_account.allowed_images = Some(json!({
        "state": "enabled",
        "imageCriterionSet": [
            {"imageProviderSet": ["amazon", "123456789012"]},
            {"imageNameSet": ["amazon-eks-*"], "creationDateCondition": {"maximumDaysSinceCreated": 300}}
        ],
        "managedBy": "account"
    }));
    fixture.ec2_account.capacity_reservations = vec![json!({
        "capacityReservationId": "cr-0123456789abcdef0",
        "ownerId": "123456789012",
        "capacityReservationArn": format!(
            "arn:aws:ec2:{}:123456789012:capacity-reservation/cr-0123456789abcdef0", world.region
        ),
        "availabilityZoneId": "euw2-az2",
        "instanceType": "p5.48xlarge",
        "instancePlatform": "Linux/UNIX",
        "availabilityZone": format!("{}a", world.region),
        "tenancy": "default",
        "totalInstanceCount": 2,
        "availableInstanceCount": 0,
        "ebsOptimized": true,
        "ephemeralStorage": false,
        "state": "active",
        "startDate": "2026-11-27T11:30:00.000Z",
        "endDate": "2026-11-28T11:30:00.000Z",
        "endDateType": "limited",
        "instanceMatchCriteria": "targeted",
        "createDate": "2026-11-20T09:00:00.000Z",
        "tagSet": [{"key": "team", "value": "ml"}],
        "reservationType": "capacity-block",
        "capacityBlockId": "cb-0123456789abcdef0"
    })];
    let cli = |args: &[&str]| aws_cli(&proxy.url, args);
    // The snapshot an AMI is made with, encrypted (moto cannot encrypt it).
    let described = cli(&["ec2", "describe-images", "--image-ids", "ami-12c6146b"]);
    let snapshot = described["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
        .as_str()
        .expect("the AMI's snapshot")
        .to_owned();
    fixture.ec2_account.encrypted_snapshots.insert(
        snapshot.clone(),
        format!(
            "arn:aws:kms:{}:123456789012:key/0c1f6f3e-1f5a-4f7e-9d2c-5b8a7e6d4c3b",
            world.region
        ),
    );
    proxy.set_cluster(&world.cluster, fixture);
    // State the world does not have: a launch template, an inline policy, a Fargate profile.
    let template = cli(&[
        "ec2",
        "create-launch-template",
        "--launch-template-name",
        "parity-lt",
        "--launch-template-data",
        r#"{"ImageId":"ami-12c6146b","InstanceType":"m5.large","MetadataOptions":{"HttpTokens":"required"}}"#,
    ]);
    let template_id = template["LaunchTemplate"]["LaunchTemplateId"]
        .as_str()
        .unwrap()
        .to_owned();
    let node_role = world.node_role_arn.rsplit('/').next().unwrap().to_owned();
    cli(&[
        "iam",
        "put-role-policy",
        "--role-name",
        &node_role,
        "--policy-name",
        "inline",
        "--policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}"#,
    ]);
    cli(&[
        "eks",
        "create-fargate-profile",
        "--cluster-name",
        &world.cluster,
        "--fargate-profile-name",
        "parity-fp",
        "--pod-execution-role-arn",
        &world.cluster_role_arn,
        "--selectors",
        "namespace=kube-system",
    ]);
    // A policy of its own: the attachment count of a managed policy changes as other tests run.
    let policy = cli(&[
        "iam",
        "create-policy",
        "--policy-name",
        "parity-policy",
        "--policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:DescribeCluster","Resource":"*"}]}"#,
    ]);
    let policy_arn = policy["Policy"]["Arn"].as_str().unwrap().to_owned();
    let version = policy["Policy"]["DefaultVersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    // The IAM OIDC provider of the cluster's issuer, as `eksctl utils associate-iam-oidc-provider`
    // creates it.
    cli(&[
        "iam",
        "create-open-id-connect-provider",
        "--url",
        "https://oidc.eks.eu-west-2.amazonaws.com/id/5C5E5B6F0E8C4A1B9D2F3E4A5B6C7D8E",
        "--client-id-list",
        "sts.amazonaws.com",
        "--thumbprint-list",
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    ]);
    // A managed prefix list of the account's own.
    let prefix_list = cli(&[
        "ec2",
        "create-managed-prefix-list",
        "--prefix-list-name",
        "parity-corporate",
        "--address-family",
        "IPv4",
        "--max-entries",
        "5",
        "--entries",
        "Cidr=10.0.0.0/8,Description=corporate",
        "Cidr=192.168.0.0/16",
    ]);
    let prefix_list_id = prefix_list["PrefixList"]["PrefixListId"]
        .as_str()
        .unwrap()
        .to_owned();
    // EBS encryption by default, on.
    cli(&["ec2", "enable-ebs-encryption-by-default"]);
    // A KMS key.
    let key = cli(&[
        "kms",
        "create-key",
        "--description",
        "ekscheck parity",
        "--tags",
        "TagKey=team,TagValue=ekscheck",
    ]);
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    // A grant on it, as the Auto Scaling guide gives one to its service-linked role.
    cli(&[
        "kms",
        "create-grant",
        "--key-id",
        &key_id,
        "--grantee-principal",
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "--operations",
        "Decrypt",
        "CreateGrant",
    ]);
    // An Auto Scaling group launched from the launch template into a node subnet.
    cli(&[
        "autoscaling",
        "create-auto-scaling-group",
        "--auto-scaling-group-name",
        "parity-asg",
        "--launch-template",
        &format!("LaunchTemplateId={template_id},Version=$Latest"),
        "--min-size",
        "1",
        "--max-size",
        "2",
        "--desired-capacity",
        "1",
        "--vpc-zone-identifier",
        &world.node_subnets[0],
        "--tags",
        "Key=team,Value=ekscheck,PropagateAtLaunch=true",
    ]);
    // A CloudFormation stack from a minimal template.
    cli(&[
        "cloudformation",
        "create-stack",
        "--stack-name",
        "parity-stack",
        "--template-body",
        r#"{"Parameters":{"Name":{"Type":"String"}},"Resources":{"Topic":{"Type":"AWS::SNS::Topic","Properties":{"TopicName":{"Ref":"Name"}}}},"Outputs":{"TopicArn":{"Value":{"Ref":"Topic"},"Description":"the topic"}}}"#,
        "--parameters",
        "ParameterKey=Name,ParameterValue=parity-topic",
        "--tags",
        "Key=team,Value=ekscheck",
    ]);
    let image = "ami-12c6146b";
    let vpc_filter = json!([{"Name": "vpc-id", "Values": [world.vpc_id]}]);
    let cases: Vec<(&str, Value)> = vec![
        ("eks:DescribeCluster", json!({"name": world.cluster})),
        ("eks:ListClusters", json!({})),
        ("eks:ListNodegroups", json!({"clusterName": world.cluster})),
        (
            "eks:DescribeNodegroup",
            json!({"clusterName": world.cluster, "nodegroupName": world.nodegroup}),
        ),
        (
            "eks:ListAccessEntries",
            json!({"clusterName": world.cluster}),
        ),
        (
            "eks:DescribeAccessEntry",
            json!({"clusterName": world.cluster, "principalArn": world.node_role_arn}),
        ),
        (
            "eks:ListAssociatedAccessPolicies",
            json!({"clusterName": world.cluster, "principalArn": world.node_role_arn}),
        ),
        (
            "eks:ListFargateProfiles",
            json!({"clusterName": world.cluster}),
        ),
        (
            "eks:DescribeFargateProfile",
            json!({"clusterName": world.cluster, "fargateProfileName": "parity-fp"}),
        ),
        (
            "ec2:DescribeInstances",
            json!({"InstanceIds": world.instances}),
        ),
        (
            "ec2:DescribeInstanceStatus",
            json!({"InstanceIds": world.instances, "IncludeAllInstances": true}),
        ),
        ("ec2:DescribeSubnets", json!({"Filters": vpc_filter})),
        ("ec2:DescribeVpcs", json!({"VpcIds": [world.vpc_id]})),
        (
            "ec2:DescribeVpcAttribute",
            json!({"VpcId": world.vpc_id, "Attribute": "enableDnsHostnames"}),
        ),
        ("ec2:DescribeRouteTables", json!({"Filters": vpc_filter})),
        (
            "ec2:DescribeSecurityGroups",
            json!({"GroupIds": [world.cluster_security_group_id]}),
        ),
        (
            "ec2:DescribeSecurityGroupRules",
            json!({"Filters": [{"Name": "group-id", "Values": [world.cluster_security_group_id]}]}),
        ),
        ("ec2:DescribeNetworkAcls", json!({"Filters": vpc_filter})),
        ("ec2:DescribeNatGateways", json!({"Filter": vpc_filter})),
        (
            "ec2:DescribeInternetGateways",
            json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [world.vpc_id]}]}),
        ),
        ("ec2:DescribeVpcEndpoints", json!({"Filters": vpc_filter})),
        ("ec2:DescribeDhcpOptions", json!({})),
        (
            "ec2:DescribeLaunchTemplateVersions",
            json!({"LaunchTemplateId": template_id}),
        ),
        ("ec2:DescribeImages", json!({"ImageIds": [image]})),
        ("ec2:DescribeSnapshots", json!({"SnapshotIds": [snapshot]})),
        (
            "ec2:DescribeInstanceTypes",
            json!({"InstanceTypes": ["m5.large", "t3.micro"]}),
        ),
        (
            "ec2:DescribeInstanceTypeOfferings",
            json!({"LocationType": "availability-zone", "Filters": [{"Name": "instance-type", "Values": ["m5.large"]}]}),
        ),
        ("ec2:GetEbsEncryptionByDefault", json!({})),
        (
            "ec2:GetConsoleOutput",
            json!({"InstanceId": world.instances[0], "Latest": true}),
        ),
        (
            "ec2:GetConsoleOutput",
            json!({"InstanceId": world.instances[1]}),
        ),
        (
            "ec2:GetManagedPrefixListEntries",
            json!({"PrefixListId": prefix_list_id}),
        ),
        ("iam:GetRole", json!({"RoleName": node_role})),
        (
            "iam:ListAttachedRolePolicies",
            json!({"RoleName": node_role}),
        ),
        ("iam:ListRolePolicies", json!({"RoleName": node_role})),
        (
            "iam:GetRolePolicy",
            json!({"RoleName": node_role, "PolicyName": "inline"}),
        ),
        (
            "iam:GetInstanceProfile",
            json!({"InstanceProfileName": format!("{}-node-profile", world.cluster)}),
        ),
        (
            "iam:ListInstanceProfilesForRole",
            json!({"RoleName": node_role}),
        ),
        ("iam:ListOpenIDConnectProviders", json!({})),
        ("iam:GetPolicy", json!({"PolicyArn": policy_arn})),
        (
            "iam:GetPolicyVersion",
            json!({"PolicyArn": policy_arn, "VersionId": version}),
        ),
        ("sts:GetCallerIdentity", json!({})),
        ("kms:DescribeKey", json!({"KeyId": key_id})),
        ("kms:ListGrants", json!({"KeyId": key_id})),
        // AWS defaults `PolicyName` to `default`; moto requires it.
        (
            "kms:GetKeyPolicy",
            json!({"KeyId": key_id, "PolicyName": "default"}),
        ),
        (
            "autoscaling:DescribeAutoScalingGroups",
            json!({"AutoScalingGroupNames": ["parity-asg"]}),
        ),
        // moto answers every DescribeScalingActivities with no activity: the fixture layer
        // has one for this group.
        (
            "autoscaling:DescribeScalingActivities",
            json!({"AutoScalingGroupName": "parity-asg"}),
        ),
        (
            "cloudformation:DescribeStacks",
            json!({"StackName": "parity-stack"}),
        ),
        (
            "cloudformation:DescribeStackEvents",
            json!({"StackName": "parity-stack"}),
        ),
        // Answered by the fixture layer.
        (
            "eks:DescribeAddon",
            json!({"clusterName": world.cluster, "addonName": "vpc-cni"}),
        ),
        ("eks:ListAddons", json!({"clusterName": world.cluster})),
        (
            "eks:ListPodIdentityAssociations",
            json!({"clusterName": world.cluster}),
        ),
        (
            "eks:DescribePodIdentityAssociation",
            json!({"clusterName": world.cluster, "associationId": "a-0123456789abcdef0"}),
        ),
        ("ec2:GetEbsDefaultKmsKeyId", json!({})),
        ("ec2:DescribeVpcBlockPublicAccessOptions", json!({})),
        ("ec2:DescribeVpcBlockPublicAccessExclusions", json!({})),
        ("ec2:GetInstanceMetadataDefaults", json!({})),
        ("ec2:GetAllowedImagesSettings", json!({})),
        (
            "ec2:DescribeCapacityReservations",
            json!({"CapacityReservationIds": ["cr-0123456789abcdef0"]}),
        ),
        (
            "iam:SimulatePrincipalPolicy",
            json!({
                "PolicySourceArn": world.node_role_arn,
                "ActionNames": ["eks:DescribeCluster", "ec2:DescribeInstances", "s3:GetObject"]
            }),
        ),
    ];
    let not_in_emulator = [
        (
            "eks:DescribeUpdate",
            json!({"name": world.cluster, "updateId": "b5f0ba18-9a87-4450-b5a0-825e6e84496f"}),
        ),
        ("eks:ListUpdates", json!({"name": world.cluster})),
    ];
    // Every registered operation is compared, or shown to be missing from the emulator and the
    // fixture layer (moto 5.2.5 answers HTTP 404 for these: there is nothing to compare).
    let all: Vec<(&str, Value)> = cases
        .iter()
        .cloned()
        .chain(not_in_emulator.iter().cloned())
        .collect();
    let mut covered: Vec<&str> = all.iter().map(|(api, _)| *api).collect();
    covered.sort_unstable();
    covered.dedup();
    let registered: Vec<&str> = ekscheck::operations::OPERATIONS
        .iter()
        .map(|op| op.api)
        .collect();
    assert_eq!(
        covered, registered,
        "each registered operation needs a parity case"
    );
    let recorded = record(&proxy, &all);
    // A KMS key policy is JSON text and stays text, as the CLI prints it: only IAM's policy
    // documents are decoded and parsed.
    let key_policy = json!({"KeyId": key_id, "PolicyName": "default"});
    let policy = &recorded[&call_key("kms:GetKeyPolicy", &key_policy)]["response"]["Policy"];
    assert!(
        policy
            .as_str()
            .is_some_and(|text| text.contains("\"Statement\"")),
        "the key policy is a JSON string: {policy}"
    );
    // The CLI takes a second to start: ask it about several calls at once.
    let printed: Vec<Value> = std::thread::scope(|scope| {
        let cli = &cli;
        let handles: Vec<_> = cases
            .iter()
            .map(|(api, params)| {
                scope.spawn(move || {
                    let (service, operation) = api.split_once(':').unwrap();
                    let input = params.to_string();
                    cli(&[service, &cli_command(operation), "--cli-input-json", &input])
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the CLI ran"))
            .collect()
    });
    let mut failures = Vec::new();
    for ((api, params), expected) in cases.iter().zip(&printed) {
        assert!(
            expected.as_object().is_some_and(|o| !o.is_empty()),
            "{api}: the CLI printed an empty document; the parity case proves nothing"
        );
        let actual = &recorded[&call_key(api, params)];
        let Some(actual) = actual.get("response") else {
            failures.push(format!(
                "{api} {params}: ekscheck's call failed: {}",
                actual["error"]
            ));
            continue;
        };
        let mut diff = Vec::new();
        differences("$", actual, expected, &mut diff);
        // moto stamps each console output with the time it answers: the two calls differ there.
        diff.retain(|line| !(*api == "ec2:GetConsoleOutput" && line.starts_with("$.Timestamp:")));
        if !diff.is_empty() {
            failures.push(format!("{api} {params}:\n  {}", diff.join("\n  ")));
        }
    }
    for (api, params) in &not_in_emulator {
        let error = &recorded[&call_key(api, params)]["error"];
        if error.is_null() {
            failures.push(format!(
                "{api} works in the emulator now: give it a parity case"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "ekscheck (left) and the AWS CLI (right) differ:\n{}",
        failures.join("\n")
    );
}
