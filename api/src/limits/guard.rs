//! The schema extension that applies the per-request limits and charges the caller's rate
//! bucket before a document is validated or executed — on HTTP and websockets alike.
//!
//! It hooks document parsing: async-graphql parses once, this extension measures the parsed
//! document (see [`analysis`](super::analysis)) and refuses it, or charges its cost, before
//! any validator or resolver runs and before the database is touched.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest, NextRequest,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ErrorExtensionValues, Request, Response, ServerError, ServerResult, Value, Variables};

use super::QueryLimits;
use super::analysis::{Refusal, analyse};
use super::rate::{Decision, ThrottleStatus, cost_extension};
use crate::auth::caller::Caller;
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

/// Installs the limits on a schema.
pub struct Limits;

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension::default())
    }
}

#[derive(Default)]
struct Charge {
    operation_name: Option<String>,
    /// Who was charged (the request hook cannot see request data).
    client: Option<(String, crate::auth::role::Role)>,
    requested: Option<u64>,
    status: Option<ThrottleStatus>,
}

#[derive(Default)]
struct LimitsExtension {
    charge: Mutex<Charge>,
}

/// An error refusing the request before execution, with its code.
fn refusal(code: &str, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", code);
    error
}

impl LimitsExtension {
    fn lock(&self) -> std::sync::MutexGuard<'_, Charge> {
        self.charge.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check(
        &self,
        ctx: &ExtensionContext<'_>,
        document: &ExecutableDocument,
        variables: &Variables,
    ) -> ServerResult<()> {
        let state = ctx.data::<AppState>().map_err(|_| refusal("INTERNAL", "internal error"))?;
        let limits: &QueryLimits = &state.limits;
        let name = self.lock().operation_name.clone();
        let analysis = analyse(document, name.as_deref(), variables, limits.max_directives).map_err(|r| match r {
            Refusal::FragmentCycle(f) => refusal("GRAPHQL_VALIDATION_FAILED", format!("fragment {f} spreads itself")),
            Refusal::UnknownFragment(f) => refusal("GRAPHQL_VALIDATION_FAILED", format!("unknown fragment {f}")),
            Refusal::NoOperation(m) => refusal("GRAPHQL_VALIDATION_FAILED", m),
            Refusal::TooManyDirectives(n) => refusal(
                "DIRECTIVE_LIMIT_EXCEEDED",
                format!("{n} directives on one field; at most {} are allowed", limits.max_directives),
            ),
        })?;
        if analysis.kind == OperationType::Mutation && ctx.data_opt::<Transport>() == Some(&Transport::Get) {
            return Err(refusal("METHOD_NOT_ALLOWED", "mutations must be sent with POST"));
        }
        if let Some(slot) = ctx.data_opt::<RootFields>()
            && let Ok(operation) = super::analysis::selected(document, name.as_deref())
        {
            use async_graphql::parser::types::Selection;
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
        let over = |code: &str, what: String| refusal(code, what);
        if m.depth > limits.max_depth {
            return Err(over(
                "DEPTH_LIMIT_EXCEEDED",
                format!("the query nests {} levels deep; at most {} are allowed", m.depth, limits.max_depth),
            ));
        }
        if m.aliases > limits.max_aliases {
            return Err(over(
                "ALIAS_LIMIT_EXCEEDED",
                format!("the query uses {} aliases; at most {} are allowed", m.aliases, limits.max_aliases),
            ));
        }
        if m.fields > limits.max_fields {
            return Err(over(
                "COMPLEXITY_LIMIT_EXCEEDED",
                format!(
                    "the query selects {} fields once fragments are expanded; at most {} are allowed",
                    m.fields, limits.max_fields
                ),
            ));
        }
        if m.cost > limits.max_cost {
            return Err(over(
                "COST_LIMIT_EXCEEDED",
                format!(
                    "the query costs {} points (lists count by their page size); at most {} are allowed",
                    m.cost, limits.max_cost
                ),
            ));
        }
        let requested = m.cost.max(1);
        let Some(caller) = ctx.data_opt::<Caller>() else { return Ok(()) };
        let mut charge = self.lock();
        charge.requested = Some(requested);
        charge.client = Some((caller.client_id.clone(), caller.role));
        match state.rate.charge(&caller.client_id, caller.role, requested) {
            Decision::Admitted(status) => {
                charge.status = Some(status);
                Ok(())
            }
            Decision::Throttled { status, retry_after } => {
                charge.status = Some(status);
                state.metrics.record_throttled(caller.role);
                let mut error =
                    refusal("THROTTLED", "Throttled: the client's query cost budget is exhausted; retry later");
                error
                    .extensions
                    .get_or_insert_with(ErrorExtensionValues::default)
                    .set("retryAfterSeconds", Value::from(retry_after.as_secs()));
                Err(error)
            }
        }
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let (requested, status, client) = {
            let charge = self.lock();
            (charge.requested, charge.status, charge.client.clone())
        };
        if let (Some(requested), Some(mut status), Some((client_id, role)), Ok(state)) =
            (requested, status, client, ctx.data::<AppState>())
        {
            let executed = response.errors.iter().all(|e| !e.path.is_empty()) && !matches!(response.data, Value::Null);
            let actual = executed.then(|| {
                let data = serde_json::to_value(&response.data).unwrap_or_default();
                super::rate::actual_cost(&data).min(requested)
            });
            if let Some(actual) = actual
                && actual < requested
            {
                status = state.rate.refund(&client_id, role, requested - actual);
            }
            let value = Value::from_json(cost_extension(requested, actual, status)).unwrap_or(Value::Null);
            response.extensions.insert("cost".to_owned(), value);
        }
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(state) = ctx.data::<AppState>()
            && request.query.len() > state.limits.max_query_chars
        {
            return Err(refusal(
                "QUERY_TOO_LARGE",
                format!(
                    "the query has {} characters; at most {} are allowed",
                    request.query.len(),
                    state.limits.max_query_chars
                ),
            ));
        }
        self.lock().operation_name = request.operation_name.clone();
        next.run(ctx, request).await
    }

    /// Parses the document here rather than through `next`: async-graphql's own post-parse
    /// check re-expands every fragment spread recursively (the fragment bomb). This
    /// extension's linear analysis replaces it: depth, directives and size are bounded here.
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = async_graphql::parser::parse_query(query).map_err(|e| {
            let mut error = ServerError::from(e);
            error.extensions.get_or_insert_with(ErrorExtensionValues::default).set("code", "GRAPHQL_PARSE_FAILED");
            error
        })?;
        self.check(ctx, &document, variables)?;
        Ok(document)
    }
}
