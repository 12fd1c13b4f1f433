//! `/metrics` on a listener of its own (`MEDTOUR_METRICS_BIND`), away from the public one.

use medtour_tests::{Backend, TestApp, spawn_app, spawn_app_with};

async fn status(app: &TestApp, url: String) -> u16 {
    app.client.get(url).send().await.expect("the server answers").status().as_u16()
}

/// With a metrics listener configured, the exposition is served there and only there; the
/// metrics listener serves nothing else.
#[tokio::test]
async fn metrics_are_served_only_on_their_own_listener_when_one_is_configured() {
    let app = spawn_app_with(Backend::Sqlite, &[("MEDTOUR_METRICS_BIND", "127.0.0.1:0")]).await;
    let metrics_port = app.metrics_port.expect("a metrics listener was bound");
    assert_ne!(metrics_port, app.port);
    let metrics = format!("http://127.0.0.1:{metrics_port}");

    let response = app.client.get(format!("{metrics}/metrics")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(text.contains("medtour_http_requests_total"), "requests on the main listener are counted: {text}");

    assert_eq!(status(&app, format!("{}/metrics", app.address)).await, 404, "not on the public listener");
    assert_eq!(status(&app, format!("{}/healthz", app.address)).await, 200, "which serves the rest");
    for path in ["/graphql", "/healthz", "/oauth/token", "/"] {
        assert_eq!(status(&app, format!("{metrics}{path}")).await, 404, "{path} on the metrics listener");
    }
}

/// Without one, `/metrics` stays on the main listener, as before.
#[tokio::test]
async fn metrics_stay_on_the_main_listener_by_default() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(app.metrics_port, None);
    assert_eq!(status(&app, format!("{}/metrics", app.address)).await, 200);
}
