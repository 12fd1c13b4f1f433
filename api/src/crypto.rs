//! Health data at rest: AES-256-GCM with a random 96-bit nonce per value, the quote's id as
//! associated data (a ciphertext copied onto another quote fails to decrypt), and the id of
//! the key beside each value so keys rotate: new values use the current key, old keys stay
//! configured to decrypt.

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

    /// Encrypts `plaintext` for the row `quote_id`; returns the key id and nonce‖ciphertext.
    pub fn encrypt(&self, quote_id: i32, plaintext: &str) -> Result<(String, Vec<u8>), DecryptError> {
        let cipher = self.keys.get(&self.current_kid).ok_or(DecryptError)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = quote_id.to_be_bytes();
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext.as_bytes(), aad: &aad })
            .map_err(|_| DecryptError)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok((self.current_kid.clone(), out))
    }

    /// Decrypts a value stored for `quote_id` under `kid`.
    pub fn decrypt(&self, quote_id: i32, kid: &str, stored: &[u8]) -> Result<String, DecryptError> {
        let cipher = self.keys.get(kid).ok_or(DecryptError)?;
        if stored.len() < NONCE_LEN {
            return Err(DecryptError);
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| DecryptError)?;
        let aad = quote_id.to_be_bytes();
        let plain =
            cipher.decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: &aad }).map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
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
    fn old_keys_still_decrypt_after_rotation() {
        let old = generate_data_key("old");
        let before = keys(&old, &[]);
        let (kid, sealed) = before.encrypt(1, "notes").unwrap();
        let after = keys(&generate_data_key("new"), &[&old]);
        assert_eq!(after.decrypt(1, &kid, &sealed).unwrap(), "notes");
        assert_eq!(after.encrypt(1, "x").unwrap().0, "new");
    }
}
