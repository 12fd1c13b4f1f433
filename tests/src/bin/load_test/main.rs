//! `cargo run --release -p medtour-tests --bin load-test [-- --seconds 60 --concurrency 16]`
//!
//! Holds a steady mixed load against the real server on PostgreSQL, then checks the books:
//! 1. creates a fresh database on the server named by `TEST_DATABASE_URL` and starts the API
//!    over it in this process (the test harness's `spawn_on`), demo catalogue loaded;
//! 2. creates a PARTNER and two AGENT clients for each of three partners, each with a token;
//! 3. runs `--concurrency` workers for `--seconds`, each one client's loop of catalogue reads
//!    and (agents) quote submissions with fresh idempotency keys and replays of earlier ones
//!    ([`workload`]), all to 127.0.0.1, every loop stopping at the deadline by itself;
//! 4. prints throughput, p50/p99 latency and errors per kind of operation ([`report`]);
//! 5. counts, in the database, the rows of every idempotency key submitted: each quote the
//!    server acknowledged must be there exactly once, under the ID it answered with.
//!
//! Exits non-zero when any request failed (non-200, a GraphQL error, a refused submission, a
//! replay answered with another quote) or a quote is missing or duplicated. The database is
//! dropped afterwards unless the run failed (so it can be looked at).
//!
//! Per-client rate limits are lifted for the run: it measures the server's capacity, not the
//! limiter (which has its own tests).
#![forbid(unsafe_code)]

mod report;
mod workload;

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use medtour_tests::{Backend, Role, replace_database, spawn_on};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, QuerySelect};

use report::Tally;
use workload::{Caller, Plan, Submitted};

const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const USAGE: &str = "usage: load-test [--seconds N (env LOAD_SECONDS, default 60)] \
[--concurrency N (env LOAD_CONCURRENCY, default 16)] [--db-pool N (env LOAD_DB_POOL, default 16)]
PostgreSQL server: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)";

/// What the run was asked for.
struct Options {
    seconds: u64,
    concurrency: usize,
    db_pool: u32,
}

fn options() -> Result<Options, String> {
    let env = |key: &str, default: u64| -> Result<u64, String> {
        std::env::var(key).ok().map_or(Ok(default), |v| v.trim().parse().map_err(|e| format!("{key}={v}: {e}")))
    };
    let mut seconds = env("LOAD_SECONDS", 60)?;
    let mut concurrency = env("LOAD_CONCURRENCY", 16)?;
    let mut db_pool = env("LOAD_DB_POOL", 16)?;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = arg.split_once('=').map_or((arg.as_str(), None), |(n, v)| (n, Some(v.to_owned())));
        let target = match name {
            "--seconds" => &mut seconds,
            "--concurrency" => &mut concurrency,
            "--db-pool" => &mut db_pool,
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        };
        let value = inline.or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))?;
        *target = value.parse().map_err(|e| format!("{name} {value}: {e}"))?;
    }
    if seconds == 0 || concurrency == 0 || db_pool == 0 {
        return Err(format!("--seconds, --concurrency and --db-pool must be positive\n{USAGE}"));
    }
    Ok(Options {
        seconds,
        concurrency: usize::try_from(concurrency).map_err(|e| e.to_string())?,
        db_pool: u32::try_from(db_pool).map_err(|e| e.to_string())?,
    })
}

/// Creates an empty database for the run on the server at `base` and returns its name and URL.
async fn fresh_database(base: &str) -> anyhow::Result<(String, String)> {
    // Any database on the server will do for CREATE DATABASE; fall back to `postgres`.
    let admin = match Database::connect(base).await {
        Ok(conn) => conn,
        Err(_) => Database::connect(replace_database(base, "postgres")).await?,
    };
    let name = format!("medtour_t_load_{}", uuid::Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    admin.close().await?;
    Ok((name.clone(), replace_database(base, &name)))
}

async fn drop_database(base: &str, name: &str) -> anyhow::Result<()> {
    let admin = Database::connect(replace_database(base, "postgres")).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
    Ok(())
}

/// Every submitted key's rows, checked: the problems found (empty when the books balance).
async fn verify(db: &sea_orm::DatabaseConnection, submitted: &[Submitted]) -> anyhow::Result<Vec<String>> {
    use entity::quotes::Column;
    let rows: Vec<(i32, String)> = entity::quotes::Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::IdempotencyKey)
        .filter(Column::IdempotencyKey.starts_with("load-"))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_key: HashMap<&str, Vec<i32>> = HashMap::new();
    for (id, key) in &rows {
        by_key.entry(key.as_str()).or_default().push(*id);
    }
    let mut problems = Vec::new();
    for quote in submitted {
        let ids = by_key.remove(quote.key.as_str()).unwrap_or_default();
        match (&quote.quote_id, ids.as_slice()) {
            (Some(answered), [row]) => {
                if medtour::graphql::ids::decode(answered).map(|(_, r)| r) != Some(*row) {
                    problems.push(format!("{}: answered {answered} but stored as row {row}", quote.key));
                }
            }
            (Some(_), []) => problems.push(format!("{}: acknowledged but missing", quote.key)),
            (None, [] | [_]) => {}
            (_, many) => problems.push(format!("{}: stored {} times (rows {many:?})", quote.key, many.len())),
        }
    }
    for (key, ids) in by_key {
        problems.push(format!("{key}: stored (rows {ids:?}) but never submitted"));
    }
    Ok(problems)
}

async fn run(options: Options) -> anyhow::Result<bool> {
    let base = medtour_tests::postgres_url().unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let (db_name, url) = fresh_database(&base).await?;
    let pool = options.db_pool.to_string();
    let unlimited = "1000000000/1000000000";
    let extra =
        [("MEDTOUR_DB_POOL", pool.as_str()), ("MEDTOUR_RATE_PARTNER", unlimited), ("MEDTOUR_RATE_AGENT", unlimited)];
    let app = spawn_on(Backend::Postgres, &url, None, &extra).await;

    let mut callers = Vec::new();
    for p in 1..=3 {
        let partner = format!("Load Partner {p}");
        callers.push(Caller { token: app.login(Role::Partner, Some(&partner), None).await, agent: false });
        for _ in 0..2 {
            callers.push(Caller { token: app.login(Role::Agent, Some(&partner), None).await, agent: true });
        }
    }
    let endpoint = format!("{}/graphql", app.address);
    let clinics = workload::clinics(&app.client, &endpoint, &callers[0].token).await?;
    println!(
        "load test: {} s, {} workers, {} clients of 3 partners (PARTNER + 2 AGENTs each), PostgreSQL {db_name}, \
         pool {}, {} clinics",
        options.seconds,
        options.concurrency,
        callers.len(),
        options.db_pool,
        clinics.len()
    );

    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let plan = std::sync::Arc::new(Plan { client: app.client.clone(), endpoint, deadline, clinics });
    let workers: Vec<_> = (0..options.concurrency)
        .map(|i| {
            let (plan, caller) = (plan.clone(), callers[i % callers.len()].clone());
            tokio::spawn(async move { workload::run(&plan, i, caller).await })
        })
        .collect();
    let mut tally = Tally::default();
    let mut submitted = Vec::new();
    let mut lost_workers = 0;
    for worker in workers {
        let remaining = (deadline + workload::GRACE).saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, worker).await {
            Ok(Ok(result)) => {
                tally.merge(result.tally);
                submitted.extend(result.submitted);
            }
            _ => lost_workers += 1,
        }
    }
    let elapsed = started.elapsed();

    print!("{}", tally.table(elapsed));
    let acknowledged = submitted.iter().filter(|s| s.quote_id.is_some()).count();
    let problems = verify(&app.state.db, &submitted).await?;
    println!(
        "throughput: {:.1} requests/s over {:.1} s; quotes: {} submitted, {acknowledged} acknowledged, {}",
        tally.requests() as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        submitted.len(),
        if problems.is_empty() {
            "each stored exactly once".to_owned()
        } else {
            format!("{} problems", problems.len())
        }
    );
    for problem in problems.iter().take(20) {
        println!("  quote problem: {problem}");
    }
    if lost_workers > 0 {
        println!("{lost_workers} workers did not finish within {} s of the deadline", workload::GRACE.as_secs());
    }
    let passed = tally.errors() == 0 && problems.is_empty() && lost_workers == 0;
    if passed {
        drop_database(&base, &db_name).await?;
    } else {
        println!("FAILED; the database {db_name} is kept for inspection");
    }
    Ok(passed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("load test: {err:#}");
            ExitCode::FAILURE
        }
    }
}
