//! Slow clients: headers and bodies that arrive too slowly are cut off, connections beyond
//! `MEDTOUR_MAX_CONNECTIONS` wait to be accepted, and websockets are none of these. Timeouts
//! are set to a second or two; the tests wait for the server to act, never for a fixed time.

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use medtour_tests::{Backend, Role, TestApp, spawn_app_with};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Longer than any timeout these tests set: reaching it means the server never acted.
const GIVE_UP: Duration = Duration::from_secs(15);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port)).await.expect("the server accepts")
}

/// Reads until the server closes the connection; what it sent, and when it closed.
async fn until_closed(mut stream: TcpStream) -> (String, Instant) {
    let mut received = Vec::new();
    let read = tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server never closed the connection");
    (String::from_utf8_lossy(&received).into_owned(), Instant::now())
}

/// A request line cut short, and a connection that sends nothing at all, are both closed
/// once the header timeout has passed, without an answer.
#[tokio::test]
async fn a_client_that_sends_its_headers_slowly_is_cut_off() {
    let app = spawn_app_with(Backend::Sqlite, &[("MEDTOUR_HEADER_TIMEOUT_SECS", "1")]).await;
    let started = Instant::now();
    let mut partial = connect(&app).await;
    partial.write_all(b"GET /healthz HT").await.unwrap();
    let silent = connect(&app).await;
    let ((partial, partial_closed), (silent, silent_closed)) =
        tokio::join!(until_closed(partial), until_closed(silent));
    for (what, sent, closed) in [("half a request line", partial, partial_closed), ("nothing", silent, silent_closed)] {
        let after = closed - started;
        assert!(after >= Duration::from_millis(950), "{what}: closed after {after:?}, before the timeout");
        assert!(after < Duration::from_secs(5), "{what}: closed only after {after:?}");
        assert!(!sent.contains(" 200 "), "{what}: nothing was served: {sent}");
    }
}

/// A body announced as 1,000 bytes of which 10 arrive is answered 408 `REQUEST_TIMEOUT` once
/// the body timeout has passed, on `/graphql` and `/oauth/token` alike, and the connection
/// is closed.
#[tokio::test]
async fn a_body_that_stalls_gets_408_and_the_connection_is_closed() {
    let app = spawn_app_with(Backend::Sqlite, &[("MEDTOUR_BODY_TIMEOUT_SECS", "1")]).await;
    for (path, content_type) in
        [("/graphql", "application/json"), ("/oauth/token", "application/x-www-form-urlencoded")]
    {
        let started = Instant::now();
        let mut stream = connect(&app).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {content_type}\r\ncontent-length: 1000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(b"{\"query\":\"").await.unwrap();
        let (answer, closed) = until_closed(stream).await;
        let after = closed - started;
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(answer.contains(r#""code":"REQUEST_TIMEOUT""#), "{path}: {answer}");
        assert!(after >= Duration::from_millis(950) && after < Duration::from_secs(5), "{path}: after {after:?}");
    }
}

/// With two connections allowed and two idle ones open, a third is not accepted, and so not
/// answered, until the server has closed an idle one (at the header timeout).
#[tokio::test]
async fn over_the_connection_limit_a_connection_waits_until_one_closes() {
    let settings = [("MEDTOUR_MAX_CONNECTIONS", "2"), ("MEDTOUR_HEADER_TIMEOUT_SECS", "2"), ("MEDTOUR_DEMO", "false")];
    let app = spawn_app_with(Backend::Sqlite, &settings).await;
    let started = Instant::now();
    let (first, second) = (connect(&app).await, connect(&app).await);
    let mut third = connect(&app).await;
    third.write_all(b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n").await.unwrap();
    let ((_, first_closed), (_, second_closed), (answer, third_closed)) =
        tokio::join!(until_closed(first), until_closed(second), until_closed(third));
    let answered = third_closed - started;
    assert!(answer.starts_with("HTTP/1.1 200"), "the third is served in the end: {answer}");
    let idle_closed = first_closed.min(second_closed) - started;
    assert!(idle_closed >= Duration::from_millis(1950), "the idle ones were closed at the timeout: {idle_closed:?}");
    // No slot is free before the first idle connection times out, two seconds after it was
    // accepted (and so after `started`).
    assert!(answered >= Duration::from_millis(1950), "answered after {answered:?}, before a slot was free");
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// The next text message on `socket`, as JSON.
async fn next_json(socket: &mut Socket) -> Option<Value> {
    loop {
        match tokio::time::timeout(GIVE_UP, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// A websocket is not a request waiting for its headers: it outlives the header timeout and
/// keeps answering.
#[tokio::test]
async fn websockets_outlive_the_header_timeout() {
    let app = spawn_app_with(Backend::Sqlite, &[("MEDTOUR_HEADER_TIMEOUT_SECS", "1")]).await;
    let token = app.login(Role::Agent, Some("Slow Partner"), None).await;
    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the websocket opens");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_json(&mut socket).await.expect("an acknowledgement")["type"], "connection_ack");

    // An idle connection opened beside it is closed once the header timeout has passed...
    until_closed(connect(&app).await).await;
    // ...and the websocket still answers.
    socket.send(Message::text(json!({ "type": "ping" }).to_string())).await.unwrap();
    assert_eq!(next_json(&mut socket).await.expect("the websocket is open")["type"], "pong");
}
