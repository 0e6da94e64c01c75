//! Results for dashboards and CI summaries: one JSON record per row (`--json FILE`, the schema
//! in docs/schema/results.schema.json), and a Markdown table per target for GitHub's job summary
//! (`GITHUB_STEP_SUMMARY`).

use std::borrow::Cow;
use std::fmt::Write;

use serde_json::{Value, json};

use super::escape::for_xml;
use super::text::details;
use crate::evaluate::{Outcome, OutcomeKind};
use crate::plan::Plan;
use crate::targets::Target;

/// One row of a run, and the target it ran for (in a fleet run).
pub type Row<'a> = (&'a Outcome, Option<&'a Target>);

/// One JSON object per row and line.
pub fn json_lines(plan: &Plan, rows: &[Row]) -> String {
    let mut text = String::new();
    for (outcome, target) in rows {
        let check = &plan.checks[outcome.check];
        let pack = &plan.packs[check.pack];
        let kind = outcome.status.kind();
        let (message, remediation) = match kind {
            OutcomeKind::Pass => (Value::Null, Value::Null),
            _ => (
                Value::String(details(outcome)),
                outcome
                    .remediation
                    .clone()
                    .map_or(Value::Null, Value::String),
            ),
        };
        let mut record = json!({
            "target": target.map(|t| json!({"account": t.account, "region": t.region, "cluster": t.cluster})),
            "pack": pack.name,
            "pack_version": pack.version,
            "check": check.name,
            "name": outcome.name.as_str(),
            "row": outcome.row.label(),
            "outcome": kind.name(),
            "severity": outcome.severity.name(),
            "title": outcome.title,
            "message": message,
            "remediation": remediation,
        });
        xml_safe(&mut record);
        let _ = writeln!(text, "{record}");
    }
    text
}

/// Replaces in every string of `value` the characters XML forbids, as in the JUnit report: the
/// records feed the same dashboards and tools.
fn xml_safe(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Cow::Owned(safe) = for_xml(text) {
                *text = safe;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(xml_safe),
        Value::Object(members) => members.values_mut().for_each(xml_safe),
        _ => {}
    }
}

/// A Markdown table: per target (or for the whole run), the rows that passed, failed (by
/// severity), could not be decided and were skipped.
pub fn step_summary(rows: &[Row]) -> String {
    let mut groups: Vec<(String, [usize; 5])> = Vec::new();
    for (outcome, target) in rows {
        let label = target.map_or_else(|| "all checks".to_owned(), |t| t.label());
        if groups.last().is_none_or(|(last, _)| *last != label) {
            groups.push((label, [0; 5]));
        }
        let column = match outcome.status.kind() {
            OutcomeKind::Pass => 0,
            OutcomeKind::Fail if outcome.fails_run() => 1,
            OutcomeKind::Fail => 2,
            OutcomeKind::Error => 3,
            OutcomeKind::Skip => 4,
        };
        if let Some((_, counts)) = groups.last_mut() {
            counts[column] += 1;
        }
    }
    let mut text = String::from(
        "### ekscheck\n\n| target | passed | failed | warnings | errors | skipped |\n|---|---|---|---|---|---|\n",
    );
    for (label, [passed, failed, warnings, errors, skipped]) in groups {
        let mark = if failed > 0 {
            "❌"
        } else if errors > 0 {
            "⚠️"
        } else {
            "✅"
        };
        let _ = writeln!(
            text,
            "| {mark} `{label}` | {passed} | {failed} | {warnings} | {errors} | {skipped} |"
        );
    }
    text
}
