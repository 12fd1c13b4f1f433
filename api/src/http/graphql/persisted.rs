//! Automatic persisted queries (the Apollo protocol): a client sends
//! `extensions.persistedQuery.sha256Hash` instead of the query text; the first time, with
//! the text, the server checks the hash and remembers it. Partner sites can then send short
//! `GET` requests that caches recognise.
//!
//! The text is kept, not a parsed document, so a persisted query goes through exactly the
//! same limits as any other.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Persisted queries kept per process.
const CAPACITY: usize = 2_048;

/// The store of persisted query texts by hash.
pub struct PersistedQueries(Mutex<LruCache<String, String>>);

impl Default for PersistedQueries {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN))))
    }
}

/// Why a persisted query could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedError {
    /// The hash is unknown: send the query text with it once (Apollo clients retry so).
    NotFound,
    /// The text does not hash to the given value, or the extension is malformed.
    Invalid(&'static str),
}

impl PersistedQueries {
    /// The query text to run: `query` itself, or the text persisted under the hash in
    /// `extensions`. A query sent with a hash is persisted after its hash is checked.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: &Map<String, Value>,
    ) -> Result<Option<String>, PersistedError> {
        let Some(persisted) = extensions.get("persistedQuery") else { return Ok(query) };
        let version = persisted.get("version").and_then(Value::as_i64);
        let hash = persisted.get("sha256Hash").and_then(Value::as_str);
        let (Some(1), Some(hash)) = (version, hash) else {
            return Err(PersistedError::Invalid("persistedQuery needs version 1 and a sha256Hash"));
        };
        let hash = hash.to_ascii_lowercase();
        let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match query.filter(|q| !q.is_empty()) {
            Some(text) => {
                if hex::encode(Sha256::digest(text.as_bytes())) != hash {
                    return Err(PersistedError::Invalid("the sha256Hash does not match the query"));
                }
                store.put(hash, text.clone());
                Ok(Some(text))
            }
            None => store.get(&hash).cloned().map(Some).ok_or(PersistedError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ext(hash: &str) -> Map<String, Value> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_query_is_found_by_hash_once_registered() {
        let store = PersistedQueries::default();
        let query = "{ treatments { slug } }";
        let hash = hex::encode(Sha256::digest(query.as_bytes()));
        assert_eq!(store.resolve(None, &ext(&hash)), Err(PersistedError::NotFound));
        assert_eq!(store.resolve(Some(query.into()), &ext(&hash)), Ok(Some(query.into())));
        assert_eq!(store.resolve(None, &ext(&hash)), Ok(Some(query.into())));
        assert!(matches!(store.resolve(Some("{ other }".into()), &ext(&hash)), Err(PersistedError::Invalid(_))));
    }
}
