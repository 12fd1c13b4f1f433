//! `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4), and
//! `GET /.well-known/jwks.json`: the public keys tokens are signed with.
//!
//! The client authenticates with HTTP Basic or with `client_id`/`client_secret` form fields
//! (not both). Errors follow §5.2; every response carries `Cache-Control: no-store`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::client_ip::client_address;
use crate::auth::clients;
use crate::auth::role::Role;
use crate::auth::token::{self, Grant};
use crate::state::AppState;

/// An RFC 6749 §5.2 error.
struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: &'static str,
    retry_after: Option<u64>,
}

impl OAuthError {
    fn request(description: &'static str) -> Self {
        Self { status: StatusCode::BAD_REQUEST, code: "invalid_request", description, retry_after: None }
    }
    fn client() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "invalid_client",
            description: "client authentication failed",
            retry_after: None,
        }
    }
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(json!({ "error": self.code, "error_description": self.description }))).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"medtour\""));
        }
        no_store(response)
    }
}

/// Client credentials from an HTTP Basic header (RFC 6749 §2.3.1: form-urlencoded parts).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let text = value.to_str().map_err(|_| OAuthError::client())?;
    let Some((scheme, encoded)) = text.trim().split_once(' ') else { return Err(OAuthError::client()) };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::client());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| OAuthError::client())?;
    let decoded = String::from_utf8(decoded).map_err(|_| OAuthError::client())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(OAuthError::client)?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<HashMap<String, String>>(&format!("v={s}"))
            .ok()
            .and_then(|mut m| m.remove("v"))
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// The token endpoint. Its limits count per client address: the TCP peer, or the address a
/// trusted proxy forwarded for (see [`client_address`]).
pub async fn token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let address = client_address(peer.ip(), &headers, &state.settings.trusted_proxies);
    match grant(&state, address, &headers, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn grant(state: &AppState, address: IpAddr, headers: &HeaderMap, body: &[u8]) -> Result<Response, OAuthError> {
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    if !form_type {
        return Err(OAuthError::request("the body must be application/x-www-form-urlencoded"));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| OAuthError::request("the body is not valid form data"))?;
    let mut form: HashMap<String, String> = HashMap::new();
    for (key, value) in pairs {
        if form.insert(key, value).is_some() {
            return Err(OAuthError::request("a parameter is repeated"));
        }
    }
    match form.get("grant_type").map(String::as_str) {
        None => return Err(OAuthError::request("grant_type is required")),
        Some("client_credentials") => {}
        Some(_) => {
            return Err(OAuthError {
                status: StatusCode::BAD_REQUEST,
                code: "unsupported_grant_type",
                description: "only client_credentials is supported",
                retry_after: None,
            });
        }
    }
    let from_form = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        (None, None) => None,
        _ => return Err(OAuthError::client()),
    };
    let (client_id, secret) = match (basic_credentials(headers)?, from_form) {
        (Some(_), Some(_)) => return Err(OAuthError::request("authenticate with one method only")),
        (Some(c), None) | (None, Some(c)) => c,
        (None, None) => return Err(OAuthError::client()),
    };
    if let Err(wait) = state.token_rate.admit(address, &client_id) {
        state.metrics.record_token_throttled();
        return Err(OAuthError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "slow_down",
            description: "too many attempts; wait before trying again",
            retry_after: Some(wait.as_secs().max(1)),
        });
    }
    let client = match clients::authenticate(&state.db, &client_id, &secret).await {
        Ok(Some(client)) => client,
        Ok(None) => {
            state.token_rate.failed(address, &client_id);
            return Err(OAuthError::client());
        }
        Err(e) => {
            tracing::error!(error = %e, "token endpoint could not authenticate");
            return Err(OAuthError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "temporarily_unavailable",
                description: "try again shortly",
                retry_after: None,
            });
        }
    };
    let role = Role::parse(&client.role).ok_or_else(OAuthError::client)?;
    let allowed = role.scopes();
    let scope = match form.get("scope").map(|s| s.split_whitespace().collect::<Vec<_>>()) {
        None => allowed.join(" "),
        Some(asked) if asked.is_empty() => allowed.join(" "),
        Some(asked) if asked.iter().all(|s| allowed.contains(s)) => asked.join(" "),
        Some(_) => {
            return Err(OAuthError {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_scope",
                description: "a requested scope is not granted to this client",
                retry_after: None,
            });
        }
    };
    let grant = Grant {
        client_id: &client.client_id,
        role,
        scope: &scope,
        partner_id: client.partner_id,
        clinic_id: client.clinic_id,
    };
    let (access_token, expires_in) = token::issue(&state.auth.keys, &state.auth.settings, &grant, state.clock.now())
        .map_err(|e| {
            tracing::error!(error = %e, "could not sign a token");
            OAuthError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "server_error",
                description: "the token could not be issued",
                retry_after: None,
            }
        })?;
    let body =
        json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": expires_in, "scope": scope });
    Ok(no_store((StatusCode::OK, Json(body)).into_response()))
}

/// The JWK set of the keys tokens may be verified with.
pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "public, max-age=300")], Json(state.auth.keys.jwks()))
}
