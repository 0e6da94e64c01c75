//! The steps of running a plan that make no request: preparing a call instance for its row, taking
//! the answer to its request, and expanding a fan-out's rows. The engine (in the `ekscheck` crate)
//! runs them concurrently, makes each distinct request once, and holds the limits of a run.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::answer::{Answer, CallResults, Expansion, Failure, NotMade, NotMadeReason};
use super::backend::CallError;
use super::row::Row;
use super::scope::{RowScope, row_scope};
use crate::assertion::{self, Checked};
use crate::format::{Call, CallSource};
use crate::json;
use crate::path::Selection;
use crate::plan::{CallId, PlannedCall, Ref};

/// What a call instance takes once its row's scope is known.
#[derive(Debug)]
pub enum Prepared {
    /// Its answer, without a request: a call it reads failed, it does not apply to the row, or
    /// it is computed.
    Answered(Answer),
    /// A request to make.
    Request {
        /// The operation.
        api: &'static str,
        /// Its parameters, rendered for the row.
        params: Value,
    },
}

/// Prepares `call` for the row of `scope`: not made when its `when` is false (or, for an AWS
/// call, when it reads a call that was not made), failed when a call it reads failed; otherwise
/// its value rendered, or its params rendered into a request.
pub fn prepare(call: &Call, scope: &RowScope<'_>) -> Prepared {
    let answered = Prepared::Answered;
    let failed = |failure| answered(Answer::Failed(Arc::new(failure)));
    if let Some(failure) = scope.failure() {
        return answered(Answer::Failed(Arc::clone(failure)));
    }
    let not_made = |reason| {
        answered(Answer::NotMade(Arc::new(NotMade {
            call: call.name.clone(),
            reason,
        })))
    };
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
    match &call.source {
        CallSource::Computed(value) => match value.render(scope) {
            Ok(value) => answered(Answer::Response(Arc::new(value))),
            Err(failure) => failed(render_failure(failure)),
        },
        CallSource::Api { operation, params } => match params.render(scope) {
            Ok(params) => Prepared::Request {
                api: operation.api,
                params,
            },
            Err(failure) => failed(render_failure(failure)),
        },
    }
}

/// A response as the backend gave it, unless it is larger (as JSON) than `limit` bytes.
pub fn within_limit(response: Arc<Value>, limit: u64) -> Result<Arc<Value>, CallError> {
    if json::larger_than(&response, limit) {
        return Err(CallError::new(
            "ResponseTooLarge",
            format!(
                "the response is larger than {} MB (--max-response-mb)",
                limit >> 20
            ),
        ));
    }
    Ok(response)
}

impl Answer {
    /// The answer of `call`'s request `api` with `params`: the response, an error the call
    /// accepts answered as `{"Error": {"Code", "Message"}}`, or the failure.
    pub fn of_request(
        call: &Call,
        api: &'static str,
        params: Value,
        result: &Result<Arc<Value>, CallError>,
    ) -> Self {
        match result {
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
        }
    }
}

/// What expanding the rows of a fan-out call, or the items of a gathering call, reads.
pub struct Expanding<'a> {
    /// The call with a `for_each`.
    pub planned: &'a PlannedCall<'a>,
    /// The results of the calls made so far (the call it iterates among them).
    pub calls: &'a [Option<Arc<CallResults>>],
    /// Its pack's variables.
    pub vars: &'a Value,
    /// The most rows it may have.
    pub max_rows: usize,
}

impl Expanding<'_> {
    /// Adds to `expansion` the rows under outer row `row`: one per item the call's path selects
    /// in the source's response there (none when the source was not made for the row), or the
    /// reason there are none.
    pub fn add_rows(&self, row: Row, expansion: &mut Expansion) {
        match self.items(&row, &self.planned.fanout) {
            Ok(items) if expansion.rows.len() + items.len() > self.max_rows => {
                expansion.failures.push((
                    row,
                    Arc::new(Failure::TooManyRows {
                        call: self.planned.def.name.clone(),
                        rows: expansion.rows.len() + items.len(),
                        limit: self.max_rows,
                    }),
                ));
            }
            Ok(items) => expansion.rows.extend(items.into_iter().map(|(row, _)| row)),
            Err(failure) => expansion.failures.push((row, failure)),
        }
    }

    /// What gathering call `id` (the planned call) asks about for outer row `row`; or the call's
    /// answer for the row when it asks nothing (a call it reads failed or was not made).
    pub fn gathering(&self, id: CallId, row: &Row) -> Result<Gathering, Answer> {
        let planned = self.planned;
        let scope = row_scope(&planned.refs, &planned.fanout, row, self.vars, self.calls);
        if let Some(failure) = scope.failure() {
            return Err(Answer::Failed(Arc::clone(failure)));
        }
        if let Some(read) = scope.not_made() {
            return Err(Answer::NotMade(Arc::new(NotMade {
                call: planned.def.name.clone(),
                reason: NotMadeReason::Reads(Arc::clone(read)),
            })));
        }
        let mut chain = planned.fanout.clone();
        chain.push(id);
        let items = self.items(row, &chain).map_err(Answer::Failed)?;
        Ok(Gathering { chain, items })
    }

    /// The items the call's `for_each` selects for outer row `row`, each as its row (in fan-out
    /// chain `chain`, which ends with the call) and its label; none when the call it iterates was
    /// not made for the row. Items whose label an earlier item has are dropped when the call
    /// keeps one row per label (`unique`, and always when it gathers).
    fn items(&self, row: &Row, chain: &[CallId]) -> Result<Vec<(Row, String)>, Arc<Failure>> {
        let planned = self.planned;
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
        let render_failure = |failure| {
            Arc::new(Failure::Render {
                call: planned.def.name.clone(),
                failure,
            })
        };
        let source_answer = self.calls[source]
            .as_ref()
            .and_then(|results| results.at(row))
            .map(|instance| &instance.answer);
        let value = match source_answer {
            Some(Answer::Response(value)) => value,
            Some(Answer::NotMade(_)) | None => return Ok(Vec::new()),
            Some(Answer::Failed(failure)) => return Err(Arc::clone(failure)),
        };
        let scope = row_scope(&planned.refs, chain, row, self.vars, self.calls);
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
        if items.len() > self.max_rows {
            return Err(Arc::new(Failure::TooManyRows {
                call: planned.def.name.clone(),
                rows: items.len(),
                limit: self.max_rows,
            }));
        }
        let one_per_label = for_each.unique || for_each.gather;
        let mut labels = HashSet::new();
        let mut rows = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            let item = Arc::new(item.clone());
            let unlabelled = row.child(index, Arc::clone(&item), String::new());
            let label = match &for_each.label {
                None => json::display(&item),
                Some(template) => {
                    let scope = row_scope(&planned.refs, chain, &unlabelled, self.vars, self.calls);
                    template.render_string(&scope).map_err(render_failure)?
                }
            };
            if !one_per_label || labels.insert(label.clone()) {
                rows.push((row.child(index, item, label.clone()), label));
            }
        }
        Ok(rows)
    }
}

/// What a gathering call asks about for one outer row.
pub struct Gathering {
    /// The fan-out chain its items' templates see: its own, then the call.
    pub chain: Vec<CallId>,
    /// Each item's row (in `chain`) and label.
    pub items: Vec<(Row, String)>,
}

/// The answer of a gathering call for one outer row from the answers of its `items` (label and
/// row), in order: an object that maps each item's label to the item's response (an item not
/// made is left out; the first failed item fails the call), and the time taken until then.
pub fn gathered(items: Vec<(Row, String)>, answers: Vec<(Answer, Duration)>) -> (Answer, Duration) {
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
