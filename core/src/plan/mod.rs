//! The plan: every call and check of a run with its references resolved.
//!
//! Resolving names (`names.rs`) gives each call its dependencies (calls it reads, the call its
//! `for_each` iterates) and its *fan-out* (`fanout.rs`): the chain of `for_each` calls whose rows
//! it runs once per, outermost first. A `for_each` call's rows nest under the rows of the calls
//! it reads. A call or check that refers to a fanned-out call inherits that fan-out; two
//! unrelated fan-outs in one call or check, a dependency cycle, an undefined name or a `needs` or
//! `cross_checks` (`needs.rs`) pointing nowhere are load-time errors.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Location};
use crate::format::{Call, Check, Pack};
use crate::test_name::TestName;

mod fanout;
mod graph;
mod names;
mod needs;

use names::{Names, Visible};

/// Index of a call in [`Plan::calls`].
pub type CallId = usize;
/// Index of a check in [`Plan::checks`].
pub type CheckId = usize;

/// What a root name in a template refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ref {
    /// `vars`: the run's variables.
    Vars,
    /// A call's response.
    Call(CallId),
    /// The item bound by a fan-out call's `for_each … as`.
    Binding(CallId),
}

/// A call with its references resolved.
#[derive(Debug)]
pub struct PlannedCall<'p> {
    /// Index of its pack.
    pub pack: usize,
    /// Its definition.
    pub def: &'p Call,
    /// Root names its templates read.
    pub refs: BTreeMap<String, Ref>,
    /// Calls whose responses it needs before it can run.
    pub depends_on: Vec<CallId>,
    /// The fan-out chain it runs once per row of, outermost first (ends with itself if it has
    /// `for_each`).
    pub fanout: Vec<CallId>,
}

/// A check with its references resolved.
#[derive(Debug)]
pub struct PlannedCheck<'p> {
    /// Index of its pack.
    pub pack: usize,
    /// Index of its suite in the pack.
    pub suite: usize,
    /// Its definition.
    pub def: &'p Check,
    /// `PACK::SUITE::ID`.
    pub name: String,
    /// Root names its templates and assertions read.
    pub refs: BTreeMap<String, Ref>,
    /// The fan-out chain it runs once per row of.
    pub fanout: Vec<CallId>,
    /// Checks that must pass first.
    pub needs: Vec<CheckId>,
    /// Checks that decide the same cause from other evidence, shown beside a failure.
    pub cross_checks: Vec<CheckId>,
}

/// Every call and check of a run, resolved.
#[derive(Debug)]
pub struct Plan<'p> {
    /// The packs.
    pub packs: &'p [Pack],
    /// Every call, pack-level and suite-level, of every pack.
    pub calls: Vec<PlannedCall<'p>>,
    /// Every check, in pack, suite and file order.
    pub checks: Vec<PlannedCheck<'p>>,
}

impl<'p> Plan<'p> {
    /// Resolves every reference in `packs`; returns every problem found.
    pub fn build(packs: &'p [Pack]) -> Result<Self, Vec<Diagnostic>> {
        let mut builder = Builder {
            calls: Vec::new(),
            diagnostics: Vec::new(),
        };
        let visible = builder.declare_all(packs);
        builder.resolve_calls(packs, &visible);
        builder.compute_fanouts();
        let mut checks = builder.resolve_checks(packs, &visible);
        builder.resolve_needs(packs, &mut checks);
        if builder.diagnostics.is_empty() {
            return Ok(Plan {
                packs,
                calls: builder.calls,
                checks,
            });
        }
        Err(builder.diagnostics)
    }

    /// The calls needed to decide `checks`: those they test or read, and everything those depend
    /// on, including the calls whose rows they fan out over (a check's fan-out is that of the
    /// calls it reads).
    pub fn calls_needed(&self, checks: &[CheckId]) -> Vec<bool> {
        let mut needed = vec![false; self.calls.len()];
        let mut stack: Vec<CallId> = checks
            .iter()
            .flat_map(|&check| self.checks[check].refs.values())
            .filter_map(|r| r.call_id())
            .collect();
        while let Some(id) = stack.pop() {
            if !std::mem::replace(&mut needed[id], true) {
                let call = &self.calls[id];
                stack.extend(&call.depends_on);
                stack.extend(&call.fanout);
            }
        }
        needed
    }

    /// The AWS operations (`eks:DescribeCluster`) of the calls `check` reads, sorted, each once.
    pub fn operations(&self, check: CheckId) -> Vec<&'static str> {
        let mut operations: Vec<&'static str> = self.checks[check]
            .refs
            .values()
            .filter_map(|r| match r {
                Ref::Call(id) => self.calls[*id].def.operation(),
                Ref::Vars | Ref::Binding(_) => None,
            })
            .map(|operation| operation.api)
            .collect();
        operations.sort_unstable();
        operations.dedup();
        operations
    }

    /// `checks` and every check they need, each after the checks it needs (the order in which
    /// they can be decided).
    pub(crate) fn needs_first(&self, checks: &[CheckId]) -> Vec<CheckId> {
        let edges: Vec<&[CheckId]> = self.checks.iter().map(|c| &c.needs[..]).collect();
        graph::sort(&edges, checks.iter().copied()).order
    }

    /// `checks` plus every check they need or cross-check, transitively.
    pub fn with_needed_checks(&self, checks: &[CheckId]) -> Vec<CheckId> {
        let mut included = vec![false; self.checks.len()];
        let mut stack = checks.to_vec();
        while let Some(id) = stack.pop() {
            if !std::mem::replace(&mut included[id], true) {
                stack.extend(&self.checks[id].needs);
                stack.extend(&self.checks[id].cross_checks);
            }
        }
        (0..self.checks.len()).filter(|&id| included[id]).collect()
    }
}

impl PlannedCall<'_> {
    /// The call its `for_each` iterates, if it has one.
    pub fn iterated(&self) -> Option<CallId> {
        let for_each = self.def.for_each.as_ref()?;
        match self.refs.get(&for_each.source) {
            Some(Ref::Call(source)) => Some(*source),
            _ => None,
        }
    }
}

impl Ref {
    /// The call behind a call or binding reference.
    pub(crate) fn call_id(self) -> Option<CallId> {
        match self {
            Ref::Vars => None,
            Ref::Call(id) | Ref::Binding(id) => Some(id),
        }
    }
}

/// A plan being built: the calls planned so far, and every problem found.
struct Builder<'p> {
    calls: Vec<PlannedCall<'p>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'p> Builder<'p> {
    fn error(&mut self, at: &Location, message: String, help: String) {
        self.diagnostics
            .push(Diagnostic::error(at.clone(), message).with_help(help));
    }

    /// Resolves every check in the names of its suite.
    fn resolve_checks(&mut self, packs: &'p [Pack], visible: &Visible) -> Vec<PlannedCheck<'p>> {
        let mut checks = Vec::new();
        for (pack_index, pack) in packs.iter().enumerate() {
            for (suite_index, suite) in pack.suites.iter().enumerate() {
                let names = &visible[pack_index].1[suite_index];
                for check in &suite.checks {
                    checks.push(self.resolve_check(pack_index, suite_index, pack, check, names));
                }
            }
        }
        checks
    }

    fn resolve_check(
        &mut self,
        pack_index: usize,
        suite_index: usize,
        pack: &'p Pack,
        check: &'p Check,
        names: &Names,
    ) -> PlannedCheck<'p> {
        let refs = self.check_refs(pack, check, names);
        let fanout = self.check_fanout(check, &refs);
        let suite = &pack.suites[suite_index];
        PlannedCheck {
            pack: pack_index,
            suite: suite_index,
            def: check,
            name: TestName::new(&pack.name, &suite.name, &check.id, None).to_string(),
            refs,
            fanout,
            needs: Vec::new(),
            cross_checks: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
