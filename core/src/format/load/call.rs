//! Decoding calls: an AWS operation with its `params`, or a computed `value`; `for_each` and
//! its row label; a call's `when`.

use serde_json::Value;

use super::Loader;
use crate::diagnostic::Diagnostic;
use crate::format::model::{Assertion, Call, CallSource, ForEach};
use crate::format::raw;
use crate::format::yaml::{Node, Spanned, descend, key_of};
use crate::operations::{self, OPERATIONS};
use crate::suggest;
use crate::template::TemplatedValue;

impl Loader<'_> {
    /// The calls that loaded, and the names of those that had errors.
    pub(super) fn calls(&mut self, calls: &raw::Entries<raw::Call>) -> (Vec<Call>, Vec<String>) {
        let mut loaded = Vec::new();
        let mut unloaded = Vec::new();
        for (name, call) in &calls.0 {
            match self.call(name, &call.value) {
                Some(call) => loaded.push(call),
                None => unloaded.push(name.value.clone()),
            }
        }
        (loaded, unloaded)
    }

    fn call(&mut self, name: &Spanned<String>, call: &raw::Call) -> Option<Call> {
        self.identifier(name, "call name");
        let source = self.call_source(name, call);
        let for_each = call.for_each.as_ref().and_then(|for_each| {
            let for_each = &for_each.value;
            self.identifier(&for_each.binding, "`as` name");
            let label_source = match (&for_each.label, &call.label) {
                (Some(inner), Some(outer)) => {
                    let at = self.at(outer);
                    self.error(
                        at,
                        "the row label is given twice",
                        "keep either `label:` or `for_each.label:`",
                    );
                    Some(inner)
                }
                (inner, outer) => inner.as_ref().or(outer.as_ref()),
            };
            let label = label_source.map(|label| self.template(label));
            Some(ForEach {
                source: for_each.source.value.clone(),
                source_location: self.at(&for_each.source),
                path: self.path(&for_each.path)?,
                binding: for_each.binding.value.clone(),
                binding_location: self.at(&for_each.binding),
                label: label.flatten(),
                unique: for_each.unique,
                gather: for_each.gather,
            })
        });
        if call.for_each.is_none()
            && let Some(label) = &call.label
        {
            let at = self.at(label);
            self.error(
                at,
                "`label` names fan-out rows, but this call has no `for_each`",
                "remove `label`, or add `for_each`",
            );
        }
        let when: Vec<Option<Assertion>> = call
            .when
            .iter()
            .map(|assertion| self.call_condition(assertion))
            .collect();
        Some(Call {
            name: name.value.clone(),
            source: source?,
            when: when.into_iter().collect::<Option<_>>()?,
            for_each: if call.for_each.is_some() {
                Some(for_each?)
            } else {
                None
            },
            accept_errors: call.accept_errors.iter().map(|c| c.value.clone()).collect(),
            location: self.at(name),
        })
    }

    /// An assertion of a call's `when`: it names the call it reads, as there is no default.
    fn call_condition(&mut self, assertion: &Spanned<raw::Assertion>) -> Option<Assertion> {
        if assertion.value.on.is_none() && assertion.value.alternatives().is_none() {
            let at = self.at(assertion);
            self.error(
                at,
                "a call's `when` assertion must say which call's response it tests",
                "add `on: CALL`",
            );
            return None;
        }
        self.no_severity(assertion, "a call's `when` assertion");
        self.assertion(assertion, None)
    }

    /// `api` and `params`, or `value`.
    fn call_source(&mut self, name: &Spanned<String>, call: &raw::Call) -> Option<CallSource> {
        let api = match (&call.api, &call.value) {
            (Some(api), None) => api,
            (None, Some(value)) => {
                if call.params.is_some() || !call.accept_errors.is_empty() {
                    let at = self.at(name);
                    self.error(
                        at,
                        format!("call `{}` is computed (`value:`): it takes no `params` or `accept_errors`", name.value),
                        "remove them, or make it an AWS call with `api:`",
                    );
                }
                return self.templated_value(value).map(CallSource::Computed);
            }
            (api, _) => {
                let at = self.at(name);
                let message = if api.is_some() {
                    format!("call `{}` has both `api` and `value`", name.value)
                } else {
                    format!("call `{}` has neither `api` nor `value`", name.value)
                };
                self.error(
                    at,
                    message,
                    "a call is either `api: service:Operation` with `params`, or `value: TEMPLATE`",
                );
                return None;
            }
        };
        let operation = operations::lookup(&api.value);
        if operation.is_none() {
            let at = self.at(api);
            let names = OPERATIONS.iter().map(|op| op.api);
            let help = suggest::did_you_mean(&api.value, names);
            self.diagnostics.push(
                Diagnostic::error(
                    at,
                    format!("`{}` is not an operation ekscheck can call", api.value),
                )
                .with_label("not a registered read-only operation")
                .with_help(help),
            );
        }
        let params = match &call.params {
            None => {
                // No `params` is `params: {}`: the operation's required members are still missing.
                if let Some(operation) = operation {
                    let empty = Value::Object(Default::default());
                    for problem in operations::check_params(operation, &empty) {
                        let at = self.at(api);
                        let help = problem.help.unwrap_or_default();
                        self.error(at, problem.message, help);
                    }
                }
                Some(TemplatedValue::Literal(Value::Object(Default::default())))
            }
            Some(node) => self.params(node, operation),
        };
        Some(CallSource::Api {
            operation: operation?,
            params: params?,
        })
    }

    fn params(
        &mut self,
        node: &Spanned<Node>,
        operation: Option<&'static operations::Operation>,
    ) -> Option<TemplatedValue> {
        if !matches!(node.value, Node::Map(_)) {
            let at = self.at(node);
            self.error(
                at,
                format!("`params` must be a mapping, not {}", node.value.kind()),
                "write `params: { Name: value }` with the API's member names",
            );
            return None;
        }
        let value = self.templated_value(node)?;
        if let Some(operation) = operation {
            for problem in operations::check_params(operation, &node.value.to_json()) {
                let at = match key_of(node, &problem.location).filter(|_| problem.in_name) {
                    Some(key) => self.at(key),
                    None => self.at(descend(node, &problem.location)),
                };
                let help = problem.help.unwrap_or_else(|| {
                    format!("see `aws {}` --generate-cli-skeleton", operation.api)
                });
                self.error(at, problem.message, help);
            }
        }
        Some(value)
    }
}
