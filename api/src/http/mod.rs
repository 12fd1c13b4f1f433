//! The HTTP surface: GraphQL (POST and GET, GraphiQL for browsers), the OAuth token
//! endpoint and JWK set, health endpoints and `/metrics` (on the main listener, or on one of
//! its own); [`client_ip`] finds the client's address behind trusted proxies.

mod body_deadline;
pub mod client_ip;
mod graphiql;
pub mod graphql;
mod health;
mod oauth;
pub mod server;
mod subscriptions;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::gateway::Gateway;
use crate::observability;
use crate::state::AppState;

/// What the routes share. Each handler extracts only the part it uses (`State<AppState>`,
/// `State<Gateway>`, …) through axum's `FromRef`.
#[derive(Clone, FromRef)]
pub struct Http {
    pub state: AppState,
    /// The schema behind the gateway every operation passes through.
    pub gateway: Gateway,
    /// Automatic persisted queries by hash.
    pub persisted: std::sync::Arc<graphql::persisted::PersistedQueries>,
}

/// The application's routes, with a request id and one log line per request.
pub fn router(http: Http) -> Router {
    let routes: Router<Http> = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(subscriptions::upgrade))
        .route("/oauth/token", post(oauth::token).layer(DefaultBodyLimit::max(16 * 1024)))
        .route("/.well-known/jwks.json", get(oauth::jwks))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    // Unauthenticated: served here only when no listener of its own is configured.
    let routes = if http.state.settings.server.metrics_bind.is_none() {
        routes.route("/metrics", get(health::metrics))
    } else {
        routes
    };
    let routes =
        if http.state.settings.graphiql { routes.route("/graphiql/{file}", get(graphiql::asset)) } else { routes };
    let body_timeout = http.state.settings.server.body_timeout;
    let routes = routes.layer(axum::middleware::from_fn_with_state(body_timeout, body_deadline::limit));
    let routes = routes.layer(cors(&http.state.settings.cors_origins));
    // Request ids, the request span and request metrics: outermost, so they see every answer.
    observability::instrument(routes, http.state.metrics.clone()).with_state(http)
}

/// The metrics listener's routes (`MEDTOUR_METRICS_BIND`): `/metrics` and nothing else. Scrapes
/// get no request id, log line or request metrics of their own.
pub fn metrics_router(http: Http) -> Router {
    Router::new().route("/metrics", get(health::metrics)).with_state(http)
}

/// Browsers may call `/graphql` from the configured partner origins only; without any
/// configured, no cross-origin headers are sent and browsers keep to the same origin.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
        .max_age(std::time::Duration::from_secs(600))
}
