//! Deciding checks: one outcome per check and row, from the responses of an execution.
//!
//! A row is decided in this order: a needed check that did not pass skips it; a `when` assertion
//! that is false skips it; an `expect` assertion that does not hold fails it, even when other
//! calls the check reads have no response (the fault is already shown); an assertion that needs
//! a call that was not made skips it; one that needs a call that failed leaves it undecided;
//! otherwise it passes. Titles and remediations only need responses to be shown in full.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::assertion::{self, AssertionFailure, AssertionUndecided, Checked};
use crate::execute::{Execution, Failure, NotMade, Row, RowScope, Unavailable, row_scope};
use crate::format::{Assertion, Severity};
use crate::overrides::Overrides;
use crate::plan::{CheckId, Plan, PlannedCheck};
use crate::template::RenderFailure;
use crate::test_name::TestName;

/// How a check ended for one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Every assertion holds.
    Pass,
    /// At least one assertion does not hold.
    Fail(Failed),
    /// The check could not be decided.
    Undecided(Blocker),
    /// The check does not apply to the row.
    Skip(SkipReason),
}

impl Status {
    /// How it ended, in the four words reports and pack tests use.
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Status::Pass => OutcomeKind::Pass,
            Status::Fail(_) => OutcomeKind::Fail,
            Status::Undecided(_) => OutcomeKind::Error,
            Status::Skip(_) => OutcomeKind::Skip,
        }
    }
}

/// How a row ended, without why: the `outcome` of the JSON records and of a pack test's
/// `expect.yaml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    /// Every assertion held.
    Pass,
    /// An assertion did not hold (whatever the severity).
    Fail,
    /// The check could not be decided.
    Error,
    /// The check did not apply.
    Skip,
}

impl OutcomeKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [OutcomeKind; 4] = [Self::Pass, Self::Fail, Self::Error, Self::Skip];

    /// Its word: `pass`, `fail`, `error` or `skip`.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeKind::Pass => "pass",
            OutcomeKind::Fail => "fail",
            OutcomeKind::Error => "error",
            OutcomeKind::Skip => "skip",
        }
    }

    /// The kind a word stands for.
    pub(crate) fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// The assertions of a failed row that do not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    /// The failed assertions, in file order.
    pub assertions: Vec<AssertionFailure>,
    /// Why the other assertions could not be checked, when a call they read failed.
    pub unchecked: Option<Arc<Failure>>,
}

/// What kept a row from being decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Blocker {
    /// A call the check reads failed or could not be made.
    Call(Arc<Failure>),
    /// An assertion could not be decided (an operand did not render, or is invalid).
    Assertion(AssertionUndecided),
    /// The title could not be rendered although every call answered.
    Title(RenderFailure),
    /// The remediation of a failure could not be rendered although every call answered.
    Remediation(RenderFailure),
}

/// Why a row was skipped.
#[derive(Clone, Debug, PartialEq)]
pub enum SkipReason {
    /// A needed check did not pass for the row.
    Needs {
        /// The needed check's id.
        check: String,
        /// How it ended.
        state: NeedState,
    },
    /// A `when` assertion is false.
    When(Box<AssertionFailure>),
    /// A call the check reads does not apply to the row.
    NotMade(Arc<NotMade>),
    /// An override skips the check or the row, for this reason.
    Overridden(String),
}

/// How a needed check ended, when it did not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedState {
    /// It failed.
    Failed,
    /// It could not be decided.
    Undecided,
    /// It was skipped.
    Skipped,
}

/// The outcome of one check for one row.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The check.
    pub check: CheckId,
    /// Its test name: the check's, the row's label and (in a fleet) the target's.
    pub name: TestName,
    /// The row.
    pub row: Row,
    /// The check's title, rendered for the row (as written when it cannot be rendered).
    pub title: String,
    /// How much it matters: the check's severity, or for a failure the most severe of its failed
    /// assertions' severities.
    pub severity: Severity,
    /// How it ended.
    pub status: Status,
    /// The remediation, rendered for the row (for failures).
    pub remediation: Option<String>,
    /// For a failure: how the checks it cross-checks ended for the rows that correspond to it.
    pub cross_checks: Vec<CrossCheck>,
    /// Time spent: the slowest request the check read, plus evaluation.
    pub elapsed: Duration,
}

/// A check that decides the same cause from other evidence (`cross_checks`), as it ended for a
/// row that corresponds to a failed one: agreeing, or not.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossCheck {
    /// Its test name.
    pub name: TestName,
    /// How it ended there.
    pub ended: CrossState,
}

/// How a cross-checked row ended.
#[derive(Clone, Debug, PartialEq)]
pub enum CrossState {
    /// It passed: it disagrees with the failure.
    Passed,
    /// It failed too: it agrees.
    Failed,
    /// It could not be decided.
    Undecided,
    /// It did not apply.
    Skipped(SkipReason),
}

impl Outcome {
    /// Whether this outcome fails the run (a failure of severity `error`).
    pub fn fails_run(&self) -> bool {
        self.status.kind() == OutcomeKind::Fail && self.severity == Severity::Error
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
    evaluate_with(plan, execution, vars, checks, &Overrides::default())
}

/// [`evaluate`], with a team's `overrides` of severities and skips.
pub fn evaluate_with(
    plan: &Plan,
    execution: &Execution,
    vars: &[Value],
    checks: &[CheckId],
    overrides: &Overrides,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Decided>> = (0..plan.checks.len()).map(|_| None).collect();
    let order = plan.needs_first(checks);
    let mut needed_by_others = vec![false; plan.checks.len()];
    for &id in &order {
        for &need in &plan.checks[id].needs {
            needed_by_others[need] = true;
        }
    }
    for id in order {
        let decided = decide_check(plan, execution, vars, id, &outcomes, overrides);
        outcomes[id] = Some(Decided::new(decided, needed_by_others[id]));
    }
    for &id in checks {
        let cross_checks = cross_checks_of(plan, id, &outcomes);
        if let Some(decided) = outcomes[id].as_mut() {
            for (outcome, cross_checks) in decided.outcomes.iter_mut().zip(cross_checks) {
                outcome.cross_checks = cross_checks;
            }
        }
    }
    checks
        .iter()
        .flat_map(|&id| outcomes[id].take().map(|d| d.outcomes).unwrap_or_default())
        .collect()
}

/// For each outcome of check `id`: when it failed, how each check it cross-checks ended for the
/// rows that correspond to it (those that agree with it on the fan-out levels the two checks
/// share).
fn cross_checks_of(plan: &Plan, id: CheckId, decided: &[Option<Decided>]) -> Vec<Vec<CrossCheck>> {
    let check = &plan.checks[id];
    let Some(mine) = decided[id].as_ref() else {
        return Vec::new();
    };
    mine.outcomes
        .iter()
        .map(|outcome| {
            if !matches!(outcome.status, Status::Fail(_)) {
                return Vec::new();
            }
            check
                .cross_checks
                .iter()
                .filter_map(|&other| Some((other, decided[other].as_ref()?)))
                .flat_map(|(other, theirs)| {
                    let shared = check
                        .fanout
                        .iter()
                        .zip(&plan.checks[other].fanout)
                        .take_while(|(a, b)| a == b)
                        .count();
                    theirs
                        .outcomes
                        .iter()
                        .filter(move |row| corresponds(&row.row, &outcome.row, shared))
                        .map(|row| CrossCheck {
                            name: row.name.clone(),
                            ended: match &row.status {
                                Status::Pass => CrossState::Passed,
                                Status::Fail(_) => CrossState::Failed,
                                Status::Undecided(_) => CrossState::Undecided,
                                Status::Skip(reason) => CrossState::Skipped(reason.clone()),
                            },
                        })
                })
                .collect()
        })
        .collect()
}

/// Whether rows `a` and `b` of two checks whose fan-outs share their first `shared` levels are
/// at the same items on those levels.
fn corresponds(a: &Row, b: &Row, shared: usize) -> bool {
    let depth = shared.min(a.indices.len()).min(b.indices.len());
    a.indices[..depth] == b.indices[..depth]
}

/// The outcomes of a decided check, indexed by row for the checks that need it.
struct Decided {
    outcomes: Vec<Outcome>,
    /// For each row's indices: the first outcome at those indices or below that did not pass.
    unpassed_at_or_below: HashMap<Vec<usize>, usize>,
    /// For each row's indices: the first outcome exactly there that did not pass.
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
                let indices = &outcome.row.indices;
                unpassed_at.entry(indices.clone()).or_insert(index);
                for depth in 0..=indices.len() {
                    unpassed_at_or_below
                        .entry(indices[..depth].to_vec())
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

    /// An outcome that did not pass for a row compatible with `row` (one row's indices are a
    /// prefix of the other's), if there is one.
    fn unpassed_for(&self, row: &Row) -> Option<&Outcome> {
        let indices = &row.indices;
        self.unpassed_at_or_below
            .get(indices)
            .or_else(|| {
                (0..indices.len()).find_map(|depth| self.unpassed_at.get(&indices[..depth]))
            })
            .map(|&index| &self.outcomes[index])
    }
}

/// How many rows deciding `checks` on `execution` gives: the outcomes [`evaluate`] would hold,
/// counted before any is made.
pub fn rows_to_decide(plan: &Plan, execution: &Execution, checks: &[CheckId]) -> usize {
    checks
        .iter()
        .map(|&id| match plan.checks[id].fanout.last() {
            None => 1,
            Some(last) => execution.expansions.get(last).map_or(0, |expansion| {
                expansion.failures.len() + expansion.rows.len()
            }),
        })
        .sum()
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
    overrides: &Overrides,
) -> Vec<Outcome> {
    let check = &plan.checks[id];
    let vars = &vars[check.pack];
    let pack = &plan.packs[check.pack];
    let (pack, suite) = (&pack.name, &pack.suites[check.suite].name);
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
            let mut scope = row_scope(&check.refs, &check.fanout, &row, vars, &execution.calls);
            if let Some(failure) = expansion_failure {
                scope
                    .unavailable
                    .insert(0, ("", Unavailable::Failed(failure)));
            }
            let title = check.def.title.render_string(&scope);
            let name = TestName::new(pack, suite, &check.def.id, row.label());
            let skip = |reason| Decision::plain(Status::Skip(reason), check.def.severity);
            let decision = if let Some(reason) = overrides.skip(&check.name, name.as_str()) {
                skip(SkipReason::Overridden(reason.to_owned()))
            } else if let Some(reason) = unmet_need(plan, check, &row, decided) {
                skip(reason)
            } else {
                decide_row(check, &scope, title.as_ref().err())
            };
            // A row that is not decided may lack what the title reads: it is shown as written.
            let title = title.unwrap_or_else(|_| check.def.title.source().to_owned());
            Outcome {
                check: id,
                name,
                row,
                title,
                severity: overrides.severity(&check.name).unwrap_or(decision.severity),
                status: decision.status,
                remediation: decision.remediation,
                cross_checks: Vec::new(),
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
) -> Option<SkipReason> {
    check.needs.iter().find_map(|&need| {
        let outcome = decided[need].as_ref()?.unpassed_for(row)?;
        let state = match outcome.status {
            Status::Fail(_) => NeedState::Failed,
            Status::Undecided(_) => NeedState::Undecided,
            _ => NeedState::Skipped,
        };
        Some(SkipReason::Needs {
            check: plan.checks[need].def.id.clone(),
            state,
        })
    })
}

/// How a row was decided.
struct Decision {
    status: Status,
    severity: Severity,
    remediation: Option<String>,
}

impl Decision {
    fn plain(status: Status, severity: Severity) -> Self {
        Self {
            status,
            severity,
            remediation: None,
        }
    }
}

/// Why `assertion` cannot be tested for this row: the first call it needs that has no response
/// there (or the failure of the row's own fan-out), if any. The alternatives of `any_of` and
/// `all_of` read a call that was not made as null, like computed calls: only a failed one
/// stops them; the call written as their `on` (or their check's) is needed.
fn blocked<'s>(assertion: &Assertion, scope: &'s RowScope) -> Option<&'s Unavailable> {
    if scope.unavailable.is_empty() {
        return None;
    }
    // A failed fan-out source leaves every assertion of the row without its data.
    if let Some(expansion) = scope.why_unavailable("") {
        return Some(expansion);
    }
    let on_needed = assertion.on_written || !assertion.predicate.combines_assertions();
    let needed = assertion
        .templates()
        .into_iter()
        .flat_map(|t| t.names().iter().map(|name| name.root.as_str()))
        .chain(on_needed.then_some(assertion.on.as_str()));
    // An `any_of` or `all_of` without a written `on` takes its first alternative's: it is
    // among the calls the alternatives read.
    let alternatives = assertion.predicate.calls_read().into_iter();
    needed
        .filter_map(|name| scope.why_unavailable(name))
        .chain(
            alternatives
                .filter_map(|name| scope.why_unavailable(name))
                .filter(|why| matches!(why, Unavailable::Failed(_))),
        )
        .next()
}

/// What an assertion that could not be tested makes of its row: a call that does not apply
/// skips it, a call that failed leaves it undecided.
fn unavailable_status(unavailable: &Unavailable) -> Status {
    match unavailable {
        Unavailable::NotMade(not_made) => Status::Skip(SkipReason::NotMade(Arc::clone(not_made))),
        Unavailable::Failed(failure) => Status::Undecided(Blocker::Call(Arc::clone(failure))),
    }
}

/// Decides a row none of whose needed checks failed (see the module's doc for the order). Only
/// assertions need responses: a title or remediation reading a call that has none is shown as
/// written. `title_failure` is set when the title could not be rendered.
fn decide_row(
    check: &PlannedCheck,
    scope: &RowScope,
    title_failure: Option<&RenderFailure>,
) -> Decision {
    let severity = check.def.severity;
    let plain = |status| Decision::plain(status, severity);
    let undecided = |blocker| plain(Status::Undecided(blocker));
    let mut when_blocked = None;
    for condition in &check.def.when {
        if let Some(unavailable) = blocked(condition, scope) {
            when_blocked.get_or_insert(unavailable);
            continue;
        }
        match assertion::check(condition, scope) {
            Checked::Holds => {}
            Checked::Fails(failure) => {
                return plain(Status::Skip(SkipReason::When(Box::new(failure))));
            }
            Checked::Undecided(problem) => return undecided(Blocker::Assertion(problem)),
        }
    }
    if let Some(unavailable) = when_blocked {
        return plain(unavailable_status(unavailable));
    }
    let mut failed = Vec::new();
    let mut failed_severity = None;
    let mut expect_blocked: Option<&Unavailable> = None;
    for expectation in &check.def.expect {
        if let Some(unavailable) = blocked(expectation, scope) {
            // A call that failed says more than one that does not apply.
            if expect_blocked.is_none() || matches!(unavailable, Unavailable::Failed(_)) {
                expect_blocked = Some(unavailable);
            }
            continue;
        }
        match assertion::check(expectation, scope) {
            Checked::Holds => {}
            Checked::Fails(failure) => {
                failed.push(failure);
                failed_severity =
                    failed_severity.max(Some(expectation.severity.unwrap_or(severity)));
            }
            Checked::Undecided(problem) => return undecided(Blocker::Assertion(problem)),
        }
    }
    // With every call answered, a title or remediation that cannot render is a mistake of the
    // pack; with some missing, it is shown as written.
    let complete = scope.unavailable.is_empty();
    if let Some(failed_severity) = failed_severity {
        let remediation = match check
            .def
            .remediation
            .as_ref()
            .map(|r| r.render_string(scope))
        {
            None => None,
            Some(Ok(text)) => Some(text),
            Some(Err(failure)) if complete => return undecided(Blocker::Remediation(failure)),
            Some(Err(_)) => check
                .def
                .remediation
                .as_ref()
                .map(|r| r.source().to_owned()),
        };
        let unchecked = match expect_blocked {
            Some(Unavailable::Failed(failure)) => Some(Arc::clone(failure)),
            _ => None,
        };
        return Decision {
            status: Status::Fail(Failed {
                assertions: failed,
                unchecked,
            }),
            severity: failed_severity,
            remediation,
        };
    }
    if let Some(unavailable) = expect_blocked {
        return plain(unavailable_status(unavailable));
    }
    match title_failure {
        Some(failure) if complete => undecided(Blocker::Title(failure.clone())),
        _ => plain(Status::Pass),
    }
}

#[cfg(test)]
mod tests;
