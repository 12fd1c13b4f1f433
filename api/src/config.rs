//! Configuration: one typed struct, read from the environment once at start-up.
//!
//! Every setting has a development default so `cargo run` works on a fresh machine. In
//! production mode (`MEDTOUR_ENV=production`) the defaults that would be unsafe there — the
//! embedded SQLite file, the development signing and data keys — are refused at start-up.

use std::net::SocketAddr;

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
    /// `MEDTOUR_DB_POOL`: maximum database connections.
    pub db_pool_size: u32,
    /// `MEDTOUR_LOG_JSON`: structured JSON logs instead of human-readable lines.
    pub log_json: bool,
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
        let db_pool_size = match lookup("MEDTOUR_DB_POOL") {
            Some(v) => v.parse().map_err(|e| ConfigError(format!("MEDTOUR_DB_POOL: {e}")))?,
            None => 16,
        };
        let log_json = match lookup("MEDTOUR_LOG_JSON") {
            Some(v) => parse_bool("MEDTOUR_LOG_JSON", &v)?,
            None => mode == Mode::Production,
        };
        let settings = Self { mode, database_url, bind, load_demo_data, db_pool_size, log_json };
        settings.refuse_unsafe_defaults()?;
        Ok(settings)
    }

    fn refuse_unsafe_defaults(&self) -> Result<(), ConfigError> {
        if self.mode == Mode::Production && self.database_url == DEFAULT_DATABASE_URL {
            return Err(ConfigError("production mode needs an explicit DATABASE_URL".into()));
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
    fn malformed_values_are_refused_with_their_name() {
        let err = settings(&[("MEDTOUR_BIND", "nowhere")]).unwrap_err();
        assert!(err.to_string().contains("MEDTOUR_BIND"));
    }
}
