//! Two replicas on one PostgreSQL database: each event reaches the receiver exactly once
//! when it always succeeds.

use std::collections::HashMap;

use medtour_tests::webhooks::{Receiver, verify};
use medtour_tests::{Backend, postgres_url, spawn_on};

use crate::quotes_support::*;
use crate::webhooks_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_deliver_each_event_exactly_once() {
    if postgres_url().is_none() {
        eprintln!("SKIPPED two_replicas_deliver_each_event_exactly_once: TEST_DATABASE_URL is not set");
        return;
    }
    let w = World::new(Backend::Postgres).await;
    let second = spawn_on(Backend::Postgres, &w.app.database_url, None, &[("MEDTOUR_WEBHOOK_CONCURRENCY", "2")]).await;
    let receiver = Receiver::start().await;
    let (_, secret) = endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
    let via_second = w.app.with_address(second.address.clone());
    let mut quotes = Vec::new();
    for n in 0..12 {
        let app = if n % 2 == 0 { &w.app } else { &via_second };
        let id = submitted(app, &w.agent, request(&w.baja.id, &format!("hook-replica-{n}"))).await;
        done(app, &w.clinic, &id, Act::Review).await;
        quotes.push(id);
    }
    // Both workers run passes until nothing is due.
    for _ in 0..3 {
        let (a, b) = tokio::join!(settle(&w.app), settle(&second));
        let ((), ()) = (a, b);
    }
    let got = receiver.received();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &got {
        *seen.entry(r.id.as_str()).or_default() += 1;
        assert!(verify(&secret, r));
    }
    assert_eq!(got.len(), 24, "two events for each of 12 quotes");
    assert!(seen.values().all(|n| *n == 1), "each event exactly once: {seen:?}");
    for quote in &quotes {
        let order: Vec<String> = got
            .iter()
            .map(|r| r.json())
            .filter(|b| b["data"]["quoteId"] == quote.as_str())
            .map(|b| b["data"]["status"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(order, ["SUBMITTED", "IN_REVIEW"], "{quote}");
    }
}
