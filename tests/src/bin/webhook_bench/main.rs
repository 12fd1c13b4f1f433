//! The webhook benchmark: 10,000 quote events delivered by two server processes on one
//! PostgreSQL database to a local receiver that fails a share of requests.
//!
//! ```sh
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p medtour-tests --bin webhook-bench
//! ```
//!
//! `BENCH_QUOTES` (default 2500) quotes each go SUBMITTED → IN_REVIEW → OFFERED → ACCEPTED
//! through the real mutations, spread over both servers by `BENCH_CONCURRENCY` (default 16)
//! writers; `BENCH_FAIL_PERMILLE` (default 100) of every 1,000 requests the receiver answers
//! 503, and those are retried on the real schedule (5 s, 30 s, 2 min, …), so the run lasts
//! until the last retry lands. It reports throughput (events delivered per second, from the
//! first event to the last success) and the latency from an event's commit to its first
//! successful delivery (p50/p99, overall and for first-attempt successes), and checks, by
//! the receiver, that every event arrived at least once, in order per quote, with a valid
//! signature.
#![forbid(unsafe_code)]

#[path = "../catalogue_bench/child.rs"]
mod child;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use child::ServerProcess;
use medtour_tests::webhooks::{Receiver, verify};
use medtour_tests::{Backend, Role, TestApp, fresh_database, postgres_url, spawn_on};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Rate limits the writers cannot hit.
const SERVER: &[(&str, &str)] = &[
    ("MEDTOUR_RATE_AGENT", "1000000/100000"),
    ("MEDTOUR_RATE_CLINIC", "1000000/100000"),
    ("MEDTOUR_WEBHOOK_POLL_MS", "200"),
];

const STEPS: [&str; 4] = ["SUBMITTED", "IN_REVIEW", "OFFERED", "ACCEPTED"];

fn main() -> anyhow::Result<()> {
    if std::env::var_os(child::SERVE).is_some() {
        return child::serve();
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}

async fn mutate(app: &TestApp, token: &str, query: &str, vars: Value) -> anyhow::Result<String> {
    let (status, body) = app.graphql_as(Some(token), query, vars).await;
    let payload = &body["data"]["r"];
    ensure!(status == 200 && payload["userErrors"] == json!([]), "mutation refused: {body}");
    Ok(payload["quote"]["id"].as_str().context("a quote")?.to_owned())
}

/// One quote through its four steps on `app`.
async fn lifecycle(app: &TestApp, agent: &str, clinic: &str, clinic_id: &str, key: String) -> anyhow::Result<()> {
    let request = json!({
        "idempotencyKey": key, "clinicId": clinic_id, "treatment": "msc-chronic-migraine",
        "requestedCellCountMillions": 25,
        "patient": { "ageYears": 41, "countryOfResidence": "US", "chronicMigraineDiagnosis": true,
            "headacheDaysPerMonth": 20, "treatmentsTried": ["TRIPTANS", "CGRP_INHIBITORS"], "contraindications": [] },
    });
    let submit = "mutation($input: SubmitQuoteRequestInput!) { r: submitQuoteRequest(input: $input) { quote { id } userErrors { message } } }";
    let id = mutate(app, agent, submit, json!({ "input": request })).await?;
    let review = "mutation($id: ID!) { r: startQuoteReview(id: $id) { quote { id } userErrors { message } } }";
    mutate(app, clinic, review, json!({ "id": id })).await?;
    let until = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let offer = json!({ "price": "4500.00", "currencyCode": "USD", "cellCountMillions": 25, "sessions": 1,
        "stayDays": 4, "inclusions": ["hotel"], "validUntil": until });
    let make = "mutation($id: ID!, $o: QuoteOfferInput!) { r: makeQuoteOffer(id: $id, input: $o) { quote { id } userErrors { message } } }";
    mutate(app, clinic, make, json!({ "id": id, "o": offer })).await?;
    let accept = "mutation($id: ID!) { r: acceptQuoteOffer(id: $id) { quote { id } userErrors { message } } }";
    mutate(app, agent, accept, json!({ "id": id })).await?;
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run() -> anyhow::Result<()> {
    postgres_url().context("set TEST_DATABASE_URL to a PostgreSQL server")?;
    let quotes = setting("BENCH_QUOTES", 2500);
    let concurrency = setting("BENCH_CONCURRENCY", 16) as usize;
    let fail = setting("BENCH_FAIL_PERMILLE", 100);
    let (url, _) = fresh_database(Backend::Postgres).await;
    // Loads the demo catalogue and the clients; its own worker stays off.
    let mut loader_env = SERVER.to_vec();
    loader_env.push(("MEDTOUR_WEBHOOK_WORKER", "false"));
    let loader = spawn_on(Backend::Postgres, &url, None, &loader_env).await;
    let receiver = Receiver::start().await;
    receiver.fail_share(fail);
    let agent = loader.login(Role::Agent, Some("Bench Partner"), None).await;
    let clinic = loader.login(Role::Clinic, None, Some("baja-regenerative-institute")).await;
    let create = "mutation($input: WebhookEndpointInput!) { r: createWebhookEndpoint(input: $input) { secret userErrors { message } } }";
    let input = json!({ "url": receiver.url, "eventTypes": ["QUOTE_SUBMITTED", "QUOTE_IN_REVIEW", "QUOTE_OFFERED", "QUOTE_ACCEPTED"] });
    let created = loader.data_as(&agent, create, json!({ "input": input })).await;
    let secret = created["r"]["secret"].as_str().context("a secret")?.to_owned();
    let clinic_id = loader.data("{ clinic(slug: \"baja-regenerative-institute\") { id } }", json!({})).await["clinic"]
        ["id"]
        .as_str()
        .context("the demo clinic")?
        .to_owned();

    let a = ServerProcess::start(&url, SERVER)?;
    let b = ServerProcess::start(&url, SERVER)?;
    let servers = Arc::new([loader.with_address(a.address.clone()), loader.with_address(b.address.clone())]);
    println!(
        "webhook-bench: {quotes} quotes × 4 events, {concurrency} writers, receiver fails {fail}‰, servers {} and {}",
        a.address, b.address
    );

    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut writers = Vec::new();
    for w in 0..concurrency {
        let (servers, next, agent, clinic, clinic_id) =
            (servers.clone(), next.clone(), agent.clone(), clinic.clone(), clinic_id.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= quotes {
                    return Ok::<(), anyhow::Error>(());
                }
                let app = &servers[(n as usize + w) % 2];
                lifecycle(app, &agent, &clinic, &clinic_id, format!("bench-{n}")).await?;
            }
        }));
    }
    for writer in writers {
        writer.await??;
    }
    let written = started.elapsed();
    let expected = quotes * 4;
    let db = &loader.state.db;
    let total = entity::webhook_deliveries::Entity::find().count(db).await?;
    ensure!(total == expected, "{total} deliveries written, {expected} expected");
    println!(
        "written: {expected} events in {:.1} s ({:.0} events/s)",
        written.as_secs_f64(),
        expected as f64 / written.as_secs_f64()
    );

    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let pending = entity::webhook_deliveries::Entity::find()
            .filter(entity::webhook_deliveries::Column::Status.ne("SUCCEEDED"))
            .count(db)
            .await?;
        if pending == 0 {
            break;
        }
        ensure!(Instant::now() < deadline, "{pending} deliveries still not delivered after 15 minutes");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The receiver's books.
    let got = receiver.received();
    let rows = entity::webhook_deliveries::Entity::find().all(db).await?;
    let mut first_success: HashMap<&str, usize> = HashMap::new();
    let mut bad_signatures = 0;
    for (i, r) in got.iter().enumerate() {
        if !verify(&secret, r) {
            bad_signatures += 1;
        }
        if (200..300).contains(&r.answered) {
            first_success.entry(r.id.as_str()).or_insert(i);
        }
    }
    let successes = got.iter().filter(|r| (200..300).contains(&r.answered)).count();
    let missing = rows.iter().filter(|d| !first_success.contains_key(d.event_id.as_str())).count();
    // Order: per quote, the first successful receipt of each event follows the lifecycle.
    let mut by_quote: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    let mut latencies = Vec::new();
    let mut first_try = Vec::new();
    let attempts_of: HashMap<&str, i32> = rows.iter().map(|d| (d.event_id.as_str(), d.attempts)).collect();
    let mut first_event_at: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut last_success = None;
    for (id, &i) in &first_success {
        let r = &got[i];
        let body = r.json();
        let step = STEPS.iter().position(|s| body["data"]["status"] == *s).context("a known status")?;
        by_quote.entry(body["data"]["quoteId"].as_str().unwrap_or_default().to_owned()).or_default().push((i, step));
        let at: chrono::DateTime<chrono::Utc> = body["data"]["at"].as_str().unwrap_or_default().parse()?;
        first_event_at = Some(first_event_at.map_or(at, |f: chrono::DateTime<chrono::Utc>| f.min(at)));
        last_success = Some(last_success.map_or(r.wall, |l: chrono::DateTime<chrono::Utc>| l.max(r.wall)));
        let latency = (r.wall - at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
        latencies.push(latency);
        if attempts_of.get(id) == Some(&1) {
            first_try.push(latency);
        }
    }
    for events in by_quote.values_mut() {
        events.sort_unstable();
    }
    let out_of_order = by_quote
        .values()
        .filter(|events| events.iter().map(|(_, step)| *step).collect::<Vec<_>>() != [0, 1, 2, 3])
        .count();
    latencies.sort_by(f64::total_cmp);
    first_try.sort_by(f64::total_cmp);
    let span =
        (last_success.context("deliveries")? - first_event_at.context("events")?).num_milliseconds() as f64 / 1000.0;
    let retried: HashSet<&str> = rows.iter().filter(|d| d.attempts > 1).map(|d| d.event_id.as_str()).collect();
    println!(
        "delivered: {} events, {} requests ({} failed on purpose, {} successes, {} duplicate successes), {} retried events",
        first_success.len(),
        got.len(),
        got.len() - successes,
        successes,
        successes - first_success.len(),
        retried.len()
    );
    println!(
        "throughput: {:.0} events/s over {span:.1} s (first event to last success, retry tail included)",
        first_success.len() as f64 / span
    );
    let mut arrivals: Vec<chrono::DateTime<chrono::Utc>> = first_success.values().map(|&i| got[i].wall).collect();
    arrivals.sort_unstable();
    let first = first_event_at.context("events")?;
    for share in [0.5, 0.99] {
        let n = ((arrivals.len() as f64) * share).ceil() as usize;
        let at = (arrivals[n.saturating_sub(1)] - first).num_milliseconds() as f64 / 1000.0;
        println!(
            "throughput: {:.0} % of events delivered {at:.1} s after the first ({:.0} events/s)",
            share * 100.0,
            n as f64 / at
        );
    }
    println!(
        "latency commit → first success: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "latency, events delivered at the first attempt ({}): p50 {:.1} ms, p99 {:.1} ms",
        first_try.len(),
        percentile(&first_try, 0.5),
        percentile(&first_try, 0.99)
    );
    println!(
        "checks: {missing} events never delivered, {out_of_order} quotes out of order, {bad_signatures} bad signatures"
    );
    ensure!(missing == 0 && out_of_order == 0 && bad_signatures == 0, "the receiver's checks failed");
    println!("ok: every event at least once, in order per quote, signed");
    drop((a, b));
    Ok(())
}
