//! Operational endpoints: liveness, readiness and the Prometheus exposition.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::db;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers within [`db::READY_TIMEOUT`]; 503 otherwise, so a load balancer
/// stops sending traffic to a replica that has lost its database and resumes when it is back.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::is_ready(&state.db).await {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": "database unreachable" })))
    }
}

/// The metrics in the Prometheus text format (version 0.0.4).
pub async fn metrics(State(state): State<AppState>) -> Response {
    match state.metrics.render(&state.db, &state.statements) {
        Ok(text) => ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not render metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
