//! Catalogue answers shared across callers: which operations qualify, what they are cached
//! under, and what of an executed response is kept.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response};
use axum::body::Bytes;
use sha2::Digest;

use crate::auth::caller::Caller;
use crate::auth::role::Scope;
use crate::cache::{Answer, Key, Shareable};
use crate::limits::rate::actual_cost;
use crate::state::AppState;

/// The catalogue's root fields (the same answer for every caller, as partners only ever see
/// published clinics and staff lists have roots of their own), and the one catalogue field
/// that reads quotes.
pub const CATALOGUE: Shareable = Shareable {
    roots: &["treatments", "clinic", "clinics", "costComparison", "__typename"],
    outside_catalogue: &["responseTime"],
};

/// The key `request` is cached under, when the cache is on, the caller may read the
/// catalogue and the operation reads nothing else.
pub fn key_of(
    state: &AppState,
    request: &Request,
    document: &ExecutableDocument,
    caller: Option<&Caller>,
) -> Option<Key> {
    state.cache.answers.as_ref()?;
    // The scope is a field guard's to check; a caller without it runs the operation and is
    // refused there.
    if !caller?.has_scope(Scope::CatalogueRead) {
        return None;
    }
    if !CATALOGUE.admits(document, request.operation_name.as_deref()) {
        return None;
    }
    Some(Key {
        document: crate::cache::key::normalise(&request.query),
        operation: request.operation_name.clone(),
        variables: serde_json::to_string(&request.variables).ok()?,
        version: state.cache.version.seen(),
        day: state.clock.now().date_naive(),
    })
}

/// What is kept of `response`: its data, serialised, when it ran without an error.
pub fn answer_of(response: &Response) -> Option<Arc<Answer>> {
    if !response.errors.is_empty() || matches!(response.data, async_graphql::Value::Null) {
        return None;
    }
    let data = serde_json::to_vec(&response.data).ok()?;
    let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&data))[..32]);
    Some(Arc::new(Answer { data: Bytes::from(data), actual_cost: actual_cost(&response.data), etag }))
}
