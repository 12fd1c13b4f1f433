//! A fuzz test of the GraphQL surface: random queries, mutations and subscriptions generated
//! from the served schema ([`schema`], [`generate`]), with arguments of the right and the wrong types
//! ([`values`]), sent over HTTP as ADMIN, AGENT, CLINIC and PARTNER (and now and then with no
//! token). Whatever the input, the server must answer like a service that is in control:
//! never a 5xx, never a dropped connection (a panic), always a JSON body with `data` or
//! `errors`, never an INTERNAL error and never an error message showing SQL or Rust
//! internals.
//!
//! Deterministic: the seed is fixed (`FUZZ_SEED` overrides it) and so is the number of cases
//! (`FUZZ_CASES`, default 300). A failure prints each offending request and response.

mod generate;
mod schema;
mod values;

use std::collections::BTreeMap;

use medtour_tests::{Backend, Role, TestApp, on_both_backends, spawn_app_with};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use generate::{Case, Generator};
use schema::Model;

const DEFAULT_SEED: u64 = 0x006d_6564_746f_7572;
const DEFAULT_CASES: usize = 300;
/// Every this many cases, three fresh quotes replace those the fuzzer has moved on.
const QUOTE_ROUND: usize = 20;

/// Text that must never reach a client in an error message: SQL, driver or Rust internals.
/// "SELECT" is matched as written, the others in any case.
fn leak(message: &str) -> Option<&'static str> {
    if message.contains("SELECT") {
        return Some("SELECT");
    }
    let lower = message.to_lowercase();
    ["sqlx", "syntax error", "constraint", "relation", "panicked", "sqlite", "duplicate key", "backtrace"]
        .into_iter()
        .find(|word| lower.contains(word))
}

/// What is wrong with one response (empty when nothing is).
fn problems(status: u16, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if status >= 500 {
        found.push(format!("HTTP {status}"));
    }
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        found.push("the body is not JSON".into());
        return found;
    };
    if body.get("data").is_none() && body.get("errors").is_none() {
        found.push("neither `data` nor `errors`".into());
    }
    for error in body["errors"].as_array().into_iter().flatten() {
        let message = error["message"].as_str().unwrap_or_default();
        if error["extensions"]["code"] == "INTERNAL" {
            found.push(format!("an INTERNAL error: {message}"));
        }
        if let Some(word) = leak(message) {
            found.push(format!("an error message shows internals ({word}): {message}"));
        }
    }
    found
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}… (clipped)", text.chars().take(max).collect::<String>())
    }
}

/// Sends one case; `Err` describes a transport failure (a dropped connection is a panic).
async fn send(app: &TestApp, token: Option<&str>, case: &Case) -> Result<(u16, String), String> {
    let url = format!("{}/graphql", app.address);
    let mut request = if case.via_get {
        let mut query = vec![("query", case.query.clone())];
        if case.variables.as_object().is_some_and(|v| !v.is_empty()) {
            query.push(("variables", case.variables.to_string()));
        }
        app.client.get(&url).query(&query).header("accept", "application/graphql-response+json, application/json")
    } else {
        app.client.post(&url).json(&json!({ "query": case.query, "variables": case.variables }))
    };
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("no response (a panic or a dropped connection?): {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| format!("HTTP {status}, the body could not be read: {e}"))?;
    Ok((status, text))
}

/// Three new quotes, SUBMITTED, IN_REVIEW and OFFERED, so that generated quote IDs reach real
/// quotes whose state allows each kind of transition (earlier ones soon end up withdrawn,
/// rejected or declined by the fuzzer). Returns their rows.
async fn fresh_quotes(app: &TestApp, agent: &str, admin: &str, round: usize) -> Vec<i32> {
    let clinic = app.data_as(agent, r#"{ clinic(slug: "baja-regenerative-institute") { id } }"#, json!({})).await;
    let submit = "mutation($input: SubmitQuoteRequestInput!) { submitQuoteRequest(input: $input) { quote { id } } }";
    let review = "mutation($id: ID!) { startQuoteReview(id: $id) { userErrors { message } } }";
    let offer = "mutation($id: ID!, $input: QuoteOfferInput!) {
        makeQuoteOffer(id: $id, input: $input) { userErrors { message } } }";
    let offer_input = json!({ "price": "5000", "currencyCode": "USD", "cellCountMillions": 100, "sessions": 1,
        "stayDays": 3, "inclusions": ["hotel"], "validUntil": "2099-01-01T00:00:00Z" });
    let mut rows = Vec::new();
    for n in 0..3 {
        let input = json!({
            "idempotencyKey": format!("fuzz-seed-{round}-{n}"),
            "clinicId": clinic["clinic"]["id"],
            "treatment": "msc-chronic-migraine",
            "patient": { "ageYears": 41, "countryOfResidence": "US", "chronicMigraineDiagnosis": true,
                "headacheDaysPerMonth": 20, "treatmentsTried": ["TRIPTANS", "CGRP_INHIBITORS"],
                "contraindications": [] }
        });
        let data = app.data_as(agent, submit, json!({ "input": input })).await;
        let id = data["submitQuoteRequest"]["quote"]["id"].clone();
        let row = id.as_str().and_then(medtour::graphql::ids::decode).map(|(_, row)| row);
        rows.push(row.unwrap_or_else(|| panic!("a quote was submitted: {data}")));
        if n >= 1 {
            app.data_as(admin, review, json!({ "id": id })).await;
        }
        if n >= 2 {
            app.data_as(admin, offer, json!({ "id": id, "input": offer_input })).await;
        }
    }
    rows
}

fn env_number<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

on_both_backends! {
    /// Random operations from the schema never make the server fail, panic or leak internals.
    async fn random_operations_never_fail_panic_or_leak_internals(backend: Backend) {
        // The fuzzer sends hundreds of requests per client: lift the per-client rate limits
        // (throttling is tested elsewhere) so every case reaches the code under test.
        let unlimited = "1000000000/1000000000";
        let extra = [("MEDTOUR_RATE_PARTNER", unlimited), ("MEDTOUR_RATE_AGENT", unlimited),
            ("MEDTOUR_RATE_CLINIC", unlimited), ("MEDTOUR_RATE_ADMIN", unlimited)];
        let app = spawn_app_with(backend, &extra).await;
        let agent = app.login(Role::Agent, Some("Fuzz Partner"), None).await;
        let admin = app.login(Role::Admin, None, None).await;
        let tokens = [
            ("ADMIN", Some(admin.clone())),
            ("AGENT", Some(agent.clone())),
            ("CLINIC", Some(app.login(Role::Clinic, None, Some("baja-regenerative-institute")).await)),
            ("PARTNER", Some(app.token.clone())),
        ];

        let model = Model::from_sdl(&medtour::schema::sdl());
        let seed = env_number("FUZZ_SEED", DEFAULT_SEED);
        let cases = env_number("FUZZ_CASES", DEFAULT_CASES);
        let mut generator = Generator::new(&model, StdRng::seed_from_u64(seed));
        let mut failures = Vec::new();
        let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
        for number in 0..cases {
            if number % QUOTE_ROUND == 0 {
                generator.set_quotes(fresh_quotes(&app, &agent, &admin, number / QUOTE_ROUND).await);
            }
            let case = generator.case();
            // One request in fifty goes without a token.
            let (role, token) = if generator.rng.gen_ratio(1, 50) {
                ("(no token)", None)
            } else {
                tokens.choose(&mut generator.rng).map(|(r, t)| (*r, t.as_deref())).unwrap_or(("ADMIN", None))
            };
            let found = match send(&app, token, &case).await {
                Ok((status, text)) => {
                    let body = serde_json::from_str::<Value>(&text).unwrap_or_default();
                    let first_code = medtour_tests::error_codes(&body).into_iter().next();
                    *outcomes.entry(format!("{status} {}", first_code.as_deref().unwrap_or("ok"))).or_default() += 1;
                    let response = format!("HTTP {status}: {}", clip(&text, 1_500));
                    problems(status, &text).into_iter().map(|p| (p, response.clone())).collect()
                }
                Err(transport) => vec![(transport, String::new())],
            };
            for (problem, response) in found {
                failures.push(format!(
                    "case {number} (seed {seed:#x}) as {role}, {}:\n  problem: {problem}\n  query: {}\n  \
                     variables: {}\n  response: {response}",
                    if case.via_get { "GET" } else { "POST" },
                    clip(&case.query, 2_000),
                    clip(&case.variables.to_string(), 1_000),
                ));
            }
        }
        eprintln!("fuzz on {backend:?}: {cases} cases, outcomes (status, first error code): {outcomes:?}");
        assert!(failures.is_empty(), "{} of {cases} fuzz cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
    }
}

#[test]
fn leaks_are_recognised_and_ordinary_messages_are_not() {
    assert_eq!(leak("error returned from database: syntax error at or near \"x\""), Some("syntax error"));
    assert_eq!(leak("SELECT \"clinics\".\"id\" FROM"), Some("SELECT"));
    assert_eq!(leak("UNIQUE constraint failed: quotes.idempotency_key"), Some("constraint"));
    assert_eq!(leak("Invalid value for argument \"first\", expected type \"Int\""), None);
    assert_eq!(leak("not a valid ID"), None);
    assert!(problems(500, "{}").iter().any(|p| p.contains("HTTP 500")));
    assert!(problems(200, "<html>").iter().any(|p| p.contains("not JSON")));
    assert!(problems(200, r#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#).len() == 1);
    assert!(problems(400, r#"{"errors":[{"message":"bad","extensions":{"code":"BAD_USER_INPUT"}}]}"#).is_empty());
}
