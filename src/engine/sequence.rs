//! The run sequence, written once: from the checks selected to the checks decided (those and the
//! checks they need or cross-check), the calls those need, made for each target, held to the
//! outcome budget, decided, and the selected checks' outcomes kept. `run`, `record`, `test` and
//! fleets all go through it.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::Value;

use super::execute;
use crate::diagnostic::Diagnostic;
use crate::evaluate::{Outcome, evaluate_with, rows_to_decide};
use crate::execute::{Backend, Execution, Limits};
use crate::overrides::Overrides;
use crate::plan::{CheckId, Plan};

/// The checks a run reports, and what deciding them takes.
pub struct Selection<'p> {
    plan: &'p Plan<'p>,
    /// By check id: whether the check's outcomes are kept.
    selected: Vec<bool>,
    /// The selected checks and every check they need or cross-check, in plan order.
    decided: Vec<CheckId>,
    /// By call id: whether deciding [`Selection::decided`] needs the call.
    needed: Vec<bool>,
}

/// What the run of a selection produced for one target.
pub struct Run {
    /// The calls made.
    pub execution: Execution,
    /// The selected checks' outcomes, in plan order, rows in order.
    pub outcomes: Vec<Outcome>,
    /// The time spent making the calls and deciding the checks.
    pub elapsed: Duration,
}

impl<'p> Selection<'p> {
    /// The run of `selected`, the checks whose outcomes are reported.
    pub fn new(plan: &'p Plan<'p>, selected: &[CheckId]) -> Self {
        let mut kept = vec![false; plan.checks.len()];
        for &id in selected {
            kept[id] = true;
        }
        let decided = plan.with_needed_checks(selected);
        let needed = plan.calls_needed(&decided);
        Self {
            plan,
            selected: kept,
            decided,
            needed,
        }
    }

    /// Makes the calls the selection needs through `backend`, with each pack's `vars`.
    pub async fn execute(
        &self,
        vars: &[Value],
        backend: &impl Backend,
        limits: Limits,
    ) -> Execution {
        execute(self.plan, vars, &self.needed, backend, limits).await
    }

    /// Runs the selection for one target: its calls through `backend`, then its checks decided
    /// with `overrides`; or why the checks may not be decided (too many rows).
    pub async fn run<B: Backend>(
        &self,
        vars: &[Value],
        backend: &B,
        limits: Limits,
        overrides: &Overrides,
    ) -> Result<Run, Diagnostic> {
        let mut runs = self.run_each([(vars, backend)], limits, overrides).await?;
        Ok(runs.pop().expect("one run per target"))
    }

    /// Runs the selection for each target (its packs' variables and its backend) at once; the
    /// checks are decided once every target's calls are made, and only if all of their rows
    /// together are within `limits`.
    pub async fn run_each<'t, B: Backend + 't>(
        &self,
        targets: impl IntoIterator<Item = (&'t [Value], &'t B)>,
        limits: Limits,
        overrides: &Overrides,
    ) -> Result<Vec<Run>, Diagnostic> {
        let targets: Vec<(&[Value], &B)> = targets.into_iter().collect();
        let executions = join_all(
            targets
                .iter()
                .map(|&(vars, backend)| self.execute(vars, backend, limits)),
        )
        .await;
        self.within_outcome_budget(&executions, limits)?;
        Ok(executions
            .into_iter()
            .zip(&targets)
            .map(|(execution, &(vars, _))| self.decide(execution, vars, overrides))
            .collect())
    }

    /// Decides the checks on one target's `execution`, and keeps the selected checks' outcomes.
    fn decide(&self, execution: Execution, vars: &[Value], overrides: &Overrides) -> Run {
        let started = Instant::now();
        let outcomes = evaluate_with(self.plan, &execution, vars, &self.decided, overrides)
            .into_iter()
            .filter(|outcome| self.selected[outcome.check])
            .collect();
        Run {
            elapsed: execution.elapsed + started.elapsed(),
            execution,
            outcomes,
        }
    }

    /// Refuses to decide the checks on `executions` (one per target of a fleet) when that gives
    /// more rows than `limits` allow: each outcome is held until the run is reported, and checks
    /// × rows can exhaust the memory long before any single fan-out is too large.
    fn within_outcome_budget(
        &self,
        executions: &[Execution],
        limits: Limits,
    ) -> Result<(), Diagnostic> {
        let rows: usize = executions
            .iter()
            .map(|execution| rows_to_decide(self.plan, execution, &self.decided))
            .sum();
        if rows <= limits.max_outcomes {
            return Ok(());
        }
        Err(Diagnostic::unlocated(format!(
            "the run would decide {rows} check rows ({} checks over their rows), more than the {} \
             a run may (--max-outcomes)",
            self.decided.len(),
            limits.max_outcomes
        ))
        .with_help("select fewer checks (a name filter after `--`), or raise --max-outcomes"))
    }
}
