//! How webhooks are delivered: which URLs are acceptable, and the delivery worker's pace.

use std::time::Duration;

use super::{ConfigError, Lookup, Mode, parse_bool};

/// The webhook settings.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// `MEDTOUR_WEBHOOK_ALLOW_INSECURE`: accept `http://` URLs and loopback addresses
    /// (default: on in development, off in production). Private, link-local and metadata
    /// addresses stay refused in production either way.
    pub allow_insecure: bool,
    /// True in production: endpoint addresses must be public, checked again on the resolved
    /// address of every attempt.
    pub public_addresses_only: bool,
    /// `MEDTOUR_WEBHOOK_TIMEOUT_SECS` (default 10): how long one attempt may take.
    pub timeout: Duration,
    /// `MEDTOUR_WEBHOOK_POLL_MS` (default 1000): how often the worker looks for due
    /// deliveries when nobody rang (deliveries written by other replicas, retries).
    pub poll_interval: Duration,
    /// `MEDTOUR_WEBHOOK_CONCURRENCY` (default 16): attempts in flight per replica.
    pub concurrency: usize,
    /// `MEDTOUR_WEBHOOK_WORKER` (default on): run the delivery worker in this process.
    pub worker: bool,
}

impl WebhookSettings {
    /// Reads the `MEDTOUR_WEBHOOK_*` settings.
    pub(super) fn from_lookup(lookup: Lookup<'_>, mode: Mode) -> Result<Self, ConfigError> {
        let flag = |key: &str, default: bool| lookup(key).map_or(Ok(default), |v| parse_bool(key, &v));
        let bounded = |key: &str, default: u64, max: u64| -> Result<u64, ConfigError> {
            match lookup(key) {
                Some(v) => v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| ConfigError(format!("{key}={v}: expected a whole number from 1 to {max}"))),
                None => Ok(default),
            }
        };
        Ok(Self {
            allow_insecure: flag("MEDTOUR_WEBHOOK_ALLOW_INSECURE", mode == Mode::Development)?,
            public_addresses_only: mode == Mode::Production,
            timeout: Duration::from_secs(bounded("MEDTOUR_WEBHOOK_TIMEOUT_SECS", 10, 60)?),
            poll_interval: Duration::from_millis(bounded("MEDTOUR_WEBHOOK_POLL_MS", 1000, 60_000)?),
            concurrency: bounded("MEDTOUR_WEBHOOK_CONCURRENCY", 16, 256)? as usize,
            worker: flag("MEDTOUR_WEBHOOK_WORKER", true)?,
        })
    }
}
