//! Deciding checks: one outcome per check and row, from the responses of an execution.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::execute::{Execution, Failure, Row, RowScope, row_scope};
use crate::format::{Assertion, Severity};
use crate::plan::{CheckId, Plan, PlannedCheck};
use crate::predicate::{Subject, Undecided, Verdict};
use crate::report::shorten;
use crate::template::{RenderFailure, Scope};

/// How a check ended for one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Every assertion holds.
    Pass,
    /// At least one assertion does not hold; one message per failed assertion.
    Fail(Vec<String>),
    /// The check could not be decided: a call it needs failed, or a template did not render.
    Error(String),
    /// `when` was false, or a needed check did not pass.
    Skip(String),
}

impl Status {
    /// A one-word name: `pass`, `fail`, `error`, `skip`.
    pub fn word(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail(_) => "fail",
            Status::Error(_) => "error",
            Status::Skip(_) => "skip",
        }
    }
}

/// The outcome of one check for one row.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The check.
    pub check: CheckId,
    /// `PACK::SUITE::ID` or `PACK::SUITE::ID[LABEL]`.
    pub name: String,
    /// The row.
    pub row: Row,
    /// The check's title, rendered for the row.
    pub title: String,
    /// How much it matters: the check's severity, or for a failure the most severe of its failed
    /// assertions' severities.
    pub severity: Severity,
    /// How it ended.
    pub status: Status,
    /// The remediation, rendered for the row (for failures).
    pub remediation: Option<String>,
    /// Time spent: the slowest request the check read, plus evaluation.
    pub elapsed: Duration,
}

impl Outcome {
    /// Whether this outcome fails the run (a failure of severity `error`).
    pub fn fails_run(&self) -> bool {
        matches!(self.status, Status::Fail(_)) && self.severity == Severity::Error
    }
}

/// Decides `checks` (which must include every check they need) and returns their outcomes in
/// plan order, rows in order.
pub fn evaluate(
    plan: &Plan,
    execution: &Execution,
    vars: &[Value],
    checks: &[CheckId],
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Decided>> = (0..plan.checks.len()).map(|_| None).collect();
    let mut order = Vec::new();
    let mut visited = vec![false; plan.checks.len()];
    fn visit(id: CheckId, plan: &Plan, visited: &mut [bool], order: &mut Vec<CheckId>) {
        if !std::mem::replace(&mut visited[id], true) {
            for &need in &plan.checks[id].needs {
                visit(need, plan, visited, order);
            }
            order.push(id);
        }
    }
    for &id in checks {
        visit(id, plan, &mut visited, &mut order);
    }
    let mut needed_by_others = vec![false; plan.checks.len()];
    for &id in &order {
        for &need in &plan.checks[id].needs {
            needed_by_others[need] = true;
        }
    }
    for id in order {
        let decided = decide_check(plan, execution, vars, id, &outcomes);
        outcomes[id] = Some(Decided::new(decided, needed_by_others[id]));
    }
    checks
        .iter()
        .flat_map(|&id| outcomes[id].take().map(|d| d.outcomes).unwrap_or_default())
        .collect()
}

/// The outcomes of a decided check, indexed by row for the checks that need it.
struct Decided {
    outcomes: Vec<Outcome>,
    /// For each row path: the first outcome at that path or below it that did not pass.
    unpassed_at_or_below: HashMap<Vec<usize>, usize>,
    /// For each row path: the first outcome exactly at that path that did not pass.
    unpassed_at: HashMap<Vec<usize>, usize>,
}

impl Decided {
    fn new(outcomes: Vec<Outcome>, indexed: bool) -> Self {
        let mut unpassed_at_or_below = HashMap::new();
        let mut unpassed_at = HashMap::new();
        if indexed {
            for (index, outcome) in outcomes.iter().enumerate() {
                if outcome.status == Status::Pass {
                    continue;
                }
                let path = &outcome.row.path;
                unpassed_at.entry(path.clone()).or_insert(index);
                for depth in 0..=path.len() {
                    unpassed_at_or_below
                        .entry(path[..depth].to_vec())
                        .or_insert(index);
                }
            }
        }
        Self {
            outcomes,
            unpassed_at_or_below,
            unpassed_at,
        }
    }

    /// An outcome that did not pass for a row compatible with `row` (one row's path is a prefix
    /// of the other's), if there is one.
    fn unpassed_for(&self, row: &Row) -> Option<&Outcome> {
        let path = &row.path;
        self.unpassed_at_or_below
            .get(path)
            .or_else(|| (0..path.len()).find_map(|depth| self.unpassed_at.get(&path[..depth])))
            .map(|&index| &self.outcomes[index])
    }
}

fn rows_of(check: &PlannedCheck, execution: &Execution) -> Vec<(Row, Option<Arc<Failure>>)> {
    match check.fanout.last() {
        None => vec![(Row::default(), None)],
        Some(last) => match execution.expansions.get(last) {
            None => Vec::new(),
            Some(expansion) => expansion
                .failures
                .iter()
                .map(|(row, failure)| (row.clone(), Some(Arc::clone(failure))))
                .chain(expansion.rows.iter().map(|row| (row.clone(), None)))
                .collect(),
        },
    }
}

fn decide_check(
    plan: &Plan,
    execution: &Execution,
    vars: &[Value],
    id: CheckId,
    decided: &[Option<Decided>],
) -> Vec<Outcome> {
    let check = &plan.checks[id];
    let vars = &vars[check.pack];
    rows_of(check, execution)
        .into_iter()
        .map(|(row, expansion_failure)| {
            let started = Instant::now();
            let waited = check
                .refs
                .values()
                .filter_map(|r| r.call_id())
                .filter_map(|call| execution.calls[call].as_ref()?.at(&row).map(|i| i.elapsed))
                .max()
                .unwrap_or_default();
            let (scope, call_failure) =
                row_scope(&check.refs, &check.fanout, &row, vars, &execution.calls);
            let failure = expansion_failure.or(call_failure);
            let title = check.def.title.render_string(&scope);
            let (remediation, status, severity) =
                match (unmet_need(plan, check, &row, decided), failure) {
                    (Some(reason), _) => (None, Status::Skip(reason), check.def.severity),
                    (None, Some(failure)) => {
                        let status = match skip_despite_failure(check, &scope) {
                            Some(reason) => Status::Skip(reason),
                            None => Status::Error(failure.to_string()),
                        };
                        (None, status, check.def.severity)
                    }
                    (None, None) => decide_with_texts(check, &scope, &title),
                };
            // Skipped and errored rows may lack what the title reads: it is shown as written.
            let title = title.unwrap_or_else(|_| check.def.title.source().to_owned());
            let label = row.label();
            Outcome {
                check: id,
                name: match &label {
                    Some(label) => format!("{}[{label}]", check.name),
                    None => check.name.clone(),
                },
                row,
                title,
                severity,
                status,
                remediation,
                elapsed: waited + started.elapsed(),
            }
        })
        .collect()
}

/// The reason to skip a row because a needed check did not pass for it (root causes first: a
/// needed check is consulted before the calls of this one, which may fail for the same cause).
fn unmet_need(
    plan: &Plan,
    check: &PlannedCheck,
    row: &Row,
    decided: &[Option<Decided>],
) -> Option<String> {
    for &need in &check.needs {
        let unmet = decided[need].as_ref().and_then(|d| d.unpassed_for(row));
        if let Some(outcome) = unmet {
            let state = match outcome.status {
                Status::Fail(_) => "failed",
                Status::Error(_) => "error",
                _ => "skipped",
            };
            return Some(format!("needs {} ({state})", plan.checks[need].def.id));
        }
    }
    None
}

/// Decides a row whose calls all answered, with its remediation. Strict templates: a title
/// (always shown) or the remediation of a failure that cannot render leaves the check undecided.
fn decide_with_texts(
    check: &PlannedCheck,
    scope: &RowScope,
    title: &Result<String, RenderFailure>,
) -> (Option<String>, Status, Severity) {
    let undecided =
        |failure: &RenderFailure| (None, Status::Error(failure.to_string()), check.def.severity);
    if let Err(failure) = title {
        return undecided(failure);
    }
    let (status, severity) = decide_row(check, scope);
    if !matches!(status, Status::Fail(_)) {
        return (None, status, severity);
    }
    let remediation = check
        .def
        .remediation
        .as_ref()
        .map(|r| r.render_string(scope));
    match remediation.transpose() {
        Ok(remediation) => (remediation, status, severity),
        Err(failure) => undecided(&failure),
    }
}

/// Decides one row: its status and, for a failure, its severity (the most severe of the failed
/// assertions, each of its own severity or else the check's).
fn decide_row(check: &PlannedCheck, scope: &RowScope) -> (Status, Severity) {
    let severity = check.def.severity;
    for assertion in &check.def.when {
        match test(assertion, scope) {
            Ok((verdict, _)) if verdict.holds => {}
            Ok((_, actual)) => {
                return (
                    Status::Skip(when_false(assertion, scope, &actual)),
                    severity,
                );
            }
            Err(problem) => return (Status::Error(format!("when: {problem}")), severity),
        }
    }
    let mut failures = Vec::new();
    let mut failed_severity = None;
    for assertion in &check.def.expect {
        let message = match test(assertion, scope) {
            Ok((verdict, _)) if verdict.holds => continue,
            Ok((verdict, actual)) => failure_message(assertion, scope, &actual, verdict.note),
            Err(AssertionProblem::Mismatch(message)) => {
                failure_message(assertion, scope, &message, None)
            }
            Err(AssertionProblem::Render(message)) => return (Status::Error(message), severity),
        };
        failures.push(message);
        failed_severity = failed_severity.max(Some(assertion.severity.unwrap_or(severity)));
    }
    match failed_severity {
        None => (Status::Pass, severity),
        Some(failed) => (Status::Fail(failures), failed),
    }
}

/// Why a row is skipped: which `when` condition is false, and what the value was.
fn when_false(assertion: &Assertion, scope: &RowScope, actual: &str) -> String {
    format!(
        "when: {} {} is false (actual: {actual})",
        assertion.path,
        assertion.predicate.describe(scope)
    )
}

/// The reason to skip a row one of whose calls failed, if a `when` condition that does not need
/// that call is false: the condition says the check does not apply, whatever the failure.
fn skip_despite_failure(check: &PlannedCheck, scope: &RowScope) -> Option<String> {
    check
        .def
        .when
        .iter()
        .find_map(|assertion| match test(assertion, scope) {
            Ok((verdict, actual)) if !verdict.holds => Some(when_false(assertion, scope, &actual)),
            _ => None,
        })
}

enum AssertionProblem {
    /// The predicate does not apply to the value: reported as a failure.
    Mismatch(String),
    /// A template could not render: the check is an error.
    Render(String),
}

impl std::fmt::Display for AssertionProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssertionProblem::Mismatch(m) | AssertionProblem::Render(m) => f.write_str(m),
        }
    }
}

/// Tests one assertion; returns the verdict and, when it fails, the actual value shortened for
/// messages.
fn test(assertion: &Assertion, scope: &RowScope) -> Result<(Verdict, String), AssertionProblem> {
    let Some(document) = scope.get(&assertion.on) else {
        return Err(AssertionProblem::Render(format!(
            "call `{}` has no response for this row",
            assertion.on
        )));
    };
    let selection = assertion
        .path
        .select(document, scope)
        .map_err(|failure| AssertionProblem::Render(failure.to_string()))?;
    let subject = Subject::from(selection);
    // Rendering the actual value costs more than most predicates: only do it for messages.
    let actual = || match &subject {
        Subject::Absent => "absent".to_owned(),
        Subject::Value(value) => shorten(value),
        nodes => nodes.to_value().map(|v| shorten(&v)).unwrap_or_default(),
    };
    match assertion.predicate.test(&subject, scope) {
        Ok(verdict) if verdict.holds => Ok((verdict, String::new())),
        Ok(verdict) => Ok((verdict, actual())),
        // `any_of` and `all_of` test their own paths: the value would not explain the mismatch.
        Err(Undecided::TypeMismatch(message)) if assertion.predicate.combines_assertions() => {
            Err(AssertionProblem::Mismatch(message))
        }
        Err(Undecided::TypeMismatch(message)) => Err(AssertionProblem::Mismatch(format!(
            "{} ({message})",
            actual()
        ))),
        Err(Undecided::Render(failure)) => Err(AssertionProblem::Render(failure.to_string())),
    }
}

fn failure_message(
    assertion: &Assertion,
    scope: &RowScope,
    actual: &str,
    note: Option<String>,
) -> String {
    if assertion.predicate.combines_assertions() {
        let mut message = format!(
            "assertion failed at {}\n  expected: {}",
            assertion.location,
            assertion.predicate.describe(scope)
        );
        // Without a note, `actual` is the type mismatch that kept every alternative undecided.
        if let Some(note) = note.or_else(|| Some(actual.to_owned()).filter(|a| !a.is_empty())) {
            message.push_str(&format!("\n  note:     {note}"));
        }
        return message;
    }
    let mut message = format!(
        "assertion failed at {}\n  on:       {}\n  path:     {}\n  expected: {}\n  actual:   {actual}",
        assertion.location,
        assertion.on,
        assertion.path,
        assertion.predicate.describe(scope),
    );
    if let Some(note) = note {
        message.push_str(&format!("\n  note:     {note}"));
    }
    message
}
