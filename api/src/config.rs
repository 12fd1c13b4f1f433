//! Configuration: one typed struct, read from the environment once at start-up.
//!
//! Every setting has a development default so `cargo run` works on a fresh machine. The mode
//! decides whether those defaults may be used: development when `MEDTOUR_ENV=development`,
//! production when `MEDTOUR_ENV=production`, and with `MEDTOUR_ENV` unset development only
//! while the server binds a loopback address — anything else is refused at start-up rather
//! than served on public keys. Production refuses what would be unsafe there: the embedded
//! SQLite file, the development keys (compared by their decoded bytes) and demo data.

mod cache;
mod health;
mod keys;
mod limits;
#[cfg(test)]
mod tests;
mod webhooks;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;

pub use self::cache::CacheSettings;
pub use self::health::HealthDataSettings;
pub use self::keys::{
    DEV_DATA_KEY, DEV_JWT_SIGNING_KEY, DataKeySettings, JwtSettings, SecretKey, development_public_key, parse_key,
};
pub use self::limits::{BucketSpec, DEFAULT_MAX_NESTING, QueryLimits, RateSettings, TokenRateSettings};
pub use self::webhooks::WebhookSettings;

/// Whether the server runs with development conveniences or production guarantees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Development defaults allowed; demo data and demo clients on first start.
    Development,
    /// Development defaults and demo data refused.
    Production,
}

impl Mode {
    /// `MEDTOUR_ENV`, or when it is unset, development only on a loopback address.
    fn resolve(env: Option<&str>, bind: SocketAddr) -> Result<Self, ConfigError> {
        match env {
            Some("development") => Ok(Mode::Development),
            Some("production") => Ok(Mode::Production),
            Some(other) => Err(ConfigError(format!("MEDTOUR_ENV={other}: expected development or production"))),
            None if bind.ip().to_canonical().is_loopback() => Ok(Mode::Development),
            None => Err(ConfigError(format!(
                "MEDTOUR_ENV is not set and MEDTOUR_BIND={bind} is not a loopback address: set \
                 MEDTOUR_ENV=production to serve there (or MEDTOUR_ENV=development to serve the public \
                 development keys and demo data there)"
            ))),
        }
    }
}

/// All settings of the server, built once by [`Settings::from_env`].
#[derive(Clone, Debug)]
pub struct Settings {
    /// `MEDTOUR_ENV`, or without it the bind address, decides (see [`Mode`]).
    pub mode: Mode,
    /// `DATABASE_URL`; defaults to an SQLite file in the working directory.
    pub database_url: String,
    /// `MEDTOUR_BIND`; defaults to 127.0.0.1:8080. Port 0 picks a free port.
    pub bind: SocketAddr,
    /// `MEDTOUR_DEMO`: load demo data into an empty database at start-up (default: on in
    /// development, off in production).
    pub load_demo_data: bool,
    /// `MEDTOUR_DEMO_CLIENTS`: with demo data, also create and print one client per role
    /// (default: same as `MEDTOUR_DEMO`).
    pub demo_clients: bool,
    /// `MEDTOUR_DB_POOL`: maximum database connections.
    pub db_pool_size: u32,
    /// `MEDTOUR_LOG_JSON`: structured JSON logs instead of human-readable lines.
    pub log_json: bool,
    /// Token signing and verification keys.
    pub jwt: JwtSettings,
    /// Keys that encrypt health data at rest.
    pub data_keys: DataKeySettings,
    /// Per-request query limits.
    pub limits: QueryLimits,
    /// Query-cost buckets per role.
    pub rate: RateSettings,
    /// `MEDTOUR_CORS_ORIGINS`: partner origins allowed to call from browsers, comma-separated.
    pub cors_origins: Vec<String>,
    /// `MEDTOUR_TRUSTED_PROXIES`: the proxies (addresses or CIDRs, comma-separated) whose
    /// `Forwarded` or `X-Forwarded-For` header names the client address.
    pub trusted_proxies: Vec<IpNet>,
    /// The token endpoint's budgets: `MEDTOUR_TOKEN_RATE_PER_ADDRESS`,
    /// `MEDTOUR_TOKEN_RATE_FAILURES`, `MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT`, each per minute.
    pub token_rate: TokenRateSettings,
    /// `MEDTOUR_GRAPHIQL`: serve GraphiQL to browsers at `GET /graphql` (default: on in
    /// development, off in production).
    pub graphiql: bool,
    /// Where `/metrics` is served, and how slow clients and connection counts are bounded.
    pub server: ServerSettings,
    /// Which webhook URLs are accepted and how deliveries are paced (`MEDTOUR_WEBHOOK_*`).
    pub webhooks: WebhookSettings,
    /// The catalogue response cache (`MEDTOUR_RESPONSE_CACHE_BYTES`, `MEDTOUR_CATALOGUE_POLL_MS`).
    pub cache: CacheSettings,
    /// How long patient data is kept after a quote closes (`MEDTOUR_PATIENT_DATA_RETENTION_*`).
    pub health_data: HealthDataSettings,
}

/// How the listeners treat connections, and where `/metrics` is served.
#[derive(Clone, Debug)]
pub struct ServerSettings {
    /// `MEDTOUR_METRICS_BIND`: a listener of its own for `/metrics`, which the main listener
    /// then answers 404; unset, `/metrics` is served on the main listener. Port 0 picks a
    /// free port.
    pub metrics_bind: Option<SocketAddr>,
    /// `MEDTOUR_HEADER_TIMEOUT_SECS` (default 10): how long a client has to send a request's
    /// headers, from its connection's start or the end of its previous response; a connection
    /// idle for as long is closed.
    pub header_timeout: Duration,
    /// `MEDTOUR_BODY_TIMEOUT_SECS` (default 20): how long a request's body has to arrive in
    /// full, from the end of its headers (408 after).
    pub body_timeout: Duration,
    /// `MEDTOUR_MAX_CONNECTIONS` (default 1024): open connections per listener; more wait to
    /// be accepted until one closes.
    pub max_connections: usize,
}

/// The longest access-token lifetime the API issues.
pub const MAX_TOKEN_TTL_SECS: u64 = 3600;

/// Reads `MEDTOUR_METRICS_BIND`, `MEDTOUR_HEADER_TIMEOUT_SECS`, `MEDTOUR_BODY_TIMEOUT_SECS` and
/// `MEDTOUR_MAX_CONNECTIONS`.
fn server_settings(lookup: &dyn Fn(&str) -> Option<String>, bind: SocketAddr) -> Result<ServerSettings, ConfigError> {
    // A day and a million: far beyond any sensible value, and short of overflowing a deadline
    // or the connection semaphore.
    let count = |key: &str, default: u64, max: u64| match lookup(key) {
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ConfigError(format!("{key}={v}: expected a whole number from 1 to {max}"))),
        None => Ok(default),
    };
    let secs = |key: &str, default: u64| count(key, default, 86_400).map(Duration::from_secs);
    let metrics_bind = match lookup("MEDTOUR_METRICS_BIND").filter(|v| !v.trim().is_empty()) {
        Some(v) => Some(v.trim().parse().map_err(|e| ConfigError(format!("MEDTOUR_METRICS_BIND: {e}")))?),
        None => None,
    };
    if metrics_bind == Some(bind) && bind.port() != 0 {
        return Err(ConfigError("MEDTOUR_METRICS_BIND must differ from MEDTOUR_BIND".into()));
    }
    Ok(ServerSettings {
        metrics_bind,
        header_timeout: secs("MEDTOUR_HEADER_TIMEOUT_SECS", 10)?,
        body_timeout: secs("MEDTOUR_BODY_TIMEOUT_SECS", 20)?,
        max_connections: count("MEDTOUR_MAX_CONNECTIONS", 1024, 1_000_000)? as usize,
    })
}

/// The SQLite file used when no `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://medtour.sqlite?mode=rwc";

/// A setting that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the settings through `lookup`, so tests can configure without touching the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind = lookup("MEDTOUR_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|e| ConfigError(format!("MEDTOUR_BIND: {e}")))?;
        let mode = Mode::resolve(lookup("MEDTOUR_ENV").as_deref(), bind)?;
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let load_demo_data = match lookup("MEDTOUR_DEMO") {
            Some(v) => parse_bool("MEDTOUR_DEMO", &v)?,
            None => mode == Mode::Development,
        };
        let demo_clients = match lookup("MEDTOUR_DEMO_CLIENTS") {
            Some(v) => parse_bool("MEDTOUR_DEMO_CLIENTS", &v)?,
            None => load_demo_data,
        };
        let db_pool_size = match lookup("MEDTOUR_DB_POOL") {
            Some(v) => v.parse().map_err(|e| ConfigError(format!("MEDTOUR_DB_POOL: {e}")))?,
            None => 16,
        };
        let log_json = match lookup("MEDTOUR_LOG_JSON") {
            Some(v) => parse_bool("MEDTOUR_LOG_JSON", &v)?,
            None => mode == Mode::Production,
        };
        let signing = lookup("MEDTOUR_JWT_SIGNING_KEY").unwrap_or_else(|| DEV_JWT_SIGNING_KEY.to_owned());
        let (signing_kid, signing_seed) = parse_key("MEDTOUR_JWT_SIGNING_KEY", &signing)?;
        let ttl_secs = match lookup("MEDTOUR_TOKEN_TTL_SECS") {
            Some(v) => v.parse().map_err(|e| ConfigError(format!("MEDTOUR_TOKEN_TTL_SECS: {e}")))?,
            None => MAX_TOKEN_TTL_SECS,
        };
        if ttl_secs == 0 || ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(ConfigError(format!("MEDTOUR_TOKEN_TTL_SECS must be 1 to {MAX_TOKEN_TTL_SECS}")));
        }
        let jwt = JwtSettings {
            signing_kid,
            signing_seed: SecretKey::new(signing_seed),
            verify_only: keys::parse_keys("MEDTOUR_JWT_VERIFY_KEYS", lookup("MEDTOUR_JWT_VERIFY_KEYS"))?,
            issuer: lookup("MEDTOUR_JWT_ISSUER").unwrap_or_else(|| "medtour".to_owned()),
            audience: lookup("MEDTOUR_JWT_AUDIENCE").unwrap_or_else(|| "medtour-partner-api".to_owned()),
            ttl_secs,
        };
        let data = lookup("MEDTOUR_DATA_KEY").unwrap_or_else(|| DEV_DATA_KEY.to_owned());
        let (current_kid, current) = parse_key("MEDTOUR_DATA_KEY", &data)?;
        let data_keys = DataKeySettings {
            current_kid,
            current: SecretKey::new(current),
            old: keys::parse_keys("MEDTOUR_DATA_KEYS_OLD", lookup("MEDTOUR_DATA_KEYS_OLD"))?
                .into_iter()
                .map(|(kid, key)| (kid, SecretKey::new(key)))
                .collect(),
        };
        let limits = QueryLimits::from_lookup(&lookup)?;
        let rate = RateSettings::from_lookup(&lookup)?;
        let cors_origins = lookup("MEDTOUR_CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let trusted_proxies = trusted_proxies(lookup("MEDTOUR_TRUSTED_PROXIES"))?;
        let d = TokenRateSettings::default();
        let token_rate = TokenRateSettings {
            per_address: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_PER_ADDRESS", d.per_address)?,
            failures_per_address: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_FAILURES", d.failures_per_address)?,
            failures_per_client: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT", d.failures_per_client)?,
        };
        let graphiql = match lookup("MEDTOUR_GRAPHIQL") {
            Some(v) => parse_bool("MEDTOUR_GRAPHIQL", &v)?,
            None => mode == Mode::Development,
        };
        let server = server_settings(&lookup, bind)?;
        let webhooks = WebhookSettings::from_lookup(&lookup, mode)?;
        let cache = CacheSettings::from_lookup(&lookup)?;
        let health_data = HealthDataSettings::from_lookup(&lookup)?;
        let settings = Self {
            mode,
            database_url,
            bind,
            load_demo_data,
            demo_clients,
            db_pool_size,
            log_json,
            jwt,
            data_keys,
            limits,
            rate,
            cors_origins,
            trusted_proxies,
            token_rate,
            graphiql,
            server,
            webhooks,
            cache,
            health_data,
        };
        settings.refuse_unsafe()?;
        Ok(settings)
    }

    /// Refuses, in production mode, every setting that is unsafe there: the embedded
    /// database, a development key, demo data or demo clients. [`Settings::from_lookup`]
    /// calls it, and so does `Application::build`, for settings assembled by hand.
    pub fn refuse_unsafe(&self) -> Result<(), ConfigError> {
        if self.mode != Mode::Production {
            return Ok(());
        }
        if self.database_url == DEFAULT_DATABASE_URL {
            return Err(ConfigError("production mode needs an explicit DATABASE_URL".into()));
        }
        if self.load_demo_data {
            return Err(ConfigError(
                "production mode refuses MEDTOUR_DEMO=true: demo data, and the demo clients printed with \
                 their secrets (an ADMIN among them), are for development only"
                    .into(),
            ));
        }
        if self.demo_clients {
            return Err(ConfigError(
                "production mode refuses MEDTOUR_DEMO_CLIENTS=true: demo clients print their secrets, an \
                 ADMIN's among them"
                    .into(),
            ));
        }
        keys::refuse_development_keys(&self.jwt, &self.data_keys)
    }
}

/// A boolean setting: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`.
fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(ConfigError(format!("{key}={other}: expected true or false"))),
    }
}

/// Trusted proxies: IP addresses or CIDRs, IPv4 or IPv6, comma-separated.
fn trusted_proxies(value: Option<String>) -> Result<Vec<IpNet>, ConfigError> {
    let entries = value.unwrap_or_default();
    entries
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .map(|net| net.trunc())
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError(format!("MEDTOUR_TRUSTED_PROXIES: {entry:?} is not an IP address or CIDR")))
        })
        .collect()
}

/// A budget per minute: a positive number.
fn per_minute(lookup: &impl Fn(&str) -> Option<String>, key: &str, default: f64) -> Result<f64, ConfigError> {
    let Some(text) = lookup(key) else { return Ok(default) };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| *v >= 1.0 && v.is_finite())
        .ok_or_else(|| ConfigError(format!("{key}={text}: expected a number of attempts per minute, at least 1")))
}

/// How settings are looked up by name: the process environment, or a test's table.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// A number setting, or `default` when unset.
fn number<T: std::str::FromStr>(lookup: Lookup<'_>, key: &str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match lookup(key) {
        Some(v) => v.trim().parse().map_err(|e| ConfigError(format!("{key}: {e}"))),
        None => Ok(default),
    }
}
