//! The emulator held to IAM: a table of the evaluation examples IAM documents, each a policy set,
//! a request and the answer `SimulatePrincipalPolicy` gives for it.

use serde_json::{Value, json};

use super::organization::{Organization, region_deny};
use super::{Context, Policy, Principal};

/// One documented example.
struct Row {
    /// What the row shows; the URL of the page that documents it is in a comment above it.
    name: &'static str,
    identity: Vec<Value>,
    boundary: Option<Value>,
    organization: Option<Organization>,
    action: &'static str,
    /// `ResourceArns`: `None` is the default `*`.
    resource: Option<&'static str>,
    context: Vec<(&'static str, Vec<&'static str>)>,
    /// `EvalDecision`.
    decision: &'static str,
    /// The `SourcePolicyId`s of `MatchedStatements`.
    matched: Vec<&'static str>,
    missing: Vec<&'static str>,
    /// `OrganizationsDecisionDetail.AllowedByOrganizations`, when present.
    organizations: Option<bool>,
    /// `PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary`, when present.
    boundary_allows: Option<bool>,
}

impl Row {
    fn new(name: &'static str, identity: Vec<Value>, action: &'static str) -> Self {
        Self {
            name,
            identity,
            boundary: None,
            organization: None,
            action,
            resource: None,
            context: Vec::new(),
            decision: "allowed",
            matched: vec!["identity-1"],
            missing: Vec::new(),
            organizations: None,
            boundary_allows: None,
        }
    }

    fn on(mut self, resource: &'static str) -> Self {
        self.resource = Some(resource);
        self
    }

    fn with(mut self, key: &'static str, values: &[&'static str]) -> Self {
        self.context.push((key, values.to_vec()));
        self
    }

    fn boundary(mut self, policy: Value) -> Self {
        self.boundary = Some(policy);
        self
    }

    fn organization(mut self, organization: Organization) -> Self {
        self.organization = Some(organization);
        self
    }

    /// Expects `decision`, decided by the statements of policies `matched`.
    fn gives(mut self, decision: &'static str, matched: &[&'static str]) -> Self {
        self.decision = decision;
        self.matched = matched.to_vec();
        self
    }

    fn missing(mut self, keys: &[&'static str]) -> Self {
        self.missing = keys.to_vec();
        self
    }

    fn organizations(mut self, allowed: bool) -> Self {
        self.organizations = Some(allowed);
        self
    }

    fn boundary_allows(mut self, allowed: bool) -> Self {
        self.boundary_allows = Some(allowed);
        self
    }

    /// The answer of the emulator for the row.
    fn simulate(&self) -> Value {
        let policy = |id: String, document: &Value| {
            let text = serde_json::to_string_pretty(document).expect("JSON");
            Policy::parse(&id, &text).unwrap_or_else(|error| panic!("{}: {error}", self.name))
        };
        let principal = Principal {
            identity: self
                .identity
                .iter()
                .enumerate()
                .map(|(index, document)| policy(format!("identity-{}", index + 1), document))
                .collect(),
            boundary: self
                .boundary
                .as_ref()
                .map(|document| policy("boundary".into(), document)),
            organization: self
                .organization
                .as_ref()
                .map(|organization| organization.policies().expect("SCPs")),
        };
        let context: Vec<(&str, &[&str])> = self
            .context
            .iter()
            .map(|(key, values)| (*key, values.as_slice()))
            .collect();
        let resources = self.resource.map(|resource| vec![resource.to_owned()]);
        let mut results = principal.simulate(
            &[self.action.to_owned()],
            resources.as_deref(),
            &Context::of(&context),
        );
        assert_eq!(results.len(), 1, "{}: one result per action", self.name);
        results.remove(0)
    }
}

fn allow(action: Value, resource: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

fn statement(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

fn administrator() -> Value {
    allow(json!("*"), json!("*"))
}

fn rows() -> Vec<Row> {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    // ("The difference between explicit and implicit denies"): AllowGetList and DenyReports.
    let get_list = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowGetList", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "DenyReports", "Effect": "Deny", "Action": "iam:*Report", "Resource": "*"},
    ]});
    // The same page, "Example identity-based and resource-based policy evaluation": Carlos.
    let carlos = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": ["s3:GetBucketLocation",
         "s3:GetAccountPublicAccessBlock", "s3:ListAccessPoints", "s3:ListAllMyBuckets"],
         "Resource": "arn:aws:s3:::*"},
        {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]},
        {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"},
    ]});
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    let payroll = statement(json!({"Effect": "Deny", "Action": "s3:*", "NotResource": [
        "arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]}));
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    let not_iam = statement(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}));
    // A statement scoped to resources (hashicorp/terraform-provider-aws, the principal policy
    // simulation test): simulated on `*`, it does not apply (cloud-custodian#4612).
    let vpc_scoped = allow(
        json!("ec2:AttachInternetGateway"),
        json!("arn:aws:ec2:*:*:vpc/*"),
    );
    let vpc = "arn:aws:ec2:eu-west-2:111122223333:vpc/vpc-0abc";
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html#access_tags_control-requests:
    // creating only with the allowed tags, and only those tag keys.
    let tagged = statement(
        json!({"Effect": "Allow", "Action": ["iam:CreateUser", "iam:TagUser"],
        "Resource": "*", "Condition": {
            "StringEquals": {"aws:RequestTag/team": ["hr", "finance"]},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}}}),
    );
    let tag_keys_only = statement(
        json!({"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}}}),
    );
    let any_tag_key = statement(
        json!({"Effect": "Allow", "Action": "iam:TagUser", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}}),
    );
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
    let instance_types = statement(json!({"Effect": "Allow", "Action": "ec2:RunInstances",
        "Resource": "*", "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}));
    // The same page, #Conditions_Null: deny unless the credentials are temporary.
    let temporary_only = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:*", "Resource": "*",
         "Condition": {"Null": {"aws:TokenIssueTime": "true"}}},
    ]});
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html:
    // several keys AND, several values OR.
    let departments = statement(
        json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
        "Condition": {
            "StringEqualsIgnoreCase": {"aws:PrincipalTag/department": ["finance", "hr", "legal"],
                                       "aws:PrincipalTag/role": ["audit", "security"]},
            "StringEquals": {"aws:PrincipalAccount": "123456789012"}}}),
    );
    // The same page: negated operators with several values match none of them (NOR).
    let other_accounts = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition":
            {"StringNotEquals": {"aws:PrincipalAccount": ["111122223333", "444455556666"]}}},
    ]});
    // AWS CLI examples, simulate-custom-policy: DateGreaterThan on aws:CurrentTime.
    let after = statement(
        json!({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*",
        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"}}}),
    );
    // reference_policies_elements_condition_operators.html#Conditions_IPAddress and #Conditions_Boolean.
    let from_network = statement(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}}));
    let secure_only = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]});
    // The same page, #Conditions_Numeric and #Conditions_ARN.
    let max_keys = statement(json!({"Effect": "Allow", "Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::example_bucket", "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}));
    let from_topic = statement(
        json!({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*",
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:123456789012:topic-*"}}}),
    );
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    let own_folder = allow(
        json!("s3:*"),
        json!("arn:aws:s3:::bucket/home/${aws:username}/*"),
    );
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html:
    // ShirleyRodriguez's boundary, and XCompanyBoundaries' deny of the logs bucket.
    let shirley = allow(json!(["s3:*", "cloudwatch:*", "ec2:*"]), json!("*"));
    let create_user = allow(json!("iam:CreateUser"), json!("*"));
    let no_logs = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "ServiceBoundaries", "Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"},
        {"Sid": "NoS3LogsBucketAccess", "Effect": "Deny", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]},
    ]});
    // https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html
    let governed = || Organization::new().attach("root", region_deny(&["eu-west-2", "us-east-1"]));
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html:
    // every level must allow; an allow list at an OU without FullAWSAccess lets through only it.
    let ec2_only = || {
        Organization::new()
            .detach_full_access("ou")
            .attach("ou", allow(json!("ec2:*"), json!("*")))
    };
    let control_tower = "arn:aws:iam::111122223333:role/AWSControlTowerExecution";

    vec![
        Row::new("an allowed action", vec![get_list.clone()], "iam:GetUser"),
        Row::new(
            "no statement allows",
            vec![get_list.clone()],
            "iam:CreatePolicy",
        )
        .gives("implicitDeny", &[]),
        Row::new(
            "a deny wins over an allow",
            vec![get_list],
            "iam:GetCredentialReport",
        )
        .gives("explicitDeny", &["identity-1"]),
        Row::new(
            "Carlos may write to his bucket",
            vec![carlos.clone()],
            "s3:PutObject",
        )
        .on("arn:aws:s3:::carlossalazar/notes.txt"),
        Row::new(
            "but not to a bucket named like logs",
            vec![carlos],
            "s3:PutObject",
        )
        .on("arn:aws:s3:::carlossalazar-logs/notes.txt")
        .gives("explicitDeny", &["identity-1"]),
        Row::new(
            "NotResource spares the listed resources",
            vec![administrator(), payroll.clone()],
            "s3:GetObject",
        )
        .on("arn:aws:s3:::HRBucket/Payroll/march.csv"),
        Row::new(
            "NotResource denies every other",
            vec![administrator(), payroll.clone()],
            "s3:GetObject",
        )
        .on("arn:aws:s3:::HRBucket/Interviews/notes.txt")
        .gives("explicitDeny", &["identity-2"]),
        Row::new(
            "NotResource on `*` denies",
            vec![administrator(), payroll],
            "s3:ListAllMyBuckets",
        )
        .gives("explicitDeny", &["identity-2"]),
        Row::new(
            "NotAction allows other services",
            vec![not_iam.clone()],
            "s3:ListAllMyBuckets",
        ),
        Row::new(
            "NotAction does not allow its own",
            vec![not_iam],
            "iam:CreateUser",
        )
        .gives("implicitDeny", &[]),
        Row::new(
            "an allow scoped to ARNs, simulated on `*`",
            vec![vpc_scoped.clone()],
            "ec2:AttachInternetGateway",
        )
        .gives("implicitDeny", &[]),
        Row::new(
            "an allow scoped to ARNs, simulated on one of them",
            vec![vpc_scoped],
            "ec2:AttachInternetGateway",
        )
        .on(vpc),
        Row::new(
            "a tag-conditioned allow with the tag",
            vec![tagged.clone()],
            "iam:CreateUser",
        )
        .with("aws:RequestTag/team", &["hr"])
        .with("aws:TagKeys", &["team"]),
        Row::new(
            "a tag-conditioned allow with another value",
            vec![tagged.clone()],
            "iam:CreateUser",
        )
        .with("aws:RequestTag/team", &["sales"])
        .with("aws:TagKeys", &["team"])
        .gives("implicitDeny", &[]),
        Row::new(
            "a tag-conditioned allow without the tag",
            vec![tagged],
            "iam:CreateUser",
        )
        .gives("implicitDeny", &[])
        .missing(&["aws:RequestTag/team", "aws:TagKeys"]),
        Row::new(
            "ForAllValues holds when the key is absent",
            vec![tag_keys_only.clone()],
            "iam:TagUser",
        )
        .missing(&["aws:TagKeys"]),
        Row::new(
            "ForAllValues holds when the key is empty",
            vec![tag_keys_only.clone()],
            "iam:TagUser",
        )
        .with("aws:TagKeys", &[]),
        Row::new(
            "ForAllValues with one key outside the set",
            vec![tag_keys_only],
            "iam:TagUser",
        )
        .with("aws:TagKeys", &["team", "owner"])
        .gives("implicitDeny", &[]),
        Row::new(
            "ForAnyValue does not hold when the key is absent",
            vec![any_tag_key.clone()],
            "iam:TagUser",
        )
        .gives("implicitDeny", &[])
        .missing(&["aws:TagKeys"]),
        Row::new(
            "ForAnyValue with one key of the set",
            vec![any_tag_key],
            "iam:TagUser",
        )
        .with("aws:TagKeys", &["owner", "team"]),
        Row::new(
            "IfExists holds when the key is absent",
            vec![instance_types.clone()],
            "ec2:RunInstances",
        )
        .missing(&["ec2:InstanceType"]),
        Row::new(
            "IfExists tests the key when present",
            vec![instance_types.clone()],
            "ec2:RunInstances",
        )
        .with("ec2:InstanceType", &["t2.micro"]),
        Row::new(
            "IfExists fails on another value",
            vec![instance_types],
            "ec2:RunInstances",
        )
        .with("ec2:InstanceType", &["m5.large"])
        .gives("implicitDeny", &[]),
        Row::new(
            "Null true holds when the key is absent",
            vec![temporary_only.clone()],
            "ec2:DescribeInstances",
        )
        .gives("explicitDeny", &["identity-1"])
        .missing(&["aws:TokenIssueTime"]),
        Row::new(
            "Null true fails when the key is present",
            vec![temporary_only],
            "ec2:DescribeInstances",
        )
        .with("aws:TokenIssueTime", &["2026-12-01T00:00:00Z"]),
        Row::new(
            "keys AND, values OR, key names ignore case",
            vec![departments.clone()],
            "s3:ListBucket",
        )
        .with("aws:principaltag/Department", &["HR"])
        .with("aws:PrincipalTag/role", &["audit"])
        .with("aws:PrincipalAccount", &["123456789012"]),
        Row::new(
            "one key of several absent",
            vec![departments],
            "s3:ListBucket",
        )
        .with("aws:PrincipalTag/department", &["hr"])
        .with("aws:PrincipalAccount", &["123456789012"])
        .gives("implicitDeny", &[])
        .missing(&["aws:PrincipalTag/role"]),
        Row::new(
            "a negated operator matches none of its values",
            vec![other_accounts.clone()],
            "s3:GetObject",
        )
        .with("aws:PrincipalAccount", &["444455556666"]),
        Row::new(
            "a negated operator on another value",
            vec![other_accounts.clone()],
            "s3:GetObject",
        )
        .with("aws:PrincipalAccount", &["999999999999"])
        .gives("explicitDeny", &["identity-1"]),
        Row::new(
            "a negated operator on an absent key",
            vec![other_accounts],
            "s3:GetObject",
        )
        .gives("explicitDeny", &["identity-1"])
        .missing(&["aws:PrincipalAccount"]),
        Row::new("a date after", vec![after.clone()], "dynamodb:CreateBackup")
            .with("aws:CurrentTime", &["2019-04-25T11:00:00Z"]),
        Row::new("a date before", vec![after], "dynamodb:CreateBackup")
            .with("aws:CurrentTime", &["2014-04-25T11:00:00Z"])
            .gives("implicitDeny", &[]),
        Row::new(
            "an address in the range",
            vec![from_network.clone()],
            "s3:GetObject",
        )
        .with("aws:SourceIp", &["203.0.113.7"]),
        Row::new(
            "an IPv6 address in the range",
            vec![from_network.clone()],
            "s3:GetObject",
        )
        .with("aws:SourceIp", &["2001:db8:1234:5678::1"]),
        Row::new("an address outside", vec![from_network], "s3:GetObject")
            .with("aws:SourceIp", &["198.51.100.1"])
            .gives("implicitDeny", &[]),
        Row::new(
            "Bool denies plain HTTP",
            vec![secure_only.clone()],
            "s3:GetObject",
        )
        .with("aws:SecureTransport", &["false"])
        .gives("explicitDeny", &["identity-1"]),
        Row::new("Bool on HTTPS", vec![secure_only], "s3:GetObject")
            .with("aws:SecureTransport", &["true"]),
        Row::new(
            "a number at the bound",
            vec![max_keys.clone()],
            "s3:ListBucket",
        )
        .on("arn:aws:s3:::example_bucket")
        .with("s3:max-keys", &["10"]),
        Row::new("a number over it", vec![max_keys], "s3:ListBucket")
            .on("arn:aws:s3:::example_bucket")
            .with("s3:max-keys", &["11"])
            .gives("implicitDeny", &[]),
        Row::new(
            "an ARN like the pattern",
            vec![from_topic.clone()],
            "sqs:SendMessage",
        )
        .with(
            "aws:SourceArn",
            &["arn:aws:sns:eu-west-2:123456789012:topic-orders"],
        ),
        Row::new(
            "an ARN of another account",
            vec![from_topic],
            "sqs:SendMessage",
        )
        .with(
            "aws:SourceArn",
            &["arn:aws:sns:eu-west-2:999999999999:topic-orders"],
        )
        .gives("implicitDeny", &[]),
        Row::new(
            "a policy variable filled in",
            vec![own_folder.clone()],
            "s3:GetObject",
        )
        .on("arn:aws:s3:::bucket/home/carlos/notes.txt")
        .with("aws:username", &["carlos"]),
        Row::new(
            "a policy variable without its key",
            vec![own_folder],
            "s3:GetObject",
        )
        .on("arn:aws:s3:::bucket/home/carlos/notes.txt")
        .gives("implicitDeny", &[])
        .missing(&["aws:username"]),
        Row::new(
            "a boundary that does not allow the action",
            vec![create_user],
            "iam:CreateUser",
        )
        .boundary(shirley.clone())
        .gives("implicitDeny", &[])
        .boundary_allows(false),
        Row::new(
            "a boundary that allows the action",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .boundary(shirley)
        .boundary_allows(true),
        Row::new(
            "a boundary that denies",
            vec![administrator()],
            "s3:GetObject",
        )
        .on("arn:aws:s3:::logs/2026/12/01.log")
        .boundary(no_logs)
        .gives("explicitDeny", &["boundary"])
        .boundary_allows(false),
        Row::new(
            "FullAWSAccess at every level allows",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .organization(Organization::new())
        .organizations(true),
        Row::new(
            "an SCP level without an allow",
            vec![administrator()],
            "s3:ListAllMyBuckets",
        )
        .organization(ec2_only())
        .gives("implicitDeny", &[])
        .organizations(false),
        Row::new(
            "an SCP level allow list",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .organization(ec2_only())
        .organizations(true),
        Row::new(
            "region deny without aws:RequestedRegion",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .organization(governed())
        .gives("explicitDeny", &[])
        .organizations(false),
        Row::new(
            "region deny in a governed Region",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .organization(governed())
        .with("aws:RequestedRegion", &["eu-west-2"])
        .organizations(true),
        Row::new(
            "region deny in another Region",
            vec![administrator()],
            "eks:DescribeCluster",
        )
        .organization(governed())
        .with("aws:RequestedRegion", &["ap-south-1"])
        .gives("explicitDeny", &[])
        .organizations(false),
        Row::new(
            "region deny spares global services",
            vec![administrator()],
            "sts:GetCallerIdentity",
        )
        .organization(governed())
        .organizations(true),
        Row::new(
            "region deny spares Control Tower's role",
            vec![administrator()],
            "ec2:DescribeInstances",
        )
        .organization(governed())
        .with("aws:RequestedRegion", &["ap-south-1"])
        .with("aws:PrincipalARN", &[control_tower])
        .organizations(true),
        // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html:
        // "If a missing context key is referenced only by an SCP, that key is not returned for
        // security reasons"; one an identity policy reads too is.
        Row::new(
            "an SCP's own keys are not named missing",
            vec![json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-2"]}},
            }]})],
            "ec2:DescribeInstances",
        )
        .organization(governed())
        .gives("explicitDeny", &[])
        .missing(&["aws:RequestedRegion"])
        .organizations(false),
    ]
}

#[test]
fn the_emulator_decides_iams_documented_examples_as_iam_does() {
    let mut failures = Vec::new();
    for row in rows() {
        let result = row.simulate();
        let matched: Vec<&str> = result["MatchedStatements"]
            .as_array()
            .expect("MatchedStatements")
            .iter()
            .filter_map(|statement| statement["SourcePolicyId"].as_str())
            .collect();
        let actual = (
            result["EvalDecision"].as_str(),
            matched,
            result["MissingContextValues"].clone(),
            result["OrganizationsDecisionDetail"]["AllowedByOrganizations"].as_bool(),
            result["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"].as_bool(),
        );
        let expected = (
            Some(row.decision),
            row.matched.clone(),
            json!(row.missing),
            row.organizations,
            row.boundary_allows,
        );
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {actual:?}",
                row.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The answer's shape, as the API reference describes EvaluationResult and ResourceSpecificResult
/// and as the AWS CLI example of simulate-principal-policy prints it.
#[test]
fn results_have_the_shape_of_the_api() {
    let text = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": {\n        \"Effect\": \"Allow\",\n        \"Action\": \"codecommit:ListRepositories\",\n        \"Resource\": \"*\"\n    }\n}";
    let principal = Principal {
        identity: vec![Policy::parse("Grant-Access-To-CodeCommit-ListRepo", text).expect("policy")],
        ..Principal::default()
    };
    let actions = ["codecommit:ListRepositories".to_owned()];
    let results = principal.simulate(&actions, None, &Context::default());
    assert_eq!(
        results,
        [json!({
            "EvalActionName": "codecommit:ListRepositories",
            "EvalResourceName": "*",
            "EvalDecision": "allowed",
            "MatchedStatements": [{
                "SourcePolicyId": "Grant-Access-To-CodeCommit-ListRepo",
                "SourcePolicyType": "IAM Policy",
                "StartPosition": {"Line": 3, "Column": 19},
                "EndPosition": {"Line": 7, "Column": 6},
            }],
            "MissingContextValues": [],
        })]
    );
    // Several resources: one result for the action, the most restrictive decision, and one
    // ResourceSpecificResult for each.
    let vpc_scoped = allow(
        json!("ec2:AttachInternetGateway"),
        json!("arn:aws:ec2:*:*:vpc/*"),
    );
    let principal = Principal {
        identity: vec![Policy::parse("role_node_ec2", &vpc_scoped.to_string()).expect("policy")],
        ..Principal::default()
    };
    let resources = [
        "arn:aws:ec2:eu-west-2:111122223333:vpc/vpc-1".to_owned(),
        "arn:aws:ec2:eu-west-2:111122223333:subnet/subnet-1".to_owned(),
    ];
    let results = principal.simulate(
        &["ec2:AttachInternetGateway".to_owned()],
        Some(&resources),
        &Context::default(),
    );
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["EvalDecision"], "implicitDeny");
    assert_eq!(result["MatchedStatements"], json!([]));
    let specific: Vec<(&str, &str)> = result["ResourceSpecificResults"]
        .as_array()
        .expect("ResourceSpecificResults")
        .iter()
        .map(|r| {
            (
                r["EvalResourceName"].as_str().unwrap_or_default(),
                r["EvalResourceDecision"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        specific,
        [
            (resources[0].as_str(), "allowed"),
            (resources[1].as_str(), "implicitDeny")
        ]
    );
}
