//! Per-request check that a token's client is still active, cached briefly so the hot path
//! does not pay a database round trip on every request.
//!
//! A revocation made through this process is seen at once (its entry is dropped); one made
//! by another process (another replica, or `medtour client revoke`) is seen within
//! [`CLIENT_STATUS_TTL`] — by HTTP requests, and by open websockets, whose watcher looks
//! four times a second, so within two seconds in all. Entries age by the application's
//! [`Clock`], so a test turns it forward instead of waiting out the lifetime.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use entity::api_clients;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::error::ServiceResult;
use crate::time::Clock;

/// How long a client's "still active" answer is trusted before the database is asked again.
pub const CLIENT_STATUS_TTL: Duration = Duration::from_millis(1_500);
const MAX_ENTRIES: usize = 10_000;

/// Cache of client activity by client id.
#[derive(Default)]
pub struct ClientStatusCache {
    entries: Mutex<HashMap<String, (Instant, bool)>>,
    clock: Clock,
}

impl ClientStatusCache {
    /// An empty cache whose entries age by `clock`.
    pub fn new(clock: Clock) -> Self {
        Self { entries: Mutex::default(), clock }
    }

    /// True when the client exists and is not revoked.
    pub async fn is_active(&self, db: &DatabaseConnection, client_id: &str) -> ServiceResult<bool> {
        if let Some(active) = self.cached(client_id) {
            return Ok(active);
        }
        let revoked: Option<Option<chrono::DateTime<chrono::Utc>>> = api_clients::Entity::find()
            .select_only()
            .column(api_clients::Column::RevokedAt)
            .filter(api_clients::Column::ClientId.eq(client_id))
            .into_tuple()
            .one(db)
            .await?;
        let active = matches!(revoked, Some(None));
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(client_id.to_owned(), (self.clock.instant(), active));
        }
        Ok(active)
    }

    fn cached(&self, client_id: &str) -> Option<bool> {
        let entries = self.entries.lock().ok()?;
        let (at, active) = entries.get(client_id)?;
        (self.clock.instant().saturating_duration_since(*at) < CLIENT_STATUS_TTL).then_some(*active)
    }

    /// Drops what is known of `client_id` (after revoking it in this process).
    pub fn forget(&self, client_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(client_id);
        }
    }
}
