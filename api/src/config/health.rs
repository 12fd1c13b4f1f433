//! How long patient data is kept after a quote closes, and how often that is checked.

use std::time::Duration;

use super::{ConfigError, Lookup};

/// The health-data settings.
#[derive(Clone, Debug)]
pub struct HealthDataSettings {
    /// `MEDTOUR_PATIENT_DATA_RETENTION_DAYS` (unset: keep): the patient data of a quote
    /// closed longer ago than this many days is erased automatically.
    pub retention_days: Option<u32>,
    /// `MEDTOUR_PATIENT_DATA_RETENTION_POLL_SECS` (default 3600): how often the retention task
    /// looks for quotes to erase when nobody rang.
    pub retention_poll: Duration,
}

impl HealthDataSettings {
    /// Reads `MEDTOUR_PATIENT_DATA_RETENTION_*`.
    pub(super) fn from_lookup(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        let bounded = |key: &str, max: u64| -> Result<Option<u64>, ConfigError> {
            lookup(key)
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.trim()
                        .parse()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| ConfigError(format!("{key}={v}: expected a whole number from 1 to {max}")))
                })
                .transpose()
        };
        Ok(Self {
            retention_days: bounded("MEDTOUR_PATIENT_DATA_RETENTION_DAYS", 36_500)?.map(|d| d as u32),
            retention_poll: Duration::from_secs(
                bounded("MEDTOUR_PATIENT_DATA_RETENTION_POLL_SECS", 86_400)?.unwrap_or(3600),
            ),
        })
    }
}
