//! Health data at rest, by envelope encryption: every quote has its own random 256-bit
//! [`DataKey`], which seals the quote's patient data (AES-256-GCM, a random 96-bit nonce per
//! value, associated data naming the quote and the field, so a ciphertext copied onto another
//! quote or field fails to open). The data key is stored only wrapped by a master key
//! ([`DataKeys`], from configuration; AES-256-GCM again, bound to the quote), with the master
//! key's id beside it, so master keys rotate by re-wrapping data keys without touching the
//! sealed data, and destroying a quote's wrapped key erases its data (crypto-shredding).
//!
//! Values sealed directly under a master key with the quote id as associated data (the
//! scheme before envelopes) still open with [`DataKeys::decrypt`], for sealing them anew.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

use crate::config::{ConfigError, DataKeySettings};

const NONCE_LEN: usize = 12;

/// The data keys: one that encrypts, all that decrypt.
pub struct DataKeys {
    current_kid: String,
    keys: HashMap<String, Aes256Gcm>,
}

/// A value could not be decrypted (wrong key, wrong row, or tampered).
#[derive(Debug, thiserror::Error)]
#[error("health data could not be decrypted")]
pub struct DecryptError;

impl DataKeys {
    /// Builds the key set from settings (whose keys are already decoded); fails on duplicate
    /// key ids.
    pub fn from_settings(settings: &DataKeySettings) -> Result<Self, ConfigError> {
        let cipher = |key: &[u8; 32]| Aes256Gcm::new(&(*key).into());
        let mut keys = HashMap::new();
        keys.insert(settings.current_kid.clone(), cipher(settings.current.expose()));
        for (kid, secret) in &settings.old {
            if keys.insert(kid.clone(), cipher(secret.expose())).is_some() {
                return Err(ConfigError(format!("data key id {kid:?} is configured twice")));
            }
        }
        Ok(Self { current_kid: settings.current_kid.clone(), keys })
    }

    /// Encrypts `plaintext` for the row `quote_id` directly under the current master key (the
    /// scheme before envelopes); returns the key id and nonce‖ciphertext.
    pub fn encrypt(&self, quote_id: i32, plaintext: &str) -> Result<(String, Vec<u8>), DecryptError> {
        let cipher = self.keys.get(&self.current_kid).ok_or(DecryptError)?;
        Ok((self.current_kid.clone(), seal_with(cipher, &quote_id.to_be_bytes(), plaintext.as_bytes())?))
    }

    /// Decrypts a value stored for `quote_id` under `kid`.
    pub fn decrypt(&self, quote_id: i32, kid: &str, stored: &[u8]) -> Result<String, DecryptError> {
        let cipher = self.keys.get(kid).ok_or(DecryptError)?;
        String::from_utf8(open_with(cipher, &quote_id.to_be_bytes(), stored)?).map_err(|_| DecryptError)
    }
}

/// AES-256-GCM with a fresh nonce: nonce‖ciphertext‖tag.
fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, DecryptError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher.encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad }).map_err(|_| DecryptError)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens what [`seal_with`] made with the same `aad`.
fn open_with(cipher: &Aes256Gcm, aad: &[u8], stored: &[u8]) -> Result<Vec<u8>, DecryptError> {
    if stored.len() < NONCE_LEN {
        return Err(DecryptError);
    }
    let (nonce, sealed) = stored.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| DecryptError)?;
    cipher.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad }).map_err(|_| DecryptError)
}

/// What a wrapped data key is bound to.
fn wrap_aad(quote_id: i32) -> Vec<u8> {
    format!("medtour:data-key:quote:{quote_id}").into_bytes()
}

impl DataKeys {
    /// The id of the master key that wraps new data keys.
    pub fn current_kid(&self) -> &str {
        &self.current_kid
    }

    /// Wraps `key`, quote `quote_id`'s data key, under the current master key; returns the
    /// master key's id and the wrapped key.
    pub fn wrap(&self, quote_id: i32, key: &DataKey) -> Result<(String, Vec<u8>), DecryptError> {
        let cipher = self.keys.get(&self.current_kid).ok_or(DecryptError)?;
        Ok((self.current_kid.clone(), seal_with(cipher, &wrap_aad(quote_id), key.0.expose())?))
    }

    /// Unwraps quote `quote_id`'s data key, wrapped under master key `kid`.
    pub fn unwrap(&self, quote_id: i32, kid: &str, wrapped: &[u8]) -> Result<DataKey, DecryptError> {
        let cipher = self.keys.get(kid).ok_or(DecryptError)?;
        let bytes: [u8; 32] = open_with(cipher, &wrap_aad(quote_id), wrapped)?.try_into().map_err(|_| DecryptError)?;
        Ok(DataKey(crate::config::SecretKey::new(bytes)))
    }
}

/// One quote's data key: seals and opens that quote's patient data, field by field.
#[derive(Clone)]
pub struct DataKey(crate::config::SecretKey);

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(crate::config::SecretKey::new(bytes))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&(*self.0.expose()).into())
    }

    /// Seals `plaintext`, the value of `field` of quote `quote_id`.
    pub fn seal(&self, quote_id: i32, field: &str, plaintext: &[u8]) -> Result<Vec<u8>, DecryptError> {
        seal_with(&self.cipher(), field_aad(quote_id, field).as_bytes(), plaintext)
    }

    /// Opens a value sealed as `field` of quote `quote_id`.
    pub fn open(&self, quote_id: i32, field: &str, stored: &[u8]) -> Result<Vec<u8>, DecryptError> {
        open_with(&self.cipher(), field_aad(quote_id, field).as_bytes(), stored)
    }
}

/// What a sealed field is bound to: its quote and its name.
fn field_aad(quote_id: i32, field: &str) -> String {
    format!("medtour:quote:{quote_id}:{field}")
}

/// A fresh random data key as `kid:base64url`, for `medtour keys`.
pub fn generate_data_key(kid: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{kid}:{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(current: &str, old: &[&str]) -> DataKeys {
        let pair = |s: &str| {
            let (kid, key) = crate::config::parse_key("test", s).unwrap();
            (kid, crate::config::SecretKey::new(key))
        };
        let (current_kid, current) = pair(current);
        DataKeys::from_settings(&DataKeySettings { current_kid, current, old: old.iter().map(|s| pair(s)).collect() })
            .unwrap()
    }

    #[test]
    fn values_round_trip_and_are_bound_to_their_row() {
        let k = keys(&generate_data_key("a"), &[]);
        let (kid, sealed) = k.encrypt(7, "aura before attacks").unwrap();
        assert_eq!(k.decrypt(7, &kid, &sealed).unwrap(), "aura before attacks");
        assert!(k.decrypt(8, &kid, &sealed).is_err(), "copied onto another quote");
        let mut tampered = sealed.clone();
        tampered[NONCE_LEN] ^= 1;
        assert!(k.decrypt(7, &kid, &tampered).is_err(), "tampered");
        assert!(!sealed.windows(4).any(|w| w == b"aura"), "no plaintext in the stored bytes");
    }

    #[test]
    fn data_keys_wrap_under_the_master_key_and_seal_per_quote_and_field() {
        let old = generate_data_key("old");
        let master = keys(&old, &[]);
        let key = DataKey::generate();
        let (kid, wrapped) = master.wrap(5, &key).unwrap();
        assert_eq!(kid, "old");
        assert!(master.unwrap(6, &kid, &wrapped).is_err(), "a wrapped key is bound to its quote");
        let sealed = key.seal(5, "profile", b"migraine with aura").unwrap();
        assert!(key.open(6, "profile", &sealed).is_err(), "copied onto another quote");
        assert!(key.open(5, "eligibility", &sealed).is_err(), "copied onto another field");
        // Re-wrapping under a new master key leaves the sealed data as it is.
        let new = generate_data_key("new");
        let rotated = keys(&new, &[&old]);
        let unwrapped = rotated.unwrap(5, &kid, &wrapped).unwrap();
        let (new_kid, rewrapped) = rotated.wrap(5, &unwrapped).unwrap();
        let after = keys(&generate_data_key("other"), &[]);
        assert!(after.unwrap(5, &new_kid, &rewrapped).is_err(), "only the configured master keys unwrap");
        let only_new = keys(&new, &[]);
        let reopened = only_new.unwrap(5, &new_kid, &rewrapped).unwrap();
        assert_eq!(reopened.open(5, "profile", &sealed).unwrap(), b"migraine with aura");
    }

    #[test]
    fn old_keys_still_decrypt_after_rotation() {
        let old = generate_data_key("old");
        let before = keys(&old, &[]);
        let (kid, sealed) = before.encrypt(1, "notes").unwrap();
        let after = keys(&generate_data_key("new"), &[&old]);
        assert_eq!(after.decrypt(1, &kid, &sealed).unwrap(), "notes");
        assert_eq!(after.encrypt(1, "x").unwrap().0, "new");
    }
}
