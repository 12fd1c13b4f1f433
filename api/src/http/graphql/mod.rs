//! `/graphql` over HTTP, as the GraphQL-over-HTTP specification describes it: POST with a
//! JSON body for anything, GET with a query string for queries only (mutations get 405),
//! `application/graphql-response+json` or `application/json` by `Accept` (406 for neither),
//! 415 for a body that is not JSON, and GraphiQL for browsers.
//!
//! Every operation needs a bearer token (401 otherwise). Limits and rate charges happen in
//! the [gateway](crate::gateway), which hands back a typed [`Outcome`]; this module maps it
//! to a status (429 with `Retry-After`, 405, 503, 400) and shapes the response. Every
//! request-error body is built by [`errors_body`].

pub(super) mod media;
mod params;
pub mod persisted;

use std::collections::BTreeMap;

use async_graphql::ServerError;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::Digest;

use self::media::{Media, is_json_body, negotiate};
use self::params::{BadParams, Params};
use self::persisted::PersistedError;
use super::Http;
use crate::auth::bearer::{self, BearerError};
use crate::cache::Answer;
use crate::error::Code;
use crate::gateway::{Outcome, TIMED_OUT, shared, with_request_data};
use crate::graphql::errors::coded;
use crate::limits::guard::{Refused, RootFields, Transport};

/// `body` as JSON in `media`. The GraphQL response is serialised straight from what
/// execution produced, without an intermediate copy.
fn reply(media: Media, status: StatusCode, body: &impl serde::Serialize) -> Response {
    // Catalogue pages run to ~100 KB: start big enough to skip most of the regrowth copies.
    let mut bytes = Vec::with_capacity(16 * 1024);
    let bytes = serde_json::to_writer(&mut bytes, body).map(|()| bytes).unwrap_or_else(|_| {
        let internal = [coded(Code::Internal, "internal error")];
        serde_json::to_vec(&ErrorsBody { errors: &internal, extensions: None }).unwrap_or_default()
    });
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    response
}

/// A response without a `data` entry: what a request that did not execute gets.
#[derive(serde::Serialize)]
struct ErrorsBody<'a> {
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a BTreeMap<String, async_graphql::Value>>,
}

/// The one builder of error bodies: `errors` (with their codes) and any response extensions
/// (the cost report of a throttled request), as `status` in `media`.
fn errors_body(
    media: Media,
    status: StatusCode,
    errors: &[ServerError],
    extensions: Option<&BTreeMap<String, async_graphql::Value>>,
) -> Response {
    let extensions = extensions.filter(|e| !e.is_empty());
    reply(media, status, &ErrorsBody { errors, extensions })
}

/// One error with `code`, as `status`.
pub(super) fn error_reply(media: Media, status: StatusCode, code: Code, message: &str) -> Response {
    errors_body(media, status, &[coded(code, message)], None)
}

/// A request that is not a GraphQL request at all (unreadable JSON, malformed parameters,
/// an unknown persisted query): 400 in either media type, with no `data` entry.
fn request_error(media: Media, code: Code, message: &str) -> Response {
    error_reply(media, StatusCode::BAD_REQUEST, code, message)
}

/// The status of a request error that is a GraphQL response: 400 in the GraphQL media
/// type; 200 in plain JSON, as the GraphQL-over-HTTP specification asks for legacy clients.
fn request_error_status(media: Media) -> StatusCode {
    if media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK }
}

/// The answer to an operation without a usable identity: 401 with an UNAUTHENTICATED error
/// and a `WWW-Authenticate` challenge (RFC 6750 §3), or 503 when it could not be checked.
fn refuse(media: Media, error: BearerError) -> Response {
    let (status, code, message, challenge) = match error {
        BearerError::Missing => (
            StatusCode::UNAUTHORIZED,
            Code::Unauthenticated,
            "authentication required: send a bearer token from /oauth/token".to_owned(),
            "Bearer realm=\"medtour\"".to_owned(),
        ),
        BearerError::Invalid(reason) => (
            StatusCode::UNAUTHORIZED,
            Code::Unauthenticated,
            format!("invalid bearer token: {reason}"),
            format!("Bearer realm=\"medtour\", error=\"invalid_token\", error_description=\"{reason}\""),
        ),
        BearerError::Unavailable(cause) => {
            tracing::error!(error = %cause, "could not check a bearer token");
            (StatusCode::SERVICE_UNAVAILABLE, Code::Unavailable, cause.to_string(), String::new())
        }
    };
    let mut response = error_reply(media, status, code, &message);
    if !challenge.is_empty()
        && let Ok(value) = HeaderValue::from_str(&challenge)
    {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The answer to an operation refused before execution: its status follows its code.
fn refused(media: Media, refused: Refused) -> Response {
    let status = match refused.code {
        Code::Throttled => StatusCode::TOO_MANY_REQUESTS,
        Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        _ => request_error_status(media),
    };
    let extensions = refused.cost.map(|cost| BTreeMap::from([("cost".to_owned(), cost)]));
    let mut response = errors_body(media, status, std::slice::from_ref(&*refused.error), extensions.as_ref());
    let headers = response.headers_mut();
    if let Some(seconds) = refused.retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        headers.insert(header::RETRY_AFTER, value);
    }
    if refused.code == Code::MethodNotAllowed {
        headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

const CACHE_CONTROL: &str = "private, max-age=60";

/// A strong entity tag of a response's data (the cost extension changes with every request).
fn etag_of(data: &async_graphql::Value) -> String {
    let data = serde_json::to_vec(data).unwrap_or_default();
    format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&data))[..32])
}

/// A GET answer to a catalogue read, cacheable by the partner: `Cache-Control` and a strong
/// `ETag`, and 304 instead of `body` when the client already holds the same data.
fn revalidated(headers: &HeaderMap, etag: &str, body: impl FnOnce() -> Response) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    let mut response = if matches { StatusCode::NOT_MODIFIED.into_response() } else { body() };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    h.insert(header::VARY, HeaderValue::from_static("authorization, accept"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, value);
    }
    response
}

/// The body of a shared catalogue answer: its serialised data as it is, and this request's
/// extensions, in the order a GraphQL response has them.
fn shared_body(media: Media, answer: &Answer, extensions: &BTreeMap<String, async_graphql::Value>) -> Response {
    let mut bytes = Vec::with_capacity(answer.data.len() + 200);
    bytes.extend_from_slice(b"{\"data\":");
    bytes.extend_from_slice(&answer.data);
    if !extensions.is_empty() {
        bytes.extend_from_slice(b",\"extensions\":");
        if serde_json::to_writer(&mut bytes, extensions).is_err() {
            return reply(
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                &ErrorsBody { errors: &[coded(Code::Internal, "internal error")], extensions: None },
            );
        }
    }
    bytes.push(b'}');
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    response
}

async fn execute(http: &Http, headers: &HeaderMap, media: Media, params: Params, transport: Transport) -> Response {
    let state = &http.state;
    let caller = match bearer::from_headers(state.verifier(), headers).await {
        Ok(caller) => caller,
        Err(error) => return refuse(media, error),
    };
    let (query, register) = match http.persisted.resolve(params.query, &params.extensions) {
        Ok(Some(resolved)) => (resolved.query, resolved.register),
        Ok(None) => return request_error(media, Code::BadRequest, "`query` is required"),
        // 200, as Apollo clients expect before they resend the hash with its query.
        Err(PersistedError::NotFound) => {
            return error_reply(media, StatusCode::OK, Code::PersistedQueryNotFound, "PersistedQueryNotFound");
        }
        Err(PersistedError::Invalid(message)) => return request_error(media, Code::BadRequest, message),
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
    let outcome = http.gateway.run(request).await;
    if let (Some((hash, query)), Outcome::Executed { .. } | Outcome::Shared { .. }) = (register, &outcome) {
        // Admitted, validated and run: only now is the text worth remembering.
        http.persisted.store(hash, query);
    }
    let (response, unavailable) = match outcome {
        Outcome::Refused(refusal) => return refused(media, refusal),
        Outcome::TimedOut => {
            let mut response = error_reply(media, StatusCode::SERVICE_UNAVAILABLE, Code::Timeout, TIMED_OUT);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
        Outcome::Invalid(response) => {
            // A request error (validation, variables): no `data` entry.
            let status = request_error_status(media);
            return errors_body(media, status, &response.errors, Some(&response.extensions));
        }
        Outcome::Shared { answer, extensions } => {
            let body = || shared_body(media, &answer, &extensions);
            return if transport == Transport::Get { revalidated(headers, &answer.etag, body) } else { body() };
        }
        Outcome::Executed { response, unavailable } => (response, unavailable),
    };
    if unavailable {
        return reply(media, StatusCode::SERVICE_UNAVAILABLE, &response);
    }
    let root_names = roots.0.lock().map(|r| r.clone()).unwrap_or_default();
    let catalogue_only =
        root_names.is_some_and(|names| names.iter().all(|n| shared::CATALOGUE.roots.contains(&n.as_str())));
    if transport == Transport::Get && response.errors.is_empty() && catalogue_only {
        return revalidated(headers, &etag_of(&response.data), || reply(media, StatusCode::OK, &response));
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
        return error_reply(media, StatusCode::PAYLOAD_TOO_LARGE, Code::RequestTooLarge, &message);
    };
    let json: Value = match serde_json::from_slice(&body) {
        Ok(json) => json,
        Err(_) => return request_error(media, Code::BadRequest, "the request body is not valid JSON"),
    };
    if json.is_array() {
        return request_error(
            media,
            Code::BadRequest,
            "batched requests are not accepted: send one operation per request",
        );
    }
    match params::from_json(&json) {
        Ok(params) => execute(&http, &headers, media, params, Transport::Post).await,
        Err(BadParams(message)) => request_error(media, Code::BadRequest, &message),
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
        Err(BadParams(message)) => request_error(media, Code::BadRequest, &message),
    }
}
