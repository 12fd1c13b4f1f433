//! Abuse limits: every limit refuses with its own code before execution, the fragment bomb
//! is refused fast, and the cost extension and buckets behave as Shopify's do.

use std::time::{Duration, Instant};

use medtour_tests::{Backend, Role, TestApp, error_codes, on_both_backends, spawn_app, spawn_app_with};
use serde_json::{Value, json};

/// Fields nested `depth` deep (refused by depth before anything checks they exist).
fn nested(depth: usize) -> String {
    let mut q = String::from("leaf");
    for i in 0..depth {
        q = format!("f{i} {{ {q} }}");
    }
    format!("{{ {q} }}")
}

fn fragment_bomb() -> String {
    let mut query = String::from("query Bomb { ...F0 }\n");
    for level in 0..9 {
        let spreads: String = (0..10).map(|_| format!(" ...F{}", level + 1)).collect();
        query.push_str(&format!("fragment F{level} on Query {{ {spreads} }}\n"));
    }
    query.push_str("fragment F9 on Query { treatments { slug } }\n");
    query
}

async fn refused_with(app: &TestApp, query: &str, code: &str) {
    let before = app.statements();
    let (_, body) = app.graphql_raw(query, json!({})).await;
    assert_eq!(error_codes(&body), vec![code.to_owned()], "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    assert_eq!(app.statements(), before, "a refused request must not reach the database");
}

on_both_backends! {
    /// Depth, aliases, directives, fields, cost and size are each refused with their code.
    async fn each_limit_is_refused_with_its_own_code(backend: Backend) {
        let app = spawn_app(backend).await;
        let deep = "{ clinics { edges { node { packages { treatment { id } } certificatesOfAnalysis { markers { marker } } doctors { name } priceRange { min { amount } } safetyChecklist { items { key } } } } } }";
        app.data(deep, json!({})).await;
        refused_with(&app, &nested(11), "DEPTH_LIMIT_EXCEEDED").await;
        let aliases: String = (0..21).map(|i| format!("a{i}: treatments {{ slug }} ")).collect();
        refused_with(&app, &format!("{{ {aliases} }}"), "ALIAS_LIMIT_EXCEEDED").await;
        refused_with(&app, "{ treatments @skip(if: false) @skip(if: false) @include(if: true) @skip(if: false) { slug } }", "DIRECTIVE_LIMIT_EXCEEDED").await;
        let wide: String = (0..20).map(|i| format!("c{i}: clinics(first: 100) {{ edges {{ node {{ doctors {{ name }} packages {{ name }} }} }} }} ")).collect();
        refused_with(&app, &format!("{{ {wide} }}"), "COST_LIMIT_EXCEEDED").await;
        let long = format!("{{ treatments {{ slug }} }} # {}", "x".repeat(15_001));
        refused_with(&app, &long, "QUERY_TOO_LARGE").await;
        refused_with(&app, "{ treatments { slug } ", "GRAPHQL_PARSE_FAILED").await;
        refused_with(&app, "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", "GRAPHQL_VALIDATION_FAILED").await;

        let huge_body = json!({ "query": "{ treatments { slug } }", "variables": { "pad": "x".repeat(140 * 1024) } });
        let response = app.client.post(format!("{}/graphql", app.address)).bearer_auth(&app.token).json(&huge_body).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 413, "bodies over 128 KiB are refused");
    }
}

on_both_backends! {
    /// A document of nested fragments that expands to a billion fields is refused at once,
    /// and a concurrent ordinary query is not slowed down by it.
    async fn a_fragment_bomb_is_refused_fast(backend: Backend) {
        let app = spawn_app(backend).await;
        let bomb = fragment_bomb();
        assert!(bomb.len() < 1_024, "the bomb is small: {} bytes", bomb.len());
        let started = Instant::now();
        let (bombed, ordinary) = tokio::join!(
            app.graphql_raw(&bomb, json!({})),
            async {
                let started = Instant::now();
                app.data("{ treatments { slug } }", json!({})).await;
                started.elapsed()
            }
        );
        let elapsed = started.elapsed();
        assert_eq!(error_codes(&bombed.1), vec!["COMPLEXITY_LIMIT_EXCEEDED"], "{}", bombed.1);
        assert!(elapsed < Duration::from_secs(2), "the bomb took {elapsed:?}");
        assert!(ordinary < Duration::from_secs(2), "an ordinary query took {ordinary:?} beside the bomb");
    }
}

on_both_backends! {
    /// Every response reports its cost; the bucket drains and refills.
    async fn responses_carry_their_cost_and_buckets_throttle_then_recover(backend: Backend) {
        let app = spawn_app_with(backend, &[("MEDTOUR_RATE_PARTNER", "100/50")]).await;
        let token = app.login(Role::Partner, Some("Metered"), None).await;
        let query = "{ clinics(first: 10) { edges { node { name doctors { name } } } } }";
        let (status, body) = app.graphql_as(Some(&token), query, json!({})).await;
        assert_eq!(status, 200, "{body}");
        let cost = &body["extensions"]["cost"];
        // 1 for the connection, and 10 clinics at 2 each (the clinic and its doctors).
        assert_eq!(cost["requestedQueryCost"], 21, "{cost}");
        let actual = cost["actualQueryCost"].as_u64().unwrap();
        assert!((1..=21).contains(&actual), "{cost}");
        assert_eq!(cost["throttleStatus"]["maximumAvailable"], 100.0);
        assert_eq!(cost["throttleStatus"]["restoreRate"], 50.0);
        assert!(cost["throttleStatus"]["currentlyAvailable"].as_f64().unwrap() <= 100.0);

        // 59 points per request (1 + 29 × 2) against a 100-point bucket: the second one in a
        // row waits.
        let costly = "{ clinics(first: 29) { edges { node { doctors { name } } } } }";
        let mut throttled = None;
        for _ in 0..4 {
            let response = app
                .client
                .post(format!("{}/graphql", app.address))
                .bearer_auth(&token)
                .json(&json!({ "query": costly }))
                .send()
                .await
                .unwrap();
            if response.status().as_u16() == 429 {
                throttled = Some(response);
                break;
            }
        }
        let throttled = throttled.expect("the bucket ran out");
        let retry: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&retry), "Retry-After {retry}");
        let body: Value = throttled.json().await.unwrap();
        assert_eq!(error_codes(&body), vec!["THROTTLED"]);
        assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 59);

        app.state.clock.advance(Duration::from_secs(retry));
        let (status, body) = app.graphql_as(Some(&token), costly, json!({})).await;
        assert_eq!(status, 200, "the bucket refilled: {body}");
        let other = app.login(Role::Partner, Some("Metered"), None).await;
        let (status, _) = app.graphql_as(Some(&other), costly, json!({})).await;
        assert_eq!(status, 200, "buckets are per client");
    }
}

on_both_backends! {
    /// Guessing secrets at the token endpoint is slowed to a trickle.
    async fn the_token_endpoint_throttles_secret_guessing(backend: Backend) {
        let app = spawn_app(backend).await;
        let client = app.create_client(Role::Agent, Some("Guessed"), None).await;
        let mut statuses = Vec::new();
        for _ in 0..12 {
            let response = app
                .client
                .post(format!("{}/oauth/token", app.address))
                .basic_auth(&client.id, Some("wrong-secret"))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
            if response.status().as_u16() == 429 {
                assert!(response.headers().get("retry-after").is_some());
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["error"], "slow_down");
                break;
            }
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
        assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 401), "{statuses:?}");
        // The right secret is refused too from the address that has been guessing.
        let response = app
            .client
            .post(format!("{}/oauth/token", app.address))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 429);
    }
}
