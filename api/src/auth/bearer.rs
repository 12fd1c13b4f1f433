//! From an `Authorization: Bearer …` header to a verified [`Caller`], telling "no token"
//! from "bad token" so the 401 response can say which (RFC 6750 §3).

use axum::http::{HeaderMap, header};

use super::caller::Caller;
use super::role::Role;
use super::token::TokenError;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::Auth;
use crate::error::ServiceError;

/// Why a request carries no usable identity.
#[derive(Debug, Clone)]
pub enum BearerError {
    /// No `Authorization` header, or not a bearer one.
    Missing,
    /// A bearer token that is not valid (with the reason for `error_description`).
    Invalid(String),
    /// The identity could not be checked (database unreachable).
    Unavailable(ServiceError),
}

/// The bearer token of `headers`, if any; a non-bearer scheme counts as none.
pub fn bearer_token(headers: &HeaderMap) -> Result<&str, BearerError> {
    let value = headers.get(header::AUTHORIZATION).ok_or(BearerError::Missing)?;
    let text = value.to_str().map_err(|_| BearerError::Invalid("the Authorization header is not text".into()))?;
    let (scheme, token) = text.trim().split_once(' ').ok_or(BearerError::Missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::Missing);
    }
    let token = token.trim();
    if token.is_empty() || token.len() > 4096 {
        return Err(BearerError::Invalid("the bearer token is empty or too long".into()));
    }
    Ok(token)
}

/// What checking a token needs: the keys and client-status cache, the database behind the
/// cache, and the time by the application's clock.
#[derive(Clone, Copy)]
pub struct Verifier<'a> {
    pub auth: &'a Auth,
    pub db: &'a DatabaseConnection,
    pub now: DateTime<Utc>,
}

/// Verifies `token` and checks that its client is still active.
pub async fn authenticate(verifier: Verifier<'_>, token: &str) -> Result<Caller, BearerError> {
    authenticate_with_expiry(verifier, token).await.map(|(caller, _)| caller)
}

/// [`authenticate`], also giving the token's `exp` (for sessions that outlive a request).
pub async fn authenticate_with_expiry(verifier: Verifier<'_>, token: &str) -> Result<(Caller, i64), BearerError> {
    let Verifier { auth, db, now } = verifier;
    let claims = auth.verified.verify(&auth.keys, &auth.settings, token, now).map_err(|e| {
        tracing::debug!(reason = %e, "refused bearer token");
        BearerError::Invalid(match e {
            TokenError::Expired => "the token has expired".into(),
            TokenError::NotYetValid => "the token is not valid yet".into(),
            _ => "the token is invalid".into(),
        })
    })?;
    match auth.clients.is_active(db, &claims.sub).await {
        Ok(true) => {}
        Ok(false) => return Err(BearerError::Invalid("the client has been revoked".into())),
        Err(e) => return Err(BearerError::Unavailable(e)),
    }
    let role = Role::parse(&claims.role).ok_or_else(|| BearerError::Invalid("the token is invalid".into()))?;
    let caller = Caller {
        client_id: claims.sub,
        role,
        partner_id: claims.partner_id,
        clinic_id: claims.clinic_id,
        scopes: claims.scope.split_whitespace().map(str::to_owned).collect(),
    };
    Ok((caller, claims.exp))
}

/// Authenticates the request behind `headers`.
pub async fn from_headers(verifier: Verifier<'_>, headers: &HeaderMap) -> Result<Caller, BearerError> {
    let token = bearer_token(headers)?;
    authenticate(verifier, token).await
}
