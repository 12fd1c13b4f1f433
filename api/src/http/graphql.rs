//! `/graphql`: executes operations with a fresh batch loader per request, and serves
//! GraphiQL to browsers.

use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};

use super::Http;
use crate::catalogue::loaders::CatalogueLoader;

async fn execute(http: &Http, request: GraphQLRequest) -> GraphQLResponse {
    let loader = DataLoader::new(CatalogueLoader::new(http.state.db.clone()), tokio::spawn);
    let request = request.into_inner().data(loader);
    http.schema.execute(request).await.into()
}

/// POST: any operation.
pub async fn post(State(http): State<Http>, request: GraphQLRequest) -> GraphQLResponse {
    execute(&http, request).await
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
        Ok(request) => execute(&http, request).await.into_response(),
        Err(rejection) => rejection.into_response(),
    }
}
