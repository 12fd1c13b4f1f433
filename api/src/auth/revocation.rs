//! Per-request check that a token's client is still active, cached briefly so the hot path
//! does not pay a database round trip on every request.
//!
//! A client is active while it is not revoked and its partner, if it has one, is not
//! suspended: suspending a partner stops all its clients the same way.
//!
//! A revocation made through this process is seen at once (its entry is dropped); one made
//! by another process (another replica, or `medtour client revoke`) is seen within
//! [`CLIENT_STATUS_TTL`] — by HTTP requests, and by open websockets, whose watcher looks
//! four times a second, so within two seconds in all. Entries age by the application's
//! [`Clock`], so a test turns it forward instead of waiting out the lifetime.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use entity::{api_clients, partners};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

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

    /// True when the client exists, is not revoked and its partner (if any) is not
    /// suspended.
    pub async fn is_active(&self, db: &DatabaseConnection, client_id: &str) -> ServiceResult<bool> {
        if let Some(active) = self.cached(client_id) {
            return Ok(active);
        }
        let active = client_is_active(db, client_id).await?;
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(client_id.to_owned(), (self.clock.instant(), active));
        }
        Ok(active)
    }

    /// Drops what is known of every client in `client_ids` (after suspending their partner).
    pub fn forget_all<'a>(&self, client_ids: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut entries) = self.entries.lock() {
            for id in client_ids {
                entries.remove(id);
            }
        }
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

/// Asks the database whether `client_id` may use its tokens: it exists, is not revoked, and
/// belongs to no partner or to an ACTIVE one (one statement).
pub async fn client_is_active(db: &impl ConnectionTrait, client_id: &str) -> ServiceResult<bool> {
    let row: Option<(Option<chrono::DateTime<chrono::Utc>>, Option<String>)> = api_clients::Entity::find()
        .select_only()
        .column(api_clients::Column::RevokedAt)
        .column_as(Expr::col((partners::Entity, partners::Column::Status)), "partner_status")
        .join(JoinType::LeftJoin, partner_relation())
        .filter(api_clients::Column::ClientId.eq(client_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(matches!(row, Some((None, status)) if status.as_deref().is_none_or(|s| s == PARTNER_ACTIVE)))
}

/// The stored status of a partner whose clients may work.
pub const PARTNER_ACTIVE: &str = "ACTIVE";

/// `api_clients.partner_id` → `partners.id` (the entity crate declares no relations here).
fn partner_relation() -> RelationDef {
    api_clients::Entity::belongs_to(partners::Entity)
        .from(api_clients::Column::PartnerId)
        .to(partners::Column::Id)
        .into()
}
