//! Admission of one operation: the per-request limits and the caller's rate charge, applied
//! before a document is validated or executed — on HTTP and websockets alike — and the cost
//! report added to its response afterwards. The [gateway](crate::gateway) calls both.
//!
//! The document is parsed here, once, and handed to async-graphql already parsed. Its own
//! post-parse check re-expands every fragment spread recursively (the fragment bomb); this
//! module's linear analysis (see [`analysis`](super::analysis)) refuses such a document first,
//! so what reaches async-graphql is bounded. Nothing here touches the database.

use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use async_graphql::{Request, Response, ServerError, Value};

use super::QueryLimits;
use super::analysis::{Refusal, analyse};
use super::nesting;
use super::rate::{Decision, RateLimiter, ThrottleStatus, cost_extension};
use crate::auth::caller::Caller;
use crate::auth::role::Role;
use crate::error::Code;
use crate::graphql::errors::{coded, set, set_code};
use crate::observability::Metrics;

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

/// An operation refused before execution, as a value: its code (which the transport maps to
/// a status), its error, how long to wait when the rate limiter refused it, and then also the
/// bucket's state (reported in `extensions.cost` as on any charged response).
#[derive(Debug)]
pub struct Refused {
    pub code: Code,
    pub error: Box<ServerError>,
    pub retry_after: Option<u64>,
    pub cost: Option<Value>,
}

impl Refused {
    /// A refusal with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, error: Box::new(coded(code, message)), retry_after: None, cost: None }
    }

    /// The response refusing the operation.
    pub fn into_response(self) -> Response {
        let mut response = Response::from_errors(vec![*self.error]);
        if let Some(cost) = self.cost {
            response.extensions.insert("cost".to_owned(), cost);
        }
        response
    }
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

/// What admission consults: the limits, the parsed documents, the callers' cost buckets, and
/// the metrics that count throttled operations.
#[derive(Clone, Copy)]
pub struct Admission<'a> {
    pub limits: &'a QueryLimits,
    pub documents: &'a super::documents::ParsedDocuments,
    pub rate: &'a RateLimiter,
    pub metrics: &'a Metrics,
}

/// Parses `request`'s document, measures it against the limits and charges its cost to the
/// caller's bucket; a refusal costs [`REFUSAL_COST`].
pub fn admit(admission: Admission<'_>, request: &Request, sender: Sender<'_>) -> Result<Admitted, Refused> {
    let admitted = measure_and_charge(admission, request, sender);
    if let (Err(refused), Some(caller)) = (&admitted, sender.caller)
        && refused.cost.is_none()
    {
        admission.rate.penalise(&caller.client_id, caller.role, REFUSAL_COST);
    }
    admitted
}

/// Checks a query text against the limits that need no parse: its size and its nesting.
/// Persisted queries pass this before they are stored.
pub fn check_text(limits: &QueryLimits, query: &str) -> Result<(), Refused> {
    if query.len() > limits.max_query_chars {
        return Err(Refused::new(
            Code::QueryTooLarge,
            format!("the query has {} characters; at most {} are allowed", query.len(), limits.max_query_chars),
        ));
    }
    if let Some(depth) = nesting::document_exceeds(query, limits.max_nesting) {
        return Err(Refused::new(
            Code::NestingLimitExceeded,
            format!("the query nests brackets or braces {depth} deep; at most {} are allowed", limits.max_nesting),
        ));
    }
    Ok(())
}

fn measure_and_charge(admission: Admission<'_>, request: &Request, sender: Sender<'_>) -> Result<Admitted, Refused> {
    let limits = admission.limits;
    check_text(limits, &request.query)?;
    if nesting::variables_exceed(&request.variables, limits.max_nesting) {
        return Err(Refused::new(
            Code::NestingLimitExceeded,
            format!("the variables nest lists or objects more than {} deep", limits.max_nesting),
        ));
    }
    let document = admission.documents.parse(&request.query).map_err(|e| {
        let mut error = ServerError::from(e);
        set_code(&mut error, Code::GraphqlParseFailed);
        Refused { code: Code::GraphqlParseFailed, error: Box::new(error), retry_after: None, cost: None }
    })?;
    let (charge, kind) = check(admission, &document, request, sender)?;
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
    admission: Admission<'_>,
    document: &ExecutableDocument,
    request: &Request,
    sender: Sender<'_>,
) -> Result<(Option<Charge>, OperationType), Refused> {
    let limits = admission.limits;
    let name = request.operation_name.as_deref();
    let analysis = analyse(document, name, &request.variables, limits.max_directives).map_err(|r| match r {
        Refusal::FragmentCycle(f) => {
            Refused::new(Code::GraphqlValidationFailed, format!("fragment {f} spreads itself"))
        }
        Refusal::UnknownFragment(f) => Refused::new(Code::GraphqlValidationFailed, format!("unknown fragment {f}")),
        Refusal::NoOperation(m) => Refused::new(Code::GraphqlValidationFailed, m),
        Refusal::TooManyDirectives(n) => Refused::new(
            Code::DirectiveLimitExceeded,
            format!("{n} directives on one field; at most {} are allowed", limits.max_directives),
        ),
    })?;
    if analysis.kind == OperationType::Mutation && sender.transport == Some(Transport::Get) {
        return Err(Refused::new(Code::MethodNotAllowed, "mutations must be sent with POST"));
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
        return Err(Refused::new(
            Code::DepthLimitExceeded,
            format!("the query nests {} levels deep; at most {} are allowed", m.depth, limits.max_depth),
        ));
    }
    if m.introspection_depth > 0 && !limits.introspection {
        return Err(Refused::new(Code::IntrospectionDisabled, "introspection is turned off on this server"));
    }
    if m.introspection_depth > limits.max_introspection_depth {
        return Err(Refused::new(
            Code::DepthLimitExceeded,
            format!(
                "the introspection query nests {} levels deep; at most {} are allowed",
                m.introspection_depth, limits.max_introspection_depth
            ),
        ));
    }
    if m.aliases > limits.max_aliases {
        return Err(Refused::new(
            Code::AliasLimitExceeded,
            format!("the query uses {} aliases; at most {} are allowed", m.aliases, limits.max_aliases),
        ));
    }
    if m.fields > limits.max_fields {
        return Err(Refused::new(
            Code::ComplexityLimitExceeded,
            format!(
                "the query selects {} fields once fragments are expanded; at most {} are allowed",
                m.fields, limits.max_fields
            ),
        ));
    }
    if m.cost > limits.max_cost {
        return Err(Refused::new(
            Code::CostLimitExceeded,
            format!(
                "the query costs {} points (lists count by their page size); at most {} are allowed",
                m.cost, limits.max_cost
            ),
        ));
    }
    let requested = m.cost.max(1);
    let Some(caller) = sender.caller else { return Ok((None, analysis.kind)) };
    match admission.rate.charge(&caller.client_id, caller.role, requested) {
        Decision::Admitted(status) => Ok((
            Some(Charge { client_id: caller.client_id.clone(), role: caller.role, requested, status }),
            analysis.kind,
        )),
        Decision::Throttled { status, retry_after } => {
            admission.metrics.record_throttled(caller.role);
            let mut refused =
                Refused::new(Code::Throttled, "Throttled: the client's query cost budget is exhausted; retry later");
            let wait = retry_after.as_secs();
            set(&mut refused.error, "retryAfterSeconds", Value::from(wait));
            refused.retry_after = Some(wait);
            refused.cost = Value::from_json(cost_extension(requested, None, status)).ok();
            Err(refused)
        }
    }
}

/// Settles an admitted operation's charge: refunds what the response did not use (lists
/// shorter than their page size) and reports the cost in `extensions.cost`.
pub fn settle(rate: &RateLimiter, response: &mut Response, charge: Charge) {
    let executed = response.errors.iter().all(|e| !e.path.is_empty()) && !matches!(response.data, Value::Null);
    let actual = executed.then(|| super::rate::actual_cost(&response.data));
    response.extensions.insert("cost".to_owned(), settle_at(rate, charge, actual));
}

/// Settles a charge whose response is known to have cost `actual` (`None` when nothing
/// ran), refunding the difference, and returns the `extensions.cost` value to report.
pub fn settle_at(rate: &RateLimiter, charge: Charge, actual: Option<u64>) -> Value {
    let Charge { client_id, role, requested, mut status } = charge;
    let actual = actual.map(|actual| actual.min(requested));
    if let Some(actual) = actual
        && actual < requested
    {
        status = rate.refund(&client_id, role, requested - actual);
    }
    Value::from_json(cost_extension(requested, actual, status)).unwrap_or(Value::Null)
}
