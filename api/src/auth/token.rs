//! Access tokens: EdDSA-signed JWTs with a pinned algorithm, a `kid` looked up in the key
//! ring, and strictly typed claims.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};

use super::keys::KeyRing;
use super::role::Role;
use crate::config::JwtSettings;

/// Seconds of clock skew tolerated on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 30;

/// The claims of a Medtour access token. Numeric dates must be numbers: a token whose `exp`
/// is a string fails to deserialize and is refused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    pub role: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// Space-separated scopes granted.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic_id: Option<i32>,
}

/// Why a token was refused (kept coarse for the client; detailed enough for logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's key id is unknown")]
    UnknownKey,
    #[error("the token is expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's signature, algorithm, issuer, audience or claims are invalid")]
    Invalid,
}

/// What a token is issued for.
pub struct Grant<'a> {
    pub client_id: &'a str,
    pub role: Role,
    pub scope: &'a str,
    pub partner_id: Option<i32>,
    pub clinic_id: Option<i32>,
}

/// Signs a token for `grant`; returns it with its lifetime in seconds.
pub fn issue(
    keys: &KeyRing,
    settings: &JwtSettings,
    grant: &Grant<'_>,
    now: DateTime<Utc>,
) -> Result<(String, u64), jsonwebtoken::errors::Error> {
    let now = now.timestamp();
    let claims = Claims {
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        sub: grant.client_id.to_owned(),
        role: grant.role.as_str().to_owned(),
        iat: now,
        nbf: now,
        exp: now + settings.ttl_secs as i64,
        jti: uuid::Uuid::new_v4().to_string(),
        scope: grant.scope.to_owned(),
        partner_id: grant.partner_id,
        clinic_id: grant.clinic_id,
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.signing_kid.clone());
    Ok((encode(&header, &claims, &keys.signing)?, settings.ttl_secs))
}

/// Verifies `token`: EdDSA only, a known `kid`, the configured issuer and audience, `exp`
/// and `nbf` within [`LEEWAY_SECS`] of `now` (the application's clock, not the library's),
/// and every required claim present and well typed.
pub fn verify(keys: &KeyRing, settings: &JwtSettings, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
    let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
    if header.alg != Algorithm::EdDSA {
        return Err(TokenError::Invalid);
    }
    let kid = header.kid.ok_or(TokenError::UnknownKey)?;
    let key = keys.verifying_key(&kid).ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    // The dates are checked below against the injected clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    let data = decode::<Claims>(token, key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            _ => TokenError::Invalid,
        }
    })?;
    if Role::parse(&data.claims.role).is_none() || data.claims.sub.is_empty() {
        return Err(TokenError::Invalid);
    }
    check_dates(&data.claims, now)?;
    Ok(data.claims)
}

/// `exp` and `nbf` against `now`, each with [`LEEWAY_SECS`] of tolerance.
pub fn check_dates(claims: &Claims, now: DateTime<Utc>) -> Result<(), TokenError> {
    let now = now.timestamp();
    let leeway = LEEWAY_SECS as i64;
    if now > claims.exp.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    if claims.nbf > now.saturating_add(leeway) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}
