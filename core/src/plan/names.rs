//! Names: what each call, check and template refers to. Every call is declared in the names of
//! its pack or suite; a pack also sees the pack-level calls of the packs it requires, as
//! `PACK::NAME`. A name that is not visible is an error, unless it names something that had
//! errors of its own (already reported).

use std::collections::BTreeMap;

use super::{Builder, CallId, PlannedCall, Ref};
use crate::diagnostic::Location;
use crate::format::{Call, Check, Pack};
use crate::suggest;
use crate::template::NameUse;

/// The names visible from one suite (or, for pack-level calls, from the pack).
#[derive(Default)]
pub(super) struct Names {
    calls: BTreeMap<String, CallId>,
    bindings: BTreeMap<String, CallId>,
    /// Calls that had load errors, and `PACK::` of required packs that could not be loaded:
    /// references to them are not reported again.
    unloaded: Vec<String>,
}

impl Names {
    pub(super) fn is_unloaded(&self, name: &str) -> bool {
        self.unloaded.iter().any(|unloaded| {
            unloaded == name || (unloaded.ends_with("::") && name.starts_with(unloaded.as_str()))
        })
    }
}

/// For each pack, the names it sees, and those each of its suites sees.
pub(super) type Visible = Vec<(Names, Vec<Names>)>;

impl<'p> Builder<'p> {
    /// Declares every call of `packs`, and the names each pack and suite sees: its own calls
    /// (and their `as` names), and the pack-level ones of the packs it requires.
    pub(super) fn declare_all(&mut self, packs: &'p [Pack]) -> Visible {
        let mut visible: Vec<(Names, Vec<Names>)> = Vec::new();
        for (pack_index, pack) in packs.iter().enumerate() {
            let mut pack_names = Names {
                unloaded: pack.unloaded_calls.clone(),
                ..Names::default()
            };
            self.declare(pack_index, &pack.calls, &mut pack_names);
            let suite_names = pack
                .suites
                .iter()
                .map(|suite| {
                    let mut names = Names {
                        calls: pack_names.calls.clone(),
                        bindings: pack_names.bindings.clone(),
                        unloaded: [&pack.unloaded_calls[..], &suite.unloaded_calls[..]].concat(),
                    };
                    self.declare(pack_index, &suite.calls, &mut names);
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
        visible
    }

    /// Resolves each call in the names it was declared in.
    pub(super) fn resolve_calls(&mut self, packs: &'p [Pack], visible: &Visible) {
        for (pack_index, pack) in packs.iter().enumerate() {
            let (pack_names, suite_names) = &visible[pack_index];
            let mut call_names: Vec<(&Call, &Names)> =
                pack.calls.iter().map(|call| (call, pack_names)).collect();
            for (suite, names) in pack.suites.iter().zip(suite_names) {
                call_names.extend(suite.calls.iter().map(|call| (call, names)));
            }
            for (call, names) in call_names {
                self.resolve_call(pack, call, names);
            }
        }
    }

    pub(super) fn declare(&mut self, pack: usize, calls: &'p [Call], names: &mut Names) {
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
    pub(super) fn resolve_calls_read<'a>(
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

    pub(super) fn resolve_call(&mut self, pack: &Pack, call: &'p Call, names: &Names) {
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
            if self.calls[owner].def.gathers() && Some(owner) != own {
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

    pub(super) fn for_each_source(&self, owner: CallId, names: &Names) -> Option<CallId> {
        let source = &self.calls[owner].def.for_each.as_ref()?.source;
        names.calls.get(source).copied()
    }

    pub(super) fn resolve_names(
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

    pub(super) fn undefined<'a>(
        &mut self,
        at: &Location,
        what: &str,
        name: &str,
        known: impl Iterator<Item = &'a String> + Clone,
    ) {
        let help = suggest::did_you_mean(name, known.map(String::as_str));
        self.error(at, format!("undefined {what} `{name}`"), help);
    }

    /// The names a check's assertions and templates read, resolved.
    pub(super) fn check_refs(
        &mut self,
        pack: &Pack,
        check: &Check,
        names: &Names,
    ) -> BTreeMap<String, Ref> {
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
        refs
    }
}
