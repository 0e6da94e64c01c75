//! A test kit for in-process tests of the pipeline, here and (through the `testkit` feature) in
//! the `ekscheck` crate: a pack loaded from text, its problems as text, and its checks run on an
//! in-memory recording, with typed outcomes.
//!
//! A run makes the same steps as the engine of the `ekscheck` crate ([`prepare`],
//! [`Answer::of_request`], [`Expanding::add_rows`], [`Expanding::gathering`], [`gathered`]), in
//! the same order of dependencies, but one call at a time and without the engine's deduplication
//! of requests.

use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::diagnostic::{Diagnostic, Level};
use crate::evaluate::{Outcome, evaluate_with};
use crate::execute::recording::RecordingBackend;
use crate::execute::{
    Answer, Backend, CallError, CallResults, Execution, Expanding, Expansion, Gathering, Instance,
    Limits, Prepared, Row, RowScope, gathered, prepare, row_scope, within_limit,
};
use crate::format::{Pack, load_packs};
use crate::overrides::Overrides;
use crate::plan::{CallId, CheckId, Plan};

/// Packs loaded from text, in a temporary directory that lives as long as they do.
pub struct Loaded {
    dir: TempDir,
    /// The packs that could be read.
    pub packs: Vec<Pack>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// A pack's manifest with a required `cluster` var and two calls every suite may read:
/// `cluster` (eks:DescribeCluster) and `groups` (eks:ListNodegroups).
pub const MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { required: true }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: '{{vars.cluster}}' }
  groups:
    api: eks:ListNodegroups
    params: { clusterName: '{{vars.cluster}}' }
";

/// The pack of [`MANIFEST`] and one suite, `s.yaml`.
pub fn pack(suite: &str) -> Loaded {
    load(&[("pack.yaml", MANIFEST), ("s.yaml", suite)])
}

/// Loads the pack made of `files` (paths relative to the pack's directory `pack/`, and their
/// text).
pub fn load(files: &[(&str, &str)]) -> Loaded {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        let path = dir.path().join("pack").join(path);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("a directory");
        std::fs::write(path, text).expect("a file written");
    }
    let (packs, diagnostics) = load_packs(&[dir.path().join("pack")]);
    Loaded {
        dir,
        packs,
        diagnostics,
    }
}

impl Loaded {
    /// The directory the packs were written in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Each problem of loading as `FILE:LINE:COLUMN: LEVEL: MESSAGE`, `FILE` relative to
    /// [`Loaded::dir`] (`LEVEL: MESSAGE` when it has no place in a file).
    pub fn problems(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|diagnostic| described(diagnostic, self.dir()))
            .collect()
    }

    /// The plan of the packs; panics with the problems if they have any.
    pub fn plan(&self) -> Plan<'_> {
        let problems = self.problems();
        assert!(
            problems.is_empty(),
            "the packs have problems: {problems:#?}"
        );
        Plan::build(&self.packs)
            .unwrap_or_else(|found| panic!("the packs do not plan: {:#?}", self.all(&found)))
    }

    /// The problems the planner finds (none if the packs plan), as [`Loaded::problems`] shows
    /// them.
    pub fn plan_problems(&self) -> Vec<String> {
        match Plan::build(&self.packs) {
            Ok(_) => Vec::new(),
            Err(found) => self.all(&found),
        }
    }

    fn all(&self, diagnostics: &[Diagnostic]) -> Vec<String> {
        diagnostics
            .iter()
            .map(|diagnostic| described(diagnostic, self.dir()))
            .collect()
    }
}

/// `FILE:LINE:COLUMN: LEVEL: MESSAGE`, from the diagnostic's fields (not from its rendering).
pub fn described(diagnostic: &Diagnostic, dir: &Path) -> String {
    let level = match diagnostic.level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let prefix = format!("{}/", dir.display());
    match &diagnostic.location {
        Some(at) => format!(
            "{}:{}:{}: {level}: {}",
            at.file
                .path
                .strip_prefix(dir)
                .unwrap_or(&at.file.path)
                .display(),
            at.line,
            at.column,
            diagnostic.message
        ),
        None => format!("{level}: {}", diagnostic.message.replace(&prefix, "")),
    }
}

/// A recording held in memory: calls (operation and params) and their answers.
#[derive(Default)]
pub struct Recording(Vec<(String, Value, Result<Value, CallError>)>);

impl Recording {
    /// Answers `api` with `params` by `response`.
    pub fn answer(mut self, api: &str, params: Value, response: Value) -> Self {
        self.0.push((api.to_owned(), params, Ok(response)));
        self
    }

    /// Answers `api` with `params` by the error `code`.
    pub fn fail(mut self, api: &str, params: Value, code: &str, message: &str) -> Self {
        let error = CallError::new(code, message);
        self.0.push((api.to_owned(), params, Err(error)));
        self
    }
}

/// Runs every check of `plan` on `recording`, with the variables given as `--var NAME=VALUE`
/// would give them and a team's `overrides`; returns the outcomes of every check, in plan order.
pub fn run(
    plan: &Plan,
    recording: Recording,
    vars: &[(&str, &str)],
    overrides: &Overrides,
) -> Vec<Outcome> {
    let (execution, vars) = execution(plan, recording, vars);
    let checks: Vec<CheckId> = (0..plan.checks.len()).collect();
    evaluate_with(plan, &execution, &vars, &checks, overrides)
}

/// Makes the calls every check of `plan` needs on `recording`, with the variables given as
/// `--var NAME=VALUE` would give them; returns the execution and the variables of each pack, for
/// evaluating it.
pub fn execution(
    plan: &Plan,
    recording: Recording,
    vars: &[(&str, &str)],
) -> (Execution, Vec<Value>) {
    let given: Vec<(String, String)> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    let vars = crate::vars::resolve(plan.packs, &given, None, None)
        .unwrap_or_else(|problems| panic!("the variables are not valid: {problems:#?}"));
    let checks: Vec<CheckId> = (0..plan.checks.len()).collect();
    let backend = RecordingBackend::from_calls(recording.0);
    let execution = execute(plan, &vars, &plan.calls_needed(&checks), &backend);
    (execution, vars)
}

/// Makes the `needed` calls of `plan`, each once its dependencies are done.
fn execute(plan: &Plan, vars: &[Value], needed: &[bool], backend: &RecordingBackend) -> Execution {
    let mut run = Run {
        plan,
        vars,
        backend,
        limits: Limits::default(),
        calls: vec![None; plan.calls.len()],
        expansions: HashMap::new(),
    };
    for id in (0..plan.calls.len()).filter(|&id| needed[id]) {
        run.results(id);
    }
    Execution {
        calls: run.calls,
        expansions: run.expansions,
        requests: 0,
        elapsed: Duration::ZERO,
    }
}

/// The state of a run: the results of the calls made, and the rows of the fan-outs expanded.
struct Run<'a> {
    plan: &'a Plan<'a>,
    vars: &'a [Value],
    backend: &'a RecordingBackend,
    limits: Limits,
    calls: Vec<Option<Arc<CallResults>>>,
    expansions: HashMap<CallId, Arc<Expansion>>,
}

impl Run<'_> {
    /// The results of call `id`, made after its dependencies.
    fn results(&mut self, id: CallId) -> Arc<CallResults> {
        if let Some(results) = &self.calls[id] {
            return Arc::clone(results);
        }
        let planned = &self.plan.calls[id];
        for &dependency in &planned.depends_on {
            self.results(dependency);
        }
        let (rows, failures) = match planned.fanout.last() {
            None => (vec![Row::default()], Vec::new()),
            Some(&last) => {
                let expansion = self.expansion(last);
                (expansion.rows.clone(), expansion.failures.clone())
            }
        };
        let failed_rows = failures.into_iter().map(|(row, failure)| Instance {
            row,
            answer: Answer::Failed(failure),
            elapsed: Duration::ZERO,
        });
        let vars = &self.vars[planned.pack];
        let instances: Vec<Instance> = rows
            .into_iter()
            .map(|row| {
                let answer = if planned.def.gathers() {
                    self.gather(id, &row)
                } else {
                    self.answer(
                        id,
                        &row_scope(&planned.refs, &planned.fanout, &row, vars, &self.calls),
                    )
                };
                Instance {
                    row,
                    answer,
                    elapsed: Duration::ZERO,
                }
            })
            .collect();
        let results = Arc::new(CallResults::new(failed_rows.chain(instances).collect()));
        self.calls[id] = Some(Arc::clone(&results));
        results
    }

    /// Answers call `id` for the row of `scope`: prepared, then (for a request) asked of the
    /// recording.
    fn answer(&self, id: CallId, scope: &RowScope<'_>) -> Answer {
        let call = self.plan.calls[id].def;
        match prepare(call, scope) {
            Prepared::Answered(answer) => answer,
            Prepared::Request { api, params } => {
                let result = answered(self.backend.call(api, &params))
                    .and_then(|response| within_limit(response, self.limits.max_response_bytes));
                Answer::of_request(call, api, params, &result)
            }
        }
    }

    /// Answers gathering call `id` for outer row `row`: once per item, gathered by label.
    fn gather(&self, id: CallId, row: &Row) -> Answer {
        let planned = &self.plan.calls[id];
        let vars = &self.vars[planned.pack];
        let expanding = Expanding {
            planned,
            calls: &self.calls,
            vars,
            max_rows: self.limits.max_rows,
        };
        let Gathering { chain, items } = match expanding.gathering(id, row) {
            Ok(gathering) => gathering,
            Err(answer) => return answer,
        };
        let answers = items
            .iter()
            .map(|(item_row, _)| {
                let scope = row_scope(&planned.refs, &chain, item_row, vars, &self.calls);
                (self.answer(id, &scope), Duration::ZERO)
            })
            .collect();
        gathered(items, answers).0
    }

    /// The rows of fan-out call `id`, expanded after the call it iterates and its outer rows.
    fn expansion(&mut self, id: CallId) -> Arc<Expansion> {
        if let Some(expansion) = self.expansions.get(&id) {
            return Arc::clone(expansion);
        }
        let planned = &self.plan.calls[id];
        let Some(source) = planned.iterated() else {
            return Arc::default();
        };
        self.results(source);
        for &dependency in &planned.depends_on {
            self.results(dependency);
        }
        let mut expansion = Expansion::default();
        let outer_rows = match planned.fanout.iter().rev().nth(1) {
            None => vec![Row::default()],
            Some(&outer) => {
                let outer = self.expansion(outer);
                expansion.failures.extend(outer.failures.iter().cloned());
                outer.rows.clone()
            }
        };
        let expanding = Expanding {
            planned,
            calls: &self.calls,
            vars: &self.vars[planned.pack],
            max_rows: self.limits.max_rows,
        };
        for row in outer_rows {
            expanding.add_rows(row, &mut expansion);
        }
        let expansion = Arc::new(expansion);
        self.expansions.insert(id, Arc::clone(&expansion));
        expansion
    }
}

/// The output of a future that is ready at once, as a recording's answer is.
pub(crate) fn answered<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a recording answers at once"),
    }
}
