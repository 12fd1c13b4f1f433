//! The layers every HTTP request passes, outermost first:
//!
//! 1. a client's `x-request-id` is kept only when it is at most 64 safe characters;
//! 2. [`SetRequestIdLayer`] gives a request without one a fresh UUID;
//! 3. [`TraceLayer`] opens the request's span — method, path (never the query string, which
//!    can carry GraphQL variables), request id and, once known, the GraphQL operation — and
//!    logs one line per response; it records no headers and no bodies;
//! 4. [`PropagateRequestIdLayer`] returns the id in the `x-request-id` response header;
//! 5. [`track`] counts the request and its latency once it is answered.
//!
//! The GraphQL operation name is only known inside GraphQL execution, deep in the handler.
//! Rather than thread it back through every handler, [`track`] runs the inner service inside
//! a task-local [`Label`] slot that the GraphQL gateway fills in ([`label_current_request`]);
//! a request that never reached execution (refused before, or not GraphQL) is labelled with
//! its route and outcome with its status.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, Response, StatusCode};
use axum::middleware::{self, Next};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

use super::metrics::Metrics;

/// The request-id header, read from clients and returned to them.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-sent request id that is kept.
const MAX_REQUEST_ID_LEN: usize = 64;

/// Wraps `router` in the request-id, trace and metrics layers. Apply it last, so these
/// layers are outermost and see every response, also those that other layers refuse.
pub fn instrument<S>(router: Router<S>, metrics: Metrics) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(middleware::from_fn_with_state(metrics, track))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::map_request(drop_unsafe_request_id))
}

/// True for a request id worth echoing: 1 to 64 characters of `A-Z a-z 0-9 - _ . :`.
pub fn is_safe_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_LEN
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

async fn drop_unsafe_request_id(mut request: Request) -> Request {
    let unsafe_ids = request.headers().get_all(&REQUEST_ID).iter().any(|v| !is_safe_request_id(v.as_bytes()));
    let several = request.headers().get_all(&REQUEST_ID).iter().count() > 1;
    if unsafe_ids || several {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

fn request_span(request: &Request<Body>) -> Span {
    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
        operation = tracing::field::Empty,
    )
}

/// What a request is counted as, when GraphQL execution knows better than the route.
#[derive(Clone, Debug)]
pub struct Label {
    /// The operation label (see [`Metrics::operation_label`]).
    pub operation: String,
    /// `ok` or the first error's `extensions.code`.
    pub outcome: String,
}

type Slot = Arc<Mutex<Vec<Label>>>;

tokio::task_local! {
    static CURRENT: Slot;
}

/// Labels the HTTP request being served on this task with a GraphQL operation and its
/// outcome. Returns false outside an instrumented request (a websocket operation, a schema
/// executed directly), where the caller records the operation itself.
pub fn label_current_request(label: Label) -> bool {
    CURRENT
        .try_with(|slot| {
            if let Ok(mut labels) = slot.lock() {
                labels.push(label);
            }
        })
        .is_ok()
}

/// Counts the request under its GraphQL label, or its route and status.
async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response<Body> {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let slot = Slot::default();
    let response = CURRENT.scope(slot.clone(), next.run(request)).await;
    let labels = slot.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
    let (operation, outcome) = match labels.as_slice() {
        [] => (route, status_outcome(response.status())),
        [one] => (one.operation.clone(), one.outcome.clone()),
        many => {
            let outcome = many.iter().map(|l| l.outcome.as_str()).find(|o| *o != "ok").unwrap_or("ok");
            ("batch".to_owned(), outcome.to_owned())
        }
    };
    metrics.record_request(&operation, &outcome, started.elapsed());
    response
}

/// `ok` below 400, the status code from there on.
fn status_outcome(status: StatusCode) -> String {
    if status.is_client_error() || status.is_server_error() { status.as_str().to_owned() } else { "ok".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::is_safe_request_id;

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(is_safe_request_id(b"3f2c9a1e-0b7d-4c55-9e43-1a2b3c4d5e6f"));
        assert!(is_safe_request_id(b"lb:req_42.7"));
        for bad in [&b""[..], b"has space", b"new\nline", b"quote\"", b"<script>", &[b'a'; 65]] {
            assert!(!is_safe_request_id(bad), "{bad:?}");
        }
    }
}
