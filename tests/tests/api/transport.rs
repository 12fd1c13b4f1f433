//! GraphQL over HTTP: media types and status codes per the specification, GET for queries
//! only, persisted queries with cacheable GET responses, and CORS for partner origins.

use medtour_tests::{Backend, TestApp, error_codes, on_both_backends, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn post(app: &TestApp, accept: Option<&str>, content_type: Option<&str>, body: &str) -> (u16, String, Value) {
    let mut request = app.client.post(format!("{}/graphql", app.address)).bearer_auth(&app.token).body(body.to_owned());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let media = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, media, response.json().await.unwrap_or(Value::Null))
}

const GQL: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

on_both_backends! {
    /// Each Accept and Content-Type case gets the media type and status the spec asks for.
    async fn content_negotiation_follows_the_graphql_over_http_spec(backend: Backend) {
        let app = spawn_app(backend).await;
        let ok = r#"{"query":"{ __typename }"}"#;
        // (Accept, Content-Type, body, status, response media type)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, u16, &'a str);
        let cases: Vec<Case<'_>> = vec![
            (Some(GQL), Some(JSON), ok, 200, GQL),
            (Some(JSON), Some(JSON), ok, 200, JSON),
            (Some("*/*"), Some(JSON), ok, 200, JSON),
            (None, Some("application/json; charset=utf-8"), ok, 200, JSON),
            (Some(GQL), Some(JSON), r#"{"query":"{"}"#, 400, GQL),
            (Some(JSON), Some(JSON), r#"{"query":"{"}"#, 200, JSON),
            (Some(GQL), Some(JSON), r#"{"query":"{ noSuchField }"}"#, 400, GQL),
            (Some(GQL), Some(JSON), r#"{"qeury":"{ __typename }"}"#, 400, GQL),
            (Some(JSON), Some(JSON), r#"{"qeury":"{ __typename }"}"#, 400, JSON),
            (Some(JSON), Some(JSON), r#"{ "not json"#, 400, JSON),
            (Some(GQL), Some(JSON), r#"{ "not json"#, 400, GQL),
            (Some(GQL), Some(JSON), r#"{"query":"{ __typename }","variables":"x"}"#, 400, GQL),
            (Some(GQL), Some(JSON), r#"[{"query":"{ __typename }"}]"#, 400, GQL),
        ];
        for (accept, content_type, body, status, media) in cases {
            let (got, got_media, json) = post(&app, accept, content_type, body).await;
            assert_eq!(got, status, "{accept:?} {body}: {json}");
            assert!(got_media.starts_with(media), "{accept:?} {body}: {got_media}");
            if status == 400 {
                assert!(json.get("data").is_none(), "no data entry on a request error: {json}");
                assert!(!error_codes(&json).is_empty(), "{json}");
            }
        }
        let (status, _, _) = post(&app, Some(JSON), None, ok).await;
        assert_eq!(status, 415, "no content type");
        let (status, _, _) = post(&app, Some(JSON), Some("text/plain"), ok).await;
        assert_eq!(status, 415, "text/plain opens CSRF and is refused");
        let (status, _, _) = post(&app, Some("text/csv"), Some(JSON), ok).await;
        assert_eq!(status, 406, "nothing acceptable");
    }
}

on_both_backends! {
    /// A field error that nulls the whole `data` (bad input to a non-null root field) is an
    /// execution result: 200 with `"data": null` and the error's path, in either media type.
    async fn a_field_error_on_a_root_field_is_an_execution_result_with_null_data(backend: Backend) {
        let app = spawn_app(backend).await;
        let body = r#"{"query":"{ clinics(first: 101) { edges { node { id } } } }"}"#;
        for accept in [GQL, JSON] {
            let (status, _, json) = post(&app, Some(accept), Some(JSON), body).await;
            assert_eq!(status, 200, "{accept}: {json}");
            assert_eq!(json.get("data"), Some(&Value::Null), "{accept}: {json}");
            assert_eq!(error_codes(&json), vec!["BAD_USER_INPUT"], "{json}");
            assert_eq!(json["errors"][0]["path"], json!(["clinics"]), "{json}");
        }
    }
}

on_both_backends! {
    /// GET runs queries with JSON variables, and refuses mutations with 405.
    async fn get_runs_queries_only(backend: Backend) {
        let app = spawn_app(backend).await;
        let url = |q: &str, vars: Option<&str>| {
            let mut pairs = vec![("query", q.to_owned())];
            if let Some(v) = vars {
                pairs.push(("variables", v.to_owned()));
            }
            format!("{}/graphql?{}", app.address, serde_urlencoded::to_string(pairs).unwrap())
        };
        let response = app.client.get(url("query Q($s: String) { clinic(slug: $s) { name } }", Some(r#"{"s":"baja-regenerative-institute"}"#))).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert!(body["data"]["clinic"]["name"].is_string(), "{body}");

        let mutation = "mutation { withdrawQuoteRequest(id: \"UXVvdGU6MQ\") { userErrors { code } } }";
        let response = app.client.get(url(mutation, None)).bearer_auth(&app.token).header("accept", GQL).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405);
        assert_eq!(response.headers()["allow"], "POST");
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_codes(&body), vec!["METHOD_NOT_ALLOWED"]);
    }
}

on_both_backends! {
    /// A persisted query runs by hash once registered, and its GET response is cacheable.
    async fn persisted_queries_make_cacheable_get_requests(backend: Backend) {
        let app = spawn_app(backend).await;
        let query = "{ costComparison(treatment: \"msc-chronic-migraine\") { countryCode min { amount } } }";
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string();
        let get = |with_query: bool| {
            let mut pairs = vec![("extensions", extensions.clone())];
            if with_query {
                pairs.push(("query", query.to_owned()));
            }
            app.client.get(format!("{}/graphql?{}", app.address, serde_urlencoded::to_string(pairs).unwrap())).bearer_auth(&app.token)
        };
        let miss: Value = get(false).send().await.unwrap().json().await.unwrap();
        assert_eq!(error_codes(&miss), vec!["PERSISTED_QUERY_NOT_FOUND"], "{miss}");
        assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");

        let registered = get(true).send().await.unwrap();
        assert_eq!(registered.status().as_u16(), 200);
        let hit = get(false).send().await.unwrap();
        assert_eq!(hit.status().as_u16(), 200);
        assert_eq!(hit.headers()["cache-control"], "private, max-age=60");
        let etag = hit.headers()["etag"].to_str().unwrap().to_owned();
        let body: Value = hit.json().await.unwrap();
        assert_eq!(body["data"]["costComparison"].as_array().map(Vec::len), Some(5), "{body}");

        let revalidated = get(false).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(revalidated.status().as_u16(), 304);

        let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "00" } }).to_string();
        let pairs = vec![("query", query.to_owned()), ("extensions", wrong)];
        let mismatch: Value = app.client.get(format!("{}/graphql?{}", app.address, serde_urlencoded::to_string(pairs).unwrap())).bearer_auth(&app.token).send().await.unwrap().json().await.unwrap();
        assert_eq!(error_codes(&mismatch), vec!["BAD_REQUEST"], "{mismatch}");

        let viewer = app.client.get(format!("{}/graphql?query=%7Bviewer%7Brole%7D%7D", app.address)).bearer_auth(&app.token).send().await.unwrap();
        assert!(viewer.headers().get("cache-control").is_none(), "per-caller data is not marked cacheable");
    }
}

on_both_backends! {
    /// Browsers may call from configured partner origins only.
    async fn cors_admits_configured_partner_origins_only(backend: Backend) {
        let app = spawn_app_with(backend, &[("MEDTOUR_CORS_ORIGINS", "https://partner.example")]).await;
        let preflight = |origin: &str| {
            app.client
                .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization, content-type")
                .send()
        };
        let allowed = preflight("https://partner.example").await.unwrap();
        assert_eq!(allowed.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("https://partner.example"));
        let refused = preflight("https://evil.example").await.unwrap();
        assert!(refused.headers().get("access-control-allow-origin").is_none());
    }
}
