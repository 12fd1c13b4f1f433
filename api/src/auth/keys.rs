//! The token key ring: one Ed25519 key that signs (and verifies), older public keys that
//! only verify, each under its `kid`, and their publication as a JWK set.
//!
//! Keys rotate without downtime: configure the new signing key and keep the old public key
//! in `MEDTOUR_JWT_VERIFY_KEYS` until the last token it signed has expired (one hour).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde_json::{Value, json};

use crate::config::{ConfigError, JwtSettings};

/// The signing key and every key tokens may be verified with.
pub struct KeyRing {
    pub signing_kid: String,
    pub signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    public: Vec<(String, String)>,
}

impl KeyRing {
    /// Builds the ring from settings (whose keys are already decoded); fails on a public key
    /// that is not an Ed25519 point and on duplicate key ids.
    pub fn from_settings(settings: &JwtSettings) -> Result<Self, ConfigError> {
        let key = SigningKey::from_bytes(settings.signing_seed.expose());
        let der = key.to_pkcs8_der().map_err(|e| ConfigError(format!("MEDTOUR_JWT_SIGNING_KEY: {e}")))?;
        let mut ring = KeyRing {
            signing_kid: settings.signing_kid.clone(),
            signing: EncodingKey::from_ed_der(der.as_bytes()),
            verifying: HashMap::new(),
            public: Vec::new(),
        };
        ring.add_public(&settings.signing_kid, &key.verifying_key().to_bytes())?;
        for (kid, public) in &settings.verify_only {
            VerifyingKey::from_bytes(public)
                .map_err(|_| ConfigError(format!("MEDTOUR_JWT_VERIFY_KEYS: {kid} is not an Ed25519 public key")))?;
            ring.add_public(kid, public)?;
        }
        Ok(ring)
    }

    fn add_public(&mut self, kid: &str, public: &[u8; 32]) -> Result<(), ConfigError> {
        if self.verifying.contains_key(kid) {
            return Err(ConfigError(format!("JWT key id {kid:?} is configured twice")));
        }
        let x = URL_SAFE_NO_PAD.encode(public);
        let key = DecodingKey::from_ed_components(&x).map_err(|e| ConfigError(format!("JWT key {kid}: {e}")))?;
        self.verifying.insert(kid.to_owned(), key);
        self.public.push((kid.to_owned(), x));
        Ok(())
    }

    /// The key registered under `kid`, if any.
    pub fn verifying_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verifying.get(kid)
    }

    /// The public keys as a JWK set (RFC 7517), for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .public
            .iter()
            .map(|(kid, x)| json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" }))
            .collect();
        json!({ "keys": keys })
    }
}

/// A fresh random Ed25519 seed as `kid:base64url`, for `medtour keys`.
pub fn generate_signing_key(kid: &str) -> String {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    format!("{kid}:{}", URL_SAFE_NO_PAD.encode(key.to_bytes()))
}
