//! A websocket session lives no longer than its credentials: every operation on it is
//! admitted like an HTTP request, revocation and expiry close it, a socket that never
//! initialises is closed, and sockets, subscriptions and messages are bounded.

use std::time::Duration;

use futures::SinkExt;
use medtour_tests::{Backend, Role, TestApp, TestClient, on_both_backends, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{Socket, close_code, connect, next_json, open};

/// A socket acknowledged for `token`.
async fn acknowledged(app: &TestApp, token: &str) -> Socket {
    let mut socket = connect(app, json!({ "Authorization": format!("Bearer {token}") })).await;
    let ack = next_json(&mut socket, Duration::from_secs(5)).await.expect("an acknowledgement");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

async fn send(socket: &mut Socket, id: &str, query: &str) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    socket.send(Message::text(message.to_string())).await.expect("the message is sent");
}

async fn agent(app: &TestApp) -> (TestClient, String) {
    let client = app.create_client(Role::Agent, Some("Socket Partner"), None).await;
    let token = app.token_for(&client).await;
    (client, token)
}

on_both_backends! {
    /// A client revoked elsewhere (another replica, the command line) loses its open socket
    /// once the client-status cache lifetime has passed: the socket's watcher, which looks
    /// four times a second, closes it with 4403.
    async fn a_revoked_clients_socket_is_closed_once_the_cache_lifetime_passes(backend: Backend) {
        let app = spawn_app(backend).await;
        let (client, token) = agent(&app).await;
        let mut socket = acknowledged(&app, &token).await;
        send(&mut socket, "q", "{ viewer { role } }").await;
        let answer = next_json(&mut socket, Duration::from_secs(5)).await.expect("a query runs on the socket");
        assert_eq!(answer["payload"]["data"]["viewer"]["role"], "AGENT", "{answer}");
        assert!(answer["payload"]["extensions"]["cost"]["requestedQueryCost"].is_number(), "charged: {answer}");

        // Revoked in the database only, as another process would, so this one learns it late.
        medtour::auth::clients::revoke(&app.state.db, &client.id, app.state.clock.now()).await.expect("the client is revoked");
        app.state.clock.advance(medtour::auth::revocation::CLIENT_STATUS_TTL);
        assert_eq!(close_code(&mut socket, Duration::from_secs(1)).await, Some(4403), "closed within the watcher's round");
    }
}

on_both_backends! {
    /// Once this process knows of a revocation, the next operation on an open socket is
    /// refused like an HTTP request, before the socket is closed.
    async fn an_operation_after_revocation_is_refused(backend: Backend) {
        let app = spawn_app(backend).await;
        let (client, token) = agent(&app).await;
        let mut socket = acknowledged(&app, &token).await;
        medtour::auth::clients::revoke(&app.state.db, &client.id, app.state.clock.now()).await.expect("the client is revoked");
        app.state.auth.clients.forget(&client.id);
        send(&mut socket, "m", "mutation { withdrawQuoteRequest(id: \"UXVvdGU6MQ\") { userErrors { code } } }").await;
        // Either the refusal, or the watcher closed the socket first: nothing ran either way.
        if let Some(reply) = next_json(&mut socket, Duration::from_secs(3)).await {
            assert_eq!(reply["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{reply}");
            assert!(reply["payload"].get("data").is_none_or(Value::is_null), "nothing ran: {reply}");
        }
    }
}

on_both_backends! {
    /// A token that expires while its socket is open closes the socket with 4401.
    async fn an_expired_token_closes_its_socket(backend: Backend) {
        let app = spawn_app(backend).await;
        let (_, token) = agent(&app).await;
        let mut socket = acknowledged(&app, &token).await;
        app.state.clock.advance(Duration::from_secs(3600 + 31));
        assert_eq!(close_code(&mut socket, Duration::from_secs(3)).await, Some(4401));
    }
}

on_both_backends! {
    /// A socket that sends no `connection_init` within ten seconds is closed with 4408.
    async fn a_socket_without_connection_init_is_closed_with_4408(backend: Backend) {
        let app = spawn_app(backend).await;
        let mut socket = open(&app).await;
        assert_eq!(close_code(&mut socket, Duration::from_millis(600)).await, None, "not before its time");
        app.state.clock.advance(Duration::from_secs(11));
        assert_eq!(close_code(&mut socket, Duration::from_secs(3)).await, Some(4408));
    }
}

on_both_backends! {
    /// Before `connection_init` a message may have 64 KiB; a larger one closes the socket.
    async fn a_large_message_before_initialisation_closes_the_socket(backend: Backend) {
        let app = spawn_app(backend).await;
        let mut socket = open(&app).await;
        let padding = "x".repeat(70 * 1024);
        let init = json!({ "type": "connection_init", "payload": { "padding": padding } });
        socket.send(Message::text(init.to_string())).await.expect("the message is sent");
        assert_eq!(close_code(&mut socket, Duration::from_secs(3)).await, Some(1009));
        assert_eq!(app.client.get(format!("{}/healthz", app.address)).send().await.unwrap().status(), 200);
    }
}

on_both_backends! {
    /// A client holds a bounded number of sockets and subscriptions; a slot comes back when
    /// its socket closes.
    async fn sockets_and_subscriptions_are_bounded_per_client(backend: Backend) {
        let app =
            spawn_app_with(backend, &[("MEDTOUR_WS_MAX_SOCKETS", "2"), ("MEDTOUR_WS_MAX_SUBSCRIPTIONS", "1")]).await;
        let (_, token) = agent(&app).await;
        let mut first = acknowledged(&app, &token).await;
        let second = acknowledged(&app, &token).await;
        let mut third = connect(&app, json!({ "Authorization": format!("Bearer {token}") })).await;
        assert_eq!(close_code(&mut third, Duration::from_secs(3)).await, Some(4429));
        let (_, other) = agent(&app).await;
        drop(acknowledged(&app, &other).await);

        send(&mut first, "1", "subscription { quoteEvents { quoteId } }").await;
        send(&mut first, "2", "subscription { quoteEvents { quoteId } }").await;
        let refused = next_json(&mut first, Duration::from_secs(5)).await.expect("an answer");
        assert_eq!(refused["id"], "2", "{refused}");
        assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "SUBSCRIPTION_LIMIT_EXCEEDED", "{refused}");

        drop(second);
        let mut again = None;
        for _ in 0..50 {
            let mut socket = connect(&app, json!({ "Authorization": format!("Bearer {token}") })).await;
            match next_json(&mut socket, Duration::from_secs(2)).await {
                Some(ack) if ack["type"] == "connection_ack" => {
                    again = Some(socket);
                    break;
                }
                _ => tokio::task::yield_now().await,
            }
        }
        assert!(again.is_some(), "a closed socket gives its slot back");
    }
}
