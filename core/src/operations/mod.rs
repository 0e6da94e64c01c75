//! The allow-list of read-only AWS operations a pack may call, with their input members.
//!
//! A check names an operation as `service:Operation`, spelled like its IAM action. Nothing outside
//! this table can be called: that is what makes a pack from another team safe to run. The table
//! is generated from the AWS service models (`cargo xtask codegen`), so `params` are checked
//! against each operation's real member names, types and constraints before anything runs.

mod generated;

use serde_json::Value;

pub use generated::OPERATIONS;

use crate::suggest;
use crate::template::has_expressions;

/// One registered read-only operation.
#[derive(Debug)]
pub struct Operation {
    /// `service:Operation`, e.g. `eks:DescribeCluster`; also the IAM action it needs.
    pub api: &'static str,
    /// The members `params` may set (pagination tokens excluded: ekscheck reads every page).
    pub input: &'static [Member],
    /// The top-level members of the response, each with a short description of its type
    /// (pagination tokens excluded), as `aws … --output json` prints them.
    pub output: &'static [(&'static str, &'static str)],
}

/// A member of an input structure.
#[derive(Debug)]
pub struct Member {
    /// The API's member name, e.g. `SubnetIds`, `clusterName`.
    pub name: &'static str,
    /// Whether the API requires it.
    pub required: bool,
    /// Its type.
    pub shape: &'static Shape,
}

/// The type of an input member, with the model's constraints.
#[derive(Debug)]
pub enum Shape {
    /// Text.
    String,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// A whole number, within bounds when given.
    Integer {
        /// The smallest value allowed.
        min: Option<i64>,
        /// The largest value allowed.
        max: Option<i64>,
    },
    /// A decimal number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An ISO 8601 date and time.
    Timestamp,
    /// A list of values of one shape.
    List(&'static Shape),
    /// A mapping from text to values of one shape.
    Map(&'static Shape),
    /// A structure with these members.
    Structure(&'static [Member]),
}

impl Shape {
    /// The type in words, for people choosing `params` (`ekscheck ops OPERATION`).
    pub fn describe(&self) -> String {
        self.describe_within(0)
    }

    fn describe_within(&self, depth: usize) -> String {
        /// Enumerations longer than this (instance types: hundreds) are shown in part.
        const SHOWN: usize = 12;
        match self {
            Shape::String => "text".to_owned(),
            Shape::Enum(values) if values.len() > SHOWN => format!(
                "one of {}, … ({} values)",
                values[..SHOWN].join(", "),
                values.len()
            ),
            Shape::Enum(values) => format!("one of {}", values.join(", ")),
            Shape::Integer { min, max } => match (min, max) {
                (Some(min), Some(max)) => format!("whole number from {min} to {max}"),
                (Some(min), None) => format!("whole number, at least {min}"),
                (None, Some(max)) => format!("whole number, at most {max}"),
                (None, None) => "whole number".to_owned(),
            },
            Shape::Number => "number".to_owned(),
            Shape::Boolean => "true or false".to_owned(),
            Shape::Timestamp => "date and time (ISO 8601)".to_owned(),
            Shape::List(item) => format!("list of {}", item.describe_within(depth)),
            Shape::Map(value) => format!("mapping of text to {}", value.describe_within(depth)),
            Shape::Structure(_) if depth >= 2 => "{ … }".to_owned(),
            Shape::Structure(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|member| {
                        format!(
                            "{}: {}",
                            member.name,
                            member.shape.describe_within(depth + 1)
                        )
                    })
                    .collect();
                format!("{{ {} }}", members.join(", "))
            }
        }
    }
}

/// `eks:DescribeCluster` → `eks-describe-cluster`: the AWS CLI's words for an operation (the
/// names of recorded files).
pub fn dashed(api: &str) -> String {
    let mut dashed = String::with_capacity(api.len() + 8);
    for c in api.chars() {
        match c {
            ':' => dashed.push('-'),
            c if c.is_ascii_uppercase() => {
                if !dashed.is_empty() && !dashed.ends_with('-') {
                    dashed.push('-');
                }
                dashed.push(c.to_ascii_lowercase());
            }
            c => dashed.push(c),
        }
    }
    dashed
}

/// Finds a registered operation by its `service:Operation` name.
pub fn lookup(api: &str) -> Option<&'static Operation> {
    OPERATIONS
        .binary_search_by(|op| op.api.cmp(api))
        .ok()
        .map(|index| &OPERATIONS[index])
}

/// A problem with the `params` of a call, found before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamProblem {
    /// Where in `params` the problem is: member names and list indexes, outermost first.
    pub(crate) location: Vec<String>,
    /// What is wrong.
    pub(crate) message: String,
    /// How to fix it.
    pub(crate) help: Option<String>,
    /// Whether the problem is the member's name (shown at the key), not its value.
    pub(crate) in_name: bool,
}

/// Checks `params` against the operation's input members. Strings containing `{{` are templates
/// whose value is only known at run time: their type is not checked.
pub(crate) fn check_params(operation: &Operation, params: &Value) -> Vec<ParamProblem> {
    let mut problems = Vec::new();
    let mut checker = Checker {
        api: operation.api,
        path: Vec::new(),
        problems: &mut problems,
    };
    checker.structure(operation.input, params, "params");
    problems
}

struct Checker<'a> {
    api: &'static str,
    path: Vec<String>,
    problems: &'a mut Vec<ParamProblem>,
}

fn is_template(value: &Value) -> bool {
    value.as_str().is_some_and(has_expressions)
}

impl Checker<'_> {
    fn problem(&mut self, message: String, help: Option<String>) {
        self.push(message, help, false);
    }

    /// A problem with a member's name rather than its value.
    fn name_problem(&mut self, message: String, help: Option<String>) {
        self.push(message, help, true);
    }

    fn push(&mut self, message: String, help: Option<String>, in_name: bool) {
        self.problems.push(ParamProblem {
            location: self.path.clone(),
            message,
            help,
            in_name,
        });
    }

    fn structure(&mut self, members: &[Member], value: &Value, what: &str) {
        let Value::Object(entries) = value else {
            if !is_template(value) {
                self.problem(
                    format!("{what} must be a mapping of member names"),
                    Some("write `{ Name: value, … }`".to_owned()),
                );
            }
            return;
        };
        for (name, item) in entries {
            self.path.push(name.clone());
            match members.iter().find(|m| m.name == name) {
                Some(member) => self.value(member.shape, item, name),
                None => {
                    let known = members.iter().map(|m| m.name);
                    let help = if ["NextToken", "nextToken", "Marker"].contains(&name.as_str()) {
                        "ekscheck reads every page of a response itself: remove the token"
                            .to_owned()
                    } else {
                        suggest::did_you_mean(name, known)
                    };
                    let message = if self.path.len() == 1 {
                        format!("`{name}` is not a parameter of {}", self.api)
                    } else {
                        format!("`{name}` is not a member of {what}")
                    };
                    self.name_problem(message, Some(help));
                }
            }
            self.path.pop();
        }
        for member in members.iter().filter(|m| m.required) {
            if !entries.contains_key(member.name) {
                self.problem(
                    format!("{} needs `{}`", self.api, member.name),
                    Some(format!("add `{}: …` to {what}", member.name)),
                );
            }
        }
    }

    fn value(&mut self, shape: &Shape, value: &Value, name: &str) {
        if is_template(value) {
            return;
        }
        let mismatch = |expected: &str| {
            format!(
                "`{name}` must be {expected}, not {}",
                crate::json::type_name(value)
            )
        };
        match shape {
            Shape::String if !value.is_string() => {
                let help = "quote the value".to_owned();
                self.problem(mismatch("text"), Some(help));
            }
            Shape::Enum(allowed) => match value.as_str() {
                Some(text) if allowed.contains(&text) => {}
                Some(text) => {
                    let help = suggest::did_you_mean(text, allowed.iter().copied());
                    self.problem(
                        format!(
                            "`{text}` is not a valid `{name}`: expected one of {}",
                            allowed.join(", ")
                        ),
                        Some(help),
                    );
                }
                None => self.problem(mismatch("text"), None),
            },
            Shape::Integer { min, max } => {
                // A whole number too large for 64 bits is out of any range the API takes.
                let number = value.as_i64().or_else(|| {
                    let whole = value.as_u64().is_some()
                        || value.as_f64().is_some_and(|float| float.fract() == 0.0);
                    whole.then_some(if value.as_f64().is_some_and(|float| float < 0.0) {
                        i64::MIN
                    } else {
                        i64::MAX
                    })
                });
                match number {
                    Some(number) => {
                        let below = number < min.unwrap_or(i64::MIN) || number == i64::MIN;
                        let above = number > max.unwrap_or(i64::MAX) || number == i64::MAX;
                        if below || above {
                            let range = match (min, max) {
                                (Some(min), Some(max)) => format!("from {min} to {max}"),
                                (Some(min), None) => format!("from {min} to {}", i64::MAX - 1),
                                (None, Some(max)) => format!("at most {max}"),
                                (None, None) => {
                                    format!("from {} to {}", i64::MIN + 1, i64::MAX - 1)
                                }
                            };
                            let shown = match value.as_f64() {
                                Some(float) if value.is_f64() => format!("{float:.0}"),
                                _ => value.to_string(),
                            };
                            self.problem(
                                format!("`{name}` is {shown}, but {} takes {range}", self.api),
                                Some(format!("use a value {range}")),
                            );
                        }
                    }
                    None => self.problem(
                        mismatch("a whole number"),
                        Some("write a number without quotes".to_owned()),
                    ),
                }
            }
            Shape::Number if !value.is_number() => {
                self.problem(mismatch("a number"), None);
            }
            Shape::Boolean if !value.is_boolean() => {
                self.problem(
                    mismatch("`true` or `false`"),
                    Some("write true or false without quotes".to_owned()),
                );
            }
            Shape::Timestamp if !value.is_string() => {
                self.problem(mismatch("an ISO 8601 date and time"), None);
            }
            Shape::List(item) => match value {
                Value::Array(items) => {
                    for (index, element) in items.iter().enumerate() {
                        self.path.push(index.to_string());
                        self.value(item, element, name);
                        self.path.pop();
                    }
                }
                _ => self.problem(
                    mismatch("a list"),
                    Some(format!("write `{name}: [ … ]`, even for one item")),
                ),
            },
            Shape::Map(item) => match value {
                Value::Object(entries) => {
                    for (key, element) in entries {
                        self.path.push(key.clone());
                        self.value(item, element, key);
                        self.path.pop();
                    }
                }
                _ => self.problem(mismatch("a mapping"), None),
            },
            Shape::Structure(members) => self.structure(members, value, &format!("`{name}`")),
            Shape::String | Shape::Number | Shape::Boolean | Shape::Timestamp => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(api: &str, params: Value) -> Vec<String> {
        check_params(lookup(api).unwrap(), &params)
            .into_iter()
            .map(|p| format!("{}: {}", p.location.join("."), p.message))
            .collect()
    }

    #[test]
    fn operations_are_dashed_as_the_aws_cli_names_them() {
        assert_eq!(dashed("eks:DescribeCluster"), "eks-describe-cluster");
        assert_eq!(
            dashed("iam:ListAttachedRolePolicies"),
            "iam-list-attached-role-policies"
        );
    }

    #[test]
    fn types_are_described_in_words() {
        let subnets = lookup("ec2:DescribeSubnets").expect("registered");
        let shown: Vec<(&str, String)> = subnets
            .input
            .iter()
            .map(|member| (member.name, member.shape.describe()))
            .collect();
        assert!(shown.contains(&(
            "Filters",
            "list of { Name: text, Values: list of text }".to_owned()
        )));
        assert!(shown.contains(&("MaxResults", "whole number from 5 to 1000".to_owned())));
        assert!(shown.contains(&("DryRun", "true or false".to_owned())));
        assert_eq!(subnets.output, [("Subnets", "list of Subnet")]);
        let many = Shape::Enum(&[
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
        ]);
        assert_eq!(
            many.describe(),
            "one of a, b, c, d, e, f, g, h, i, j, k, l, … (13 values)"
        );
        let nested: &Shape = &Shape::Structure(&[Member {
            name: "A",
            required: false,
            shape: &Shape::Structure(&[Member {
                name: "B",
                required: true,
                shape: &Shape::Structure(&[]),
            }]),
        }]);
        assert_eq!(nested.describe(), "{ A: { B: { … } } }");
    }

    #[test]
    fn the_table_is_sorted_for_lookup() {
        assert!(OPERATIONS.windows(2).all(|w| w[0].api < w[1].api));
        assert!(lookup("eks:DescribeCluster").is_some());
        assert!(lookup("eks:DeleteCluster").is_none());
    }

    /// Read-only operations whose names do not say so, each audited: none of them changes,
    /// creates or deletes anything, or hands out credentials or secrets.
    const READ_ONLY_BY_AUDIT: &[&str] = &["iam:SimulatePrincipalPolicy"];

    /// Operations that only read, but hand out credentials, secrets or data a diagnosis has no
    /// business reading: never on the list, whatever their names say.
    const NEVER: &[&str] = &[
        "ec2:GetPasswordData",
        "ecr:GetAuthorizationToken",
        "eks:DescribeIdentityProviderConfig",
        "iam:GetAccessKeyLastUsed",
        "iam:GetCredentialReport",
        "kms:GetParametersForImport",
        "secretsmanager:GetSecretValue",
        "ssm:GetParameter",
        "sts:GetFederationToken",
        "sts:GetSessionToken",
    ];

    #[test]
    fn the_allow_list_holds_read_only_operations_only() {
        for operation in OPERATIONS {
            let (_, name) = operation.api.split_once(':').expect("service:Operation");
            let reads = ["Describe", "List", "Get"].iter().any(|verb| {
                name.strip_prefix(verb)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            });
            assert!(
                reads || READ_ONLY_BY_AUDIT.contains(&operation.api),
                "{} does not read: it must not be on the allow-list",
                operation.api
            );
            assert!(
                !NEVER.contains(&operation.api),
                "{} hands out secrets",
                operation.api
            );
        }
        for mutating in [
            "ec2:RunInstances",
            "ec2:ModifySubnetAttribute",
            "eks:DeleteCluster",
            "eks:CreateAccessEntry",
            "iam:AttachRolePolicy",
            "iam:PassRole",
            "kms:Decrypt",
            "kms:PutKeyPolicy",
            "autoscaling:SetDesiredCapacity",
            "cloudformation:CreateStack",
            "sts:AssumeRole",
        ] {
            assert!(lookup(mutating).is_none(), "{mutating}");
        }
    }

    #[test]
    fn params_are_checked_against_the_model() {
        assert!(problems("ec2:DescribeSubnets", json!({"SubnetIds": ["subnet-1"]})).is_empty());
        assert_eq!(
            problems("ec2:DescribeSubnets", json!({"SubnetId": "subnet-1"})),
            ["SubnetId: `SubnetId` is not a parameter of ec2:DescribeSubnets"]
        );
        assert_eq!(
            problems("ec2:DescribeSubnets", json!({"SubnetIds": "subnet-1"})),
            ["SubnetIds: `SubnetIds` must be a list, not a string"]
        );
        assert_eq!(
            problems("eks:DescribeCluster", json!({})),
            [": eks:DescribeCluster needs `name`"]
        );
        assert_eq!(
            problems("ec2:DescribeRouteTables", json!({"MaxResults": 1000})),
            ["MaxResults: `MaxResults` is 1000, but ec2:DescribeRouteTables takes from 5 to 100"]
        );
        assert_eq!(
            problems("ec2:DescribeNatGateways", json!({"Filters": []})),
            ["Filters: `Filters` is not a parameter of ec2:DescribeNatGateways"]
        );
        assert_eq!(
            problems(
                "ec2:DescribeVpcAttribute",
                json!({"VpcId": "vpc-1", "Attribute": "dnsSupport"})
            ),
            [
                "Attribute: `dnsSupport` is not a valid `Attribute`: expected one of enableDnsSupport, enableDnsHostnames, enableNetworkAddressUsageMetrics"
            ]
        );
        assert_eq!(
            problems(
                "ec2:DescribeSubnets",
                json!({"Filters": [{"Name": "vpc-id", "Value": ["x"]}]})
            ),
            ["Filters.0.Value: `Value` is not a member of `Filters`"]
        );
        assert!(
            problems(
                "ec2:DescribeSubnets",
                json!({"SubnetIds": "{{nodegroup.nodegroup.subnets}}"})
            )
            .is_empty()
        );
    }
}
