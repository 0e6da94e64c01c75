//! IAM as the fixture layer answers `iam:SimulatePrincipalPolicy` (moto does not implement it):
//! a model of IAM's evaluation for a principal in one account, held to IAM's documented examples
//! by the table test in `tests.rs`.
//!
//! * `policy`: statements, `Action`/`NotAction` and `Resource`/`NotResource` against the action
//!   and each of `ResourceArns` (default `*`, which only a statement on `*` matches), and where
//!   each statement sits in its document;
//! * `condition`: the condition operators against `ContextEntries`, with `ForAnyValue:`,
//!   `ForAllValues:`, `…IfExists`, `Null`, absent keys;
//! * `context`: the context keys and the policy variables they fill in;
//! * `organization`: the SCPs of each level of an AWS Organization;
//! * `evaluate`: the decision, and the `EvaluationResults` as the API returns them.
//!
//! Left out: resource-based policies, session policies and RCPs (the simulator does not take
//! them for roles); policy variables with a default (`${aws:username, 'x'}`) and the escapes
//! `${*}`, `${?}`, `${$}`; context keys the simulator would fill in itself (none is: a key is
//! present only when `ContextEntries` gives it).
//!
//! SCPs with conditions are evaluated as IAM enforces them, as the simulator does since
//! 2026-07-30 ("The policy simulator evaluates SCPs, including condition keys and resource
//! scoping in deny statements", Testing IAM policies with the IAM policy simulator), and their
//! keys are left out of `MissingContextValues` ("If a missing context key is referenced only by
//! an SCP, that key is not returned for security reasons, but you still receive the decision",
//! How to simulate policies; aws/aws-cli#10525). Before, the simulator did not evaluate them
//! ("The policy simulator doesn't evaluate SCPs that have global conditions": `implicitDeny` with
//! `AllowedByOrganizations: false`, aws/sagemaker-python-sdk#6019).
//!
//! `MissingContextValues` names the keys of every conditioned statement of the policies that
//! apply, not only of the statements that decided the action (boto/boto3#3111,
//! aws/aws-sdk-java-v2#1751): a denial that comes with missing context values does not by itself
//! rest on them. On `*` (no `ResourceArns`) only statements on `*` apply (cloud-custodian#4612).

mod condition;
mod context;
mod evaluate;
mod organization;
mod pattern;
mod policy;
mod tests;

pub(crate) use context::Context;
pub(crate) use evaluate::Principal;
pub(crate) use organization::{Organization, region_deny};
pub(crate) use policy::Policy;
