//! Abuse limits: what a single request may ask for ([`analysis`] measures it before
//! execution), how much a client may ask for over time ([`rate`]), and how often the token
//! endpoint may be tried ([`token_rate`]).

pub mod analysis;
pub mod guard;
pub mod rate;
pub mod token_rate;

/// The per-request limits, from configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryLimits {
    pub max_depth: u64,
    pub max_fields: u64,
    pub max_aliases: u64,
    pub max_directives: usize,
    pub max_cost: u64,
    pub max_query_chars: usize,
    pub max_body_bytes: usize,
    /// Batched requests (a JSON array of operations): 0 disables batching.
    pub max_batch: usize,
    pub timeout: std::time::Duration,
    pub introspection: bool,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 10,
            max_fields: 1_000,
            max_aliases: 20,
            max_directives: 3,
            max_cost: 2_000,
            max_query_chars: 15_000,
            max_body_bytes: 128 * 1024,
            max_batch: 0,
            timeout: std::time::Duration::from_secs(15),
            introspection: true,
        }
    }
}

use crate::config::ConfigError;

fn number<T: std::str::FromStr>(
    lookup: &dyn Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match lookup(key) {
        Some(v) => v.trim().parse().map_err(|e| ConfigError(format!("{key}: {e}"))),
        None => Ok(default),
    }
}

impl QueryLimits {
    /// Reads `MEDTOUR_MAX_DEPTH`, `MEDTOUR_MAX_FIELDS`, `MEDTOUR_MAX_ALIASES`,
    /// `MEDTOUR_MAX_COST`, `MEDTOUR_MAX_QUERY_CHARS`, `MEDTOUR_MAX_BODY_BYTES`,
    /// `MEDTOUR_REQUEST_TIMEOUT_SECS` and `MEDTOUR_INTROSPECTION` (true/false).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let introspection = match lookup("MEDTOUR_INTROSPECTION").as_deref() {
            None => d.introspection,
            Some("true" | "1" | "on") => true,
            Some("false" | "0" | "off") => false,
            Some(other) => return Err(ConfigError(format!("MEDTOUR_INTROSPECTION={other}: expected true or false"))),
        };
        Ok(Self {
            max_depth: number(lookup, "MEDTOUR_MAX_DEPTH", d.max_depth)?,
            max_fields: number(lookup, "MEDTOUR_MAX_FIELDS", d.max_fields)?,
            max_aliases: number(lookup, "MEDTOUR_MAX_ALIASES", d.max_aliases)?,
            max_directives: d.max_directives,
            max_cost: number(lookup, "MEDTOUR_MAX_COST", d.max_cost)?,
            max_query_chars: number(lookup, "MEDTOUR_MAX_QUERY_CHARS", d.max_query_chars)?,
            max_body_bytes: number(lookup, "MEDTOUR_MAX_BODY_BYTES", d.max_body_bytes)?,
            max_batch: 0,
            timeout: std::time::Duration::from_secs(number(
                lookup,
                "MEDTOUR_REQUEST_TIMEOUT_SECS",
                d.timeout.as_secs(),
            )?),
            introspection,
        })
    }
}

impl rate::RateSettings {
    /// Reads `MEDTOUR_RATE_PARTNER`, `_AGENT`, `_CLINIC`, `_ADMIN`, each `MAX/RESTORE_PER_SEC`
    /// (e.g. `1000/50`).
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let spec = |key: &str, default: rate::BucketSpec| -> Result<rate::BucketSpec, ConfigError> {
            let Some(text) = lookup(key) else { return Ok(default) };
            let (max, restore) =
                text.split_once('/').ok_or_else(|| ConfigError(format!("{key}: expected MAX/RESTORE")))?;
            let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| *v > 0.0 && v.is_finite());
            match (parse(max), parse(restore)) {
                (Some(maximum), Some(restore_rate)) => Ok(rate::BucketSpec { maximum, restore_rate }),
                _ => Err(ConfigError(format!("{key}: expected two positive numbers, MAX/RESTORE"))),
            }
        };
        Ok(Self {
            partner: spec("MEDTOUR_RATE_PARTNER", d.partner)?,
            agent: spec("MEDTOUR_RATE_AGENT", d.agent)?,
            clinic: spec("MEDTOUR_RATE_CLINIC", d.clinic)?,
            admin: spec("MEDTOUR_RATE_ADMIN", d.admin)?,
        })
    }
}
