//! Automatic persisted queries (the Apollo protocol): a client sends
//! `extensions.persistedQuery.sha256Hash` instead of the query text; the first time, with
//! the text, the server checks the hash and remembers it. Partner sites can then send short
//! `GET` requests that caches recognise.
//!
//! The text is kept, not a parsed document, so a persisted query goes through exactly the
//! same limits as any other; and it is kept only once it has passed them (a document the
//! gateway refuses is never stored). The store is bounded in entries and in bytes.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Persisted queries kept per process.
const CAPACITY: usize = 2_048;
/// Bytes of query text kept per process.
const MAX_BYTES: usize = 4 * 1024 * 1024;

struct Store {
    texts: LruCache<String, String>,
    bytes: usize,
}

/// The store of persisted query texts by hash.
pub struct PersistedQueries(Mutex<Store>);

impl Default for PersistedQueries {
    fn default() -> Self {
        let texts = LruCache::new(NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN));
        Self(Mutex::new(Store { texts, bytes: 0 }))
    }
}

/// The query a request runs, and the hash to persist it under once it has been admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub query: String,
    pub register: Option<String>,
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
    ) -> Result<Option<Resolved>, PersistedError> {
        let Some(persisted) = extensions.get("persistedQuery") else {
            return Ok(query.map(|query| Resolved { query, register: None }));
        };
        let version = persisted.get("version").and_then(Value::as_i64);
        let hash = persisted.get("sha256Hash").and_then(Value::as_str);
        let (Some(1), Some(hash)) = (version, hash) else {
            return Err(PersistedError::Invalid("persistedQuery needs version 1 and a sha256Hash"));
        };
        let hash = hash.to_ascii_lowercase();
        match query.filter(|q| !q.is_empty()) {
            Some(text) => {
                if hex::encode(Sha256::digest(text.as_bytes())) != hash {
                    return Err(PersistedError::Invalid("the sha256Hash does not match the query"));
                }
                Ok(Some(Resolved { query: text, register: Some(hash) }))
            }
            None => {
                let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
                let text = store.texts.get(&hash).cloned().ok_or(PersistedError::NotFound)?;
                Ok(Some(Resolved { query: text, register: None }))
            }
        }
    }

    /// Keeps `text` under `hash` (after the gateway admitted it), forgetting the least
    /// recently used texts while the store holds more than its bytes.
    pub fn store(&self, hash: String, text: String) {
        let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        store.bytes += text.len();
        if let Some((_, replaced)) = store.texts.push(hash, text) {
            store.bytes -= replaced.len();
        }
        while store.bytes > MAX_BYTES {
            match store.texts.pop_lru() {
                Some((_, evicted)) => store.bytes -= evicted.len(),
                None => break,
            }
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
        let registering = store.resolve(Some(query.into()), &ext(&hash)).unwrap().unwrap();
        assert_eq!(registering, Resolved { query: query.into(), register: Some(hash.clone()) });
        assert_eq!(store.resolve(None, &ext(&hash)), Err(PersistedError::NotFound), "not before it is admitted");
        store.store(hash.clone(), query.into());
        assert_eq!(store.resolve(None, &ext(&hash)), Ok(Some(Resolved { query: query.into(), register: None })));
        assert!(matches!(store.resolve(Some("{ other }".into()), &ext(&hash)), Err(PersistedError::Invalid(_))));
    }

    #[test]
    fn the_store_is_bounded_in_bytes() {
        let store = PersistedQueries::default();
        let big = "x".repeat(1024 * 1024);
        for i in 0..6 {
            store.store(format!("h{i}"), big.clone());
        }
        let kept = store.0.lock().unwrap();
        assert!(kept.bytes <= MAX_BYTES && kept.texts.len() == 4, "{} bytes in {}", kept.bytes, kept.texts.len());
    }
}
