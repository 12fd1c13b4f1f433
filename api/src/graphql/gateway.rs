//! The gateway: the schema with what every operation passes through around it, on HTTP and
//! websockets alike — admission (limits and the rate charge) before execution; error codes,
//! the cost report and metrics after it.
//!
//! This is an [`Executor`] wrapping the schema rather than a set of schema extensions: with
//! any extension installed, async-graphql sends every field of every response (and every
//! list item) through the extension chain, and on a large catalogue page that chain cost
//! about a quarter of the request. Work done once per operation belongs here instead.

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::time::Instant;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::{Data, Executor, Request, Response};
use tracing::Instrument;

use super::ApiSchema;
use crate::auth::caller::Caller;
use crate::error::classify;
use crate::limits::guard::{self, Admitted, RootFields, Sender, Transport};
use crate::observability::graphql::{execute_span, record};
use crate::state::AppState;

/// The schema behind its gateway. Cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    schema: ApiSchema,
    state: AppState,
}

/// A value of type `T` in the request's own data, else in the websocket session's.
fn data_of<'a, T: Any>(request: &'a Request, session: Option<&'a Data>) -> Option<&'a T> {
    let find = |data: &'a Data| data.get(&TypeId::of::<T>()).and_then(|value| value.downcast_ref::<T>());
    find(&request.data).or_else(|| session.and_then(find))
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
}

/// Gives every error its code, hiding internal detail.
fn classified(mut response: Response) -> Response {
    response.errors.iter_mut().for_each(classify);
    response
}

impl Executor for Gateway {
    async fn execute(&self, mut request: Request) -> Response {
        let started = Instant::now();
        let admitted = guard::admit(&self.state, &request, Self::sender(&request, None));
        let operation = guard::operation_name(&request, admitted.as_ref().ok().map(|a| &a.document));
        let response = match admitted {
            Err(refused) => refused.into_response(),
            Ok(Admitted { document, charge }) => {
                request.set_parsed_query(document);
                let span = execute_span(operation.as_deref());
                let mut response = classified(self.schema.execute(request).instrument(span).await);
                if let Some(charge) = charge {
                    guard::settle(&self.state, &mut response, charge);
                }
                response
            }
        };
        record(&self.state, operation.as_deref(), &response, started);
        response
    }

    fn execute_stream(&self, mut request: Request, session: Option<Arc<Data>>) -> BoxStream<'static, Response> {
        // A subscription is charged once, when it starts; its events are not.
        match guard::admit(&self.state, &request, Self::sender(&request, session.as_deref())) {
            Err(refused) => stream::once(async move { refused.into_response() }).boxed(),
            Ok(Admitted { document, charge: _ }) => {
                request.set_parsed_query(document);
                Executor::execute_stream(&self.schema, request, session).map(classified).boxed()
            }
        }
    }
}
