//! The cached answers: bounded in bytes, least recently used out first, and emptied when the
//! catalogue version or the day moves on, since no entry of an older one can be asked for
//! again.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use chrono::NaiveDate;
use lru::LruCache;

/// What an answer is cached under: the operation (normalised text, name, variables) and the
/// catalogue as it stood — its version, and the day (UTC) that date-derived values
/// (an accreditation past its expiry, a safety score) were computed for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub document: String,
    pub operation: Option<String>,
    pub variables: String,
    pub version: u64,
    pub day: NaiveDate,
}

impl Key {
    fn bytes(&self) -> usize {
        self.document.len() + self.operation.as_ref().map_or(0, String::len) + self.variables.len()
    }
}

/// One cached answer: its `data`, serialised, and what a request for it is charged.
#[derive(Debug)]
pub struct Answer {
    /// The response's `data` member, as JSON.
    pub data: Bytes,
    /// The cost the rate limiter keeps after refunding unused page capacity.
    pub actual_cost: u64,
    /// A strong entity tag of `data`, for HTTP revalidation.
    pub etag: String,
}

/// Fixed overhead counted per entry beside its bytes (the map's node, the `Arc`, the tag).
const ENTRY_OVERHEAD: usize = 160;

struct Inner {
    entries: LruCache<Key, Arc<Answer>>,
    bytes: usize,
    /// The (version, day) the entries were read at.
    current: Option<(u64, NaiveDate)>,
}

/// The response cache of one process.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache").field("capacity", &self.capacity).field("bytes", &self.bytes()).finish()
    }
}

impl ResponseCache {
    /// A cache holding at most `capacity` bytes of answers and keys.
    pub fn new(capacity: u64) -> Self {
        let inner = Inner { entries: LruCache::unbounded(), bytes: 0, current: None };
        Self { capacity: usize::try_from(capacity).unwrap_or(usize::MAX), inner: Mutex::new(inner) }
    }

    /// The answer cached under `key`, marking it recently used.
    pub fn get(&self, key: &Key) -> Option<Arc<Answer>> {
        let mut inner = self.inner.lock().ok()?;
        inner.entries.get(key).cloned()
    }

    /// Keeps `answer` under `key`, evicting the least recently used answers to stay within
    /// the bound. An answer larger than the whole cache, or read at an older version or day
    /// than the entries held, is not kept.
    pub fn insert(&self, key: Key, answer: Arc<Answer>) {
        let weight = key.bytes() + answer.data.len() + answer.etag.len() + ENTRY_OVERHEAD;
        if weight > self.capacity {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else { return };
        let at = (key.version, key.day);
        match inner.current {
            Some(current) if current == at => {}
            Some((version, day)) if key.version < version || key.day < day => return,
            _ => {
                inner.entries.clear();
                inner.bytes = 0;
                inner.current = Some(at);
            }
        }
        if let Some(old) = inner.entries.pop(&key) {
            inner.bytes -= key.bytes() + old.data.len() + old.etag.len() + ENTRY_OVERHEAD;
        }
        while inner.bytes + weight > self.capacity {
            let Some((k, old)) = inner.entries.pop_lru() else { break };
            inner.bytes -= k.bytes() + old.data.len() + old.etag.len() + ENTRY_OVERHEAD;
        }
        inner.bytes += weight;
        inner.entries.put(key, answer);
    }

    /// The bytes held now.
    pub fn bytes(&self) -> usize {
        self.inner.lock().map_or(0, |inner| inner.bytes)
    }

    /// The answers held now.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |inner| inner.entries.len())
    }

    /// True when no answer is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(document: &str, version: u64, day: u32) -> Key {
        Key {
            document: document.to_owned(),
            operation: None,
            variables: "{}".to_owned(),
            version,
            day: NaiveDate::from_ymd_opt(2027, 1, day).unwrap(),
        }
    }

    fn answer(bytes: usize) -> Arc<Answer> {
        Arc::new(Answer { data: Bytes::from(vec![b'x'; bytes]), actual_cost: 1, etag: String::new() })
    }

    #[test]
    fn the_bound_in_bytes_holds_and_the_least_recently_used_goes_first() {
        let weight = 1000 + "{a}".len() + "{}".len() + ENTRY_OVERHEAD;
        let cache = ResponseCache::new(3 * weight as u64);
        for name in ["{a}", "{b}", "{c}"] {
            cache.insert(key(name, 1, 1), answer(1000));
        }
        assert_eq!(cache.len(), 3);
        assert!(cache.get(&key("{a}", 1, 1)).is_some());
        cache.insert(key("{d}", 1, 1), answer(1000));
        assert!(cache.bytes() <= 3 * weight);
        assert!(cache.get(&key("{b}", 1, 1)).is_none(), "the least recently used answer made room");
        assert!(cache.get(&key("{a}", 1, 1)).is_some() && cache.get(&key("{d}", 1, 1)).is_some());
        cache.insert(key("{huge}", 1, 1), answer(10_000));
        assert!(cache.get(&key("{huge}", 1, 1)).is_none(), "larger than the whole cache");
    }

    #[test]
    fn a_newer_version_or_day_empties_the_cache_and_an_older_one_is_not_kept() {
        let cache = ResponseCache::new(1 << 20);
        cache.insert(key("{a}", 2, 1), answer(10));
        cache.insert(key("{a}", 1, 1), answer(10));
        assert_eq!(cache.len(), 1, "an answer read at an older version is not kept");
        cache.insert(key("{b}", 3, 1), answer(10));
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&key("{a}", 2, 1)).is_none());
        cache.insert(key("{c}", 3, 2), answer(10));
        assert_eq!((cache.len(), cache.get(&key("{c}", 3, 2)).is_some()), (1, true));
        assert!(cache.bytes() > 0);
    }
}
