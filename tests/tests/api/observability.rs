//! Observability: `/metrics` in the Prometheus text format, request ids on every response,
//! and JSON logs that tie each line to its request yet never hold a token, a client secret or
//! medical notes.

use std::time::Duration;

use base64::Engine;
use medtour_tests::{Backend, Role, TestApp, fresh_database, on_both_backends, spawn_app};
use serde_json::{Value, json};

use crate::child_server::{ChildServer, migrated_with_agent};

/// The value of the sample `series` (a metric name with its labels) in a text exposition.
fn sample(exposition: &str, series: &str) -> Option<f64> {
    exposition.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let response = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    response.text().await.unwrap()
}

on_both_backends! {
    /// Requests are counted and timed per GraphQL operation (or route) and outcome, beside the
    /// pool, the SQL statements and rate-limit rejections.
    async fn metrics_count_requests_per_operation_and_outcome(backend: Backend) {
        let app = spawn_app(backend).await;
        app.data("query Treatments { treatments { slug } }", json!({})).await;
        app.data("query Treatments { treatments { name } }", json!({})).await;
        let body = app.graphql("query Typo { treatmentz { slug } }", json!({})).await;
        assert!(body["errors"].is_array(), "{body}");
        let (status, _) = app.graphql_as(None, "query Anonymous { treatments { slug } }", json!({})).await;
        assert_eq!(status, 401);
        app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        app.state.metrics.record_throttled(Role::Agent);

        let text = scrape(&app).await;
        let count = |labels: &str| sample(&text, &format!("medtour_http_requests_total{{{labels}}}"));
        assert_eq!(count(r#"operation="Treatments",outcome="ok""#), Some(2.0), "{text}");
        assert_eq!(count(r#"operation="Typo",outcome="GRAPHQL_VALIDATION_FAILED""#), Some(1.0), "{text}");
        assert_eq!(count(r#"operation="/graphql",outcome="401""#), Some(1.0), "refused before execution: {text}");
        assert_eq!(count(r#"operation="/healthz",outcome="ok""#), Some(1.0), "{text}");
        let timed = r#"medtour_http_request_duration_seconds_count{operation="Treatments",outcome="ok"}"#;
        assert_eq!(sample(&text, timed), Some(2.0), "{text}");
        let bucket = r#"medtour_http_request_duration_seconds_bucket{operation="Treatments",outcome="ok",le="+Inf"}"#;
        assert_eq!(sample(&text, bucket), Some(2.0), "{text}");
        let throttled = r#"medtour_rate_limit_rejections_total{limiter="graphql",role="AGENT"}"#;
        assert_eq!(sample(&text, throttled), Some(1.0), "{text}");
        assert_eq!(sample(&text, "medtour_db_pool_max_connections"), Some(5.0), "{text}");
        let open = sample(&text, r#"medtour_db_pool_connections{state="open"}"#).expect("pool size");
        let idle = sample(&text, r#"medtour_db_pool_connections{state="idle"}"#).expect("idle connections");
        assert!(open >= 1.0 && idle <= open, "{text}");
        let statements = sample(&text, "medtour_db_statements_total").expect("the statement counter");
        assert!(statements > 0.0 && statements <= app.statements() as f64, "{text}");
    }
}

/// Every response carries an `x-request-id`: the client's own when it is at most 64 safe
/// characters, a fresh UUID otherwise.
#[tokio::test]
async fn every_response_carries_a_request_id_and_only_safe_client_ids_are_kept() {
    let app = spawn_app(Backend::Sqlite).await;
    let id_for = |sent: Option<&str>| {
        let mut request = app.client.get(format!("{}/healthz", app.address));
        if let Some(sent) = sent {
            request = request.header("x-request-id", sent);
        }
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    let generated = id_for(None).await;
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");
    assert_ne!(id_for(None).await, generated, "each request gets its own id");
    assert_eq!(id_for(Some("partner-7f3a:42")).await, "partner-7f3a:42");
    for unsafe_id in ["x".repeat(65), "has space".to_owned(), "<script>".to_owned(), "a\"b".to_owned()] {
        let replaced = id_for(Some(&unsafe_id)).await;
        assert!(uuid::Uuid::parse_str(&replaced).is_ok(), "{unsafe_id:?} was replaced, got {replaced}");
    }
    let response = app.client.post(format!("{}/graphql", app.address)).json(&json!({"query": "{ x }"})).send().await;
    assert!(response.unwrap().headers().contains_key("x-request-id"), "refused requests carry one too");
}

const NOTES: &str = "SECRET-NOTES-123";
const QUERY_STRING_SECRET: &str = "SECRET-QUERY-STRING-456";

/// With JSON logs at `debug`, a token request, a quote submission and refused requests leave
/// JSON lines tied to their request ids — and no secret, token or medical note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_request_ids_and_never_secrets_tokens_or_notes() {
    let (url, _dir) = fresh_database(Backend::Sqlite).await;
    let (id, secret) = migrated_with_agent(&url).await;
    let server = ChildServer::start(&url, &[("MEDTOUR_LOG_JSON", "true"), ("RUST_LOG", "debug")]);
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let base = server.address.clone();

    let token_response = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token_response.status().as_u16(), 200);
    let token = token_response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let form = [("grant_type", "client_credentials"), ("client_id", id.as_str()), ("client_secret", secret.as_str())];
    assert_eq!(http.post(format!("{base}/oauth/token")).form(&form).send().await.unwrap().status().as_u16(), 200);

    let graphql = |query: &str, variables: Value, bearer: &str| {
        http.post(format!("{base}/graphql"))
            .bearer_auth(bearer)
            .json(&json!({ "query": query, "variables": variables }))
    };
    let clinic = graphql(r#"{ clinic(slug: "baja-regenerative-institute") { id } }"#, json!({}), &token);
    let clinic: Value = clinic.send().await.unwrap().json().await.unwrap();
    let input = json!({
        "idempotencyKey": "log-test-1",
        "clinicId": clinic["data"]["clinic"]["id"],
        "treatment": "msc-chronic-migraine",
        "patient": {
            "ageYears": 41, "countryOfResidence": "US", "chronicMigraineDiagnosis": true, "headacheDaysPerMonth": 20,
            "treatmentsTried": ["TRIPTANS", "CGRP_INHIBITORS"], "contraindications": [], "medicalNotes": NOTES,
        }
    });
    let submit = "mutation SubmitQuote($input: SubmitQuoteRequestInput!) { submitQuoteRequest(input: $input) { quote { id } userErrors { message } } }";
    let response = graphql(submit, json!({ "input": input }), &token).send().await.unwrap();
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert!(body["data"]["submitQuoteRequest"]["quote"]["id"].is_string(), "{body}");
    // The notes inline in the query text of a request that fails, and in a GET query string.
    let inline =
        format!(r#"mutation {{ submitQuoteRequest(input: {{ medicalNotes: "{NOTES}" }}) {{ quote {{ id }} }} }}"#);
    graphql(&inline, json!({}), &token).send().await.unwrap();
    let variables = json!({ "notes": QUERY_STRING_SECRET }).to_string();
    let get = http.get(format!("{base}/graphql")).bearer_auth(&token);
    get.query(&[("query", "query Q($notes: String) { __typename }"), ("variables", &variables)]).send().await.unwrap();
    let tampered = graphql("{ __typename }", json!({}), &format!("{token}x")).send().await.unwrap();
    assert_eq!(tampered.status().as_u16(), 401);

    let logs = server.stop();
    let lines: Vec<Value> = logs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}")))
        .collect();
    let of_request = |l: &&Value| l["span"]["request_id"] == request_id.as_str();
    let submission: Vec<&Value> = lines.iter().filter(of_request).collect();
    assert!(!submission.is_empty(), "no line carries request id {request_id}:\n{logs}");
    assert!(submission.iter().any(|l| l["span"]["operation"] == "SubmitQuote"), "the operation is named:\n{logs}");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    for (what, secret) in [
        ("the client secret", secret.as_str()),
        ("the Basic credentials", basic.as_str()),
        ("the access token", token.as_str()),
        ("the token's signature", token.rsplit('.').next().unwrap()),
        ("the medical notes", NOTES),
        ("a query-string variable", QUERY_STRING_SECRET),
    ] {
        assert!(!logs.contains(secret), "{what} reached the logs:\n{logs}");
    }
}
