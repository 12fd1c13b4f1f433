//! Authentication and authorization.
//!
//! A tour: [`clients`] creates, revokes and authenticates API clients (Argon2id hashes);
//! [`oauth`] is the client-credentials token endpoint (RFC 6749 §4.4) and the JWK set;
//! [`token`] signs and verifies EdDSA JWTs with keys from [`keys`]; [`bearer`] turns an
//! `Authorization` header into a [`Caller`](caller::Caller), checking revocation through
//! [`revocation`]; [`caller`] holds the caller and the role guard; [`viewer`] tells a caller
//! who it is. Tenancy itself is applied where data is read (see `quotes::scope`).

pub mod bearer;
pub mod caller;
pub mod clients;
pub mod keys;
pub mod oauth;
pub mod revocation;
pub mod role;
pub mod token;
pub mod viewer;

use crate::config::{ConfigError, JwtSettings};
use crate::time::Clock;

/// Everything token handling needs, built once at start-up.
pub struct Auth {
    pub keys: keys::KeyRing,
    pub settings: JwtSettings,
    pub clients: revocation::ClientStatusCache,
}

impl Auth {
    /// Builds the key ring from settings; the client-status cache ages by `clock`.
    pub fn new(settings: &JwtSettings, clock: Clock) -> Result<Self, ConfigError> {
        Ok(Self {
            keys: keys::KeyRing::from_settings(settings)?,
            settings: settings.clone(),
            clients: revocation::ClientStatusCache::new(clock),
        })
    }
}
