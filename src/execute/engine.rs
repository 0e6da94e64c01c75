//! The engine: each call once its dependencies are done, each distinct request once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, join_all};
use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};

use super::{
    Answer, Backend, CallError, CallResults, Execution, Expansion, Failure, Instance, Limits,
    NotMade, NotMadeReason, Row, RowScope, call_key, row_scope,
};
use crate::format::CallSource;
use crate::json;
use crate::path::Selection;
use crate::plan::{CallId, Plan, Ref};
use crate::predicate::assertion::{self, Checked};

type SharedRequest = Arc<OnceCell<(Result<Arc<Value>, CallError>, Duration)>>;

struct Engine<'p, B> {
    plan: &'p Plan<'p>,
    vars: &'p [Value],
    needed: &'p [bool],
    backend: &'p B,
    limits: Limits,
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
        limits,
        permits: Semaphore::new(limits.max_concurrency.clamp(1, Semaphore::MAX_PERMITS)),
        results: (0..plan.calls.len()).map(|_| OnceCell::new()).collect(),
        expansions: (0..plan.calls.len()).map(|_| OnceCell::new()).collect(),
        requests: Mutex::new(HashMap::new()),
    };
    let ids: Vec<CallId> = (0..plan.calls.len()).filter(|&id| needed[id]).collect();
    let finished = join_all(ids.iter().map(|&id| engine.results(id))).await;
    let mut calls: Vec<Option<Arc<CallResults>>> = vec![None; plan.calls.len()];
    for (id, results) in ids.into_iter().zip(finished) {
        calls[id] = Some(results);
    }
    let expansions = engine
        .expansions
        .iter()
        .enumerate()
        .filter_map(|(id, cell)| cell.get().map(|e| (id, Arc::clone(e))))
        .collect();
    let requests = engine
        .requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .len();
    Execution {
        calls,
        expansions,
        requests,
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
                let scope = row_scope(&planned.refs, &planned.fanout, &row, vars, calls);
                let (answer, elapsed) = self.answer(id, &scope).await;
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
            answer: Answer::Failed(failure),
            elapsed: Duration::ZERO,
        });
        Arc::new(CallResults::new(failed_rows.chain(instances).collect()))
    }

    /// Answers call `id` for one row: not made when its `when` is false (or, for an AWS call,
    /// when it reads a call that was not made); otherwise its params are rendered and the backend
    /// asked (once per distinct call), or its value rendered.
    async fn answer(&self, id: CallId, scope: &RowScope<'_>) -> (Answer, Duration) {
        let call = self.plan.calls[id].def;
        if let Some(failure) = scope.failure() {
            return (Answer::Failed(Arc::clone(failure)), Duration::ZERO);
        }
        let not_made = |reason| {
            let not_made = NotMade {
                call: call.name.clone(),
                reason,
            };
            (Answer::NotMade(Arc::new(not_made)), Duration::ZERO)
        };
        let failed = |failure| (Answer::Failed(Arc::new(failure)), Duration::ZERO);
        if let (CallSource::Api { .. }, Some(read)) = (&call.source, scope.not_made()) {
            return not_made(NotMadeReason::Reads(Arc::clone(read)));
        }
        for condition in &call.when {
            match assertion::check(condition, scope) {
                Checked::Holds => {}
                Checked::Fails(failure) => return not_made(NotMadeReason::When(Box::new(failure))),
                Checked::Undecided(problem) => {
                    return failed(Failure::Condition {
                        call: call.name.clone(),
                        problem,
                    });
                }
            }
        }
        let render_failure = |failure| Failure::Render {
            call: call.name.clone(),
            failure,
        };
        let (operation, params) = match &call.source {
            CallSource::Computed(value) => {
                return match value.render(scope) {
                    Ok(value) => (Answer::Response(Arc::new(value)), Duration::ZERO),
                    Err(failure) => failed(render_failure(failure)),
                };
            }
            CallSource::Api { operation, params } => match params.render(scope) {
                Ok(params) => (operation, params),
                Err(failure) => return failed(render_failure(failure)),
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
                let result = self.backend.call(api, &params).await.and_then(|response| {
                    match json::larger_than(&response, self.limits.max_response_bytes) {
                        false => Ok(response),
                        true => Err(CallError::new(
                            "ResponseTooLarge",
                            format!(
                                "the response is larger than {} MB (--max-response-mb)",
                                self.limits.max_response_bytes >> 20
                            ),
                        )),
                    }
                });
                (result, started.elapsed())
            })
            .await;
        let answer = match result {
            Ok(value) => Answer::Response(Arc::clone(value)),
            Err(error) if call.accept_errors.contains(&error.code) => {
                Answer::Response(Arc::new(serde_json::json!({
                    "Error": {"Code": error.code, "Message": error.message}
                })))
            }
            Err(error) => Answer::Failed(Arc::new(Failure::Call {
                call: call.name.clone(),
                api,
                params,
                error: error.clone(),
            })),
        };
        (answer, *elapsed)
    }

    /// Expands fan-out call `id`: for each row of the calls it reads (its outer rows), one row
    /// per item its path selects in the response of the call it iterates. A source that was not
    /// made for a row has no items there.
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
        let mut expansion = Expansion::default();
        let outer_rows = match planned.fanout.iter().rev().nth(1) {
            None => vec![Row::default()],
            Some(&outer) => {
                let outer = self.expansion(outer).await;
                expansion.failures.extend(outer.failures.iter().cloned());
                outer.rows.clone()
            }
        };
        let calls = self.snapshot();
        let vars = &self.vars[planned.pack];
        let render_failure = |failure| {
            Arc::new(Failure::Render {
                call: planned.def.name.clone(),
                failure,
            })
        };
        for row in outer_rows {
            let value = match source_results.at(&row).map(|instance| &instance.answer) {
                Some(Answer::Response(value)) => value,
                Some(Answer::NotMade(_)) | None => continue,
                Some(Answer::Failed(failure)) => {
                    expansion.failures.push((row, Arc::clone(failure)));
                    continue;
                }
            };
            let scope = row_scope(&planned.refs, &planned.fanout, &row, vars, &calls);
            if let Some(failure) = scope.failure() {
                expansion.failures.push((row.clone(), Arc::clone(failure)));
                continue;
            }
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
                        .push((row.clone(), render_failure(failure)));
                    continue;
                }
            };
            // Each row holds its item: too many are refused before any is copied.
            let rows = expansion.rows.len() + items.len();
            if rows > self.limits.max_rows {
                expansion.failures.push((
                    row.clone(),
                    Arc::new(Failure::TooManyRows {
                        call: planned.def.name.clone(),
                        rows,
                        limit: self.limits.max_rows,
                    }),
                ));
                continue;
            }
            let mut labels = std::collections::HashSet::new();
            for (index, item) in items.into_iter().enumerate() {
                let item = Arc::new(item.clone());
                let unlabelled = row.child(index, Arc::clone(&item), String::new());
                let label = match &for_each.label {
                    None => json::display(&item),
                    Some(template) => {
                        let scope =
                            row_scope(&planned.refs, &planned.fanout, &unlabelled, vars, &calls);
                        match template.render_string(&scope) {
                            Ok(label) => label,
                            Err(failure) => {
                                expansion
                                    .failures
                                    .push((row.clone(), render_failure(failure)));
                                break;
                            }
                        }
                    }
                };
                if !for_each.unique || labels.insert(label.clone()) {
                    expansion.rows.push(row.child(index, item, label));
                }
            }
        }
        Arc::new(expansion)
    }
}
