//! The emulator held to AWS where moto is known to differ: each test states AWS's documented
//! behaviour and checks what the fixture layer (moto, the proxy and `world.py`) answers.

use serde_json::{Value, json};

use super::aws_cli;
use super::iam::Organization;
use super::proxy::{ClusterFixture, Faults, Proxy};

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
    // No context: the region-deny SCP denies, and names the keys it lacked.
    let results = simulate(&[]);
    let run = &results["ec2:RunInstances"];
    assert_eq!(run["EvalDecision"], "explicitDeny", "{run}");
    assert_eq!(
        run["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        false
    );
    assert_eq!(
        run["MissingContextValues"],
        json!([
            "aws:RequestTag/team",
            "aws:RequestedRegion",
            "aws:PrincipalARN"
        ])
    );
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
    assert_eq!(run["MissingContextValues"], json!(["aws:PrincipalARN"]));
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
