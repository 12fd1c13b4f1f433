//! GraphiQL for browsers: served from the binary under a strict Content-Security-Policy,
//! loading nothing from a third party, and gone when `MEDTOUR_GRAPHIQL=false`.

use medtour_tests::{Backend, TestApp, spawn_app, spawn_app_with};

/// What a browser sends when it opens a page.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn open_page(app: &TestApp) -> reqwest::Response {
    app.client.get(format!("{}/graphql", app.address)).header("accept", BROWSER_ACCEPT).send().await.unwrap()
}

/// The directives of a Content-Security-Policy, by name.
fn directive<'a>(policy: &'a str, name: &str) -> Option<Vec<&'a str>> {
    policy.split(';').map(str::trim).find_map(|d| {
        let mut words = d.split_whitespace();
        (words.next() == Some(name)).then(|| words.collect())
    })
}

/// Every `src` and `href` attribute on the page.
fn referenced(page: &str) -> Vec<String> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| page.split(attribute).skip(1).filter_map(|rest| rest.split('"').next()))
        .map(str::to_owned)
        .collect()
}

/// The page answers browsers with a policy that allows scripts from this origin only and
/// connections to this origin and its websocket endpoint, and runs no inline script.
#[tokio::test]
async fn graphiql_is_served_under_a_strict_content_security_policy() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = open_page(&app).await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let policy = headers["content-security-policy"].to_str().unwrap().to_owned();
    for (name, sources) in [
        ("default-src", vec!["'self'"]),
        ("script-src", vec!["'self'"]),
        ("img-src", vec!["'self'", "data:"]),
        ("font-src", vec!["'self'", "data:"]),
        ("frame-ancestors", vec!["'none'"]),
        ("base-uri", vec!["'none'"]),
        ("form-action", vec!["'none'"]),
    ] {
        assert_eq!(directive(&policy, name), Some(sources), "{name} in {policy}");
    }
    let style = directive(&policy, "style-src").expect("a style-src");
    assert!(style.iter().all(|s| ["'self'", "'unsafe-inline'"].contains(s)), "{policy}");
    let connect = directive(&policy, "connect-src").expect("a connect-src");
    let socket = format!("ws://127.0.0.1:{}/graphql/ws", app.port);
    assert!(connect.contains(&"'self'") && connect.contains(&socket.as_str()), "{policy}");
    assert!(connect.iter().all(|s| *s == "'self'" || s.ends_with(&format!("://127.0.0.1:{}/graphql/ws", app.port))));

    let page = response.text().await.unwrap();
    for script in page.split("<script").skip(1) {
        assert!(script.trim_start().starts_with("src=\"/"), "every script is a file: <script{script}");
        assert!(script.split_once('>').is_some_and(|(_, rest)| rest.starts_with("</script>")), "no inline code");
    }
    assert!(page.contains("POST /oauth/token"), "the page says where tokens come from");
}

/// Everything the page loads comes from this server, with the right content type; the
/// pinned vendor files may be cached for good, and the set-up script pre-fills the headers
/// editor with the bearer header to complete.
#[tokio::test]
async fn every_file_the_graphiql_page_loads_is_same_origin_and_served() {
    let app = spawn_app(Backend::Sqlite).await;
    let page = open_page(&app).await.text().await.unwrap();
    let files = referenced(&page);
    assert!(files.iter().filter(|f| f.ends_with(".js")).count() >= 3, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".css")), "{files:?}");
    let mut init = String::new();
    for file in &files {
        if file.starts_with("data:") {
            continue;
        }
        assert!(file.starts_with('/') && !file.starts_with("//"), "{file} is not on this origin");
        let response = app.client.get(format!("{}{file}", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{file}");
        let headers = response.headers().clone();
        let content_type = headers["content-type"].to_str().unwrap();
        let expected = if file.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(content_type.starts_with(expected), "{file}: {content_type}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{file}");
        let cache = headers["cache-control"].to_str().unwrap();
        let versioned = file.contains("-3.9.0") || file.contains("-18.3.1");
        assert_eq!(cache.contains("immutable"), versioned, "{file}: {cache}");
        let body = response.text().await.unwrap();
        assert!(!body.is_empty(), "{file}");
        if file.ends_with("/init.js") {
            init = body;
        }
    }
    assert!(init.contains(r#"defaultHeaders: '{"Authorization": "Bearer "}'"#), "{init}");
    assert!(init.contains("/graphql/ws") && init.contains("POST /oauth/token"), "{init}");

    let missing = app.client.get(format!("{}/graphiql/secrets.js", app.address)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

/// With `MEDTOUR_GRAPHIQL=false` a browser gets what any GET without a query gets, and the
/// page's files are not served.
#[tokio::test]
async fn graphiql_is_absent_when_turned_off() {
    let app = spawn_app_with(Backend::Sqlite, &[("MEDTOUR_GRAPHIQL", "false")]).await;
    let browser = open_page(&app).await;
    let status = browser.status().as_u16();
    let content_type = browser.headers()["content-type"].to_str().unwrap().to_owned();
    let body = browser.text().await.unwrap();
    assert!(!content_type.starts_with("text/html"), "{content_type}: {body}");
    let api =
        app.client.get(format!("{}/graphql", app.address)).header("accept", "application/json").send().await.unwrap();
    assert_eq!((status, body.as_str()), (api.status().as_u16(), api.text().await.unwrap().as_str()));
    assert_eq!(status, 400, "the usual request error: {body}");
    assert!(body.contains("BAD_REQUEST"), "{body}");

    for file in ["/graphiql/init.js", "/graphiql/graphiql-3.9.0.min.js"] {
        let response = app.client.get(format!("{}{file}", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{file}");
    }
}
