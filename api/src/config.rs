//! Configuration: one typed struct, read from the environment once at start-up.
//!
//! Every setting has a development default so `cargo run` works on a fresh machine. In
//! production mode (`MEDTOUR_ENV=production`) the defaults that would be unsafe there — the
//! embedded SQLite file, the development signing and data keys — are refused at start-up.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;
use secrecy::SecretString;

use crate::limits::token_rate::TokenRateSettings;

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
    /// `MEDTOUR_TRUSTED_PROXIES`: the proxies (addresses or CIDRs, comma-separated) whose
    /// `Forwarded` or `X-Forwarded-For` header names the client address.
    pub trusted_proxies: Vec<IpNet>,
    /// The token endpoint's budgets: `MEDTOUR_TOKEN_RATE_PER_ADDRESS`,
    /// `MEDTOUR_TOKEN_RATE_FAILURES`, `MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT`, each per minute.
    pub token_rate: TokenRateSettings,
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
        let trusted_proxies = trusted_proxies(lookup("MEDTOUR_TRUSTED_PROXIES"))?;
        let d = TokenRateSettings::default();
        let token_rate = TokenRateSettings {
            per_address: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_PER_ADDRESS", d.per_address)?,
            failures_per_address: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_FAILURES", d.failures_per_address)?,
            failures_per_client: per_minute(&lookup, "MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT", d.failures_per_client)?,
        };
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

/// Keeps a secret out of `Debug` output and logs.
pub type Secret = SecretString;

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_lookup(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn development_defaults_need_no_environment() {
        let s = settings(&[]).expect("defaults are valid");
        assert_eq!(s.mode, Mode::Development);
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert!(s.load_demo_data);
    }

    #[test]
    fn production_refuses_the_embedded_database_default() {
        assert!(settings(&[("MEDTOUR_ENV", "production")]).is_err());
    }

    #[test]
    fn production_refuses_the_development_keys() {
        let db = ("DATABASE_URL", "postgres://db/medtour");
        let err = settings(&[("MEDTOUR_ENV", "production"), db]).unwrap_err();
        assert!(err.to_string().contains("MEDTOUR_JWT_SIGNING_KEY"), "{err}");
        let own_jwt = ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        let err = settings(&[("MEDTOUR_ENV", "production"), db, own_jwt]).unwrap_err();
        assert!(err.to_string().contains("MEDTOUR_DATA_KEY"), "{err}");
        let own_data = ("MEDTOUR_DATA_KEY", "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE");
        assert!(settings(&[("MEDTOUR_ENV", "production"), db, own_jwt, own_data]).is_ok());
    }

    #[test]
    fn token_lifetimes_above_an_hour_are_refused() {
        assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "3601")]).is_err());
        assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "0")]).is_err());
        assert_eq!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "600")]).unwrap().jwt.ttl_secs, 600);
    }

    #[test]
    fn malformed_values_are_refused_with_their_name() {
        let cases = [
            ("MEDTOUR_BIND", "nowhere"),
            ("MEDTOUR_TRUSTED_PROXIES", "10.0.0.1,proxy.internal"),
            ("MEDTOUR_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "0"),
            ("MEDTOUR_TOKEN_RATE_FAILURES", "-5"),
            ("MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT", "lots"),
            ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "inf"),
        ];
        for (key, value) in cases {
            let err = settings(&[(key, value)]).expect_err(value);
            assert!(err.to_string().contains(key), "{key}={value}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks_of_either_family() {
        let s = settings(&[("MEDTOUR_TRUSTED_PROXIES", " 127.0.0.1, 10.1.2.3/8 ,2001:db8::/64,::1,")]).unwrap();
        let expected: Vec<IpNet> =
            ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/64", "::1/128"].iter().map(|n| n.parse().unwrap()).collect();
        assert_eq!(s.trusted_proxies, expected);
        assert!(settings(&[]).unwrap().trusted_proxies.is_empty(), "none by default");
    }

    #[test]
    fn token_endpoint_budgets_can_be_sized() {
        assert_eq!(settings(&[]).unwrap().token_rate, TokenRateSettings::default());
        let s = settings(&[("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "5"), ("MEDTOUR_TOKEN_RATE_FAILURES", "2")]).unwrap();
        assert_eq!((s.token_rate.per_address, s.token_rate.failures_per_address), (5.0, 2.0));
    }
}
