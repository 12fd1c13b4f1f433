//! `/graphql` over HTTP, as the GraphQL-over-HTTP specification describes it: POST with a
//! JSON body for anything, GET with a query string for queries only (mutations get 405),
//! `application/graphql-response+json` or `application/json` by `Accept` (406 for neither),
//! 415 for a body that is not JSON, and GraphiQL for browsers.
//!
//! Every operation needs a bearer token (401 otherwise). Limits and rate charges happen in
//! the [gateway](crate::graphql::gateway); this module maps their outcomes to status codes
//! (429 with `Retry-After`, 405, 503) and shapes the response.

mod media;
mod params;
pub mod persisted;

use async_graphql::Executor;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::Digest;

use self::media::{Media, is_json_body, negotiate};
use self::params::{BadParams, Params};
use self::persisted::PersistedError;
use super::Http;
use crate::auth::bearer::{self, BearerError};
use crate::graphql::gateway::with_request_data;
use crate::limits::guard::{RootFields, Transport};

/// `body` as JSON in `media`. The GraphQL response is serialised straight from what
/// execution produced, without an intermediate copy.
fn reply(media: Media, status: StatusCode, body: &impl serde::Serialize) -> Response {
    let bytes = serde_json::to_vec(body)
        .unwrap_or_else(|_| br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec());
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    response
}

/// A request that is not a GraphQL request at all (unreadable JSON, malformed parameters,
/// an unknown persisted query): 400 in either media type, with no `data` entry.
fn request_error(media: Media, code: &str, message: &str) -> Response {
    reply(
        media,
        StatusCode::BAD_REQUEST,
        &json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }),
    )
}

/// The answer to an operation without a usable identity: 401 with an UNAUTHENTICATED error
/// and a `WWW-Authenticate` challenge (RFC 6750 §3), or 503 when it could not be checked.
fn refuse(media: Media, error: BearerError) -> Response {
    let (status, code, message, challenge) = match error {
        BearerError::Missing => (
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "authentication required: send a bearer token from /oauth/token".to_owned(),
            "Bearer realm=\"medtour\"".to_owned(),
        ),
        BearerError::Invalid(reason) => (
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            format!("invalid bearer token: {reason}"),
            format!("Bearer realm=\"medtour\", error=\"invalid_token\", error_description=\"{reason}\""),
        ),
        BearerError::Unavailable(cause) => {
            tracing::error!(error = %cause, "could not check a bearer token");
            (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", cause.to_string(), String::new())
        }
    };
    let mut response =
        reply(media, status, &json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }));
    if !challenge.is_empty()
        && let Ok(value) = HeaderValue::from_str(&challenge)
    {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The `extensions.code` of an error, as the gateway set it.
fn code_of(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code),
        _ => None,
    }
}

/// Root fields whose answers are the same catalogue for every caller, so a GET response
/// made only of them may be cached by the partner.
const CACHEABLE_ROOTS: &[&str] = &["treatments", "clinic", "clinics", "costComparison", "__typename"];
const CACHE_CONTROL: &str = "private, max-age=60";

/// Adds `Cache-Control` and a strong `ETag` to a cacheable catalogue read, answering 304
/// when the client already holds the same body.
fn cacheable(media: Media, headers: &HeaderMap, body: &async_graphql::Response) -> Response {
    // The tag covers the data only: the cost extension changes with every request.
    let data = serde_json::to_vec(&body.data).unwrap_or_default();
    let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&data))[..32]);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    let mut response =
        if matches { StatusCode::NOT_MODIFIED.into_response() } else { reply(media, StatusCode::OK, body) };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    h.insert(header::VARY, HeaderValue::from_static("authorization, accept"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    response
}

async fn execute(http: &Http, headers: &HeaderMap, media: Media, params: Params, transport: Transport) -> Response {
    let state = &http.state;
    let caller = match bearer::from_headers(state, headers).await {
        Ok(caller) => caller,
        Err(error) => return refuse(media, error),
    };
    let (query, register) = match http.persisted.resolve(params.query, &params.extensions) {
        Ok(Some(resolved)) => (resolved.query, resolved.register),
        Ok(None) => return request_error(media, "BAD_REQUEST", "`query` is required"),
        Err(PersistedError::NotFound) => {
            // 200, as Apollo clients expect before they resend the hash with its query.
            let body = json!({ "errors": [{ "message": "PersistedQueryNotFound", "extensions": { "code": "PERSISTED_QUERY_NOT_FOUND" } }] });
            return reply(media, StatusCode::OK, &body);
        }
        Err(PersistedError::Invalid(message)) => return request_error(media, "BAD_REQUEST", message),
    };
    let variables = async_graphql::Variables::from_json(Value::Object(params.variables));
    let register = register.map(|hash| (hash, query.clone()));
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if !state.limits.introspection {
        request = request.disable_introspection();
    }
    let roots = RootFields::default();
    let request = with_request_data(request, state, caller, transport).data(roots.clone());
    let Ok(response) = tokio::time::timeout(state.limits.timeout, http.gateway.execute(request)).await else {
        let mut response = reply(
            media,
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({
                "errors": [{ "message": "the request took too long and was stopped", "extensions": { "code": "TIMEOUT" } }]
            }),
        );
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let executed = !matches!(response.data, async_graphql::Value::Null);
    // A field error (it has a path) on a non-null root field also nulls `data`, but the
    // operation did run: that is an execution result with `"data": null`, not a request error.
    let request_error = !executed && response.errors.iter().all(|e| e.path.is_empty());
    if let Some((hash, query)) = register
        && !request_error
    {
        // Admitted, validated and run: only now is the text worth remembering.
        http.persisted.store(hash, query);
    }
    let codes: Vec<&str> = response.errors.iter().filter_map(code_of).collect();
    let has = |code: &str| codes.contains(&code);
    if has("THROTTLED") {
        let retry = response
            .errors
            .iter()
            .find_map(|e| match e.extensions.as_ref()?.get("retryAfterSeconds")? {
                async_graphql::Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .unwrap_or(1);
        let mut reply = reply(media, StatusCode::TOO_MANY_REQUESTS, &response);
        if let Ok(value) = HeaderValue::from_str(&retry.to_string()) {
            reply.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return reply;
    }
    if has("METHOD_NOT_ALLOWED") {
        let mut reply = reply(media, StatusCode::METHOD_NOT_ALLOWED, &response);
        reply.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return reply;
    }
    if has("UNAVAILABLE") && !executed {
        return reply(media, StatusCode::SERVICE_UNAVAILABLE, &response);
    }
    if request_error && !codes.is_empty() {
        // A request error (parse, validation, variables, a limit): no `data` entry.
        let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
        if let Value::Object(map) = &mut body {
            map.remove("data");
        }
        let status = if media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        return reply(media, status, &body);
    }
    let root_names = roots.0.lock().map(|r| r.clone()).unwrap_or_default();
    let catalogue_only = root_names.is_some_and(|names| names.iter().all(|n| CACHEABLE_ROOTS.contains(&n.as_str())));
    if transport == Transport::Get && codes.is_empty() && catalogue_only {
        return cacheable(media, headers, &response);
    }
    reply(media, StatusCode::OK, &response)
}

/// POST: any operation, as a JSON body of at most `max_body_bytes` (413 beyond).
pub async fn post(State(http): State<Http>, headers: HeaderMap, body: Body) -> Response {
    let Some(media) = negotiate(&headers) else {
        return (StatusCode::NOT_ACCEPTABLE, "respond with application/graphql-response+json or application/json")
            .into_response();
    };
    if !is_json_body(&headers) {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the request as application/json").into_response();
    }
    let limit = http.state.limits.max_body_bytes;
    let Ok(body): Result<Bytes, _> = axum::body::to_bytes(body, limit).await else {
        let message = format!("the request body exceeds {limit} bytes");
        let error = json!({ "errors": [{ "message": message, "extensions": { "code": "REQUEST_TOO_LARGE" } }] });
        return reply(media, StatusCode::PAYLOAD_TOO_LARGE, &error);
    };
    let json: Value = match serde_json::from_slice(&body) {
        Ok(json) => json,
        Err(_) => return request_error(media, "BAD_REQUEST", "the request body is not valid JSON"),
    };
    if json.is_array() {
        return request_error(
            media,
            "BAD_REQUEST",
            "batched requests are not accepted: send one operation per request",
        );
    }
    match params::from_json(&json) {
        Ok(params) => execute(&http, &headers, media, params, Transport::Post).await,
        Err(BadParams(message)) => request_error(media, "BAD_REQUEST", &message),
    }
}

/// GET: GraphiQL for a browser, otherwise a query from the query string.
pub async fn get(State(http): State<Http>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    if wants_html && http.state.settings.graphiql && raw.as_deref().is_none_or(|q| !q.contains("query=")) {
        return super::graphiql::page(&headers);
    }
    let Some(media) = negotiate(&headers) else {
        return (StatusCode::NOT_ACCEPTABLE, "respond with application/graphql-response+json or application/json")
            .into_response();
    };
    match params::from_query_string(raw.as_deref().unwrap_or("")) {
        Ok(params) => execute(&http, &headers, media, params, Transport::Get).await,
        Err(BadParams(message)) => request_error(media, "BAD_REQUEST", &message),
    }
}
