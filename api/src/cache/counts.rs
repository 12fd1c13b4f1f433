//! Counts of a filter's matches (`totalCount`), remembered per catalogue version: counting
//! every match costs more than reading a page, yet the number changes only when the
//! catalogue does. Each use reads the committed version first (one single-row statement), so a
//! remembered count is used only while the catalogue is exactly as it was counted, on any
//! replica, whatever this process has heard.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use chrono::NaiveDate;
use lru::LruCache;

/// How many filters' counts are remembered.
const FILTERS: NonZeroUsize = NonZeroUsize::new(1024).expect("not zero");

/// Remembered counts, by the text (and values) of the counting statement.
pub struct CountMemo {
    counts: Mutex<LruCache<String, (u64, NaiveDate, u64)>>,
}

impl Default for CountMemo {
    fn default() -> Self {
        Self { counts: Mutex::new(LruCache::new(FILTERS)) }
    }
}

impl std::fmt::Debug for CountMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountMemo")
    }
}

impl CountMemo {
    /// The count remembered for `statement` at catalogue `version` on `day`.
    pub fn get(&self, statement: &str, version: u64, day: NaiveDate) -> Option<u64> {
        let mut counts = self.counts.lock().ok()?;
        match counts.get(statement) {
            Some(&(v, d, count)) if (v, d) == (version, day) => Some(count),
            _ => None,
        }
    }

    /// Remembers `count` for `statement` at `version` on `day`.
    pub fn put(&self, statement: String, version: u64, day: NaiveDate, count: u64) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.put(statement, (version, day, count));
        }
    }
}
