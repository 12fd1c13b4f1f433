//! `/graphql/ws`: GraphQL over websockets (graphql-transport-ws), authenticated by the bearer
//! token in `connection_init` (`{"Authorization": "Bearer …"}` or `{"token": "…"}`).
//!
//! The socket loop is ours rather than async-graphql-axum's `GraphQLWebSocket::serve`, which
//! offers no way to close a socket from outside its message stream. Beside the protocol, a
//! watcher closes the socket
//! - with 4408 when no `connection_init` arrives within the configured time,
//! - with 4401 once the session's token has expired, and with 4403 once its client is revoked
//!   or suspended (seen within the same two seconds as on HTTP),
//! - with 1009 when a message is larger than allowed (64 KiB before `connection_init`, the
//!   body limit after it),
//! - with 4429 when the client already holds as many sockets as allowed.
//!
//! Each operation on the socket is admitted by the [gateway](crate::gateway) like an
//! HTTP request, token included.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_graphql::Data;
use std::str::FromStr;

use async_graphql::http::{WebSocket as GraphQLWebSocket, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt, future};
use serde_json::Value;

use super::Http;
use crate::auth::bearer;
use crate::auth::token::LEEWAY_SECS;
use crate::gateway::SessionToken;
use crate::limits::guard::Transport;
use crate::limits::sessions::Slot;
use crate::state::AppState;

/// The largest message accepted before `connection_init`.
const PRE_INIT_MAX_BYTES: usize = 64 * 1024;
/// How often the watcher looks at the session. With the client-status cache's lifetime this
/// bounds how long a revoked client's socket stays open.
const WATCH_EVERY: Duration = Duration::from_millis(250);

fn token_of(payload: &Value) -> Option<String> {
    let object = payload.as_object()?;
    let raw = ["Authorization", "authorization", "token", "accessToken"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_str))?;
    let token = raw.strip_prefix("Bearer ").or_else(|| raw.strip_prefix("bearer ")).unwrap_or(raw);
    Some(token.trim().to_owned())
}

/// The acknowledged identity of a socket.
struct Credential {
    client_id: String,
    expires_at: i64,
    _slot: Slot,
}

/// What the watcher and the protocol share about one socket.
struct Session {
    opened: DateTime<Utc>,
    credential: Mutex<Option<Credential>>,
    /// A close the server decided on, replacing the protocol's own close frame.
    closing: Mutex<Option<(u16, String)>>,
}

impl Session {
    fn acknowledged(&self) -> bool {
        self.credential.lock().map(|c| c.is_some()).unwrap_or(false)
    }

    fn close_with(&self, code: u16, reason: impl Into<String>) {
        if let Ok(mut closing) = self.closing.lock() {
            closing.get_or_insert((code, reason.into()));
        }
    }

    fn closing(&self) -> Option<(u16, String)> {
        self.closing.lock().ok()?.clone()
    }

    /// Why the socket must close now, if it must.
    async fn verdict(&self, state: &AppState) -> Option<(u16, String)> {
        if let Some(decided) = self.closing() {
            return Some(decided);
        }
        let now = state.clock.now();
        let (client_id, expires_at) = {
            let credential = self.credential.lock().ok()?;
            match credential.as_ref() {
                Some(c) => (c.client_id.clone(), c.expires_at),
                None => {
                    let waited = (now - self.opened).to_std().unwrap_or_default();
                    return (waited >= state.limits.ws_init_timeout)
                        .then(|| (4408, "Connection initialisation timeout".to_owned()));
                }
            }
        };
        if now.timestamp() > expires_at.saturating_add(LEEWAY_SECS as i64) {
            return Some((4401, "the token has expired".to_owned()));
        }
        match state.auth.clients.is_active(&state.db, &client_id).await {
            Ok(false) => Some((4403, "the client has been revoked".to_owned())),
            // A database outage does not end sessions; each operation still fails on its own.
            Ok(true) | Err(_) => None,
        }
    }
}

/// Upgrades to a websocket speaking graphql-transport-ws (or the older subscriptions-transport-ws).
pub async fn upgrade(State(http): State<Http>, headers: HeaderMap, upgrade: WebSocketUpgrade) -> Response {
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()));
    let Some(protocol) = protocol else {
        return (StatusCode::BAD_REQUEST, "offer the graphql-transport-ws subprotocol").into_response();
    };
    let largest = http.state.limits.max_body_bytes.max(PRE_INIT_MAX_BYTES);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(largest)
        .max_frame_size(largest)
        .on_upgrade(move |socket| serve(http, protocol, socket))
        .into_response()
}

/// Accepts or refuses `connection_init` for `session`.
async fn initialise(state: AppState, session: Arc<Session>, payload: Value) -> async_graphql::Result<Data> {
    let token = token_of(&payload).ok_or_else(|| async_graphql::Error::new("authentication required"))?;
    let (caller, expires_at) =
        bearer::authenticate_with_expiry(state.verifier(), &token).await.map_err(|e| match e {
            bearer::BearerError::Unavailable(_) => async_graphql::Error::new("the service is unavailable; retry later"),
            _ => async_graphql::Error::new("invalid bearer token"),
        })?;
    let Some(slot) = state.sessions.open_socket(&caller.client_id) else {
        let max = state.sessions.max_sockets();
        session.close_with(4429, format!("this client already holds {max} open websockets"));
        return Err(async_graphql::Error::new("too many websockets"));
    };
    if let Ok(mut credential) = session.credential.lock() {
        *credential = Some(Credential { client_id: caller.client_id, expires_at, _slot: slot });
    }
    let mut data = Data::default();
    data.insert(SessionToken(token));
    data.insert(Transport::WebSocket);
    Ok(data)
}

async fn serve(http: Http, protocol: WebSocketProtocols, socket: WebSocket) {
    let state = http.state.clone();
    let session =
        Arc::new(Session { opened: state.clock.now(), credential: Mutex::default(), closing: Mutex::default() });
    let (mut sink, incoming) = socket.split();
    let max_after_init = state.limits.max_body_bytes;
    let input = {
        let session = Arc::clone(&session);
        incoming
            .take_while(|message| future::ready(message.is_ok()))
            .filter_map(|message| future::ready(message.ok()))
            .take_while(move |message| {
                let limit = if session.acknowledged() { max_after_init } else { PRE_INIT_MAX_BYTES };
                let size = match message {
                    Message::Text(text) => text.len(),
                    Message::Binary(bytes) => bytes.len(),
                    _ => 0,
                };
                if size > limit {
                    session.close_with(1009, format!("messages may have at most {limit} bytes"));
                }
                future::ready(size <= limit)
            })
            .filter_map(|message| {
                future::ready(match message {
                    Message::Text(text) => Some(text.as_bytes().to_vec()),
                    Message::Binary(bytes) => Some(bytes.to_vec()),
                    _ => None,
                })
            })
    };
    let on_init = {
        let (state, session) = (state.clone(), Arc::clone(&session));
        move |payload| initialise(state, session, payload)
    };
    let mut protocol_stream =
        GraphQLWebSocket::new(http.gateway.clone(), input, protocol).on_connection_init(on_init).boxed();
    let mut watch = tokio::time::interval(WATCH_EVERY);
    let close = loop {
        tokio::select! {
            message = protocol_stream.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => break Some(session.closing().unwrap_or_else(|| own_code(code, reason))),
                None => break session.closing(),
            },
            _ = watch.tick() => {
                if let Some(verdict) = session.verdict(&state).await {
                    break Some(verdict);
                }
            }
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = sink.send(Message::Close(Some(frame))).await;
    }
    let _ = sink.close().await;
}

/// The graphql-transport-ws code for a close the protocol library decided: an operation
/// before the acknowledgement is 4401 Unauthorized, a refused `connection_init` 4403.
fn own_code(code: u16, reason: String) -> (u16, String) {
    match code {
        1011 => (4401, "Unauthorized".to_owned()),
        1002 if reason.contains("bearer token") || reason.contains("authentication") => (4403, reason),
        _ => (code, reason),
    }
}
