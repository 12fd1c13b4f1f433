//! Authentication and authorization.
//!
//! A tour: [`clients`] creates, revokes and authenticates API clients (Argon2id hashes);
//! [`token`] signs and verifies EdDSA JWTs with keys from [`keys`] (the token endpoint that
//! issues them is transport: `http::oauth`); [`bearer`] turns an `Authorization` header into
//! a [`Caller`](caller::Caller), checking revocation through [`revocation`]; [`caller`] holds
//! the caller and the scope and role guards; [`role`] the roles and scopes. Tenancy itself is
//! applied where data is read (see `quotes::scope`).

pub mod bearer;
pub mod caller;
pub mod clients;
pub mod keys;
pub mod revocation;
pub mod role;
pub mod token;

use crate::config::{ConfigError, JwtSettings};
use crate::time::Clock;

/// Everything token handling needs, built once at start-up.
pub struct Auth {
    pub keys: keys::KeyRing,
    pub settings: JwtSettings,
    pub clients: revocation::ClientStatusCache,
    /// Tokens whose signature has been checked.
    pub verified: token::VerifiedTokens,
}

impl Auth {
    /// Builds the key ring from settings; the client-status cache ages by `clock`.
    pub fn new(settings: &JwtSettings, clock: Clock) -> Result<Self, ConfigError> {
        Ok(Self {
            keys: keys::KeyRing::from_settings(settings)?,
            settings: settings.clone(),
            clients: revocation::ClientStatusCache::new(clock),
            verified: token::VerifiedTokens::default(),
        })
    }
}
