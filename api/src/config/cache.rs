//! How catalogue answers are cached, and how a replica learns of catalogue changes.

use std::time::Duration;

use super::{ConfigError, Lookup, number};

/// The response cache's settings.
#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// `MEDTOUR_RESPONSE_CACHE_BYTES` (default 67108864, 64 MiB): the most bytes of cached
    /// catalogue answers (and their keys) this process holds; 0 turns the cache off.
    pub response_bytes: u64,
    /// `MEDTOUR_CATALOGUE_POLL_MS` (default 500): how often the catalogue version is read
    /// from the database, besides PostgreSQL's notifications (a fallback for a notification
    /// lost with its connection, and the only way on SQLite to hear of another process's
    /// writes).
    pub version_poll: Duration,
}

impl CacheSettings {
    /// Reads `MEDTOUR_RESPONSE_CACHE_BYTES` and `MEDTOUR_CATALOGUE_POLL_MS`.
    pub(super) fn from_lookup(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        let poll_ms: u64 = number(lookup, "MEDTOUR_CATALOGUE_POLL_MS", 500)?;
        if !(10..=60_000).contains(&poll_ms) {
            return Err(ConfigError(format!("MEDTOUR_CATALOGUE_POLL_MS={poll_ms}: expected 10 to 60000")));
        }
        Ok(Self {
            response_bytes: number(lookup, "MEDTOUR_RESPONSE_CACHE_BYTES", 64 * 1024 * 1024)?,
            version_poll: Duration::from_millis(poll_ms),
        })
    }
}
