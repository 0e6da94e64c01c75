//! Running a plan: every call instance, concurrently, each distinct call once.
//!
//! Each call waits only for the calls it depends on; all of its instances (one per fan-out row)
//! then run at once, bounded by a semaphore shared by the whole run. Identical calls (same
//! operation, same rendered params) share one backend request. A failed call fails only the
//! instances and checks that depend on it.

pub mod aws;
pub mod backend;
pub mod record;
pub mod recording;
mod rows;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, join_all};
use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};

pub use backend::{Backend, CallError};
pub use rows::Row;

use crate::format::CallSource;
use crate::path::Selection;
use crate::plan::{CallId, Plan, Ref};
use crate::template::{RenderFailure, Scope, helpers::display_value};

/// Why a call instance has no response.
#[derive(Debug)]
pub enum Failure {
    /// The backend answered with an error the call does not accept.
    Call {
        /// The call's name in the pack.
        call: String,
        /// The operation.
        api: &'static str,
        /// The rendered parameters.
        params: Value,
        /// The AWS (or recording) error.
        error: CallError,
    },
    /// A template of the call (params, `for_each` path or label) could not be rendered.
    Render {
        /// The call's name in the pack.
        call: String,
        /// What went wrong.
        failure: RenderFailure,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Call {
                call,
                api,
                params,
                error,
            } => write!(
                f,
                "call `{call}` ({api} {}) failed: {}: {}",
                crate::report::shorten(params),
                error.code,
                error.message
            ),
            Failure::Render { call, failure } => write!(f, "call `{call}`: {failure}"),
        }
    }
}

/// The response of one call instance, or why there is none.
pub type Answer = Result<Arc<Value>, Arc<Failure>>;

/// One call instance: its row, its answer and how long its request took.
#[derive(Clone, Debug)]
pub struct Instance {
    /// The fan-out row (shorter than the call's fan-out when an outer step failed).
    pub row: Row,
    /// The response or the failure.
    pub answer: Answer,
    /// The time the backend request took (shared by deduplicated instances).
    pub elapsed: Duration,
}

/// All instances of one call, by row path.
#[derive(Debug, Default)]
pub struct CallResults {
    /// Instances in row order.
    pub instances: Vec<Instance>,
    by_path: HashMap<Vec<usize>, usize>,
}

impl CallResults {
    fn new(instances: Vec<Instance>) -> Self {
        let by_path = instances
            .iter()
            .enumerate()
            .map(|(index, instance)| (instance.row.path.clone(), index))
            .collect();
        Self { instances, by_path }
    }

    /// The instance serving `row`: the one at the longest prefix of the row's path.
    pub fn at(&self, row: &Row) -> Option<&Instance> {
        (0..=row.path.len())
            .rev()
            .find_map(|depth| self.by_path.get(&row.path[..depth]))
            .map(|&index| &self.instances[index])
    }
}

/// The rows of one fan-out call, and the outer rows that could not be expanded.
#[derive(Debug, Default)]
pub struct Expansion {
    /// Every row, in order.
    pub rows: Vec<Row>,
    /// Outer rows whose items are unknown, with the reason.
    pub failures: Vec<(Row, Arc<Failure>)>,
}

/// What a run did: every needed call's instances and every fan-out's rows.
#[derive(Debug, Default)]
pub struct Execution {
    /// By call id; `None` for calls no selected check needs.
    pub calls: Vec<Option<Arc<CallResults>>>,
    /// By fan-out call id.
    pub expansions: HashMap<CallId, Arc<Expansion>>,
    /// Distinct requests sent to the backend.
    pub requests: usize,
    /// Call instances answered (including those served by a shared request).
    pub instances: usize,
    /// Wall time of the whole execution.
    pub elapsed: Duration,
}

/// Settings of an execution.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most backend requests in flight at once.
    pub max_concurrency: usize,
}

/// The values templates of one row may read.
pub struct RowScope<'a> {
    vars: &'a Value,
    values: BTreeMap<&'a str, &'a Value>,
}

impl Scope for RowScope<'_> {
    fn get(&self, root: &str) -> Option<&Value> {
        if root == "vars" {
            Some(self.vars)
        } else {
            self.values.get(root).copied()
        }
    }
}

/// A stable text key for a call: the operation and its params with object keys sorted.
pub fn call_key(api: &str, params: &Value) -> String {
    format!("{api} {}", canonical_json(params))
}

/// JSON with object keys sorted, so equal values give equal text.
pub fn canonical_json(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(entries) => {
                let mut keys: Vec<&String> = entries.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&entries[k])))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

/// Builds the scope of `row` for templates reading `refs`, with the first failed call among
/// them, if any (the scope then lacks that call but can still render other templates).
pub fn row_scope<'a>(
    refs: &'a BTreeMap<String, Ref>,
    fanout: &[CallId],
    row: &'a Row,
    vars: &'a Value,
    calls: &'a [Option<Arc<CallResults>>],
) -> (RowScope<'a>, Option<Arc<Failure>>) {
    let mut values = BTreeMap::new();
    let mut failed = None;
    for (name, reference) in refs {
        let value: Option<&Value> = match *reference {
            Ref::Vars => None,
            Ref::Call(id) => match calls[id].as_ref().and_then(|results| results.at(row)) {
                Some(Instance {
                    answer: Ok(value), ..
                }) => Some(value),
                Some(Instance {
                    answer: Err(failure),
                    ..
                }) => {
                    failed.get_or_insert_with(|| Arc::clone(failure));
                    None
                }
                None => None,
            },
            Ref::Binding(owner) => fanout
                .iter()
                .position(|&id| id == owner)
                .and_then(|level| row.items.get(level))
                .map(|item| &**item),
        };
        if let Some(value) = value {
            values.insert(name.as_str(), value);
        }
    }
    (RowScope { vars, values }, failed)
}

type SharedRequest = Arc<OnceCell<(Result<Value, CallError>, Duration)>>;

struct Engine<'p, B> {
    plan: &'p Plan<'p>,
    vars: &'p [Value],
    needed: &'p [bool],
    backend: &'p B,
    permits: Semaphore,
    results: Vec<OnceCell<Arc<CallResults>>>,
    expansions: Vec<OnceCell<Arc<Expansion>>>,
    requests: Mutex<HashMap<String, SharedRequest>>,
}

/// Runs every needed call of `plan` against `backend`. `vars` holds each pack's variables;
/// `needed` (by call id) says which calls the selected checks need.
pub async fn execute<B: Backend>(
    plan: &Plan<'_>,
    vars: &[Value],
    needed: &[bool],
    backend: &B,
    limits: Limits,
) -> Execution {
    let started = Instant::now();
    let engine = Engine {
        plan,
        vars,
        needed,
        backend,
        permits: Semaphore::new(limits.max_concurrency.clamp(1, Semaphore::MAX_PERMITS)),
        results: (0..plan.calls.len()).map(|_| OnceCell::new()).collect(),
        expansions: (0..plan.calls.len()).map(|_| OnceCell::new()).collect(),
        requests: Mutex::new(HashMap::new()),
    };
    let ids: Vec<CallId> = (0..plan.calls.len()).filter(|&id| needed[id]).collect();
    let finished = join_all(ids.iter().map(|&id| engine.results(id))).await;
    let mut calls: Vec<Option<Arc<CallResults>>> = vec![None; plan.calls.len()];
    let mut instances = 0;
    for (id, results) in ids.into_iter().zip(finished) {
        instances += results.instances.len();
        calls[id] = Some(results);
    }
    let expansions = engine
        .expansions
        .iter()
        .enumerate()
        .filter_map(|(id, cell)| cell.get().map(|e| (id, Arc::clone(e))))
        .collect();
    let requests = engine.requests.lock().map(|r| r.len()).unwrap_or_default();
    Execution {
        calls,
        expansions,
        requests,
        instances,
        elapsed: started.elapsed(),
    }
}

impl<'p, B: Backend> Engine<'p, B> {
    /// The results of call `id`, computed once (after its dependencies).
    fn results(&self, id: CallId) -> BoxFuture<'_, Arc<CallResults>> {
        async move {
            self.results[id]
                .get_or_init(|| self.run_call(id))
                .await
                .clone()
        }
        .boxed()
    }

    /// The rows of fan-out call `id`, computed once (after the call it iterates).
    fn expansion(&self, id: CallId) -> BoxFuture<'_, Arc<Expansion>> {
        async move {
            self.expansions[id]
                .get_or_init(|| self.expand(id))
                .await
                .clone()
        }
        .boxed()
    }

    fn snapshot(&self) -> Vec<Option<Arc<CallResults>>> {
        self.results
            .iter()
            .map(|cell| cell.get().cloned())
            .collect()
    }

    async fn run_call(&self, id: CallId) -> Arc<CallResults> {
        let planned = &self.plan.calls[id];
        debug_assert!(self.needed[id], "calls are only run when needed");
        join_all(planned.depends_on.iter().map(|&dep| self.results(dep))).await;
        let (rows, failures) = match planned.fanout.last() {
            None => (vec![Row::default()], Vec::new()),
            Some(&last) => {
                let expansion = self.expansion(last).await;
                (expansion.rows.clone(), expansion.failures.clone())
            }
        };
        let calls = self.snapshot();
        let vars = &self.vars[planned.pack];
        let instances = join_all(rows.into_iter().map(|row| {
            let calls = &calls;
            async move {
                let (answer, elapsed) =
                    match row_scope(&planned.refs, &planned.fanout, &row, vars, calls) {
                        (_, Some(failure)) => (Err(failure), Duration::ZERO),
                        (scope, None) => self.answer(id, &scope).await,
                    };
                Instance {
                    row,
                    answer,
                    elapsed,
                }
            }
        }))
        .await;
        let failed_rows = failures.into_iter().map(|(row, failure)| Instance {
            row,
            answer: Err(failure),
            elapsed: Duration::ZERO,
        });
        Arc::new(CallResults::new(failed_rows.chain(instances).collect()))
    }

    /// Renders the call's params for one row and asks the backend (once per distinct call);
    /// a computed call just renders its value.
    async fn answer(&self, id: CallId, scope: &RowScope<'_>) -> (Answer, Duration) {
        let call = self.plan.calls[id].def;
        let render_failure = |failure| {
            Arc::new(Failure::Render {
                call: call.name.clone(),
                failure,
            })
        };
        let (operation, params) = match &call.source {
            CallSource::Computed(value) => {
                let answer = value.render(scope).map(Arc::new).map_err(render_failure);
                return (answer, Duration::ZERO);
            }
            CallSource::Api { operation, params } => match params.render(scope) {
                Ok(params) => (operation, params),
                Err(failure) => return (Err(render_failure(failure)), Duration::ZERO),
            },
        };
        let api = operation.api;
        let shared = {
            let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(requests.entry(call_key(api, &params)).or_default())
        };
        let (result, elapsed) = shared
            .get_or_init(|| async {
                let _permit = self.permits.acquire().await;
                let started = Instant::now();
                let result = self.backend.call(api, &params).await;
                (result, started.elapsed())
            })
            .await;
        let answer = match result {
            Ok(value) => Ok(Arc::new(value.clone())),
            Err(error) if call.accept_errors.contains(&error.code) => {
                Ok(Arc::new(serde_json::json!({
                    "Error": {"Code": error.code, "Message": error.message}
                })))
            }
            Err(error) => Err(Arc::new(Failure::Call {
                call: call.name.clone(),
                api,
                params,
                error: error.clone(),
            })),
        };
        (answer, *elapsed)
    }

    /// Expands fan-out call `id`: one row per item its path selects in each source instance.
    async fn expand(&self, id: CallId) -> Arc<Expansion> {
        let planned = &self.plan.calls[id];
        let Some(for_each) = &planned.def.for_each else {
            return Arc::default();
        };
        let Some(Ref::Call(source)) = planned.refs.get(&for_each.source).copied() else {
            return Arc::default();
        };
        let source_results = self.results(source).await;
        join_all(planned.depends_on.iter().map(|&dep| self.results(dep))).await;
        let calls = self.snapshot();
        let vars = &self.vars[planned.pack];
        let mut expansion = Expansion::default();
        for instance in &source_results.instances {
            let value = match &instance.answer {
                Ok(value) => value,
                Err(failure) => {
                    expansion
                        .failures
                        .push((instance.row.clone(), Arc::clone(failure)));
                    continue;
                }
            };
            let render_failure = |failure| {
                Arc::new(Failure::Render {
                    call: planned.def.name.clone(),
                    failure,
                })
            };
            let outer_fanout = &planned.fanout[..planned.fanout.len() - 1];
            let scope = match row_scope(&planned.refs, outer_fanout, &instance.row, vars, &calls) {
                (scope, None) => scope,
                (_, Some(failure)) => {
                    expansion.failures.push((instance.row.clone(), failure));
                    continue;
                }
            };
            let items: Vec<&Value> = match for_each.path.select(value, &scope) {
                Ok(Selection::Nodes(nodes)) => nodes,
                Ok(Selection::Node(node)) => match node {
                    Some(Value::Array(items)) => items.iter().collect(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(item) => vec![item],
                },
                Err(failure) => {
                    expansion
                        .failures
                        .push((instance.row.clone(), render_failure(failure)));
                    continue;
                }
            };
            for (index, item) in items.into_iter().enumerate() {
                let item = Arc::new(item.clone());
                let label = match &for_each.label {
                    None => display_value(&item),
                    Some(template) => {
                        let mut scope_values = serde_json::Map::new();
                        scope_values.insert("vars".to_owned(), vars.clone());
                        scope_values.insert(for_each.binding.clone(), (*item).clone());
                        for (level, &owner) in outer_fanout.iter().enumerate() {
                            if let (Some(f), Some(bound)) = (
                                &self.plan.calls[owner].def.for_each,
                                instance.row.items.get(level),
                            ) {
                                scope_values.insert(f.binding.clone(), (**bound).clone());
                            }
                        }
                        match template.render_string(&scope_values) {
                            Ok(label) => label,
                            Err(failure) => {
                                expansion
                                    .failures
                                    .push((instance.row.clone(), render_failure(failure)));
                                break;
                            }
                        }
                    }
                };
                expansion.rows.push(instance.row.child(index, item, label));
            }
        }
        Arc::new(expansion)
    }
}
