//! Keys in configuration, decoded here once into bytes: the token signing seed, retired
//! public keys that still verify, and the data keys that seal health data.
//!
//! A key is written `kid:KEY` where KEY is 32 bytes in base64url or standard base64, padded
//! or not. Keys are compared by their bytes, so no re-encoding of the public development
//! keys (a trailing `=`, the other alphabet, another kid) gets one past production mode.

use std::sync::Arc;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ed25519_dalek::SigningKey;
use secrecy::{ExposeSecret, SecretBox};

use super::ConfigError;

/// The development signing key's seed (base64url). Public by design; refused in production.
pub const DEV_JWT_SIGNING_KEY: &str = "dev-1:bWVkdG91ci1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDE";
/// The development data key (base64url of 32 bytes). Public by design; refused in production.
pub const DEV_DATA_KEY: &str = "dev-1:bWVkdG91ci1kZXYtZGF0YS1rZXktbm90LXNlY3JldCE";

/// Decoding accepts padding or its absence; a wrong amount of padding is refused.
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

/// 32 secret bytes, zeroed when the last copy is dropped and never shown by `Debug`.
#[derive(Clone, Debug)]
pub struct SecretKey(Arc<SecretBox<[u8; 32]>>);

impl SecretKey {
    /// Wraps `bytes`.
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(Arc::new(SecretBox::new(Box::new(bytes))))
    }

    /// The key's bytes.
    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

/// How access tokens are signed and checked.
#[derive(Clone, Debug)]
pub struct JwtSettings {
    /// The kid of `MEDTOUR_JWT_SIGNING_KEY`.
    pub signing_kid: String,
    /// `MEDTOUR_JWT_SIGNING_KEY`'s 32-byte Ed25519 seed.
    pub signing_seed: SecretKey,
    /// `MEDTOUR_JWT_VERIFY_KEYS`: older public keys still accepted, by kid.
    pub verify_only: Vec<(String, [u8; 32])>,
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
    /// The kid of `MEDTOUR_DATA_KEY`, the key that encrypts new values.
    pub current_kid: String,
    /// `MEDTOUR_DATA_KEY`'s 32 bytes.
    pub current: SecretKey,
    /// `MEDTOUR_DATA_KEYS_OLD`: keys that only decrypt, by kid.
    pub old: Vec<(String, SecretKey)>,
}

/// 32 bytes written in base64url or standard base64, with or without padding.
fn decode_key(name: &str, text: &str) -> Result<[u8; 32], ConfigError> {
    let text = text.trim();
    let bytes = URL_SAFE
        .decode(text)
        .or_else(|_| STANDARD.decode(text))
        .map_err(|_| ConfigError(format!("{name}: the key is not base64url or base64")))?;
    bytes.try_into().map_err(|_| ConfigError(format!("{name}: expected a key of 32 bytes")))
}

/// One `kid:KEY` entry, its key decoded.
pub fn parse_key(name: &str, value: &str) -> Result<(String, [u8; 32]), ConfigError> {
    let (kid, key) = value
        .split_once(':')
        .map(|(kid, key)| (kid.trim(), key.trim()))
        .filter(|(kid, key)| !kid.is_empty() && !key.is_empty())
        .ok_or_else(|| ConfigError(format!("{name}: expected KID:BASE64URL")))?;
    Ok((kid.to_owned(), decode_key(name, key)?))
}

/// A comma-separated list of `kid:KEY` entries.
pub(super) fn parse_keys(name: &str, value: Option<String>) -> Result<Vec<(String, [u8; 32])>, ConfigError> {
    value.unwrap_or_default().split(',').filter(|s| !s.trim().is_empty()).map(|entry| parse_key(name, entry)).collect()
}

fn development_key(text: &str) -> [u8; 32] {
    parse_key("", text).map(|(_, key)| key).expect("the development keys are valid constants")
}

/// The public key of the development signing seed: tokens it verifies can be forged by anyone.
pub fn development_public_key() -> [u8; 32] {
    SigningKey::from_bytes(&development_key(DEV_JWT_SIGNING_KEY)).verifying_key().to_bytes()
}

/// Refuses, for production, every configured key that is a public development key.
pub(super) fn refuse_development_keys(jwt: &JwtSettings, data: &DataKeySettings) -> Result<(), ConfigError> {
    let refuse = |what: &str| Err(ConfigError(format!("production mode refuses the development {what}")));
    if *jwt.signing_seed.expose() == development_key(DEV_JWT_SIGNING_KEY) {
        return refuse("signing key in MEDTOUR_JWT_SIGNING_KEY");
    }
    let dev_public = development_public_key();
    if jwt.verify_only.iter().any(|(_, key)| *key == dev_public) {
        return refuse("signing key's public key in MEDTOUR_JWT_VERIFY_KEYS (anyone can sign with it)");
    }
    let dev_data = development_key(DEV_DATA_KEY);
    if *data.current.expose() == dev_data {
        return refuse("data key in MEDTOUR_DATA_KEY");
    }
    if data.old.iter().any(|(_, key)| *key.expose() == dev_data) {
        return refuse("data key in MEDTOUR_DATA_KEYS_OLD");
    }
    Ok(())
}
