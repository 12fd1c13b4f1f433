//! The state every request shares (the API context): the database pool, settings, the clock
//! and process-wide counters. It sits above the building blocks it holds and below the
//! areas, which read it from the GraphQL context; the building blocks themselves take only
//! the parts they use ([`AppState::verifier`], [`AppState::admission`]).

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::Auth;
use crate::auth::bearer::Verifier;
use crate::bus::EventBus;
use crate::config::Settings;
use crate::crypto::DataKeys;
use crate::db::StatementCounter;
use crate::limits::QueryLimits;
use crate::limits::guard::Admission;
use crate::limits::rate::RateLimiter;
use crate::limits::token_rate::TokenRateLimiter;
use crate::observability::Metrics;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// SQL statements executed by this process.
    pub statements: StatementCounter,
    /// Token keys and the client-status cache.
    pub auth: Arc<Auth>,
    /// Keys that seal health data at rest.
    pub data_keys: Arc<DataKeys>,
    /// Fans quote events out to subscribers.
    pub quote_events: Arc<EventBus>,
    /// Per-request limits.
    pub limits: Arc<QueryLimits>,
    /// Recently parsed query documents, by text.
    pub documents: Arc<crate::limits::documents::ParsedDocuments>,
    /// Per-client query-cost buckets.
    pub rate: Arc<RateLimiter>,
    /// Attempts on the token endpoint.
    pub token_rate: Arc<TokenRateLimiter>,
    /// The clock every service reads (tests turn it forward).
    pub clock: crate::time::Clock,
    /// Open websockets and subscriptions per client.
    pub sessions: Arc<crate::limits::sessions::Sessions>,
    /// Prometheus metrics (`/metrics`); rate limiters record rejections here.
    pub metrics: Metrics,
    /// Rings this replica's webhook delivery worker (and lets tests wait for its pass).
    pub webhook_worker: Arc<crate::jobs::Doorbell>,
    /// Catalogue answers shared across callers, and the catalogue version they are keyed by.
    pub cache: Arc<crate::cache::Caching>,
    /// Rings this replica's patient-data retention task.
    pub retention: Arc<crate::jobs::Doorbell>,
}

impl AppState {
    /// What token checks need, as of now by the application's clock.
    pub fn verifier(&self) -> Verifier<'_> {
        Verifier { auth: &self.auth, db: &self.db, now: self.clock.now() }
    }

    /// What admission of an operation needs.
    pub fn admission(&self) -> Admission<'_> {
        Admission { limits: &self.limits, documents: &self.documents, rate: &self.rate, metrics: &self.metrics }
    }
}
