//! The catalogue benchmark: the partner hot query on the demo catalogue and on a large one,
//! first page and a deep page, on SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.
//!
//! ```sh
//! cargo run --release -p medtour-tests --bin catalogue-bench
//! TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --release -p medtour-tests --bin catalogue-bench
//! ```
//!
//! `BENCH_CLINICS` (default 10000) sets the size (ten packages, five certificates, two
//! doctors and two accreditations per clinic); `BENCH_RUNS` (default 50) the timed runs per
//! case. Targets: the deep page costs at most 1.5× the first, and the first page at scale at
//! most 3× the same query on the demo data.
#![forbid(unsafe_code)]

mod generate;
mod measure;

use medtour_tests::{Backend, TestApp, fresh_database, postgres_url, spawn_on};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use generate::Scale;
use measure::{Stats, TRIVIAL_QUERY, cursor_before_page, hot_query, lean_query, page_after, time};

const WARMUP: usize = 5;
/// The page the deep case reads (20 clinics a page).
const DEEP_PAGE: usize = 100;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn server(backend: Backend) -> TestApp {
    let (url, mut dir) = fresh_database(backend).await;
    if std::env::var("BENCH_KEEP").is_ok() {
        // Keep the database afterwards, for EXPLAIN and friends.
        println!("database kept: {url}");
        dir = dir.and_then(|d| {
            let _kept = d.keep();
            None
        });
    }
    // Enough connections for a partner's traffic, and a rate limit the timed loop cannot hit.
    spawn_on(backend, &url, dir, &[("MEDTOUR_DB_POOL", "16"), ("MEDTOUR_RATE_PARTNER", "1000000/100000")]).await
}

/// Drops a PostgreSQL database the benchmark made (a large one), unless asked to keep it.
async fn drop_database(app: TestApp) -> anyhow::Result<()> {
    let (Some(admin), Backend::Postgres, Err(_)) = (postgres_url(), app.backend, std::env::var("BENCH_KEEP")) else {
        return Ok(());
    };
    let name = app.database_url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default().to_owned();
    app.state.db.clone().close().await.ok();
    let admin = sea_orm::Database::connect(&admin).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    Ok(())
}

async fn treatment_ids(app: &TestApp) -> anyhow::Result<(i32, i32)> {
    let id = |slug: &'static str| async move {
        entity::treatments::Entity::find()
            .filter(entity::treatments::Column::Slug.eq(slug))
            .one(&app.state.db)
            .await?
            .map(|t| t.id)
            .ok_or_else(|| anyhow::anyhow!("the demo treatment {slug} is missing"))
    };
    Ok((id("msc-chronic-migraine").await?, id("msc-knee-osteoarthritis").await?))
}

/// One line of the results table.
struct Line {
    backend: &'static str,
    case: String,
    stats: Stats,
}

/// The four timings of the hot query on a large catalogue.
struct AtScale {
    first: Stats,
    deep: Stats,
    first_total: Stats,
    deep_total: Stats,
    lean: Stats,
    deep_page: usize,
}

async fn at_scale(app: &TestApp, runs: usize) -> AtScale {
    let (hot, hot_total) = (hot_query(false), hot_query(true));
    let (deep_cursor, deep_page) = cursor_before_page(app, DEEP_PAGE, 20).await;
    let deep_after = page_after(deep_cursor.as_deref());
    AtScale {
        first: time(app, &hot, page_after(None), WARMUP, runs).await,
        deep: time(app, &hot, deep_after.clone(), WARMUP, runs).await,
        first_total: time(app, &hot_total, page_after(None), WARMUP, runs).await,
        deep_total: time(app, &hot_total, deep_after, WARMUP, runs).await,
        lean: time(app, &lean_query(), page_after(None), WARMUP, runs).await,
        deep_page,
    }
}

fn print_table(lines: &[Line]) {
    println!("\n{:<11} {:<56} {:>4} {:>7} {:>10} {:>8}", "backend", "case", "rows", "kB", "median ms", "p95 ms");
    for l in lines {
        let Stats { rows, kb, median, p95 } = l.stats;
        println!("{:<11} {:<56} {rows:>4} {kb:>7.1} {median:>10.2} {p95:>8.2}", l.backend, l.case);
    }
}

/// Per backend: deep / first, scale / demo, and scale / demo with `totalCount` and with
/// nested ids only.
type Ratios = (String, f64, f64, f64, f64);

fn print_ratios(ratios: &[Ratios]) {
    println!(
        "\n{:<24} {:>22} {:>22} {:>14} {:>14}",
        "", "deep / first (≤ 1.5)", "scale / demo (≤ 3)", "+ totalCount", "nested ids"
    );
    for (name, deep, scale, total, lean) in ratios {
        let mark = |v: f64, target: f64| if v <= target { "ok" } else { "MISSED" };
        println!(
            "{name:<24} {deep:>15.2} {:>6} {scale:>15.2} {:>6} {total:>14.2} {lean:>14.2}",
            mark(*deep, 1.5),
            mark(*scale, 3.0)
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> anyhow::Result<()> {
    let runs = setting("BENCH_RUNS", 50);
    let scale = Scale {
        clinics: setting("BENCH_CLINICS", 10_000),
        packages_per_clinic: 10,
        certificates_per_clinic: 5,
        doctors_per_clinic: 2,
        accreditations_per_clinic: 2,
    };
    let mut backends = vec![(Backend::Sqlite, "SQLite")];
    if postgres_url().is_some() {
        backends.push((Backend::Postgres, "PostgreSQL"));
    } else {
        println!("TEST_DATABASE_URL is not set: PostgreSQL is skipped");
    }
    let scale_name = format!("{}k clinics", scale.clinics / 1_000);
    let mut lines = Vec::new();
    let mut ratios = Vec::new();
    for (backend, name) in backends {
        let demo = server(backend).await;
        let floor = time(&demo, TRIVIAL_QUERY, serde_json::json!({}), WARMUP, runs).await;
        let demo_first = time(&demo, &hot_query(false), page_after(None), WARMUP, runs).await;
        let demo_total = time(&demo, &hot_query(true), page_after(None), WARMUP, runs).await;
        lines.push(Line { backend: name, case: "demo, trivial query (HTTP + auth floor)".into(), stats: floor });
        lines.push(Line { backend: name, case: "demo, first page".into(), stats: demo_first });
        lines.push(Line { backend: name, case: "demo, first page + totalCount".into(), stats: demo_total });
        let demo_lean = time(&demo, &lean_query(), page_after(None), WARMUP, runs).await;
        lines.push(Line { backend: name, case: "demo, first page, nested ids only".into(), stats: demo_lean });

        let app = server(backend).await;
        let generated = generate::catalogue(&app.state.db, scale, treatment_ids(&app).await?).await?;
        println!(
            "{name}: generated {} clinics, {} packages, {} certificates ({} markers), {} doctors, {} accreditations \
             in {:.1} s; roll-ups in {:.1} s",
            generated.clinics,
            generated.packages,
            generated.certificates,
            generated.markers,
            generated.doctors,
            generated.accreditations,
            generated.insert_seconds,
            generated.rollup_seconds
        );
        // PostgreSQL: what autovacuum does after a bulk load. SQLite refreshes its statistics
        // only at start-up (`PRAGMA optimize`, taken here over the demo data), so it is
        // measured as a running server sees a bulk load, and again after ANALYZE (what the
        // next start-up does).
        let passes: &[&str] = if backend == Backend::Postgres { &["after ANALYZE"] } else { &["", "after ANALYZE"] };
        for pass in passes {
            if !pass.is_empty() {
                app.state.db.execute_unprepared("ANALYZE").await?;
            }
            let r = at_scale(&app, runs).await;
            let label = if pass.is_empty() { scale_name.clone() } else { format!("{scale_name} {pass}") };
            for (case, stats) in [
                (format!("{label}, first page"), r.first),
                (format!("{label}, page {}", r.deep_page), r.deep),
                (format!("{label}, first page + totalCount"), r.first_total),
                (format!("{label}, page {} + totalCount", r.deep_page), r.deep_total),
                (format!("{label}, first page, nested ids only"), r.lean),
            ] {
                lines.push(Line { backend: name, case, stats });
            }
            ratios.push((
                format!("{name} {pass}"),
                r.deep.median / r.first.median,
                r.first.median / demo_first.median,
                r.first_total.median / demo_total.median,
                r.lean.median / demo_lean.median,
            ));
        }
        drop_database(app).await?;
        drop_database(demo).await?;
    }
    print_table(&lines);
    print_ratios(&ratios);
    Ok(())
}
