//! `/graphql/ws`: subscriptions over graphql-transport-ws, authenticated by the bearer token
//! in `connection_init` (`{"Authorization": "Bearer …"}` or `{"token": "…"}`).

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Http;
use crate::auth::bearer;
use crate::catalogue::loaders::CatalogueLoader;
use crate::limits::guard::Transport;
use crate::quotes::loaders::QuoteLoader;

fn token_of(payload: &Value) -> Option<String> {
    let object = payload.as_object()?;
    let raw = ["Authorization", "authorization", "token", "accessToken"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_str))?;
    let token = raw.strip_prefix("Bearer ").or_else(|| raw.strip_prefix("bearer ")).unwrap_or(raw);
    Some(token.trim().to_owned())
}

/// Upgrades to a websocket that refuses `connection_init` without a valid token.
pub async fn upgrade(State(http): State<Http>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    let gateway = http.gateway.clone();
    let state = http.state.clone();
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, gateway, protocol)
                .on_connection_init(move |payload| async move {
                    let token =
                        token_of(&payload).ok_or_else(|| async_graphql::Error::new("authentication required"))?;
                    let caller = bearer::authenticate(&state, &token)
                        .await
                        .map_err(|_| async_graphql::Error::new("invalid bearer token"))?;
                    let mut data = Data::default();
                    data.insert(async_graphql::dataloader::DataLoader::new(
                        CatalogueLoader::new(state.db.clone()),
                        tokio::spawn,
                    ));
                    data.insert(async_graphql::dataloader::DataLoader::new(
                        QuoteLoader::new(state.db.clone()),
                        tokio::spawn,
                    ));
                    data.insert(caller);
                    data.insert(Transport::WebSocket);
                    Ok(data)
                })
                .serve()
        })
        .into_response()
}
