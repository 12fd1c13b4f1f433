//! Shared ground for the webhook tests: endpoints registered over GraphQL, the worker asked
//! for a pass (never a sleep), and deliveries read back through the API.

use std::time::Duration;

use medtour_tests::TestApp;
use serde_json::{Value, json};

use crate::quotes_support::Party;

/// Every event type.
pub const ALL_TYPES: [&str; 8] = [
    "QUOTE_SUBMITTED",
    "QUOTE_IN_REVIEW",
    "QUOTE_OFFERED",
    "QUOTE_ACCEPTED",
    "QUOTE_DECLINED",
    "QUOTE_REJECTED",
    "QUOTE_WITHDRAWN",
    "QUOTE_EXPIRED",
];

/// Every delivery field a test may look at.
pub const DELIVERY: &str = "id eventId eventType status attempts lastAttemptAt lastResponseStatus nextAttemptAt
    createdAt quote { id status } attemptLog { at responseStatus latencyMs responseExcerpt error }";

/// Runs `createWebhookEndpoint`; returns the payload.
pub async fn create(app: &TestApp, who: &Party, url: &str, types: &[&str]) -> Value {
    let query = "mutation($input: WebhookEndpointInput!) { r: createWebhookEndpoint(input: $input) {
        endpoint { id url eventTypes active } secret userErrors { field message code } } }";
    let (_, body) =
        app.graphql_as(Some(&who.token), query, json!({ "input": { "url": url, "eventTypes": types } })).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["r"].clone()
}

/// Registers an endpoint that must be accepted; returns its ID and secret.
pub async fn endpoint(app: &TestApp, who: &Party, url: &str, types: &[&str]) -> (String, String) {
    let payload = create(app, who, url, types).await;
    assert_eq!(payload["userErrors"], json!([]), "{payload:#}");
    (payload["endpoint"]["id"].as_str().unwrap().to_owned(), payload["secret"].as_str().unwrap().to_owned())
}

/// Asks this server's worker for a pass and waits until it is done.
pub async fn settle(app: &TestApp) {
    assert!(app.state.webhook_worker.pass(Duration::from_secs(60)).await, "the webhook worker finished a pass");
}

/// An endpoint's deliveries as `who` sees them through `node`, newest first.
pub async fn deliveries(app: &TestApp, who: &Party, endpoint_id: &str) -> Vec<Value> {
    let query = format!(
        "query($id: ID!) {{ node(id: $id) {{ ... on WebhookEndpoint {{ deliveries(first: 100) {{ totalCount edges {{ node {{ {DELIVERY} }} }} }} }} }} }}"
    );
    let data = app.data_as(&who.token, &query, json!({ "id": endpoint_id })).await;
    let edges = data["node"]["deliveries"]["edges"].as_array().cloned().unwrap_or_default();
    edges.into_iter().map(|e| e["node"].clone()).collect()
}
