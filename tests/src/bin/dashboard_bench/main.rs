//! The dashboard benchmark: a 90-day dashboard over a large history, section by section and
//! whole over HTTP, on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.
//!
//! ```sh
//! cargo run --release -p medtour-tests --bin dashboard-bench
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release -p medtour-tests --bin dashboard-bench
//! ```
//!
//! `BENCH_QUOTES` (default 1000000), `BENCH_CLINICS` (20000), `BENCH_PARTNERS` (50) and
//! `BENCH_DAYS` (730) set the history (each quote with the events of its transitions);
//! `BENCH_RANGE_DAYS` (90) the dashboard's range, ending today; `BENCH_RUNS` (10) the timed
//! runs per case; `BENCH_KEEP=1` keeps the databases (for EXPLAIN), and `BENCH_SQLITE_URL` /
//! `BENCH_POSTGRES_URL` time a kept database again instead of generating one (it is migrated
//! on start, so a new migration's backfill runs on it); `BENCH_ONLY=sqlite` or `postgres`
//! runs one backend. The history is written by
//! the database itself (see `generate`), then the planner's statistics are refreshed (SQLite
//! `ANALYZE`, PostgreSQL `VACUUM ANALYZE`, as autovacuum does after a bulk load). Each
//! section is timed by calling its service directly; the whole dashboard, and a page of
//! clinics with their response times, through the in-process server over HTTP. Target: the
//! whole dashboard well under a second on both backends.
#![forbid(unsafe_code)]

mod generate;

use std::future::Future;
use std::time::Instant;

use chrono::{Days, Utc};
use medtour::dashboard::{clinics, evidence, figures, prices, range::Range};
use medtour_tests::{Backend, Role, TestApp, bench_database, postgres_url, spawn_on};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;

/// The allocator the `medtour` binary runs with: the server here runs in this process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn setting(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server's defaults, with an admin rate limit the timed loop cannot hit.
const SERVER: &[(&str, &str)] = &[("MEDTOUR_RATE_ADMIN", "1000000/100000")];

/// The whole dashboard, every field.
const DASHBOARD: &str = "query($range: DateRange!) { dashboard(range: $range) { from to
    quotesByStatus { status count }
    funnel { submitted reviewed offered accepted offerRate acceptanceRate }
    byCountry { countryCode funnel { submitted reviewed offered accepted offerRate acceptanceRate } }
    byPartner { partner { id name } funnel { submitted reviewed offered accepted offerRate acceptanceRate } }
    byClinic { clinic { id name countryCode } funnel { submitted reviewed offered accepted offerRate acceptanceRate }
               medianResponseHours p90ResponseHours }
    offeredPrices { countryCode minCellCountMillions maxCellCountMillions offers median { amount currencyCode } }
    daily { day submitted offered accepted }
    expiringAccreditations { id expiresOn }
    clinicsBelowSafetyScore { id name } } }";

/// A page of clinics with their response times.
const RESPONSE_TIMES: &str = "{ clinics(first: 50) { edges { node { id responseTime { medianHours sampleSize } } } } }";

/// Median and p95 of the timed runs, in milliseconds.
struct Stats {
    median: f64,
    p95: f64,
    rows: usize,
}

async fn time<F, Fut>(runs: i64, mut f: F) -> anyhow::Result<Stats>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<usize>>,
{
    let mut rows = f().await?;
    f().await?;
    let mut samples = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        rows = f().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Ok(Stats { median: at(0.5), p95: at(0.95), rows })
}

async fn sections(db: &DatabaseConnection, range: Range, runs: i64) -> anyhow::Result<Vec<(&'static str, Stats)>> {
    let now = Utc::now();
    Ok(vec![
        ("quotesByStatus", time(runs, || async { Ok(figures::quotes_by_status(db, &range).await?.len()) }).await?),
        ("funnel", time(runs, || async { figures::funnel(db, &range).await.map(|_| 1).map_err(Into::into) }).await?),
        ("byCountry", time(runs, || async { Ok(figures::by_country(db, &range).await?.len()) }).await?),
        ("byPartner", time(runs, || async { Ok(figures::by_partner(db, &range).await?.len()) }).await?),
        ("byClinic", time(runs, || async { Ok(clinics::by_clinic(db, &range).await?.len()) }).await?),
        ("offeredPrices", time(runs, || async { Ok(prices::offered_prices(db, &range).await?.len()) }).await?),
        ("daily", time(runs, || async { Ok(figures::daily(db, &range).await?.len()) }).await?),
        (
            "expiringAccreditations",
            time(runs, || async { Ok(evidence::expiring_accreditations(db, 60, now).await?.len()) }).await?,
        ),
        (
            "clinicsBelowSafetyScore",
            time(runs, || async { Ok(evidence::clinics_below_safety_score(db, 4, now).await?.len()) }).await?,
        ),
    ])
}

async fn over_http(app: &TestApp, range: Range, runs: i64) -> anyhow::Result<Vec<(&'static str, Stats)>> {
    let admin = app.login(Role::Admin, None, None).await;
    let vars = json!({ "range": { "from": range.from().to_string(), "to": range.to().to_string() } });
    let whole = time(runs, || async {
        let data = app.data_as(&admin, DASHBOARD, vars.clone()).await;
        Ok(data["dashboard"]["byClinic"].as_array().map_or(0, Vec::len))
    })
    .await?;
    let page = time(runs, || async {
        let data = app.data_as(&admin, RESPONSE_TIMES, json!({})).await;
        Ok(data["clinics"]["edges"].as_array().map_or(0, Vec::len))
    })
    .await?;
    Ok(vec![("whole dashboard over HTTP (rows: byClinic)", whole), ("50 clinics' responseTime over HTTP", page)])
}

async fn drop_database(app: &TestApp) -> anyhow::Result<()> {
    let (Some(admin), Backend::Postgres, Err(_)) = (postgres_url(), app.backend, std::env::var("BENCH_KEEP")) else {
        return Ok(());
    };
    let name = app.database_url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default().to_owned();
    app.state.db.clone().close().await.ok();
    let admin = sea_orm::Database::connect(&admin).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?.block_on(measure_all())
}

async fn measure_all() -> anyhow::Result<()> {
    let scale = generate::Scale {
        quotes: setting("BENCH_QUOTES", 1_000_000),
        clinics: setting("BENCH_CLINICS", 20_000),
        partners: setting("BENCH_PARTNERS", 50),
        days: setting("BENCH_DAYS", 730),
    };
    let runs = setting("BENCH_RUNS", 10);
    let today = Utc::now().date_naive();
    let range_days = setting("BENCH_RANGE_DAYS", 90).unsigned_abs();
    let range = Range::new(today - Days::new(range_days - 1), today + Days::new(1))?;
    let mut backends = vec![(Backend::Sqlite, "SQLite")];
    if postgres_url().is_some() {
        backends.push((Backend::Postgres, "PostgreSQL"));
    } else {
        println!("TEST_DATABASE_URL is not set: PostgreSQL is skipped");
    }
    let mut lines = Vec::new();
    let only = std::env::var("BENCH_ONLY").unwrap_or_default().to_lowercase();
    backends.retain(|(_, name)| name.to_lowercase().starts_with(&only));
    for (backend, name) in backends {
        let reuse = match backend {
            Backend::Sqlite => std::env::var("BENCH_SQLITE_URL"),
            Backend::Postgres => std::env::var("BENCH_POSTGRES_URL"),
        }
        .ok()
        .filter(|u| !u.is_empty());
        let app = match &reuse {
            Some(url) => {
                let started = Instant::now();
                let app = spawn_on(backend, url, None, SERVER).await;
                println!("{name}: reusing {url} (migrated in {:.1} s)", started.elapsed().as_secs_f64());
                app
            }
            None => {
                let (url, dir) = bench_database(backend).await;
                let app = spawn_on(backend, &url, dir, SERVER).await;
                let generated = generate::history(&app.state.db, scale).await?;
                println!(
                    "{name}: {} quotes, {} events, {} offers over {} days, {} clinics, {} partners, written in {:.1} s",
                    generated.quotes,
                    generated.events,
                    generated.offers,
                    scale.days,
                    scale.clinics,
                    scale.partners,
                    generated.seconds,
                );
                app
            }
        };
        let started = Instant::now();
        let refresh = if backend == Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
        app.state.db.execute_unprepared(refresh).await?;
        println!("{name}: {refresh} in {:.1} s", started.elapsed().as_secs_f64());
        for (case, stats) in sections(&app.state.db, range, runs).await? {
            lines.push((name, case, stats));
        }
        for (case, stats) in over_http(&app, range, runs).await? {
            lines.push((name, case, stats));
        }
        if reuse.is_none() {
            drop_database(&app).await?;
        }
    }
    println!("\n{range_days}-day dashboard ({} to {}), {runs} runs each", range.from(), range.last_day());
    println!("{:<11} {:<44} {:>7} {:>10} {:>8}", "backend", "section", "rows", "median ms", "p95 ms");
    for (backend, case, s) in lines {
        println!("{backend:<11} {case:<44} {:>7} {:>10.1} {:>8.1}", s.rows, s.median, s.p95);
    }
    Ok(())
}
