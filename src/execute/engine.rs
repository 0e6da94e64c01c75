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
use crate::assertion::{self, Checked};
use crate::format::CallSource;
use crate::json;
use crate::path::Selection;
use crate::plan::{CallId, Plan, Ref};

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
        let gathers = planned.def.for_each.as_ref().is_some_and(|f| f.gather);
        let instances = join_all(rows.into_iter().map(|row| {
            let calls = &calls;
            async move {
                let (answer, elapsed) = if gathers {
                    self.gather(id, &row, calls).await
                } else {
                    let scope = row_scope(&planned.refs, &planned.fanout, &row, vars, calls);
                    self.answer(id, &scope).await
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

    /// Answers gathering call `id` for one outer row: the call once per item its `for_each`
    /// selects, its response an object that maps each item's label to the item's response (an
    /// item whose `when` is false is left out; the first failed item fails the call).
    async fn gather(
        &self,
        id: CallId,
        row: &Row,
        calls: &[Option<Arc<CallResults>>],
    ) -> (Answer, Duration) {
        let planned = &self.plan.calls[id];
        let vars = &self.vars[planned.pack];
        let scope = row_scope(&planned.refs, &planned.fanout, row, vars, calls);
        if let Some(failure) = scope.failure() {
            return (Answer::Failed(Arc::clone(failure)), Duration::ZERO);
        }
        if let Some(read) = scope.not_made() {
            let not_made = NotMade {
                call: planned.def.name.clone(),
                reason: NotMadeReason::Reads(Arc::clone(read)),
            };
            return (Answer::NotMade(Arc::new(not_made)), Duration::ZERO);
        }
        let mut chain = planned.fanout.clone();
        chain.push(id);
        let items = match self.items(id, row, &chain, calls) {
            Ok(items) => items,
            Err(failure) => return (Answer::Failed(failure), Duration::ZERO),
        };
        let answers = join_all(items.iter().map(|(item_row, _)| async {
            let scope = row_scope(&planned.refs, &chain, item_row, vars, calls);
            self.answer(id, &scope).await
        }))
        .await;
        let mut gathered = serde_json::Map::new();
        let mut elapsed = Duration::ZERO;
        for ((_, label), (answer, took)) in items.into_iter().zip(answers) {
            elapsed += took;
            match answer {
                Answer::Response(value) => {
                    gathered.insert(label, (*value).clone());
                }
                Answer::NotMade(_) => {}
                failed @ Answer::Failed(_) => return (failed, elapsed),
            }
        }
        (Answer::Response(Arc::new(Value::Object(gathered))), elapsed)
    }

    /// The items call `id`'s `for_each` selects for outer row `row`, each as its row (in fan-out
    /// chain `chain`, which ends with `id`) and its label; none when the call it iterates was not
    /// made for the row. Items whose label an earlier item has are dropped when the call keeps
    /// one row per label (`unique`, and always when it gathers).
    fn items(
        &self,
        id: CallId,
        row: &Row,
        chain: &[CallId],
        calls: &[Option<Arc<CallResults>>],
    ) -> Result<Vec<(Row, String)>, Arc<Failure>> {
        let planned = &self.plan.calls[id];
        let (Some(for_each), Some(Ref::Call(source))) = (
            &planned.def.for_each,
            planned
                .def
                .for_each
                .as_ref()
                .and_then(|f| planned.refs.get(&f.source).copied()),
        ) else {
            return Ok(Vec::new());
        };
        let vars = &self.vars[planned.pack];
        let render_failure = |failure| {
            Arc::new(Failure::Render {
                call: planned.def.name.clone(),
                failure,
            })
        };
        let source_answer = calls[source]
            .as_ref()
            .and_then(|results| results.at(row))
            .map(|instance| &instance.answer);
        let value = match source_answer {
            Some(Answer::Response(value)) => value,
            Some(Answer::NotMade(_)) | None => return Ok(Vec::new()),
            Some(Answer::Failed(failure)) => return Err(Arc::clone(failure)),
        };
        let scope = row_scope(&planned.refs, chain, row, vars, calls);
        if let Some(failure) = scope.failure() {
            return Err(Arc::clone(failure));
        }
        let items: Vec<&Value> = match for_each.path.select(value, &scope) {
            Ok(Selection::Nodes(nodes)) => nodes,
            Ok(Selection::Node(node)) => match node {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(Value::Null) | None => Vec::new(),
                Some(item) => vec![item],
            },
            Err(failure) => return Err(render_failure(failure)),
        };
        // Each row holds its item: too many are refused before any is copied.
        if items.len() > self.limits.max_rows {
            return Err(Arc::new(Failure::TooManyRows {
                call: planned.def.name.clone(),
                rows: items.len(),
                limit: self.limits.max_rows,
            }));
        }
        let one_per_label = for_each.unique || for_each.gather;
        let mut labels = std::collections::HashSet::new();
        let mut rows = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let item = Arc::new(item.clone());
            let unlabelled = row.child(index, Arc::clone(&item), String::new());
            let label = match &for_each.label {
                None => json::display(&item),
                Some(template) => {
                    let scope = row_scope(&planned.refs, chain, &unlabelled, vars, calls);
                    template.render_string(&scope).map_err(render_failure)?
                }
            };
            if !one_per_label || labels.insert(label.clone()) {
                rows.push((row.child(index, item, label.clone()), label));
            }
        }
        Ok(rows)
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
        self.results(source).await;
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
        for row in outer_rows {
            match self.items(id, &row, &planned.fanout, &calls) {
                Ok(items) if expansion.rows.len() + items.len() > self.limits.max_rows => {
                    expansion.failures.push((
                        row,
                        Arc::new(Failure::TooManyRows {
                            call: planned.def.name.clone(),
                            rows: expansion.rows.len() + items.len(),
                            limit: self.limits.max_rows,
                        }),
                    ));
                }
                Ok(items) => expansion.rows.extend(items.into_iter().map(|(row, _)| row)),
                Err(failure) => expansion.failures.push((row, failure)),
            }
        }
        Arc::new(expansion)
    }
}
