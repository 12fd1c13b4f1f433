//! The HTTP surface: GraphQL (POST and GET, GraphiQL for browsers), the OAuth token
//! endpoint and JWK set, and health endpoints.

pub mod graphql;
mod health;
mod subscriptions;

use axum::Router;
use axum::routing::{get, post};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth;
use crate::graphql::ApiSchema;
use crate::state::AppState;

/// What every handler can reach.
#[derive(Clone)]
pub struct Http {
    pub state: AppState,
    pub schema: ApiSchema,
}

/// The application's routes, with one log line per request.
pub fn router(http: Http) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(subscriptions::upgrade))
        .route("/oauth/token", post(auth::oauth::token))
        .route("/.well-known/jwks.json", get(auth::oauth::jwks))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(http)
}
