//! How the fixture layer answers `iam:SimulatePrincipalPolicy`, which moto does not implement:
//! the principal's policy documents, each action decided as IAM decides it, leaving out
//! resources and conditions (the checks simulate actions on `*`): an explicit deny wins, else an
//! allow, else the implicit deny.

use serde_json::Value;

/// The decision of IAM for `action` under `policies`: `allowed`, `explicitDeny` or
/// `implicitDeny`.
pub(super) fn decide(policies: &[Value], action: &str) -> &'static str {
    let statements = || {
        policies
            .iter()
            .flat_map(|policy| match &policy["Statement"] {
                Value::Array(statements) => statements.iter().collect(),
                statement @ Value::Object(_) => vec![statement],
                _ => Vec::new(),
            })
    };
    let covers = |statement: &Value| match (&statement["Action"], &statement["NotAction"]) {
        (Value::Null, not_actions @ (Value::String(_) | Value::Array(_))) => {
            !names(not_actions).iter().any(|p| matches(p, action))
        }
        (actions, _) => names(actions).iter().any(|p| matches(p, action)),
    };
    let with = |effect: &str| statements().filter(|s| s["Effect"] == effect).any(&covers);
    if with("Deny") {
        "explicitDeny"
    } else if with("Allow") {
        "allowed"
    } else {
        "implicitDeny"
    }
}

fn names(value: &Value) -> Vec<&str> {
    match value {
        Value::String(name) => vec![name],
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// IAM's action matching: case-insensitive, `*` any run of characters, `?` one character.
fn matches(pattern: &str, action: &str) -> bool {
    fn go(pattern: &[u8], text: &[u8]) -> bool {
        match (pattern.first(), text.first()) {
            (None, None) => true,
            (Some(b'*'), _) => {
                go(&pattern[1..], text) || (!text.is_empty() && go(pattern, &text[1..]))
            }
            (Some(b'?'), Some(_)) => go(&pattern[1..], &text[1..]),
            (Some(p), Some(t)) if p.eq_ignore_ascii_case(t) => go(&pattern[1..], &text[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

#[test]
fn iam_decides_deny_first_then_allow() {
    let policies = [
        serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}),
        serde_json::json!({"Statement": {"Effect": "Deny", "Action": ["ec2:DescribeTags"], "Resource": "*"}}),
    ];
    assert_eq!(decide(&policies, "ec2:DescribeInstances"), "allowed");
    assert_eq!(decide(&policies, "EC2:describeinstances"), "allowed");
    assert_eq!(decide(&policies, "ec2:DescribeTags"), "explicitDeny");
    assert_eq!(decide(&policies, "ecr:BatchGetImage"), "implicitDeny");
}
