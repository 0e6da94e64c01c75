//! The plan: every call and check of a run with its references resolved.
//!
//! Resolving names gives each call its dependencies (calls it reads, the call its `for_each`
//! iterates) and its *fan-out*: the chain of `for_each` calls whose rows it runs once per,
//! outermost first. A `for_each` call's rows nest under the rows of the calls it reads. A call or check that refers to a fanned-out call inherits that fan-out; two
//! unrelated fan-outs in one call or check, a dependency cycle, an undefined name or a `needs`
//! pointing nowhere are load-time errors.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Diagnostic, Location};
use crate::format::{Call, Check, CheckRef, Pack};
use crate::suggest;
use crate::template::NameUse;

mod graph;

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

/// The names visible from one suite (or, for pack-level calls, from the pack).
#[derive(Default)]
struct Names {
    calls: BTreeMap<String, CallId>,
    bindings: BTreeMap<String, CallId>,
    /// Calls that had load errors, and `PACK::` of required packs that could not be loaded:
    /// references to them are not reported again.
    unloaded: Vec<String>,
}

impl Names {
    fn is_unloaded(&self, name: &str) -> bool {
        self.unloaded.iter().any(|unloaded| {
            unloaded == name || (unloaded.ends_with("::") && name.starts_with(unloaded.as_str()))
        })
    }
}

impl<'p> Plan<'p> {
    /// Resolves every reference in `packs`; returns every problem found.
    pub fn build(packs: &'p [Pack]) -> Result<Self, Vec<Diagnostic>> {
        let mut builder = Builder {
            calls: Vec::new(),
            diagnostics: Vec::new(),
        };
        let mut visible: Vec<(Names, Vec<Names>)> = Vec::new();
        for (pack_index, pack) in packs.iter().enumerate() {
            let mut pack_names = Names {
                unloaded: pack.unloaded_calls.clone(),
                ..Names::default()
            };
            builder.declare(pack_index, &pack.calls, &mut pack_names);
            let suite_names = pack
                .suites
                .iter()
                .map(|suite| {
                    let mut names = Names {
                        calls: pack_names.calls.clone(),
                        bindings: pack_names.bindings.clone(),
                        unloaded: [&pack.unloaded_calls[..], &suite.unloaded_calls[..]].concat(),
                    };
                    builder.declare(pack_index, &suite.calls, &mut names);
                    names
                })
                .collect();
            visible.push((pack_names, suite_names));
        }
        // A pack sees the pack-level calls (and their `as` names) of the packs it requires, as
        // `PACK::NAME`; a required pack that could not be loaded was reported already.
        for (pack_index, pack) in packs.iter().enumerate() {
            let missing: Vec<String> = pack
                .requires
                .iter()
                .map(|requirement| &requirement.pack)
                .filter(|name| packs.iter().all(|p| &p.name != *name))
                .chain(&pack.unloaded_requires)
                .map(|name| format!("{name}::"))
                .collect();
            let required: Vec<(String, CallId, bool)> = pack
                .requires
                .iter()
                .filter_map(|requirement| {
                    let index = packs.iter().position(|p| p.name == requirement.pack)?;
                    let names = &visible[index].0;
                    let prefixed = |(name, id): (&String, &CallId), binding| {
                        (format!("{}::{name}", requirement.pack), *id, binding)
                    };
                    Some(
                        (names.calls.iter().map(move |entry| prefixed(entry, false)))
                            .chain(
                                names
                                    .bindings
                                    .iter()
                                    .map(move |entry| prefixed(entry, true)),
                            )
                            .collect::<Vec<_>>(),
                    )
                })
                .flatten()
                .collect();
            let (pack_names, suite_names) = &mut visible[pack_index];
            for names in std::iter::once(pack_names).chain(suite_names.iter_mut()) {
                names.unloaded.extend(missing.iter().cloned());
                for (name, id, binding) in &required {
                    let table = if *binding {
                        &mut names.bindings
                    } else {
                        &mut names.calls
                    };
                    table.insert(name.clone(), *id);
                }
            }
        }
        // Resolve each call in the names it was declared in.
        for (pack_index, pack) in packs.iter().enumerate() {
            let (pack_names, suite_names) = &visible[pack_index];
            let mut call_names: Vec<(&Call, &Names)> =
                pack.calls.iter().map(|call| (call, pack_names)).collect();
            for (suite, names) in pack.suites.iter().zip(suite_names) {
                call_names.extend(suite.calls.iter().map(|call| (call, names)));
            }
            for (call, names) in call_names {
                builder.resolve_call(pack, call, names);
            }
        }
        let (order, cyclic) = builder.order();
        // Fan-outs are computed in dependency order. A call in a cycle (reported already), or
        // reading one, gets none, so that the other calls and checks are still checked.
        let mut unordered = cyclic;
        for &id in &order {
            let reads_unordered = builder.calls[id]
                .refs
                .values()
                .filter_map(|r| r.call_id())
                .any(|call| unordered[call]);
            if unordered[id] || reads_unordered {
                unordered[id] = true;
            } else {
                builder.compute_call_fanout(id);
            }
        }
        let mut checks = Vec::new();
        for (pack_index, pack) in packs.iter().enumerate() {
            for (suite_index, suite) in pack.suites.iter().enumerate() {
                let names = &visible[pack_index].1[suite_index];
                for check in &suite.checks {
                    checks.push(builder.resolve_check(pack_index, suite_index, pack, check, names));
                }
            }
        }
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
    /// on, including the calls whose rows they fan out over.
    pub fn calls_needed(&self, checks: &[CheckId]) -> Vec<bool> {
        let mut needed = vec![false; self.calls.len()];
        let mut stack: Vec<CallId> = Vec::new();
        for &check in checks {
            let check = &self.checks[check];
            stack.extend(check.refs.values().filter_map(|r| r.call_id()));
            stack.extend(&check.fanout);
        }
        while let Some(id) = stack.pop() {
            if !std::mem::replace(&mut needed[id], true) {
                let call = &self.calls[id];
                stack.extend(&call.depends_on);
                stack.extend(&call.fanout);
            }
        }
        needed
    }

    /// `checks` and every check they need, each after the checks it needs (the order in which
    /// they can be decided).
    pub fn needs_first(&self, checks: &[CheckId]) -> Vec<CheckId> {
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

impl Ref {
    /// The call behind a call or binding reference.
    pub fn call_id(self) -> Option<CallId> {
        match self {
            Ref::Vars => None,
            Ref::Call(id) | Ref::Binding(id) => Some(id),
        }
    }
}

struct Builder<'p> {
    calls: Vec<PlannedCall<'p>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'p> Builder<'p> {
    fn error(&mut self, at: &Location, message: String, help: String) {
        self.diagnostics
            .push(Diagnostic::error(at.clone(), message).with_help(help));
    }

    fn declare(&mut self, pack: usize, calls: &'p [Call], names: &mut Names) {
        for call in calls {
            let id = self.calls.len();
            if names.calls.insert(call.name.clone(), id).is_some() {
                self.error(
                    &call.location,
                    format!("call `{}` is already defined for this suite", call.name),
                    "rename one of them; pack-level calls are visible in every suite".into(),
                );
            }
            if let Some(for_each) = &call.for_each {
                let binding = &for_each.binding;
                if names.calls.contains_key(binding)
                    || names.bindings.insert(binding.clone(), id).is_some()
                {
                    self.error(
                        &for_each.binding_location,
                        format!("`as: {binding}` is already a call or binding name here"),
                        "choose a name no other call or `as` uses".into(),
                    );
                }
            }
            self.calls.push(PlannedCall {
                pack,
                def: call,
                refs: BTreeMap::new(),
                depends_on: Vec::new(),
                fanout: Vec::new(),
            });
        }
    }

    /// Resolves the calls assertions name in `on:` (and in `any_of`/`all_of`).
    fn resolve_calls_read<'a>(
        &mut self,
        read: impl Iterator<Item = (&'a str, &'a Location)>,
        names: &Names,
        refs: &mut BTreeMap<String, Ref>,
    ) {
        for (on, at) in read {
            match names.calls.get(on) {
                Some(&id) => {
                    refs.insert(on.to_owned(), Ref::Call(id));
                }
                None if names.is_unloaded(on) => {}
                None => self.undefined(at, "call", on, names.calls.keys()),
            }
        }
    }

    fn resolve_call(&mut self, pack: &Pack, call: &'p Call, names: &Names) {
        let id = names.calls[&call.name];
        let mut refs = BTreeMap::new();
        self.resolve_calls_read(call.when_reads(), names, &mut refs);
        for template in call.templates() {
            let at = template.location().unwrap_or(&call.location);
            self.resolve_names(pack, template.names(), names, at, &mut refs);
        }
        let mut depends_on: Vec<CallId> = Vec::new();
        if let Some(label) = call.for_each.as_ref().and_then(|f| f.label.as_ref()) {
            let mut label_refs = BTreeMap::new();
            let at = label.location().unwrap_or(&call.location);
            self.resolve_names(pack, label.names(), names, at, &mut label_refs);
            if label_refs.values().any(|r| matches!(r, Ref::Call(_))) {
                self.error(
                    &call.location,
                    format!("the row label of `{}` reads a call's response", call.name),
                    "a label may use `vars` and `as` names only, e.g. `{{ng}}`".into(),
                );
            } else {
                refs.extend(label_refs);
            }
        }
        if let Some(for_each) = &call.for_each {
            match names.calls.get(&for_each.source) {
                Some(&source) => {
                    refs.insert(for_each.source.clone(), Ref::Call(source));
                }
                None if names.is_unloaded(&for_each.source) => {}
                None => self.undefined(
                    &for_each.source_location,
                    "call",
                    &for_each.source,
                    names.calls.keys(),
                ),
            }
        }
        for reference in refs.values() {
            match *reference {
                Ref::Call(target) if target == id => self.error(
                    &call.location,
                    format!("call `{}` refers to its own response", call.name),
                    "a call can only read calls made before it".into(),
                ),
                Ref::Call(target) => depends_on.push(target),
                // Rows of a fan-out are known once the call it iterates is done.
                Ref::Binding(owner) if owner != id => {
                    if let Some(source) = self.for_each_source(owner, names) {
                        depends_on.push(source);
                    }
                }
                Ref::Binding(_) | Ref::Vars => {}
            }
        }
        depends_on.sort_unstable();
        depends_on.dedup();
        self.refuse_gathered_bindings(
            &refs,
            Some(id),
            &call.location,
            &format!("call `{}`", call.name),
        );
        self.calls[id].refs = refs;
        self.calls[id].depends_on = depends_on;
    }

    /// Reports each `as` name of a gathering call that another call or check (`what`, which is
    /// call `own` if a call) reads: a gathering call has no rows, so its items are only visible
    /// in its own templates.
    fn refuse_gathered_bindings(
        &mut self,
        refs: &BTreeMap<String, Ref>,
        own: Option<CallId>,
        at: &Location,
        what: &str,
    ) {
        for (name, reference) in refs {
            let Ref::Binding(owner) = *reference else {
                continue;
            };
            let gathering = self.calls[owner]
                .def
                .for_each
                .as_ref()
                .is_some_and(|for_each| for_each.gather);
            if gathering && Some(owner) != own {
                let gatherer = self.calls[owner].def.name.clone();
                self.error(
                    at,
                    format!("{what} reads `{name}`, an item of the gathering call `{gatherer}`"),
                    format!(
                        "a gathering call makes no rows: read its response (`{gatherer}`), which \
                         maps each item's label to the item's answer"
                    ),
                );
            }
        }
    }

    fn for_each_source(&self, owner: CallId, names: &Names) -> Option<CallId> {
        let source = &self.calls[owner].def.for_each.as_ref()?.source;
        names.calls.get(source).copied()
    }

    fn resolve_names(
        &mut self,
        pack: &Pack,
        uses: &[NameUse],
        visible: &Names,
        at: &Location,
        refs: &mut BTreeMap<String, Ref>,
    ) {
        for name in uses {
            let reference = if name.root == "vars" {
                if let Some(member) = &name.member
                    && !pack.vars.iter().any(|var| &var.name == member)
                {
                    let declared = pack.vars.iter().map(|v| v.name.as_str());
                    let help = match suggest::closest(member, declared) {
                        Some(close) => format!("did you mean `vars.{close}`?"),
                        None => format!(
                            "declare it in {}: `vars: {{ {member}: {{ description: … }} }}`",
                            pack.manifest.path.display()
                        ),
                    };
                    self.error(
                        at,
                        format!("the pack declares no variable `{member}`"),
                        help,
                    );
                    continue;
                }
                Ref::Vars
            } else if let Some(&id) = visible.calls.get(&name.root) {
                Ref::Call(id)
            } else if let Some(&id) = visible.bindings.get(&name.root) {
                Ref::Binding(id)
            } else if visible.is_unloaded(&name.root) {
                continue;
            } else {
                let mut known: Vec<String> = vec!["vars".to_owned()];
                known.extend(visible.calls.keys().cloned());
                known.extend(visible.bindings.keys().cloned());
                self.undefined(at, "name", &name.root, known.iter());
                continue;
            };
            refs.insert(name.root.clone(), reference);
        }
    }

    fn undefined<'a>(
        &mut self,
        at: &Location,
        what: &str,
        name: &str,
        known: impl Iterator<Item = &'a String> + Clone,
    ) {
        let help = suggest::did_you_mean(name, known.map(String::as_str));
        self.error(at, format!("undefined {what} `{name}`"), help);
    }

    /// A topological order of the calls: each after the calls it reads and after the `for_each`
    /// calls whose items it reads (whose fan-out it inherits). Reports each cycle; returns which
    /// calls are part of one.
    fn order(&mut self) -> (Vec<CallId>, Vec<bool>) {
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
    fn merge_fanouts(
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

    fn compute_call_fanout(&mut self, id: CallId) {
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
        if call
            .for_each
            .as_ref()
            .is_some_and(|for_each| !for_each.gather)
        {
            fanout.push(id);
        }
        self.calls[id].fanout = fanout;
    }

    fn resolve_check(
        &mut self,
        pack_index: usize,
        suite_index: usize,
        pack: &'p Pack,
        check: &'p Check,
        names: &Names,
    ) -> PlannedCheck<'p> {
        let mut refs = BTreeMap::new();
        let read = check
            .assertions()
            .flat_map(|assertion| assertion.calls_read());
        self.resolve_calls_read(read, names, &mut refs);
        for template in check.templates() {
            let at = template.location().unwrap_or(&check.location);
            self.resolve_names(pack, template.names(), names, at, &mut refs);
        }
        self.refuse_gathered_bindings(
            &refs,
            None,
            &check.location,
            &format!("check `{}`", check.id),
        );
        let chains: Vec<(String, Vec<CallId>)> = refs
            .iter()
            .filter_map(|(name, reference)| {
                reference
                    .call_id()
                    .map(|id| (name.clone(), self.calls[id].fanout.clone()))
            })
            .collect();
        let fanout = self.merge_fanouts(chains, &check.location, &format!("check `{}`", check.id));
        let suite = &pack.suites[suite_index];
        PlannedCheck {
            pack: pack_index,
            suite: suite_index,
            def: check,
            name: format!("{}::{}::{}", pack.name, suite.name, check.id),
            refs,
            fanout,
            needs: Vec::new(),
            cross_checks: Vec::new(),
        }
    }

    /// Resolves every check's `needs` and `cross_checks`; reports the references that name no
    /// check, the check itself, or (for a cross-check) a check whose rows cannot correspond, and
    /// cycles of `needs`.
    fn resolve_needs(&mut self, packs: &[Pack], checks: &mut [PlannedCheck]) {
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
