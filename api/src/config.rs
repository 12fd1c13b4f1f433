//! Configuration: one typed struct, read from the environment once at start-up.
//!
//! Every setting has a development default so `cargo run` works on a fresh machine. In
//! production mode (`MEDTOUR_ENV=production`) the defaults that would be unsafe there — the
//! embedded SQLite file, the development signing and data keys — are refused at start-up.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::SecretString;

/// Whether the server runs with development conveniences or production guarantees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Development defaults allowed; demo data and demo clients on first start.
    Development,
    /// Development defaults refused.
    Production,
}

/// All settings of the server, built once by [`Settings::from_env`].
#[derive(Clone, Debug)]
pub struct Settings {
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
    pub limits: crate::limits::QueryLimits,
    /// Query-cost buckets per role.
    pub rate: crate::limits::rate::RateSettings,
    /// `MEDTOUR_CORS_ORIGINS`: partner origins allowed to call from browsers, comma-separated.
    pub cors_origins: Vec<String>,
    /// `MEDTOUR_GRAPHIQL`: serve GraphiQL to browsers at `GET /graphql` (default: on in
    /// development, off in production).
    pub graphiql: bool,
    /// Where `/metrics` is served, and how slow clients and connection counts are bounded.
    pub server: ServerSettings,
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

/// How access tokens are signed and checked.
#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// `MEDTOUR_JWT_SIGNING_KEY` as `kid:base64url(32-byte Ed25519 seed)`.
    pub signing_kid: String,
    pub signing_seed: Secret,
    /// `MEDTOUR_JWT_VERIFY_KEYS`: older public keys still accepted, `kid:base64url(key),…`.
    pub verify_only: Vec<(String, String)>,
    /// `MEDTOUR_JWT_ISSUER` (default "medtour").
    pub issuer: String,
    /// `MEDTOUR_JWT_AUDIENCE` (default "medtour-partner-api").
    pub audience: String,
    /// `MEDTOUR_TOKEN_TTL_SECS`: access-token lifetime, at most one hour (default 3600).
    pub ttl_secs: u64,
}

/// Keys for AES-256-GCM encryption of health data.
#[derive(Clone, Debug)]
pub struct DataKeySettings {
    /// `MEDTOUR_DATA_KEY` as `kid:base64url(32 bytes)`: encrypts new values.
    pub current_kid: String,
    pub current: Secret,
    /// `MEDTOUR_DATA_KEYS_OLD`: keys that only decrypt, `kid:base64url(32 bytes),…`.
    pub old: Vec<(String, Secret)>,
}

/// The development signing key's seed (base64url). Public by design; refused in production.
pub const DEV_JWT_SIGNING_KEY: &str = "dev-1:bWVkdG91ci1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDE";
/// The development data key (base64url of 32 bytes). Public by design; refused in production.
pub const DEV_DATA_KEY: &str = "dev-1:bWVkdG91ci1kZXYtZGF0YS1rZXktbm90LXNlY3JldCE";

/// The longest access-token lifetime the API issues.
pub const MAX_TOKEN_TTL_SECS: u64 = 3600;

fn key_pair(name: &str, value: &str) -> Result<(String, String), ConfigError> {
    let (kid, key) = value
        .split_once(':')
        .filter(|(kid, key)| !kid.is_empty() && !key.is_empty())
        .ok_or_else(|| ConfigError(format!("{name}: expected KID:BASE64URL")))?;
    Ok((kid.trim().to_owned(), key.trim().to_owned()))
}

fn key_list(name: &str, value: Option<String>) -> Result<Vec<(String, String)>, ConfigError> {
    value.unwrap_or_default().split(',').filter(|s| !s.trim().is_empty()).map(|entry| key_pair(name, entry)).collect()
}

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
        let mode = match lookup("MEDTOUR_ENV").as_deref() {
            None | Some("development") | Some("dev") => Mode::Development,
            Some("production") | Some("prod") => Mode::Production,
            Some(other) => return Err(ConfigError(format!("MEDTOUR_ENV={other}: expected development or production"))),
        };
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let bind = lookup("MEDTOUR_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .map_err(|e| ConfigError(format!("MEDTOUR_BIND: {e}")))?;
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
        let (signing_kid, signing_seed) = key_pair("MEDTOUR_JWT_SIGNING_KEY", &signing)?;
        let ttl_secs = match lookup("MEDTOUR_TOKEN_TTL_SECS") {
            Some(v) => v.parse().map_err(|e| ConfigError(format!("MEDTOUR_TOKEN_TTL_SECS: {e}")))?,
            None => MAX_TOKEN_TTL_SECS,
        };
        if ttl_secs == 0 || ttl_secs > MAX_TOKEN_TTL_SECS {
            return Err(ConfigError(format!("MEDTOUR_TOKEN_TTL_SECS must be 1 to {MAX_TOKEN_TTL_SECS}")));
        }
        let jwt = JwtSettings {
            signing_kid,
            signing_seed: signing_seed.into(),
            verify_only: key_list("MEDTOUR_JWT_VERIFY_KEYS", lookup("MEDTOUR_JWT_VERIFY_KEYS"))?,
            issuer: lookup("MEDTOUR_JWT_ISSUER").unwrap_or_else(|| "medtour".to_owned()),
            audience: lookup("MEDTOUR_JWT_AUDIENCE").unwrap_or_else(|| "medtour-partner-api".to_owned()),
            ttl_secs,
        };
        let data = lookup("MEDTOUR_DATA_KEY").unwrap_or_else(|| DEV_DATA_KEY.to_owned());
        let (current_kid, current) = key_pair("MEDTOUR_DATA_KEY", &data)?;
        let data_keys = DataKeySettings {
            current_kid,
            current: current.into(),
            old: key_list("MEDTOUR_DATA_KEYS_OLD", lookup("MEDTOUR_DATA_KEYS_OLD"))?
                .into_iter()
                .map(|(kid, key)| (kid, key.into()))
                .collect(),
        };
        let limits = crate::limits::QueryLimits::from_lookup(&lookup)?;
        let rate = crate::limits::rate::RateSettings::from_lookup(&lookup)?;
        let cors_origins = lookup("MEDTOUR_CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let graphiql = match lookup("MEDTOUR_GRAPHIQL") {
            Some(v) => parse_bool("MEDTOUR_GRAPHIQL", &v)?,
            None => mode == Mode::Development,
        };
        let server = server_settings(&lookup, bind)?;
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
            graphiql,
            server,
        };
        settings.refuse_unsafe_defaults()?;
        Ok(settings)
    }

    fn refuse_unsafe_defaults(&self) -> Result<(), ConfigError> {
        if self.mode == Mode::Production && self.database_url == DEFAULT_DATABASE_URL {
            return Err(ConfigError("production mode needs an explicit DATABASE_URL".into()));
        }
        if self.mode == Mode::Production {
            use secrecy::ExposeSecret;
            let dev_jwt = key_pair("", DEV_JWT_SIGNING_KEY)?;
            if self.jwt.signing_seed.expose_secret() == dev_jwt.1 {
                return Err(ConfigError("production mode refuses the development MEDTOUR_JWT_SIGNING_KEY".into()));
            }
            let dev_data = key_pair("", DEV_DATA_KEY)?;
            let uses_dev_data = self.data_keys.current.expose_secret() == dev_data.1
                || self.data_keys.old.iter().any(|(_, k)| k.expose_secret() == dev_data.1);
            if uses_dev_data {
                return Err(ConfigError("production mode refuses the development MEDTOUR_DATA_KEY".into()));
            }
        }
        Ok(())
    }
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        other => Err(ConfigError(format!("{key}={other}: expected true or false"))),
    }
}

/// Keeps a secret out of `Debug` output and logs.
pub type Secret = SecretString;

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
