//! `needs` and `cross_checks`: the checks a check needs to pass first, and those that decide the
//! same cause from other evidence (`id`, `suite/id`, or `pack::suite/id` in a required pack),
//! resolved, with the references that point nowhere, a cross-check whose rows cannot correspond,
//! and cycles of `needs` reported.

use std::collections::HashMap;

use super::{Builder, CallId, CheckId, PlannedCheck, graph};
use crate::format::{CheckRef, Pack};

impl Builder<'_> {
    /// Resolves every check's `needs` and `cross_checks`; reports the references that name no
    /// check, the check itself, or (for a cross-check) a check whose rows cannot correspond, and
    /// cycles of `needs`.
    pub(super) fn resolve_needs(&mut self, packs: &[Pack], checks: &mut [PlannedCheck]) {
        let index: HashMap<(usize, &str, &str), CheckId> = checks
            .iter()
            .enumerate()
            .map(|(id, c)| {
                (
                    (
                        c.pack,
                        packs[c.pack].suites[c.suite].name.as_str(),
                        c.def.id.as_str(),
                    ),
                    id,
                )
            })
            .collect();
        let mut resolved: Vec<(Vec<CheckId>, Vec<CheckId>)> = Vec::with_capacity(checks.len());
        for id in 0..checks.len() {
            let check = &checks[id];
            let mut resolve = |reference, relation| {
                self.resolve_check_ref(packs, checks, &index, id, reference, relation)
            };
            let needs: Vec<CheckId> = check
                .def
                .needs
                .iter()
                .filter_map(|need| resolve(need, Relation::Needs))
                .collect();
            let cross_checks: Vec<(CheckId, &CheckRef)> = check
                .def
                .cross_checks
                .iter()
                .filter_map(|other| Some((resolve(other, Relation::CrossChecks)?, other)))
                .collect();
            for &(other, written) in &cross_checks {
                let (mine, theirs) = (&check.fanout, &checks[other].fanout);
                if !mine.is_empty() && !theirs.is_empty() && mine[0] != theirs[0] {
                    let rows = |chain: &[CallId]| {
                        let names: Vec<&str> = chain
                            .iter()
                            .map(|&c| self.calls[c].def.name.as_str())
                            .collect();
                        names.join(" × ")
                    };
                    let message = format!(
                        "check `{}` cross-checks `{}`, whose rows (one per item of {}) are \
                         unrelated to its own (one per item of {}): no row of one corresponds \
                         to a row of the other",
                        check.def.id,
                        checks[other].def.id,
                        rows(theirs),
                        rows(mine)
                    );
                    self.error(
                        &written.location,
                        message,
                        "cross-check a check whose rows are this one's, contain them, or share \
                         their outer rows"
                            .into(),
                    );
                }
            }
            let cross_checks = cross_checks.into_iter().map(|(other, _)| other).collect();
            resolved.push((needs, cross_checks));
        }
        for (check, (needs, cross_checks)) in checks.iter_mut().zip(resolved) {
            check.needs = needs;
            check.cross_checks = cross_checks;
        }
        let edges: Vec<&[CheckId]> = checks.iter().map(|check| &check.needs[..]).collect();
        for cycle in graph::sort(&edges, 0..edges.len()).cycles {
            let ids: Vec<&str> = cycle.iter().map(|&id| checks[id].def.id.as_str()).collect();
            self.error(
                &checks[cycle[0]].def.location,
                format!(
                    "`needs` of check `{}` form a cycle: {} → {}",
                    ids[0],
                    ids.join(" → "),
                    ids[0]
                ),
                "a check cannot (indirectly) need itself: remove one of the `needs`".into(),
            );
        }
    }

    /// The check `reference` (written in `needs` or `cross_checks` of check `id`) names, or a
    /// reported error.
    fn resolve_check_ref(
        &mut self,
        packs: &[Pack],
        checks: &[PlannedCheck],
        index: &HashMap<(usize, &str, &str), CheckId>,
        id: CheckId,
        reference: &CheckRef,
        relation: Relation,
    ) -> Option<CheckId> {
        let check = &checks[id];
        let suite_name = packs[check.pack].suites[check.suite].name.as_str();
        let pack = match &reference.pack {
            None => check.pack,
            Some(name) => {
                let requiring = &packs[check.pack];
                let required = requiring.requires.iter().any(|r| &r.pack == name)
                    || requiring.unloaded_requires.contains(name);
                match packs.iter().position(|p| &p.name == name) {
                    Some(index) if required && reference.suite.is_some() => index,
                    None if required => return None,
                    _ => {
                        let help = if required {
                            format!("write `{name}::SUITE/{}`", reference.id)
                        } else {
                            format!("add `{name}` to `requires:` in pack.yaml")
                        };
                        self.error(
                            &reference.location,
                            format!("`{name}::…` names no required pack's check"),
                            help,
                        );
                        return None;
                    }
                }
            }
        };
        let suite = reference.suite.as_deref().unwrap_or(suite_name);
        match index.get(&(pack, suite, reference.id.as_str())) {
            Some(&target) if target == id => {
                self.error(
                    &reference.location,
                    format!("check `{}` {} itself", reference.id, relation.verb()),
                    format!("remove it from `{}`", relation.key()),
                );
                None
            }
            Some(&target) => Some(target),
            None if packs[check.pack].unloaded_suites.iter().any(|s| s == suite)
                || packs[check.pack]
                    .suites
                    .iter()
                    .any(|s| s.name == suite && s.unloaded_checks.contains(&reference.id)) =>
            {
                None
            }
            None => {
                let known: Vec<String> = checks
                    .iter()
                    .filter(|c| c.pack == check.pack)
                    .map(|c| {
                        let s = &packs[c.pack].suites[c.suite].name;
                        if s == suite_name {
                            c.def.id.clone()
                        } else {
                            format!("{s}/{}", c.def.id)
                        }
                    })
                    .collect();
                let shown = match &reference.suite {
                    Some(suite) => format!("{suite}/{}", reference.id),
                    None => reference.id.clone(),
                };
                self.undefined(&reference.location, "check", &shown, known.iter());
                None
            }
        }
    }
}

/// How a check refers to another.
#[derive(Clone, Copy)]
enum Relation {
    /// `needs`: the other must pass first.
    Needs,
    /// `cross_checks`: the other decides the same cause from other evidence.
    CrossChecks,
}

impl Relation {
    fn key(self) -> &'static str {
        match self {
            Relation::Needs => "needs",
            Relation::CrossChecks => "cross_checks",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Relation::Needs => "needs",
            Relation::CrossChecks => "cross-checks",
        }
    }
}
