//! The AWS Organization over the simulated account: its service control policies level by level,
//! from the root through the OUs to the account. A request must be allowed at every level (an
//! SCP at the root does not let an OU below it through), and a `Deny` at any level wins
//! ("SCP evaluation", AWS Organizations User Guide). Organizations attaches `FullAWSAccess` to
//! the root, every OU and every account when SCPs are enabled; the management account and
//! service-linked roles are not affected by SCPs.

use serde_json::{Value, json};

use super::policy::Policy;

/// The AWS managed SCP Organizations attaches at every level.
pub(crate) fn full_aws_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

/// One level of the organization (the root, an OU, or the account) and the SCPs attached to it.
#[derive(Clone, Debug)]
pub(crate) struct Level {
    pub name: String,
    pub policies: Vec<Value>,
}

/// The SCPs over a member account, by level from the root down.
#[derive(Clone, Debug)]
pub(crate) struct Organization {
    pub levels: Vec<Level>,
}

impl Organization {
    /// A member account in an OU under the root, each level with `FullAWSAccess` only: as
    /// Organizations sets it up, it allows everything.
    pub(crate) fn new() -> Self {
        let level = |name: &str| Level {
            name: name.to_owned(),
            policies: vec![full_aws_access()],
        };
        Self {
            levels: vec![level("root"), level("ou"), level("account")],
        }
    }

    /// Attaches `policy` at level `name` (`root`, `ou` or `account`).
    pub(crate) fn attach(mut self, name: &str, policy: Value) -> Self {
        self.level(name).policies.push(policy);
        self
    }

    /// Detaches `FullAWSAccess` from level `name`, as an allow-list strategy does.
    pub(crate) fn detach_full_access(mut self, name: &str) -> Self {
        self.level(name)
            .policies
            .retain(|policy| *policy != full_aws_access());
        self
    }

    fn level(&mut self, name: &str) -> &mut Level {
        self.levels
            .iter_mut()
            .find(|level| level.name == name)
            .unwrap_or_else(|| panic!("the organization has no level {name}"))
    }

    /// The SCPs of each level, parsed.
    pub(crate) fn policies(&self) -> Result<Vec<Vec<Policy>>, String> {
        self.levels
            .iter()
            .map(|level| {
                level
                    .policies
                    .iter()
                    .enumerate()
                    .map(|(index, policy)| {
                        Policy::parse(
                            &format!("scp/{}/{}", level.name, index + 1),
                            &policy.to_string(),
                        )
                    })
                    .collect()
            })
            .collect()
    }
}

/// The SCP of AWS Control Tower's Region deny control (GRREGIONDENY), allowing `regions`: a
/// `Deny` of every action but those of global services (`NotAction`, here the services ekscheck
/// and its tests meet), outside the Regions (`StringNotEquals aws:RequestedRegion`), unless the
/// principal is one of Control Tower's roles (`ArnNotLike aws:PrincipalARN`).
/// <https://docs.aws.amazon.com/controltower/latest/controlreference/primary-region-deny-policy.html>
pub(crate) fn region_deny(regions: &[&str]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GRREGIONDENY",
            "Effect": "Deny",
            "NotAction": [
                "a4b:*", "access-analyzer:*", "account:*", "acm:*", "aws-portal:*", "budgets:*",
                "ce:*", "cloudfront:*", "cloudtrail:LookupEvents", "health:*", "iam:*",
                "organizations:*", "route53:*", "route53domains:*", "s3:GetAccountPublic*",
                "s3:ListAllMyBuckets", "sts:*", "support:*", "trustedadvisor:*", "waf:*",
            ],
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:RequestedRegion": regions},
                "ArnNotLike": {"aws:PrincipalARN": [
                    "arn:*:iam::*:role/AWSControlTowerExecution",
                    "arn:*:iam::*:role/aws-controltower-ConfigRecorderRole",
                    "arn:*:iam::*:role/aws-controltower-ForwardSnsNotificationRole",
                    "arn:*:iam::*:role/AWSAFTExecution",
                ]},
            },
        }],
    })
}
