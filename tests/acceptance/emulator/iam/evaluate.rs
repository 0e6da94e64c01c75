//! IAM's decision for one action on one resource, and `SimulatePrincipalPolicy`'s answer built
//! from those decisions.
//!
//! The decision follows "Policy evaluation logic" (IAM User Guide) for a principal in one
//! account: a `Deny` that applies in any policy wins (`explicitDeny`); otherwise every level of
//! the organization's SCPs, the identity policies (managed and inline) and the permissions
//! boundary must each have an `Allow` that applies, else `implicitDeny`.

use serde_json::{Value, json};

use super::context::Context;
use super::policy::{Effect, Policy, Statement};

/// What IAM evaluates for a principal: its identity policies, its permissions boundary, and the
/// SCPs over its account by level (`None` outside an organization, and for service-linked roles,
/// which SCPs do not affect).
#[derive(Clone, Debug, Default)]
pub(crate) struct Principal {
    pub identity: Vec<Policy>,
    pub boundary: Option<Policy>,
    pub organization: Option<Vec<Vec<Policy>>>,
}

/// The decision for one action on one resource.
#[derive(Clone, Debug, PartialEq)]
struct Decision {
    decision: &'static str,
    /// The statements that decide it, as `MatchedStatements` lists them.
    matched: Vec<Value>,
    /// `AllowedByOrganizations`, in an organization.
    organizations: Option<bool>,
    /// `AllowedByPermissionsBoundary`, with a boundary.
    boundary: Option<bool>,
}

/// How restrictive a decision is: the answer for several resources is the most restrictive.
fn severity(decision: &str) -> u8 {
    match decision {
        "explicitDeny" => 2,
        "implicitDeny" => 1,
        _ => 0,
    }
}

impl Principal {
    fn decide(&self, action: &str, resource: &str, context: &Context) -> Decision {
        let applying = |policies: &[Policy], effect: Effect| -> Vec<(String, Statement)> {
            policies
                .iter()
                .flat_map(|policy| policy.statements.iter().map(move |s| (policy, s)))
                .filter(|(_, s)| s.effect == effect && s.applies(action, resource, context))
                .map(|(policy, s)| (policy.id.clone(), s.clone()))
                .collect()
        };
        let boundary = self.boundary.as_slice();
        let organization = self.organization.as_ref().map(|levels| {
            let denied = levels
                .iter()
                .any(|level| !applying(level, Effect::Deny).is_empty());
            let allowed = levels
                .iter()
                .all(|level| !applying(level, Effect::Allow).is_empty());
            (denied, allowed)
        });
        let organizations = organization.map(|(denied, allowed)| !denied && allowed);
        // "If an Organizations SCP included in the evaluation denies access, the simulation ends"
        // (EvaluationResult, EvalDecisionDetails): no statement nor boundary detail is reported,
        // as in aws-containers/amazon-ecs-exec-checker#70 and aws/sagemaker-python-sdk#6019.
        if let Some((denied, allowed)) = organization
            && (denied || !allowed)
        {
            return Decision {
                decision: if denied {
                    "explicitDeny"
                } else {
                    "implicitDeny"
                },
                matched: Vec::new(),
                organizations,
                boundary: None,
            };
        }
        let boundary_denies = applying(boundary, Effect::Deny);
        let boundary_allows = !applying(boundary, Effect::Allow).is_empty();
        let boundary_detail = self
            .boundary
            .as_ref()
            .map(|_| boundary_denies.is_empty() && boundary_allows);
        let denies: Vec<_> = applying(&self.identity, Effect::Deny)
            .into_iter()
            .chain(boundary_denies)
            .collect();
        let allows = applying(&self.identity, Effect::Allow);
        let (decision, matched) = if !denies.is_empty() {
            ("explicitDeny", denies)
        } else if allows.is_empty() || boundary_detail == Some(false) {
            ("implicitDeny", Vec::new())
        } else {
            ("allowed", allows)
        };
        Decision {
            decision,
            matched: matched
                .iter()
                .map(|(id, s)| matched_statement(id, s))
                .collect(),
            organizations,
            boundary: boundary_detail,
        }
    }

    /// The context keys the identity policies and the permissions boundary read that `context`
    /// lacks (`MissingContextValues`), in the order the policies name them. Like AWS, every
    /// statement of every policy counts, not only those of the simulated action
    /// (boto/boto3#3111, aws/aws-sdk-java-v2#1751); an SCP's keys never do: "If a missing
    /// context key is referenced only by an SCP, that key is not returned for security reasons,
    /// but you still receive the decision" (IAM User Guide, How to simulate policies, 2026).
    fn missing(&self, context: &Context) -> Vec<String> {
        let mut missing: Vec<String> = Vec::new();
        for policy in self.identity.iter().chain(&self.boundary) {
            for key in policy.statements.iter().flat_map(Statement::keys) {
                if context.get(key).is_none()
                    && !missing.iter().any(|k| k.eq_ignore_ascii_case(key))
                {
                    missing.push(key.to_owned());
                }
            }
        }
        missing
    }

    /// The `EvaluationResults` of `SimulatePrincipalPolicy` for `actions` on `resources` (`None`:
    /// the default `*`). One result per action; with resources, its decision is the most
    /// restrictive of theirs and `ResourceSpecificResults` gives each (API reference,
    /// EvaluationResult: "The simulator now returns a single EvaluationResult per action").
    /// `EvalDecisionDetails` is left out: it is for cross-account simulations.
    pub(crate) fn simulate(
        &self,
        actions: &[String],
        resources: Option<&[String]>,
        context: &Context,
    ) -> Vec<Value> {
        let missing = self.missing(context);
        let requested: Vec<&str> = match resources {
            Some(resources) => resources.iter().map(String::as_str).collect(),
            None => vec!["*"],
        };
        actions
            .iter()
            .map(|action| {
                let decisions: Vec<Decision> = requested
                    .iter()
                    .map(|resource| self.decide(action, resource, context))
                    .collect();
                let worst = decisions
                    .iter()
                    .map(|d| d.decision)
                    .max_by_key(|decision| severity(decision))
                    .unwrap_or("implicitDeny");
                let mut matched: Vec<Value> = Vec::new();
                for d in decisions.iter().filter(|d| d.decision == worst) {
                    for statement in &d.matched {
                        if !matched.contains(statement) {
                            matched.push(statement.clone());
                        }
                    }
                }
                let mut result = json!({
                    "EvalActionName": action,
                    "EvalResourceName": requested[0],
                    "EvalDecision": worst,
                    "MatchedStatements": matched,
                    "MissingContextValues": missing,
                });
                if let Some(allowed) = all(decisions.iter().map(|d| d.organizations)) {
                    result["OrganizationsDecisionDetail"] =
                        json!({"AllowedByOrganizations": allowed});
                }
                if let Some(allowed) = all(decisions.iter().map(|d| d.boundary)) {
                    result["PermissionsBoundaryDecisionDetail"] =
                        json!({"AllowedByPermissionsBoundary": allowed});
                }
                if resources.is_some() {
                    let specific: Vec<Value> = requested
                        .iter()
                        .zip(&decisions)
                        .map(|(resource, d)| {
                            let mut specific = json!({
                                "EvalResourceName": resource,
                                "EvalResourceDecision": d.decision,
                                "MatchedStatements": d.matched,
                                "MissingContextValues": missing,
                            });
                            if let Some(allowed) = d.boundary {
                                specific["PermissionsBoundaryDecisionDetail"] =
                                    json!({"AllowedByPermissionsBoundary": allowed});
                            }
                            specific
                        })
                        .collect();
                    result["ResourceSpecificResults"] = json!(specific);
                }
                result
            })
            .collect()
    }
}

/// Whether every one of `details` is true; `None` when none is given.
fn all(details: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    details.fold(None, |acc, detail| match (acc, detail) {
        (acc, None) => acc,
        (None, Some(value)) => Some(value),
        (Some(acc), Some(value)) => Some(acc && value),
    })
}

/// A `MatchedStatements` entry: the policy by name (a managed policy) or by
/// `role_<role>_<policy>` (an inline one), of type `IAM Policy`, as the real API answers
/// (hashicorp/terraform-provider-aws, principal_policy_simulation_data_source_test.go).
fn matched_statement(id: &str, statement: &Statement) -> Value {
    let mut entry = json!({"SourcePolicyId": id, "SourcePolicyType": "IAM Policy"});
    if let Some((start, end)) = statement.span {
        entry["StartPosition"] = json!({"Line": start.line, "Column": start.column});
        entry["EndPosition"] = json!({"Line": end.line, "Column": end.column});
    }
    entry
}
