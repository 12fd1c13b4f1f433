//! The process's Prometheus metrics: one registry per application (so servers started side by
//! side in one test process never mix their figures), rendered in the text format on
//! `GET /metrics`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use sea_orm::{DatabaseConnection, DbBackend};

use crate::auth::role::Role;
use crate::db::StatementCounter;

/// Distinct GraphQL operation names kept as label values; later names count as `other`, so a
/// client inventing names cannot grow the exposition without bound.
const MAX_OPERATION_NAMES: usize = 200;
/// Longest operation name kept as a label value.
const MAX_OPERATION_NAME_LEN: usize = 64;

/// Latency buckets in seconds: from a cached catalogue read to a request at its timeout.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// A cheaply cloned handle on the application's metrics.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    throttled: IntCounterVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
    statements: IntCounter,
    webhook_attempts: IntCounterVec,
    webhook_queue: IntGauge,
    webhook_oldest: prometheus::Gauge,
    cache_lookups: IntCounterVec,
    cache_bytes: IntGauge,
    /// Serialises scrapes, which move the statement counter forward to the process's count.
    scrape: Mutex<()>,
    operation_names: Mutex<HashSet<String>>,
}

impl Metrics {
    /// A fresh registry with every metric family the server exports.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("medtour_http_requests_total", "HTTP requests by GraphQL operation (or route) and outcome."),
            &["operation", "outcome"],
        )
        .expect("static metric options are valid");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "medtour_http_request_duration_seconds",
                "HTTP request latency by GraphQL operation (or route) and outcome.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["operation", "outcome"],
        )
        .expect("static metric options are valid");
        let throttled = IntCounterVec::new(
            Opts::new("medtour_rate_limit_rejections_total", "Requests refused by a rate limit, by limiter and role."),
            &["limiter", "role"],
        )
        .expect("static metric options are valid");
        let pool = IntGaugeVec::new(
            Opts::new("medtour_db_pool_connections", "Database pool connections: open (size) and idle."),
            &["state"],
        )
        .expect("static metric options are valid");
        let pool_max = IntGauge::new("medtour_db_pool_max_connections", "Configured maximum database connections.")
            .expect("static metric options are valid");
        let statements = IntCounter::new("medtour_db_statements_total", "SQL statements sent by this process.")
            .expect("static metric options are valid");
        let webhook_attempts = IntCounterVec::new(
            Opts::new(
                "medtour_webhook_deliveries_total",
                "Webhook delivery attempts by outcome: succeeded, retrying (failed, retried later) or failed (given up).",
            ),
            &["outcome"],
        )
        .expect("static metric options are valid");
        let webhook_queue =
            IntGauge::new("medtour_webhook_queue_depth", "Webhook deliveries pending (due or waiting for a retry).")
                .expect("static metric options are valid");
        let webhook_oldest = prometheus::Gauge::new(
            "medtour_webhook_oldest_pending_age_seconds",
            "Age of the oldest pending webhook delivery, in seconds (0 when none is pending).",
        )
        .expect("static metric options are valid");
        let cache_lookups = IntCounterVec::new(
            Opts::new(
                "medtour_response_cache_lookups_total",
                "Catalogue operations looked up in the response cache, by result: hit or miss.",
            ),
            &["result"],
        )
        .expect("static metric options are valid");
        let cache_bytes = IntGauge::new("medtour_response_cache_bytes", "Bytes of answers the response cache holds.")
            .expect("static metric options are valid");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(throttled.clone()),
            Box::new(pool.clone()),
            Box::new(pool_max.clone()),
            Box::new(statements.clone()),
            Box::new(webhook_attempts.clone()),
            Box::new(webhook_queue.clone()),
            Box::new(webhook_oldest.clone()),
            Box::new(cache_lookups.clone()),
            Box::new(cache_bytes.clone()),
        ] {
            registry.register(collector).expect("each metric family is registered once");
        }
        Self(Arc::new(Inner {
            registry,
            requests,
            latency,
            throttled,
            pool,
            pool_max,
            statements,
            webhook_attempts,
            webhook_queue,
            webhook_oldest,
            cache_lookups,
            cache_bytes,
            scrape: Mutex::new(()),
            operation_names: Mutex::new(HashSet::new()),
        }))
    }

    /// Counts one finished request and its latency. `operation` is a route or a GraphQL
    /// operation name already passed through [`Metrics::operation_label`].
    pub fn record_request(&self, operation: &str, outcome: &str, elapsed: Duration) {
        self.0.requests.with_label_values(&[operation, outcome]).inc();
        self.0.latency.with_label_values(&[operation, outcome]).observe(elapsed.as_secs_f64());
    }

    /// Counts a GraphQL request refused by the cost-based rate limiter for a caller of `role`.
    pub fn record_throttled(&self, role: Role) {
        self.0.throttled.with_label_values(&["graphql", role.as_str()]).inc();
    }

    /// Counts a token request refused by the token endpoint's rate limit (per client id or
    /// per source address; the caller is not known yet, so there is no role).
    pub fn record_token_throttled(&self) {
        self.0.throttled.with_label_values(&["oauth_token", "none"]).inc();
    }

    /// Counts one webhook delivery attempt by its outcome (`succeeded`, `retrying`, `failed`).
    pub fn record_webhook_attempt(&self, outcome: &str) {
        self.0.webhook_attempts.with_label_values(&[outcome]).inc();
    }

    /// Counts one response cache lookup: a hit, or a miss (the operation ran).
    pub fn record_response_cache(&self, hit: bool) {
        self.0.cache_lookups.with_label_values(&[if hit { "hit" } else { "miss" }]).inc();
    }

    /// Sets the bytes the response cache holds.
    pub fn set_response_cache_bytes(&self, bytes: usize) {
        self.0.cache_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// Sets the webhook queue's depth and the age of its oldest pending delivery.
    pub fn set_webhook_queue(&self, depth: u64, oldest_age_secs: f64) {
        self.0.webhook_queue.set(i64::try_from(depth).unwrap_or(i64::MAX));
        self.0.webhook_oldest.set(oldest_age_secs);
    }

    /// The label value for a GraphQL operation name: `anonymous` without one, `invalid` for
    /// a name that is not a GraphQL name of at most 64 characters, `other` once
    /// [`MAX_OPERATION_NAMES`] distinct names have been seen.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else { return "anonymous".to_owned() };
        let valid = name.len() <= MAX_OPERATION_NAME_LEN
            && name.chars().next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !valid {
            return "invalid".to_owned();
        }
        let Ok(mut seen) = self.0.operation_names.lock() else { return "other".to_owned() };
        if seen.contains(name) {
            return name.to_owned();
        }
        if seen.len() >= MAX_OPERATION_NAMES {
            return "other".to_owned();
        }
        seen.insert(name.to_owned());
        name.to_owned()
    }

    /// The exposition in the Prometheus text format, with the pool and statement figures
    /// read at this moment.
    pub fn render(&self, db: &DatabaseConnection, statements: &StatementCounter) -> Result<String, prometheus::Error> {
        {
            let _one_scrape_at_a_time = self.0.scrape.lock();
            let (size, idle, max) = pool_usage(db);
            self.0.pool.with_label_values(&["open"]).set(size);
            self.0.pool.with_label_values(&["idle"]).set(idle);
            self.0.pool_max.set(max);
            let seen = self.0.statements.get();
            let now = statements.get();
            if now > seen {
                self.0.statements.inc_by(now - seen);
            }
        }
        let mut text = Vec::new();
        prometheus::TextEncoder::new().encode(&self.0.registry.gather(), &mut text)?;
        String::from_utf8(text).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Open connections, idle connections and the configured maximum of `db`'s pool.
fn pool_usage(db: &DatabaseConnection) -> (i64, i64, i64) {
    fn usage<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> (i64, i64, i64) {
        (i64::from(pool.size()), pool.num_idle() as i64, i64::from(pool.options().get_max_connections()))
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => usage(db.get_sqlite_connection_pool()),
        DbBackend::Postgres => usage(db.get_postgres_connection_pool()),
        _ => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_checked() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some("Clinics")), "Clinics");
        assert_eq!(metrics.operation_label(Some("a b")), "invalid");
        assert_eq!(metrics.operation_label(Some(&"x".repeat(65))), "invalid");
        for i in 0..MAX_OPERATION_NAMES {
            metrics.operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(metrics.operation_label(Some("Clinics")), "Clinics", "a known name keeps its label");
        assert_eq!(metrics.operation_label(Some("Newcomer")), "other");
    }

    #[test]
    fn throttling_is_counted_per_limiter_and_role() {
        let metrics = Metrics::new();
        metrics.record_throttled(Role::Agent);
        metrics.record_throttled(Role::Agent);
        metrics.record_token_throttled();
        assert_eq!(metrics.0.throttled.with_label_values(&["graphql", "AGENT"]).get(), 2);
        assert_eq!(metrics.0.throttled.with_label_values(&["oauth_token", "none"]).get(), 1);
    }
}
