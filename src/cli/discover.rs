//! Finding one's way from the terminal: `ekscheck ops` (what a pack may call, with each
//! operation's parameters and response), `ekscheck list` (what a pack checks) and `ekscheck
//! schema` (the JSON Schema editors check pack files with).

use std::fmt::Write;

use serde_json::json;

use super::output::CliError;
use super::printed;
use crate::diagnostic::Diagnostic;
use crate::format::schema::SchemaKind;
use crate::operations::{OPERATIONS, Operation, dashed, lookup};
use crate::plan::{Plan, Ref};
use crate::report::escape::for_console_line;
use crate::suggest;

/// `ekscheck ops`: every operation; `ekscheck ops SERVICE`: a service's; `ekscheck ops
/// SERVICE:OPERATION`: one operation in full.
pub(super) fn ops(name: Option<&str>) -> Result<u8, CliError> {
    let text = match name {
        None => listing(OPERATIONS.iter()),
        Some(name) if name.contains(':') => match lookup(name) {
            Some(operation) => describe(operation),
            None => {
                let known = OPERATIONS.iter().map(|op| op.api);
                return Err(CliError::from(
                    Diagnostic::unlocated(format!(
                        "`{name}` is not an operation ekscheck can call"
                    ))
                    .with_help(suggest::did_you_mean(name, known)),
                ));
            }
        },
        Some(service) => {
            let prefix = format!("{service}:");
            let matching: Vec<&Operation> = OPERATIONS
                .iter()
                .filter(|op| op.api.starts_with(&prefix))
                .collect();
            if matching.is_empty() {
                let mut services: Vec<&str> = OPERATIONS
                    .iter()
                    .filter_map(|op| op.api.split(':').next())
                    .collect();
                services.dedup();
                return Err(CliError::from(
                    Diagnostic::unlocated(format!("ekscheck can call no operation of `{service}`"))
                        .with_help(suggest::did_you_mean(service, services)),
                ));
            }
            listing(matching.into_iter())
        }
    };
    printed(&text)
}

fn listing<'a>(operations: impl Iterator<Item = &'a Operation>) -> String {
    let mut text = String::new();
    let mut count = 0;
    for operation in operations {
        count += 1;
        writeln!(text, "{}", operation.api).ok();
    }
    writeln!(
        text,
        "\n{count} read-only operation(s): a pack can call these and nothing else.\n\
         `ekscheck ops SERVICE:OPERATION` shows one's parameters and response."
    )
    .ok();
    text
}

fn describe(operation: &Operation) -> String {
    let dashed = dashed(operation.api);
    let (service, command) = dashed.split_once('-').unwrap_or((&dashed, ""));
    let mut text = format!(
        "{api}\n  as the AWS CLI: aws {service} {command}\n  IAM action:     {api}\n",
        api = operation.api
    );
    let width = operation
        .input
        .iter()
        .map(|member| member.name.len())
        .chain(operation.output.iter().map(|(name, _)| name.len()))
        .max()
        .unwrap_or(0);
    text.push_str("\nparams:\n");
    if operation.input.is_empty() {
        text.push_str("  (none)\n");
    }
    for member in operation.input {
        let required = if member.required { " (required)" } else { "" };
        writeln!(
            text,
            "  {:width$}  {}{required}",
            member.name,
            member.shape.describe()
        )
        .ok();
    }
    text.push_str("\nresponse (every page, as `--output json` prints it):\n");
    for (name, kind) in operation.output {
        writeln!(text, "  {name:width$}  {kind}").ok();
    }
    text
}

/// `ekscheck list PACK…`: each check with its title, severity, `needs`, the calls it reads and
/// the fan-out it runs once per row of; with `json`, one JSON object per line.
pub(super) fn list(plan: &Plan, json: bool) -> Result<u8, CliError> {
    let mut text = String::new();
    for check in &plan.checks {
        let calls: Vec<String> = check
            .refs
            .iter()
            .filter_map(|(name, reference)| match reference {
                Ref::Call(id) => Some(match plan.calls[*id].def.operation() {
                    Some(operation) => format!("{name} ({})", operation.api),
                    None => name.clone(),
                }),
                _ => None,
            })
            .collect();
        let names = |checks: &[usize]| -> Vec<&str> {
            checks
                .iter()
                .map(|&other| plan.checks[other].name.as_str())
                .collect()
        };
        let (needs, cross_checks) = (names(&check.needs), names(&check.cross_checks));
        let rows: Vec<&str> = check
            .fanout
            .iter()
            .map(|&call| plan.calls[call].def.name.as_str())
            .collect();
        let severity = check.def.severity.name();
        let title = check.def.title.source();
        if json {
            let line = json!({"name": check.name, "title": title, "severity": severity,
                              "needs": needs, "cross_checks": cross_checks, "calls": calls,
                              "rows": rows});
            writeln!(text, "{line}").ok();
            continue;
        }
        // A title is the pack's text: shown with its control characters escaped.
        let title = for_console_line(title);
        writeln!(text, "{}  [{severity}]\n    {title}", check.name).ok();
        writeln!(text, "    calls: {}", calls.join(", ")).ok();
        if !needs.is_empty() {
            writeln!(text, "    needs: {}", needs.join(", ")).ok();
        }
        if !cross_checks.is_empty() {
            writeln!(text, "    cross-checks: {}", cross_checks.join(", ")).ok();
        }
        if !rows.is_empty() {
            writeln!(text, "    rows:  one per item of {}", rows.join(" × ")).ok();
        }
    }
    if !json {
        writeln!(text, "\n{} check(s)", plan.checks.len()).ok();
    }
    printed(&text)
}

/// `ekscheck schema pack|suite`: the JSON Schema of `pack.yaml` or of suite files.
pub(super) fn schema(name: &str) -> Result<u8, CliError> {
    let Some((kind, _)) = SchemaKind::ALL
        .into_iter()
        .find(|(_, known)| *known == name)
    else {
        return Err(CliError::from(
            Diagnostic::unlocated(format!("no schema `{name}`")).with_help("`pack` or `suite`"),
        ));
    };
    match crate::format::schema::schema(kind) {
        Ok(schema) => printed(&format!("{:#}\n", schema)),
        Err(untyped) => Err(CliError::from(Diagnostic::unlocated(format!(
            "the schema lacks a type for {}",
            untyped.join(", ")
        )))),
    }
}
