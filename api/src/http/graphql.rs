//! `/graphql`: executes operations with a fresh batch loader per request, and serves
//! GraphiQL to browsers.

use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Http;
use crate::auth::bearer::{self, BearerError};
use crate::auth::caller::Caller;
use crate::catalogue::loaders::CatalogueLoader;
use crate::quotes::loaders::QuoteLoader;
use crate::state::AppState;

async fn execute(http: &Http, headers: &HeaderMap, request: GraphQLRequest) -> Response {
    let caller = match bearer::from_headers(&http.state, headers).await {
        Ok(caller) => caller,
        Err(error) => return refuse(error),
    };
    let request = with_request_data(request.into_inner(), &http.state, caller);
    GraphQLResponse::from(http.schema.execute(request).await).into_response()
}

/// Attaches what one operation needs: its caller and fresh batch loaders.
pub fn with_request_data(request: async_graphql::Request, state: &AppState, caller: Caller) -> async_graphql::Request {
    request
        .data(DataLoader::new(CatalogueLoader::new(state.db.clone()), tokio::spawn))
        .data(DataLoader::new(QuoteLoader::new(state.db.clone()), tokio::spawn))
        .data(caller)
}

/// The answer to an operation without a usable identity: 401 with an UNAUTHENTICATED error
/// and a `WWW-Authenticate` challenge (RFC 6750 §3), or 503 when it could not be checked.
fn refuse(error: BearerError) -> Response {
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
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge)
        && !challenge.is_empty()
    {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// POST: any operation.
pub async fn post(State(http): State<Http>, headers: HeaderMap, request: GraphQLRequest) -> Response {
    execute(&http, &headers, request).await
}

/// GET: GraphiQL for a browser, otherwise the operation in the query string.
pub async fn get(
    State(http): State<Http>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    if wants_html {
        return Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").finish())
            .into_response();
    }
    match request {
        Ok(request) => execute(&http, &headers, request).await,
        Err(rejection) => rejection.into_response(),
    }
}
