//! The gateway: the schema with what every operation passes through around it, on HTTP and
//! websockets alike — admission (limits and the rate charge) before execution; error codes,
//! the cost report and metrics after it.
//!
//! This is an [`Executor`] wrapping the schema rather than a set of schema extensions: with
//! any extension installed, async-graphql sends every field of every response (and every
//! list item) through the extension chain, and on a large catalogue page that chain cost
//! about a quarter of the request. Work done once per operation belongs here instead.
//!
//! A websocket operation is admitted exactly like an HTTP request: its session's token is
//! verified again (expiry, revocation, suspension) before each operation, the operation
//! gets fresh batch loaders, and it is measured and charged by the same [`guard::admit`].

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::time::Instant;

mod classify;
mod outcome;
pub mod shared;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response};
use tracing::Instrument;

use self::classify::classify;
pub use self::outcome::{Outcome, TIMED_OUT};
use crate::auth::bearer;
use crate::auth::caller::Caller;
use crate::error::{Code, ServiceError};
use crate::limits::guard::{self, Admitted, Charge, Refused, RootFields, Sender, Transport};
use crate::observability::graphql::{execute_span, record, record_as};
use crate::schema::{ApiSchema, with_loaders};
use crate::state::AppState;

/// The schema behind its gateway. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    schema: ApiSchema,
    state: AppState,
}

/// The bearer token a websocket session was opened with, kept in the session's data so
/// each of its operations is authenticated afresh.
#[derive(Clone)]
pub struct SessionToken(pub String);

/// A value of type `T` in the request's own data, else in the websocket session's.
fn data_of<'a, T: Any>(request: &'a Request, session: Option<&'a Data>) -> Option<&'a T> {
    let find = |data: &'a Data| data.get(&TypeId::of::<T>()).and_then(|value| value.downcast_ref::<T>());
    find(&request.data).or_else(|| session.and_then(find))
}

/// Attaches what one operation needs: its caller, its transport and fresh batch loaders.
pub fn with_request_data(request: Request, state: &AppState, caller: Caller, transport: Transport) -> Request {
    let request =
        crate::quotes::health::loaders::attach(with_loaders(request, &state.db, &state.clock), state, &caller);
    request.data(caller).data(transport)
}

/// A response refusing an operation before execution with `code`.
fn refusal(code: Code, message: impl Into<String>) -> Response {
    Refused::new(code, message).into_response()
}

impl Gateway {
    /// Puts `schema` behind the gateway; `state` is the one the schema holds.
    pub fn new(schema: ApiSchema, state: AppState) -> Self {
        Self { schema, state }
    }

    /// Who sent `request`, and how.
    fn sender<'a>(request: &'a Request, session: Option<&'a Data>) -> Sender<'a> {
        Sender {
            caller: data_of::<Caller>(request, session),
            transport: data_of::<Transport>(request, session).copied(),
            roots: data_of::<RootFields>(request, session),
        }
    }

    /// Authenticates a websocket operation with its session's token, as an HTTP request is
    /// authenticated with its header.
    async fn authenticate_session(&self, request: Request, session: Option<&Data>) -> Result<Request, Response> {
        let Some(SessionToken(token)) = data_of::<SessionToken>(&request, session).cloned() else {
            return Err(refusal(Code::Unauthenticated, "authentication required: send connection_init with a token"));
        };
        match bearer::authenticate(self.state.verifier(), &token).await {
            Ok(caller) => Ok(with_request_data(request, &self.state, caller, Transport::WebSocket)),
            Err(bearer::BearerError::Unavailable(cause)) => {
                tracing::error!(error = %cause, "could not check a websocket session's token");
                Err(refusal(Code::Unavailable, "the service is unavailable; retry later"))
            }
            Err(bearer::BearerError::Invalid(reason)) => {
                Err(refusal(Code::Unauthenticated, format!("invalid bearer token: {reason}")))
            }
            Err(bearer::BearerError::Missing) => Err(refusal(Code::Unauthenticated, "authentication required")),
        }
    }

    /// Admits and runs one websocket operation: a stream of responses (one for a query or
    /// mutation, one per event for a subscription).
    async fn stream(self, request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        let mut request = match self.authenticate_session(request, session.as_deref()).await {
            Ok(request) => request,
            Err(refused) => return stream::once(async move { refused }).boxed(),
        };
        let started = Instant::now();
        let admitted = guard::admit(self.state.admission(), &request, Self::sender(&request, session.as_deref()));
        let Admitted { document, charge, kind } = match admitted {
            Ok(admitted) => admitted,
            Err(refused) => {
                let response = refused.into_response();
                record(&self.state.metrics, None, &response, started);
                return stream::once(async move { response }).boxed();
            }
        };
        // A subscription holds a slot of its client's for as long as it runs.
        let slot = match (kind, data_of::<Caller>(&request, None)) {
            (OperationType::Subscription, Some(caller)) => {
                match self.state.sessions.start_subscription(&caller.client_id) {
                    Some(slot) => Some(slot),
                    None => {
                        let max = self.state.sessions.max_subscriptions();
                        let response = refusal(
                            Code::SubscriptionLimitExceeded,
                            format!("this client already runs {max} subscriptions; complete one first"),
                        );
                        return stream::once(async move { response }).boxed();
                    }
                }
            }
            _ => None,
        };
        request.set_parsed_query(document);
        let state = self.state.clone();
        let mut charge = charge;
        Executor::execute_stream(&self.schema, request, session)
            .map(move |response| {
                let _running = &slot;
                let mut response = classified(response);
                // A query or mutation is settled like an HTTP one; a subscription was charged
                // once, when it started, and its events are not.
                if kind != OperationType::Subscription
                    && let Some(charge) = charge.take()
                {
                    guard::settle(&state.rate, &mut response, charge);
                    record(&state.metrics, None, &response, started);
                }
                response
            })
            .boxed()
    }
}

/// Gives every error its code, hiding internal detail.
fn classified(mut response: Response) -> Response {
    response.errors.iter_mut().for_each(classify);
    response
}

impl Gateway {
    /// Admits and runs one operation within the request time-out, and says how it ended.
    /// Every transport's operations pass through here (websockets through [`Executor`]).
    pub async fn run(&self, mut request: Request) -> Outcome {
        let started = Instant::now();
        let admitted = guard::admit(self.state.admission(), &request, Self::sender(&request, None));
        let operation = guard::operation_name(&request, admitted.as_ref().ok().map(|a| &a.document));
        let outcome = match admitted {
            Err(refused) => Outcome::Refused(refused),
            Ok(Admitted { document, charge, kind }) => {
                let caller = data_of::<Caller>(&request, None);
                let key = shared::key_of(&self.state, &request, &document, caller);
                let cached = key.as_ref().and_then(|key| self.state.cache.answers.as_ref()?.get(key));
                match cached {
                    Some(answer) => self.shared(answer, charge),
                    None => {
                        request.set_parsed_query(document);
                        let outcome = self.execute_within_time(request, operation.as_deref(), charge).await;
                        if kind == OperationType::Mutation && self.state.cache.answers.is_some() {
                            // The catalogue writes of this process count from its next request on.
                            if let Err(e) = self.state.cache.version.refresh(&self.state.db).await {
                                tracing::warn!(error = %e, "could not read the catalogue version");
                            }
                        }
                        self.keep(key, outcome)
                    }
                }
            }
        };
        record_outcome(&self.state, operation.as_deref(), &outcome, started);
        outcome
    }

    /// Runs an admitted operation within the request time-out and settles its charge.
    async fn execute_within_time(&self, request: Request, operation: Option<&str>, charge: Option<Charge>) -> Outcome {
        let span = execute_span(operation);
        let running = self.schema.execute(request).instrument(span);
        let Ok(response) = tokio::time::timeout(self.state.limits.timeout, running).await else {
            return Outcome::TimedOut;
        };
        match (judged(response), charge) {
            (Outcome::Executed { mut response, unavailable }, Some(charge)) => {
                guard::settle(&self.state.rate, &mut response, charge);
                Outcome::Executed { response, unavailable }
            }
            (Outcome::Invalid(mut response), Some(charge)) => {
                guard::settle(&self.state.rate, &mut response, charge);
                Outcome::Invalid(response)
            }
            (outcome, _) => outcome,
        }
    }

    /// A cached answer, charged like the operation it answers.
    fn shared(&self, answer: Arc<crate::cache::Answer>, charge: Option<Charge>) -> Outcome {
        let mut extensions = std::collections::BTreeMap::new();
        if let Some(charge) = charge {
            extensions.insert("cost".to_owned(), guard::settle_at(&self.state.rate, charge, Some(answer.actual_cost)));
        }
        self.state.metrics.record_response_cache(true);
        Outcome::Shared { answer, extensions }
    }

    /// Caches a shareable operation's clean answer under `key`, and answers from it.
    fn keep(&self, key: Option<crate::cache::Key>, outcome: Outcome) -> Outcome {
        let (Some(key), Some(answers)) = (key, self.state.cache.answers.as_ref()) else { return outcome };
        self.state.metrics.record_response_cache(false);
        let Outcome::Executed { response, unavailable: false } = outcome else { return outcome };
        let Some(answer) = shared::answer_of(&response) else {
            return Outcome::Executed { response, unavailable: false };
        };
        answers.insert(key, Arc::clone(&answer));
        self.state.metrics.set_response_cache_bytes(answers.bytes());
        Outcome::Shared { answer, extensions: response.extensions }
    }
}

/// Sorts an executed response into what happened, then codes its errors. Nothing ran when
/// there is no data and no error is tied to a field; an unreachable database that left no
/// data at all is told apart by the error behind it, not by its text.
fn judged(response: Response) -> Outcome {
    let no_data = matches!(response.data, async_graphql::Value::Null);
    let unavailable = no_data
        && response.errors.iter().any(|e| {
            let service = e.source::<ServiceError>().or_else(|| e.source::<Arc<ServiceError>>().map(|s| &**s));
            matches!(service, Some(ServiceError::Unavailable(_)))
        });
    let ran = !no_data || response.errors.iter().any(|e| !e.path.is_empty());
    let response = classified(response);
    if ran { Outcome::Executed { response, unavailable } } else { Outcome::Invalid(response) }
}

fn record_outcome(state: &AppState, operation: Option<&str>, outcome: &Outcome, started: Instant) {
    match outcome {
        Outcome::Refused(refused) => record_as(&state.metrics, operation, refused.code.as_str().to_owned(), started),
        Outcome::Invalid(response) | Outcome::Executed { response, .. } => {
            record(&state.metrics, operation, response, started)
        }
        Outcome::TimedOut => record_as(&state.metrics, operation, Code::Timeout.as_str().to_owned(), started),
        Outcome::Shared { .. } => record_as(&state.metrics, operation, "ok".to_owned(), started),
    }
}

impl Executor for Gateway {
    async fn execute(&self, request: Request) -> Response {
        self.run(request).await.into_response()
    }

    fn execute_stream(&self, request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        stream::once(self.clone().stream(request, session)).flatten().boxed()
    }
}
