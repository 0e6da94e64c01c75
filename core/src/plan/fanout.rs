//! Fan-outs: the chain of `for_each` calls whose rows a call or check runs once per, computed in
//! dependency order. A call or check that reads a fanned-out call inherits its fan-out; two
//! unrelated fan-outs in one call or check, and calls that depend on each other in a cycle, are
//! errors.

use std::collections::BTreeMap;

use super::{Builder, CallId, Ref, graph};
use crate::diagnostic::Location;
use crate::format::Check;

impl Builder<'_> {
    /// Gives each call its fan-out, in dependency order, and reports cycles of calls.
    pub(super) fn compute_fanouts(&mut self) {
        let (order, cyclic) = self.order();
        // Fan-outs are computed in dependency order. A call in a cycle (reported already), or
        // reading one, gets none, so that the other calls and checks are still checked.
        let mut unordered = cyclic;
        for &id in &order {
            let reads_unordered = self.calls[id]
                .refs
                .values()
                .filter_map(|r| r.call_id())
                .any(|call| unordered[call]);
            if unordered[id] || reads_unordered {
                unordered[id] = true;
            } else {
                self.compute_call_fanout(id);
            }
        }
    }

    /// A topological order of the calls: each after the calls it reads and after the `for_each`
    /// calls whose items it reads (whose fan-out it inherits). Reports each cycle; returns which
    /// calls are part of one.
    pub(super) fn order(&mut self) -> (Vec<CallId>, Vec<bool>) {
        let edges: Vec<Vec<CallId>> = self
            .calls
            .iter()
            .enumerate()
            .map(|(id, call)| {
                let owners = call.refs.values().filter_map(|r| match *r {
                    Ref::Binding(owner) if owner != id => Some(owner),
                    _ => None,
                });
                call.depends_on.iter().copied().chain(owners).collect()
            })
            .collect();
        let sorted = graph::sort(&edges, 0..edges.len());
        for cycle in &sorted.cycles {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&id| self.calls[id].def.name.as_str())
                .collect();
            let at = self.calls[cycle[0]].def.location.clone();
            self.error(
                &at,
                format!(
                    "calls depend on each other in a cycle: {} → {}",
                    names.join(" → "),
                    names[0]
                ),
                "break the cycle: one of these calls must not read the others".into(),
            );
        }
        let mut cyclic = vec![false; self.calls.len()];
        for &id in sorted.cycles.iter().flatten() {
            cyclic[id] = true;
        }
        (sorted.order, cyclic)
    }

    /// Merges fan-out chains: each must extend the other, or they are unrelated.
    pub(super) fn merge_fanouts(
        &mut self,
        chains: impl IntoIterator<Item = (String, Vec<CallId>)>,
        at: &Location,
        what: &str,
    ) -> Vec<CallId> {
        let mut merged: Vec<CallId> = Vec::new();
        let mut merged_from = String::new();
        for (name, chain) in chains {
            if chain.starts_with(&merged) {
                if chain.len() > merged.len() {
                    merged = chain;
                    merged_from = name;
                }
            } else if !merged.starts_with(&chain) {
                let describe = |chain: &[CallId]| {
                    chain
                        .iter()
                        .map(|&id| self.calls[id].def.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                };
                let message = format!(
                    "{what} refers to two unrelated fan-outs: `{merged_from}` (one row per {}) and \
                     `{name}` (one row per {})",
                    describe(&merged),
                    describe(&chain)
                );
                self.error(
                    at,
                    message,
                    "split it so each part reads one fan-out, or nest one `for_each` inside the other"
                        .into(),
                );
                // One report per call or check, whatever else it reads of the same fan-outs.
                return merged;
            }
        }
        merged
    }

    pub(super) fn compute_call_fanout(&mut self, id: CallId) {
        let call = self.calls[id].def;
        let chains: Vec<(String, Vec<CallId>)> = self.calls[id]
            .refs
            .iter()
            .filter_map(|(name, reference)| match *reference {
                Ref::Call(target) => Some((name.clone(), self.calls[target].fanout.clone())),
                Ref::Binding(owner) if owner != id => {
                    Some((name.clone(), self.calls[owner].fanout.clone()))
                }
                _ => None,
            })
            .collect();
        let mut fanout =
            self.merge_fanouts(chains, &call.location, &format!("call `{}`", call.name));
        // A `for_each` call's rows nest under the rows of everything it reads: under the rows of
        // the call it iterates, or deeper (the endpoints of a VPC, for each node subnet). A
        // gathering call makes no rows: it answers once per row of what it reads.
        if call.for_each.is_some() && !call.gathers() {
            fanout.push(id);
        }
        self.calls[id].fanout = fanout;
    }

    /// The fan-out of a check reading `refs`.
    pub(super) fn check_fanout(
        &mut self,
        check: &Check,
        refs: &BTreeMap<String, Ref>,
    ) -> Vec<CallId> {
        let chains: Vec<(String, Vec<CallId>)> = refs
            .iter()
            .filter_map(|(name, reference)| {
                reference
                    .call_id()
                    .map(|id| (name.clone(), self.calls[id].fanout.clone()))
            })
            .collect();
        self.merge_fanouts(chains, &check.location, &format!("check `{}`", check.id))
    }
}
