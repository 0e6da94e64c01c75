//! The emulator held to AWS where moto is known to differ: each test states AWS's documented
//! behaviour and checks what the fixture layer (moto, the proxy and `world.py`) answers.

use ekscheck::network::Cidr;
use serde_json::{Value, json};

use super::iam::Organization;
use super::proxy::{ClusterFixture, Faults, Proxy};
use super::world::World;
use super::{REGION, aws_cli};

/// "AWS-managed prefix lists" (Amazon VPC User Guide): `com.amazonaws.REGION.s3` exists in every
/// Region, owned by AWS, and holds the service's public ranges; a customer-managed list has
/// versions (`ModifyManagedPrefixList` makes the next, `GetManagedPrefixListEntries
/// --target-version` reads an older one); security-group rules reference lists by
/// `PrefixListIds`; a gateway endpoint adds a route to the service's list in the route tables it
/// serves ("Gateway endpoints", AWS PrivateLink). moto 5.2.5 serves all of it (its S3 list
/// holds us-east-1's ranges in every Region: public S3 ranges all the same).
#[test]
fn prefix_lists_resolve_as_on_aws() {
    let proxy = Proxy::start(Faults::default());
    let cli = |args: &[&str]| aws_cli(&proxy.url, args);
    let s3 = format!("com.amazonaws.{REGION}.s3");
    let lists = cli(&[
        "ec2",
        "describe-managed-prefix-lists",
        "--filters",
        &format!("Name=prefix-list-name,Values={s3}"),
    ]);
    let list = &lists["PrefixLists"][0];
    assert_eq!(list["OwnerId"], "AWS", "{lists}");
    assert_eq!(list["AddressFamily"], "IPv4");
    let s3_list = list["PrefixListId"].as_str().expect("the S3 list's id");
    let entries = cli(&[
        "ec2",
        "get-managed-prefix-list-entries",
        "--prefix-list-id",
        s3_list,
    ]);
    let cidrs: Vec<&str> = entries["Entries"]
        .as_array()
        .expect("Entries")
        .iter()
        .filter_map(|entry| entry["Cidr"].as_str())
        .collect();
    assert!(!cidrs.is_empty(), "{entries}");
    let private =
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(|c| Cidr::parse(c).unwrap());
    for cidr in &cidrs {
        let parsed = Cidr::parse(cidr).unwrap_or_else(|| panic!("{cidr} is a network"));
        assert!(!parsed.is_v6(), "{cidr}");
        assert!(
            !private.iter().any(|range| range.contains(&parsed)),
            "{cidr} is public"
        );
    }

    // A customer-managed list, its versions, and a rule that references it.
    let name = format!("corporate-{}", std::process::id());
    let created = cli(&[
        "ec2",
        "create-managed-prefix-list",
        "--prefix-list-name",
        &name,
        "--address-family",
        "IPv4",
        "--max-entries",
        "5",
        "--entries",
        "Cidr=192.0.2.0/24,Description=office",
    ]);
    let corporate = created["PrefixList"]["PrefixListId"]
        .as_str()
        .expect("an id")
        .to_owned();
    cli(&[
        "ec2",
        "modify-managed-prefix-list",
        "--prefix-list-id",
        &corporate,
        "--current-version",
        "1",
        "--add-entries",
        "Cidr=198.51.100.0/24,Description=branch",
    ]);
    let entries = |version: Option<&str>| {
        let mut args = vec![
            "ec2",
            "get-managed-prefix-list-entries",
            "--prefix-list-id",
            &corporate,
        ];
        if let Some(version) = version {
            args.extend(["--target-version", version]);
        }
        cli(&args)["Entries"].clone()
    };
    assert_eq!(
        entries(None),
        json!([{"Cidr": "192.0.2.0/24", "Description": "office"},
               {"Cidr": "198.51.100.0/24", "Description": "branch"}])
    );
    assert_eq!(
        entries(Some("1")),
        json!([{"Cidr": "192.0.2.0/24", "Description": "office"}])
    );
    let described = cli(&[
        "ec2",
        "describe-managed-prefix-lists",
        "--prefix-list-ids",
        &corporate,
    ]);
    assert_eq!(described["PrefixLists"][0]["Version"], 2, "{described}");
    assert_eq!(described["PrefixLists"][0]["MaxEntries"], 5);

    let vpc = cli(&["ec2", "create-vpc", "--cidr-block", "10.250.0.0/16"])["Vpc"]["VpcId"]
        .as_str()
        .expect("a VPC")
        .to_owned();
    let group = cli(&[
        "ec2",
        "create-security-group",
        "--group-name",
        &name,
        "--description",
        "endpoints",
        "--vpc-id",
        &vpc,
    ])["GroupId"]
        .as_str()
        .expect("a group")
        .to_owned();
    let rule = json!([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                       "PrefixListIds": [{"PrefixListId": corporate}]}]);
    cli(&[
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        &group,
        "--ip-permissions",
        &rule.to_string(),
    ]);
    let groups = cli(&["ec2", "describe-security-groups", "--group-ids", &group]);
    let permission = &groups["SecurityGroups"][0]["IpPermissions"][0];
    assert_eq!(
        permission["PrefixListIds"],
        json!([{"PrefixListId": corporate}]),
        "{groups}"
    );

    // The S3 gateway endpoint routes to the S3 list.
    let table = cli(&["ec2", "create-route-table", "--vpc-id", &vpc])["RouteTable"]["RouteTableId"]
        .as_str()
        .expect("a route table")
        .to_owned();
    let endpoint = cli(&[
        "ec2",
        "create-vpc-endpoint",
        "--vpc-id",
        &vpc,
        "--service-name",
        &s3,
        "--vpc-endpoint-type",
        "Gateway",
        "--route-table-ids",
        &table,
    ])["VpcEndpoint"]["VpcEndpointId"]
        .clone();
    let tables = cli(&["ec2", "describe-route-tables", "--route-table-ids", &table]);
    let routes = tables["RouteTables"][0]["Routes"]
        .as_array()
        .expect("routes");
    assert!(
        routes
            .iter()
            .any(|route| route["DestinationPrefixListId"] == s3_list
                && route["GatewayId"] == endpoint),
        "no route to {s3_list} through {endpoint}: {tables}"
    );
}

/// What the fixture layer reports about a world's VPC, instances and key, against AWS:
/// * "DHCP option set concepts" (Amazon VPC User Guide): "Each Region has a default DHCP option
///   set. Each VPC uses the default DHCP option set for its Region unless you either create and
///   associate a custom DHCP option set with the VPC or configure the VPC with no DHCP option
///   set" — domain `REGION.compute.internal` and `AmazonProvidedDNS`; `default` means none.
///   moto gives a new VPC none (`default`): `world.py` associates the Region's default set.
/// * `RunInstances` gives its `IamInstanceProfile` to every instance it launches; moto gives it
///   to the first only: `world.py` associates it with the others.
/// * "Default key policy" (AWS KMS Developer Guide): a key created without a policy gets
///   `key-default-1`, which lets the account's IAM policies decide and names no service role, so
///   Auto Scaling cannot use it for volumes. moto's is the same: `kms-key-root-only` uses it.
#[test]
fn worlds_are_what_aws_would_report() {
    let world = World::build(
        "faithful",
        &["public-subnet-no-public-ip", "kms-key", "kms-key-root-only"],
    );
    let proxy = Proxy::start(Faults::default());
    let cli = |args: &[&str]| aws_cli(&proxy.url, args);

    let vpcs = cli(&["ec2", "describe-vpcs", "--vpc-ids", &world.vpc_id]);
    let options = vpcs["Vpcs"][0]["DhcpOptionsId"]
        .as_str()
        .expect("DhcpOptionsId")
        .to_owned();
    assert!(
        options.starts_with("dopt-"),
        "the Region's default set, not {options}"
    );
    let sets = cli(&[
        "ec2",
        "describe-dhcp-options",
        "--dhcp-options-ids",
        &options,
    ]);
    let mut configuration: Vec<(String, Vec<Value>)> = sets["DhcpOptions"][0]["DhcpConfigurations"]
        .as_array()
        .expect("DhcpConfigurations")
        .iter()
        .map(|c| {
            let values = c["Values"].as_array().expect("Values");
            let values = values.iter().map(|v| v["Value"].clone()).collect();
            (c["Key"].as_str().unwrap_or_default().to_owned(), values)
        })
        .collect();
    configuration.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        configuration,
        [
            (
                "domain-name".to_owned(),
                vec![json!(format!("{REGION}.compute.internal"))]
            ),
            (
                "domain-name-servers".to_owned(),
                vec![json!("AmazonProvidedDNS")]
            ),
        ]
    );
    let other = World::build("faithful-other", &["no-nat-route"]);
    let other_vpcs = cli(&["ec2", "describe-vpcs", "--vpc-ids", &other.vpc_id]);
    assert_eq!(
        other_vpcs["Vpcs"][0]["DhcpOptionsId"], options,
        "one default set per Region"
    );
    let bare = World::build("faithful-bare", &["no-dhcp-options"]);
    let bare_vpcs = cli(&["ec2", "describe-vpcs", "--vpc-ids", &bare.vpc_id]);
    assert_eq!(bare_vpcs["Vpcs"][0]["DhcpOptionsId"], "default");

    // Both node instances sit in the one subnet of this world: one launch of two.
    let mut args = vec!["ec2", "describe-instances", "--instance-ids"];
    args.extend(world.instances.iter().map(String::as_str));
    let reservations = cli(&args);
    let profiles: Vec<&Value> = reservations["Reservations"]
        .as_array()
        .expect("Reservations")
        .iter()
        .flat_map(|r| r["Instances"].as_array().expect("Instances"))
        .map(|instance| &instance["IamInstanceProfile"]["Arn"])
        .collect();
    assert_eq!(profiles.len(), 2, "{reservations}");
    assert!(
        profiles.iter().all(|arn| arn
            .as_str()
            .is_some_and(|a| a.ends_with("/faithful-node-profile"))),
        "every instance has the node profile: {profiles:?}"
    );

    let key = world.kms_key_arn.as_deref().expect("the world's key");
    let policy = cli(&[
        "kms",
        "get-key-policy",
        "--key-id",
        key,
        "--policy-name",
        "default",
    ]);
    let policy: Value =
        serde_json::from_str(policy["Policy"].as_str().expect("a policy")).expect("JSON");
    assert_eq!(
        policy,
        json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "kms:*", "Resource": "*"}]})
    );
}

/// `SimulatePrincipalPolicy` on a role of moto: its inline policy, its permissions boundary
/// (`GetRole`'s `PermissionsBoundary`), the organization's SCPs, `ContextEntries` and
/// `ResourceArns`, answered as the AWS CLI prints it.
#[test]
fn the_simulation_reads_the_role_as_iam_does() {
    let proxy = Proxy::start(Faults::default());
    let cli = |args: &[&str]| aws_cli(&proxy.url, args);
    let name = format!("simulated-{}", std::process::id());
    let boundary = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:*", "eks:*"], "Resource": "*"}]});
    let boundary = cli(&[
        "iam",
        "create-policy",
        "--policy-name",
        &name,
        "--policy-document",
        &boundary.to_string(),
    ])["Policy"]["Arn"]
        .as_str()
        .expect("a policy")
        .to_owned();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = cli(&[
        "iam",
        "create-role",
        "--role-name",
        &name,
        "--assume-role-policy-document",
        &trust.to_string(),
        "--permissions-boundary",
        &boundary,
    ])["Role"]["Arn"]
        .as_str()
        .expect("a role")
        .to_owned();
    let inline = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:RunInstances", "s3:GetObject", "eks:DescribeCluster"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "platform"}}},
        {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]});
    cli(&[
        "iam",
        "put-role-policy",
        "--role-name",
        &name,
        "--policy-name",
        "nodes",
        "--policy-document",
        &inline.to_string(),
    ]);
    let organization = Organization::new().attach("root", super::iam::region_deny(&["eu-west-2"]));
    proxy.set_cluster(
        "simulated",
        ClusterFixture {
            organization: Some(organization),
            ..ClusterFixture::default()
        },
    );
    let simulate = |extra: &[&str]| {
        let mut args = vec![
            "iam",
            "simulate-principal-policy",
            "--policy-source-arn",
            &role,
            "--action-names",
            "ec2:RunInstances",
            "s3:GetObject",
            "ec2:DescribeInstances",
        ];
        args.extend(extra);
        let answer = cli(&args);
        answer["EvaluationResults"]
            .as_array()
            .expect("EvaluationResults")
            .iter()
            .map(|r| {
                (
                    r["EvalActionName"].as_str().unwrap_or_default().to_owned(),
                    r.clone(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let region =
        "ContextKeyName=aws:RequestedRegion,ContextKeyValues=eu-west-2,ContextKeyType=string";
    let tag = "ContextKeyName=aws:RequestTag/team,ContextKeyValues=platform,ContextKeyType=string";
    // No context: the region-deny SCP denies; the keys it lacked are not named (an SCP's never
    // are), those of the role's own policies are.
    let results = simulate(&[]);
    let run = &results["ec2:RunInstances"];
    assert_eq!(run["EvalDecision"], "explicitDeny", "{run}");
    assert_eq!(
        run["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        false
    );
    assert_eq!(run["MissingContextValues"], json!(["aws:RequestTag/team"]));
    // In the Region, with the tag: the inline policy allows, the boundary allows EC2 but not S3.
    let results = simulate(&["--context-entries", region, tag]);
    let run = &results["ec2:RunInstances"];
    assert_eq!(run["EvalDecision"], "allowed", "{run}");
    assert_eq!(
        run["MatchedStatements"][0]["SourcePolicyId"],
        format!("role_{name}_nodes")
    );
    assert_eq!(
        run["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        true
    );
    assert_eq!(run["MissingContextValues"], json!([]));
    let get = &results["s3:GetObject"];
    assert_eq!(get["EvalDecision"], "implicitDeny", "{get}");
    assert_eq!(
        get["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
    // On resources: one result per action, one resource-specific result per resource.
    let instance = "arn:aws:ec2:eu-west-2:123456789012:instance/i-0abc";
    let image = "arn:aws:ec2:eu-west-2::image/ami-0abc";
    let results = simulate(&[
        "--context-entries",
        region,
        "--resource-arns",
        instance,
        image,
    ]);
    let describe = &results["ec2:DescribeInstances"];
    assert_eq!(describe["EvalDecision"], "allowed", "{describe}");
    let specific: Vec<&Value> = describe["ResourceSpecificResults"]
        .as_array()
        .expect("ResourceSpecificResults")
        .iter()
        .map(|r| &r["EvalResourceName"])
        .collect();
    assert_eq!(specific, [instance, image]);
    assert_eq!(results["ec2:RunInstances"]["EvalDecision"], "implicitDeny");
}
