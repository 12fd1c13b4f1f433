//! Admission of one operation: the per-request limits and the caller's rate charge, applied
//! before a document is validated or executed — on HTTP and websockets alike — and the cost
//! report added to its response afterwards. The [gateway](crate::graphql::gateway) calls both.
//!
//! The document is parsed here, once, and handed to async-graphql already parsed. Its own
//! post-parse check re-expands every fragment spread recursively (the fragment bomb); this
//! module's linear analysis (see [`analysis`](super::analysis)) refuses such a document first,
//! so what reaches async-graphql is bounded. Nothing here touches the database.

use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, Value};

use super::QueryLimits;
use super::analysis::{Refusal, analyse};
use super::nesting;
use super::rate::{Decision, ThrottleStatus, cost_extension};
use crate::auth::caller::Caller;
use crate::auth::role::Role;
use crate::state::AppState;

/// How the operation arrived: GET may only run queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Get,
    Post,
    WebSocket,
}

/// Filled with the names of the operation's root fields, for the HTTP layer to judge
/// whether a response may be cached.
#[derive(Clone, Default)]
pub struct RootFields(pub Arc<Mutex<Option<Vec<String>>>>);

/// What an admitted operation was charged, to settle once its response is known.
#[derive(Debug)]
pub struct Charge {
    client_id: String,
    role: Role,
    requested: u64,
    status: ThrottleStatus,
}

/// Who sent an operation and how, as its request and session data say.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    pub caller: Option<&'a Caller>,
    pub transport: Option<Transport>,
    pub roots: Option<&'a RootFields>,
}

/// An operation refused before execution: its error and, when the refusal is the rate
/// limiter's, the bucket's state (reported in `extensions.cost` as on any charged response).
#[derive(Debug)]
pub struct Refused {
    pub error: Box<ServerError>,
    pub cost: Option<Value>,
}

impl From<ServerError> for Refused {
    fn from(error: ServerError) -> Self {
        Self { error: Box::new(error), cost: None }
    }
}

impl Refused {
    /// The response refusing the operation.
    pub fn into_response(self) -> Response {
        let mut response = Response::from_errors(vec![*self.error]);
        if let Some(cost) = self.cost {
            response.extensions.insert("cost".to_owned(), cost);
        }
        response
    }
}

/// An error refusing the request before execution, with its code.
fn refusal(code: &str, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", code);
    error
}

/// An operation admitted to execution.
pub struct Admitted {
    /// The parsed document, for async-graphql to execute without parsing it again.
    pub document: ExecutableDocument,
    /// What the caller was charged, when someone was.
    pub charge: Option<Charge>,
    /// Query, mutation or subscription.
    pub kind: OperationType,
}

/// Points a request refused by a limit (not by the rate limiter itself) takes from its
/// caller's bucket: a refusal is cheap to compute, but not free to ask for.
pub const REFUSAL_COST: u64 = 10;

/// Parses `request`'s document, measures it against the limits and charges its cost to the
/// caller's bucket; a refusal costs [`REFUSAL_COST`].
pub fn admit(state: &AppState, request: &Request, sender: Sender<'_>) -> Result<Admitted, Refused> {
    let admitted = measure_and_charge(state, request, sender);
    if let (Err(refused), Some(caller)) = (&admitted, sender.caller)
        && refused.cost.is_none()
    {
        state.rate.penalise(&caller.client_id, caller.role, REFUSAL_COST);
    }
    admitted
}

/// Checks a query text against the limits that need no parse: its size and its nesting.
/// Persisted queries pass this before they are stored.
pub fn check_text(limits: &QueryLimits, query: &str) -> Result<(), Box<ServerError>> {
    if query.len() > limits.max_query_chars {
        return Err(Box::new(refusal(
            "QUERY_TOO_LARGE",
            format!("the query has {} characters; at most {} are allowed", query.len(), limits.max_query_chars),
        )));
    }
    if let Some(depth) = nesting::document_exceeds(query, limits.max_nesting) {
        return Err(Box::new(refusal(
            "NESTING_LIMIT_EXCEEDED",
            format!("the query nests brackets or braces {depth} deep; at most {} are allowed", limits.max_nesting),
        )));
    }
    Ok(())
}

fn measure_and_charge(state: &AppState, request: &Request, sender: Sender<'_>) -> Result<Admitted, Refused> {
    let limits = &state.limits;
    check_text(limits, &request.query).map_err(|error| Refused { error, cost: None })?;
    if nesting::variables_exceed(&request.variables, limits.max_nesting) {
        return Err(refusal(
            "NESTING_LIMIT_EXCEEDED",
            format!("the variables nest lists or objects more than {} deep", limits.max_nesting),
        )
        .into());
    }
    let document = async_graphql::parser::parse_query(&request.query).map_err(|e| {
        let mut error = ServerError::from(e);
        error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", "GRAPHQL_PARSE_FAILED");
        Refused::from(error)
    })?;
    let (charge, kind) = check(state, &document, request, sender)?;
    Ok(Admitted { document, charge, kind })
}

/// The name of the operation a request runs: the one it names, or the only one its
/// document (when it could be parsed) holds.
pub fn operation_name(request: &Request, document: Option<&ExecutableDocument>) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    match &document?.operations {
        async_graphql::parser::types::DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}

fn check(
    state: &AppState,
    document: &ExecutableDocument,
    request: &Request,
    sender: Sender<'_>,
) -> Result<(Option<Charge>, OperationType), Refused> {
    let limits = &state.limits;
    let name = request.operation_name.as_deref();
    let analysis = analyse(document, name, &request.variables, limits.max_directives).map_err(|r| match r {
        Refusal::FragmentCycle(f) => refusal("GRAPHQL_VALIDATION_FAILED", format!("fragment {f} spreads itself")),
        Refusal::UnknownFragment(f) => refusal("GRAPHQL_VALIDATION_FAILED", format!("unknown fragment {f}")),
        Refusal::NoOperation(m) => refusal("GRAPHQL_VALIDATION_FAILED", m),
        Refusal::TooManyDirectives(n) => refusal(
            "DIRECTIVE_LIMIT_EXCEEDED",
            format!("{n} directives on one field; at most {} are allowed", limits.max_directives),
        ),
    })?;
    if analysis.kind == OperationType::Mutation && sender.transport == Some(Transport::Get) {
        return Err(refusal("METHOD_NOT_ALLOWED", "mutations must be sent with POST").into());
    }
    if let Some(slot) = sender.roots
        && let Ok(operation) = super::analysis::selected(document, name)
    {
        let names: Option<Vec<String>> = operation
            .selection_set
            .node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => Some(f.node.name.node.to_string()),
                _ => None,
            })
            .collect();
        *slot.0.lock().unwrap_or_else(|p| p.into_inner()) = names;
    }
    let m = analysis.measures;
    if m.depth > limits.max_depth {
        return Err(refusal(
            "DEPTH_LIMIT_EXCEEDED",
            format!("the query nests {} levels deep; at most {} are allowed", m.depth, limits.max_depth),
        )
        .into());
    }
    if m.introspection_depth > 0 && !limits.introspection {
        return Err(refusal("INTROSPECTION_DISABLED", "introspection is turned off on this server").into());
    }
    if m.introspection_depth > limits.max_introspection_depth {
        return Err(refusal(
            "DEPTH_LIMIT_EXCEEDED",
            format!(
                "the introspection query nests {} levels deep; at most {} are allowed",
                m.introspection_depth, limits.max_introspection_depth
            ),
        )
        .into());
    }
    if m.aliases > limits.max_aliases {
        return Err(refusal(
            "ALIAS_LIMIT_EXCEEDED",
            format!("the query uses {} aliases; at most {} are allowed", m.aliases, limits.max_aliases),
        )
        .into());
    }
    if m.fields > limits.max_fields {
        return Err(refusal(
            "COMPLEXITY_LIMIT_EXCEEDED",
            format!(
                "the query selects {} fields once fragments are expanded; at most {} are allowed",
                m.fields, limits.max_fields
            ),
        )
        .into());
    }
    if m.cost > limits.max_cost {
        return Err(refusal(
            "COST_LIMIT_EXCEEDED",
            format!(
                "the query costs {} points (lists count by their page size); at most {} are allowed",
                m.cost, limits.max_cost
            ),
        )
        .into());
    }
    let requested = m.cost.max(1);
    let Some(caller) = sender.caller else { return Ok((None, analysis.kind)) };
    match state.rate.charge(&caller.client_id, caller.role, requested) {
        Decision::Admitted(status) => Ok((
            Some(Charge { client_id: caller.client_id.clone(), role: caller.role, requested, status }),
            analysis.kind,
        )),
        Decision::Throttled { status, retry_after } => {
            state.metrics.record_throttled(caller.role);
            let mut error = refusal("THROTTLED", "Throttled: the client's query cost budget is exhausted; retry later");
            let extensions = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
            extensions.set("retryAfterSeconds", Value::from(retry_after.as_secs()));
            let cost = Value::from_json(cost_extension(requested, None, status)).ok();
            Err(Refused { error: Box::new(error), cost })
        }
    }
}

/// Settles an admitted operation's charge: refunds what the response did not use (lists
/// shorter than their page size) and reports the cost in `extensions.cost`.
pub fn settle(state: &AppState, response: &mut Response, charge: Charge) {
    let Charge { client_id, role, requested, mut status } = charge;
    let executed = response.errors.iter().all(|e| !e.path.is_empty()) && !matches!(response.data, Value::Null);
    let actual = executed.then(|| super::rate::actual_cost(&response.data).min(requested));
    if let Some(actual) = actual
        && actual < requested
    {
        status = state.rate.refund(&client_id, role, requested - actual);
    }
    let value = Value::from_json(cost_extension(requested, actual, status)).unwrap_or(Value::Null);
    response.extensions.insert("cost".to_owned(), value);
}
