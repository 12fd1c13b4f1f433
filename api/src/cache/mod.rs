//! The response cache for catalogue reads. The catalogue is the same for every caller, so
//! the answer to an operation that reads nothing else can be reused across callers; an
//! answer is keyed by the operation ([`key`]: its normalised text, name and variables) and by
//! the catalogue version it was read at ([`version`]), which every catalogue write advances
//! in its own transaction. Answers are held in [`store`], bounded in bytes; [`counts`]
//! remembers `totalCount`s the same way, checked against the committed version each time.
//!
//! What the cache does not do: decide who may ask (the token, the scope and the rate limiter
//! are checked before it), report cost (each request gets its own `extensions.cost`), or hold
//! anything per caller — quotes, the viewer, webhooks, staff lists and any field named in
//! [`Shareable::outside_catalogue`] send an operation past it.

pub mod counts;
pub mod key;
pub mod store;
pub mod version;

use std::sync::Arc;

pub use self::counts::CountMemo;
pub use self::key::Shareable;
pub use self::store::{Answer, Key, ResponseCache};
pub use self::version::CatalogueVersion;

/// The cache and the version it is keyed by.
#[derive(Debug)]
pub struct Caching {
    /// The catalogue version this process has seen.
    pub version: Arc<CatalogueVersion>,
    /// The answers, or `None` when the cache is off (`MEDTOUR_RESPONSE_CACHE_BYTES=0`).
    pub answers: Option<ResponseCache>,
    /// `totalCount`s by filter and version (kept whether or not answers are).
    pub counts: CountMemo,
}

impl Caching {
    /// A cache of at most `bytes` (none for 0).
    pub fn new(bytes: u64) -> Self {
        Self {
            version: Arc::default(),
            answers: (bytes > 0).then(|| ResponseCache::new(bytes)),
            counts: CountMemo::default(),
        }
    }
}
