//! Access tokens: EdDSA-signed JWTs with a pinned algorithm, a `kid` looked up in the key
//! ring, and strictly typed claims.

use std::num::NonZeroUsize;
use std::sync::Mutex;

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

/// How many verified tokens are remembered: more than the clients a replica serves at once.
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(1024).expect("not zero");

/// Tokens already verified, by their text. Checking an Ed25519 signature was 2.5 % of the
/// server's time on the partner read path (perf), and a partner site sends the same token
/// with every request until it expires. The text is exactly what was signed and the key ring
/// never changes while the process runs, so a text that verified once verifies again; its
/// dates are still checked against the clock on every use, and a text that failed is never
/// remembered (it is checked in full each time).
pub struct VerifiedTokens(Mutex<lru::LruCache<Box<str>, Claims>>);

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self(Mutex::new(lru::LruCache::new(REMEMBERED)))
    }
}

impl VerifiedTokens {
    /// [`verify`], remembering what verified.
    pub fn verify(
        &self,
        keys: &KeyRing,
        settings: &JwtSettings,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Claims, TokenError> {
        let known = self.0.lock().ok().and_then(|mut tokens| tokens.get(token).cloned());
        if let Some(claims) = known {
            check_dates(&claims, now)?;
            return Ok(claims);
        }
        let claims = verify(keys, settings, token, now)?;
        if let Ok(mut tokens) = self.0.lock() {
            tokens.put(token.into(), claims.clone());
        }
        Ok(claims)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SecretKey;

    fn settings() -> JwtSettings {
        JwtSettings {
            signing_kid: "k1".into(),
            signing_seed: SecretKey::new([7; 32]),
            verify_only: Vec::new(),
            issuer: "medtour".into(),
            audience: "medtour-partner-api".into(),
            ttl_secs: 600,
        }
    }

    #[test]
    fn a_remembered_token_still_expires_and_a_forged_one_is_still_refused() {
        let settings = settings();
        let keys = KeyRing::from_settings(&settings).expect("keys");
        let now = Utc::now();
        let grant = Grant {
            client_id: "c1",
            role: Role::Partner,
            scope: "catalogue:read",
            partner_id: Some(1),
            clinic_id: None,
        };
        let (token, _) = issue(&keys, &settings, &grant, now).expect("signed");
        let verified = VerifiedTokens::default();

        let first = verified.verify(&keys, &settings, &token, now).expect("valid");
        assert_eq!(verified.verify(&keys, &settings, &token, now), Ok(first.clone()), "remembered");
        let later = now + chrono::Duration::seconds(600 + LEEWAY_SECS as i64 + 1);
        assert_eq!(verified.verify(&keys, &settings, &token, later), Err(TokenError::Expired));

        // The same claims under a signature that is not the key's.
        let (payload, signature) = token.rsplit_once('.').expect("three parts");
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let forged = format!("{payload}.{flipped}{}", &signature[1..]);
        assert_eq!(verified.verify(&keys, &settings, &forged, now), Err(TokenError::Invalid));
        assert_eq!(verified.verify(&keys, &settings, &forged, now), Err(TokenError::Invalid), "not remembered");
    }
}
