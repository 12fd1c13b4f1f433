//! `quoteEvents` over graphql-transport-ws: authenticated in `connection_init`, delivering
//! exactly the subscriber's tenant's events — across processes on PostgreSQL.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use medtour_tests::{Backend, Role, TestApp, on_both_backends, spawn_app, spawn_on, wait_until};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub(crate) type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a websocket and sends `connection_init` with `init`.
pub(crate) async fn connect(app: &TestApp, init: Value) -> Socket {
    let mut socket = open(app).await;
    socket.send(Message::text(json!({ "type": "connection_init", "payload": init }).to_string())).await.unwrap();
    socket
}

/// Opens a websocket and sends nothing.
pub(crate) async fn open(app: &TestApp) -> Socket {
    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    tokio_tungstenite::connect_async(request).await.expect("the websocket opens").0
}

/// The code of the close frame that ends `socket` within `within`, skipping other messages;
/// `None` when it stays open (or ends without a close frame).
pub(crate) async fn close_code(socket: &mut Socket, within: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code.into()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// The next JSON message on `socket` within `within`, skipping pings.
pub(crate) async fn next_json(socket: &mut Socket, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// A socket with a `quoteEvents` subscription as `token`, returned once the server has
/// registered it and delivers events to it.
async fn subscribe(app: &TestApp, token: &str) -> Socket {
    let bus = &app.state.quote_events;
    let before = bus.subscribers();
    let mut socket = connect(app, json!({ "Authorization": format!("Bearer {token}") })).await;
    let ack = next_json(&mut socket, Duration::from_secs(5)).await.expect("an acknowledgement");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let query = "subscription { quoteEvents { quoteId from to actor actorRole } }";
    socket
        .send(Message::text(json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string()))
        .await
        .unwrap();
    let registered = wait_until(Duration::from_secs(5), || bus.subscribers() > before && bus.is_delivering()).await;
    assert!(registered, "the subscription was not registered within 5 s");
    socket
}

pub(crate) async fn submit(app: &TestApp, token: &str, key: &str) -> String {
    let clinic = app.data_as(token, r#"{ clinic(slug: "baja-regenerative-institute") { id } }"#, json!({})).await;
    let input = json!({
        "idempotencyKey": key,
        "clinicId": clinic["clinic"]["id"],
        "treatment": "msc-chronic-migraine",
        "patient": {
            "ageYears": 41, "countryOfResidence": "US", "chronicMigraineDiagnosis": true,
            "headacheDaysPerMonth": 20, "treatmentsTried": ["TRIPTANS", "CGRP_INHIBITORS"], "contraindications": []
        }
    });
    let data = app
        .data_as(token, "mutation($input: SubmitQuoteRequestInput!) { submitQuoteRequest(input: $input) { quote { id } userErrors { message } } }", json!({ "input": input }))
        .await;
    data["submitQuoteRequest"]["quote"]["id"].as_str().expect("a quote was submitted").to_owned()
}

on_both_backends! {
    /// Subscribers receive their own tenant's events and nobody else's.
    async fn subscribers_receive_exactly_their_tenants_events(backend: Backend) {
        let app = spawn_app(backend).await;
        let agent_a = app.login(Role::Agent, Some("Partner A"), None).await;
        let agent_b = app.login(Role::Agent, Some("Partner B"), None).await;
        let clinic = app.login(Role::Clinic, None, Some("baja-regenerative-institute")).await;
        let other_clinic = app.login(Role::Clinic, None, Some("rhein-zelltherapie-duesseldorf")).await;
        let mut a = subscribe(&app, &agent_a).await;
        let mut b = subscribe(&app, &agent_b).await;
        let mut c = subscribe(&app, &clinic).await;
        let mut d = subscribe(&app, &other_clinic).await;

        let quote = submit(&app, &agent_a, "sub-1").await;
        for (who, socket) in [("agent of the partner", &mut a), ("the quoted clinic", &mut c)] {
            let message = next_json(socket, Duration::from_secs(5)).await.unwrap_or_else(|| panic!("{who} got no event"));
            assert_eq!(message["type"], "next", "{who}: {message}");
            let event = &message["payload"]["data"]["quoteEvents"];
            assert_eq!(event["quoteId"], quote.as_str(), "{who}");
            assert_eq!(event["to"], "SUBMITTED");
            assert_eq!(event["actorRole"], "AGENT");
        }
        for (who, socket) in [("an agent of another partner", &mut b), ("another clinic", &mut d)] {
            assert_eq!(next_json(socket, Duration::from_millis(800)).await, None, "{who} must not see the event");
        }
    }
}

on_both_backends! {
    /// A websocket without a valid token in connection_init is closed, not acknowledged.
    async fn subscriptions_without_a_valid_token_are_refused(backend: Backend) {
        let app = spawn_app(backend).await;
        for init in [json!({}), json!({ "Authorization": "Bearer forged.token.value" })] {
            let mut socket = connect(&app, init.clone()).await;
            let reply = next_json(&mut socket, Duration::from_secs(3)).await;
            assert!(reply.as_ref().is_none_or(|r| r["type"] != "connection_ack"), "{init}: {reply:?}");
        }
    }
}

on_both_backends! {
    /// Over the websocket too, a subscription past the limits is refused with its code before
    /// it runs, and an invalid one gets the validation code.
    async fn subscriptions_past_the_limits_are_refused_with_their_code(backend: Backend) {
        let app = spawn_app(backend).await;
        let agent = app.login(Role::Agent, Some("Partner A"), None).await;
        let mut socket = connect(&app, json!({ "Authorization": format!("Bearer {agent}") })).await;
        let ack = next_json(&mut socket, Duration::from_secs(5)).await.expect("an acknowledgement");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        let aliases: String = (0..21).map(|i| format!("a{i}: quoteEvents {{ quoteId }} ")).collect();
        let cases = [
            (format!("subscription {{ {aliases} }}"), "ALIAS_LIMIT_EXCEEDED"),
            ("subscription { quoteEvents { noSuchField } }".to_owned(), "GRAPHQL_VALIDATION_FAILED"),
        ];
        for (id, (query, code)) in cases.into_iter().enumerate() {
            let subscribe = json!({ "id": id.to_string(), "type": "subscribe", "payload": { "query": query } });
            socket.send(Message::text(subscribe.to_string())).await.unwrap();
            let reply = next_json(&mut socket, Duration::from_secs(5)).await.expect("an answer");
            assert_eq!(reply["id"], id.to_string(), "{reply}");
            assert_eq!(reply["type"], "next", "{reply}");
            assert_eq!(reply["payload"]["errors"][0]["extensions"]["code"], code, "{reply}");
            let done = next_json(&mut socket, Duration::from_secs(5)).await.expect("the end of the operation");
            assert_eq!((&done["id"], &done["type"]), (&json!(id.to_string()), &json!("complete")), "{done}");
        }
    }
}

/// With PostgreSQL, an event made through one server reaches a subscriber of another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn events_cross_servers_through_postgres_listen_notify() {
    let first = spawn_app(Backend::Postgres).await;
    let second = spawn_on(Backend::Postgres, &first.database_url, None, &[]).await;
    let agent = first.login(Role::Agent, Some("Partner A"), None).await;
    let mut socket = subscribe(&first, &agent).await;
    let quote = submit(&second, &agent, "cross-1").await;
    let message = next_json(&mut socket, Duration::from_secs(5)).await.expect("the event crossed servers");
    assert_eq!(message["payload"]["data"]["quoteEvents"]["quoteId"], quote.as_str());
}
