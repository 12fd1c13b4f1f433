//! The limits' settings: what one request may ask for, the cost buckets per role, and the
//! token endpoint's budgets; read from `MEDTOUR_MAX_*`, `MEDTOUR_RATE_*`, `MEDTOUR_WS_*` and
//! `MEDTOUR_TOKEN_RATE_*`. [`limits`](crate::limits) enforces them.

use std::time::Duration;

use super::{ConfigError, Lookup, number, parse_bool};

/// Brackets, braces and parentheses a document may nest by default: deeper than any real
/// query (graphql-js's introspection query nests 14), far below what overflows a parser.
pub const DEFAULT_MAX_NESTING: usize = 64;

/// The per-request limits, from configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryLimits {
    pub max_depth: u64,
    pub max_fields: u64,
    pub max_aliases: u64,
    pub max_directives: usize,
    /// Brackets, braces and parentheses a document (or its variables) may nest.
    pub max_nesting: usize,
    /// How deep an introspection query (`__schema`, `__type`) may nest: graphql-js's
    /// standard query needs 14 levels, more than any partner query is allowed.
    pub max_introspection_depth: u64,
    pub max_cost: u64,
    pub max_query_chars: usize,
    pub max_body_bytes: usize,
    /// Batched requests (a JSON array of operations): 0 disables batching.
    pub max_batch: usize,
    pub timeout: Duration,
    pub introspection: bool,
    /// Websockets one client may hold open (per process).
    pub ws_max_sockets: usize,
    /// Subscriptions one client may run at once (per process).
    pub ws_max_subscriptions: usize,
    /// How long a websocket may wait before sending `connection_init` (closed with 4408).
    pub ws_init_timeout: Duration,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 10,
            max_fields: 1_000,
            max_aliases: 20,
            max_directives: 3,
            max_nesting: DEFAULT_MAX_NESTING,
            max_introspection_depth: 16,
            max_cost: 2_000,
            max_query_chars: 15_000,
            max_body_bytes: 128 * 1024,
            max_batch: 0,
            timeout: Duration::from_secs(15),
            introspection: true,
            ws_max_sockets: 8,
            ws_max_subscriptions: 32,
            ws_init_timeout: Duration::from_secs(10),
        }
    }
}

/// Size and refill rate of one role's buckets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BucketSpec {
    /// Points a full bucket holds.
    pub maximum: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

/// Bucket sizes per role.
#[derive(Clone, Debug, PartialEq)]
pub struct RateSettings {
    pub partner: BucketSpec,
    pub agent: BucketSpec,
    pub clinic: BucketSpec,
    pub admin: BucketSpec,
}

impl Default for RateSettings {
    fn default() -> Self {
        let standard = BucketSpec { maximum: 2000.0, restore_rate: 100.0 };
        Self {
            partner: standard,
            agent: standard,
            clinic: standard,
            admin: BucketSpec { maximum: 4000.0, restore_rate: 200.0 },
        }
    }
}

/// The budget sizes, each per minute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenRateSettings {
    /// Attempts per client address (`MEDTOUR_TOKEN_RATE_PER_ADDRESS`).
    pub per_address: f64,
    /// Failed attempts per client id from one address (`MEDTOUR_TOKEN_RATE_FAILURES`).
    pub failures_per_address: f64,
    /// Failed attempts per client id from all addresses
    /// (`MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT`).
    pub failures_per_client: f64,
}

impl Default for TokenRateSettings {
    fn default() -> Self {
        Self { per_address: 60.0, failures_per_address: 10.0, failures_per_client: 100.0 }
    }
}

impl QueryLimits {
    /// Reads `MEDTOUR_MAX_DEPTH`, `MEDTOUR_MAX_FIELDS`, `MEDTOUR_MAX_ALIASES`,
    /// `MEDTOUR_MAX_NESTING`, `MEDTOUR_MAX_INTROSPECTION_DEPTH`, `MEDTOUR_MAX_COST`,
    /// `MEDTOUR_MAX_QUERY_CHARS`, `MEDTOUR_MAX_BODY_BYTES`, `MEDTOUR_REQUEST_TIMEOUT_SECS`,
    /// `MEDTOUR_INTROSPECTION` and the `MEDTOUR_WS_*` limits.
    pub(super) fn from_lookup(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let introspection = match lookup("MEDTOUR_INTROSPECTION") {
            None => d.introspection,
            Some(value) => parse_bool("MEDTOUR_INTROSPECTION", &value)?,
        };
        Ok(Self {
            max_depth: number(lookup, "MEDTOUR_MAX_DEPTH", d.max_depth)?,
            max_fields: number(lookup, "MEDTOUR_MAX_FIELDS", d.max_fields)?,
            max_aliases: number(lookup, "MEDTOUR_MAX_ALIASES", d.max_aliases)?,
            max_directives: d.max_directives,
            max_nesting: number(lookup, "MEDTOUR_MAX_NESTING", d.max_nesting)?,
            max_introspection_depth: number(lookup, "MEDTOUR_MAX_INTROSPECTION_DEPTH", d.max_introspection_depth)?,
            max_cost: number(lookup, "MEDTOUR_MAX_COST", d.max_cost)?,
            max_query_chars: number(lookup, "MEDTOUR_MAX_QUERY_CHARS", d.max_query_chars)?,
            max_body_bytes: number(lookup, "MEDTOUR_MAX_BODY_BYTES", d.max_body_bytes)?,
            max_batch: 0,
            timeout: Duration::from_secs(number(lookup, "MEDTOUR_REQUEST_TIMEOUT_SECS", d.timeout.as_secs())?),
            introspection,
            ws_max_sockets: number(lookup, "MEDTOUR_WS_MAX_SOCKETS", d.ws_max_sockets)?,
            ws_max_subscriptions: number(lookup, "MEDTOUR_WS_MAX_SUBSCRIPTIONS", d.ws_max_subscriptions)?,
            ws_init_timeout: Duration::from_secs(number(
                lookup,
                "MEDTOUR_WS_INIT_TIMEOUT_SECS",
                d.ws_init_timeout.as_secs(),
            )?),
        })
    }
}

impl RateSettings {
    /// Reads `MEDTOUR_RATE_PARTNER`, `_AGENT`, `_CLINIC`, `_ADMIN`, each `MAX/RESTORE_PER_SEC`
    /// (e.g. `1000/50`).
    pub(super) fn from_lookup(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        let d = Self::default();
        let spec = |key: &str, default: BucketSpec| -> Result<BucketSpec, ConfigError> {
            let Some(text) = lookup(key) else { return Ok(default) };
            let (max, restore) =
                text.split_once('/').ok_or_else(|| ConfigError(format!("{key}: expected MAX/RESTORE")))?;
            let parse = |s: &str| s.trim().parse::<f64>().ok().filter(|v| *v > 0.0 && v.is_finite());
            match (parse(max), parse(restore)) {
                (Some(maximum), Some(restore_rate)) => Ok(BucketSpec { maximum, restore_rate }),
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
