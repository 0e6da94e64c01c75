//! Running a plan: each call once its dependencies are done, each distinct request once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, join_all};
use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};

use crate::execute::{
    Answer, Backend, CallError, CallResults, Execution, Expanding, Expansion, Gathering, Instance,
    Limits, Prepared, Row, RowScope, call_key, gathered, prepare, row_scope, within_limit,
};
use crate::plan::{CallId, Plan};

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
pub(crate) async fn execute<B: Backend>(
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
        let gathers = planned.def.gathers();
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

    /// Answers call `id` for one row: prepared, then (for a request) asked of the backend once
    /// per distinct request.
    async fn answer(&self, id: CallId, scope: &RowScope<'_>) -> (Answer, Duration) {
        let call = self.plan.calls[id].def;
        let (api, params) = match prepare(call, scope) {
            Prepared::Answered(answer) => return (answer, Duration::ZERO),
            Prepared::Request { api, params } => (api, params),
        };
        let shared = {
            let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(requests.entry(call_key(api, &params)).or_default())
        };
        let (result, elapsed) = shared
            .get_or_init(|| async {
                let _permit = self.permits.acquire().await;
                let started = Instant::now();
                let result =
                    self.backend.call(api, &params).await.and_then(|response| {
                        within_limit(response, self.limits.max_response_bytes)
                    });
                (result, started.elapsed())
            })
            .await;
        (Answer::of_request(call, api, params, result), *elapsed)
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
        let expanding = Expanding {
            planned,
            calls,
            vars,
            max_rows: self.limits.max_rows,
        };
        let Gathering { chain, items } = match expanding.gathering(id, row) {
            Ok(gathering) => gathering,
            Err(answer) => return (answer, Duration::ZERO),
        };
        let answers = join_all(items.iter().map(|(item_row, _)| async {
            let scope = row_scope(&planned.refs, &chain, item_row, vars, calls);
            self.answer(id, &scope).await
        }))
        .await;
        gathered(items, answers)
    }

    /// Expands fan-out call `id`: for each row of the calls it reads (its outer rows), one row
    /// per item its path selects in the response of the call it iterates. A source that was not
    /// made for a row has no items there.
    async fn expand(&self, id: CallId) -> Arc<Expansion> {
        let planned = &self.plan.calls[id];
        let Some(source) = planned.iterated() else {
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
        let expanding = Expanding {
            planned,
            calls: &calls,
            vars: &self.vars[planned.pack],
            max_rows: self.limits.max_rows,
        };
        for row in outer_rows {
            expanding.add_rows(row, &mut expansion);
        }
        Arc::new(expansion)
    }
}
