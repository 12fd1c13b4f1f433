//! No N+1 under endpoints: a page of endpoints with their deliveries, each delivery's quote
//! and attempt log, costs the same statements for two endpoints as for six, and each
//! endpoint's deliveries page on their own.

use medtour_tests::webhooks::{Receiver, Reply};
use medtour_tests::{Backend, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;
use crate::webhooks_support::*;

const PAGE: &str = "query($after: String) { webhookEndpoints(first: 50) { edges { node { id
    deliveries(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { node { eventType quote { id status } attemptLog { responseStatus } } } } } } } }";

/// The least statements of three runs of [`PAGE`] (the auth layer re-reads its client now
/// and then, which is not the page's doing), and the last answer.
async fn statements_for(w: &World) -> (u64, Value) {
    let mut least = u64::MAX;
    let mut data = Value::Null;
    for _ in 0..3 {
        let before = w.app.statements();
        data = w.app.data_as(&w.agent.token, PAGE, json!({})).await;
        least = least.min(w.app.statements() - before);
    }
    (least, data)
}

on_both_backends! {
    /// Deliveries, their quotes and their attempt logs are read in batches: the statement
    /// count of the endpoint page does not grow with the number of endpoints.
    async fn nested_webhook_reads_are_batched(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        receiver.plan([Reply::Status(500)]);
        for _ in 0..2 {
            endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        }
        let first = w.quote("hook-batch-1").await;
        let second = w.quote("hook-batch-2").await;
        w.quote("hook-batch-3").await;
        settle(&w.app).await;
        let (few, data) = statements_for(&w).await;
        let edges = data["webhookEndpoints"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges.len(), 2);
        for edge in &edges {
            let page = &edge["node"]["deliveries"];
            assert_eq!(page["totalCount"], 3, "{page:#}");
            assert_eq!(page["pageInfo"]["hasNextPage"], true);
            let quotes: Vec<&Value> = page["edges"].as_array().unwrap().iter().map(|e| &e["node"]["quote"]["id"]).collect();
            assert_eq!(quotes.len(), 2, "a page of two, newest first");
            assert_ne!(quotes[0], &json!(first), "newest first: {page:#}");
        }
        let attempts: usize = edges
            .iter()
            .flat_map(|e| e["node"]["deliveries"]["edges"].as_array().unwrap().iter())
            .map(|d| d["node"]["attemptLog"].as_array().unwrap().len())
            .sum();
        assert_eq!(attempts, 4, "every delivery shown was tried once");

        // The second page of one endpoint holds its oldest delivery.
        let cursor = edges[0]["node"]["deliveries"]["pageInfo"]["endCursor"].clone();
        let next = w.app.data_as(&w.agent.token, PAGE, json!({ "after": cursor })).await;
        let rest = &next["webhookEndpoints"]["edges"][0]["node"]["deliveries"];
        assert_eq!(rest["edges"].as_array().unwrap().len(), 1, "{rest:#}");
        assert_eq!(rest["edges"][0]["node"]["quote"]["id"], json!(first));
        assert_eq!(rest["pageInfo"]["hasNextPage"], false);

        for _ in 0..4 {
            endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        }
        done(&w.app, &w.clinic, &second, Act::Review).await;
        settle(&w.app).await;
        let (many, data) = statements_for(&w).await;
        assert_eq!(data["webhookEndpoints"]["edges"].as_array().unwrap().len(), 6);
        assert_eq!(few, many, "two endpoints cost {few} statements, six cost {many}");
        assert!(many <= 8, "a handful of statements: {many}");
    }
}
