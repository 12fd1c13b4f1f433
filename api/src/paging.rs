//! Keyset pagination, the domain rule every list follows.
//!
//! A cursor is the base64url JSON of the ordering it was made under and the sort key of its
//! row. Pages are fetched with `WHERE key > cursor ORDER BY key LIMIT n + 1` (never OFFSET),
//! so a deep page costs what the first one does. A cursor made under another ordering, or
//! one that is not ours at all, is refused as bad input. The GraphQL layer wraps pages in
//! Relay connections ([`graphql::pagination`](crate::graphql::pagination)).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::error::{ServiceError, ServiceResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a caller may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which way a page is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`: in the ordering's direction.
    Forward,
    /// `last`/`before`: against it, then reversed.
    Backward,
}

/// A validated page request: how many, which way, and from which sort key.
#[derive(Clone, Debug)]
pub struct PageRequest<K> {
    pub limit: u64,
    pub direction: Direction,
    pub cursor: Option<K>,
}

#[derive(Serialize, Deserialize)]
struct Envelope<K> {
    o: String,
    k: K,
}

/// Encodes the cursor of a row whose sort key is `key` under `ordering`.
pub fn encode_cursor<K: Serialize>(ordering: &str, key: &K) -> String {
    let json = serde_json::to_vec(&Envelope { o: ordering.to_owned(), k: key }).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode_cursor<K: DeserializeOwned>(ordering: &str, cursor: &str, field: &str) -> ServiceResult<K> {
    let invalid = || ServiceError::bad_input(&[field], format!("`{field}` is not a valid cursor for this ordering"));
    if cursor.len() > 1024 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let envelope: Envelope<K> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if envelope.o != ordering {
        return Err(invalid());
    }
    Ok(envelope.k)
}

/// Validates Relay arguments into a [`PageRequest`]. `first`/`after` read forward and
/// `last`/`before` backward; mixing the two directions, negative sizes and sizes above
/// [`MAX_PAGE_SIZE`] are refused.
pub fn page_request<K: DeserializeOwned>(
    ordering: &str,
    first: Option<i32>,
    after: Option<&str>,
    last: Option<i32>,
    before: Option<&str>,
) -> ServiceResult<PageRequest<K>> {
    let size = |name: &str, n: i32| -> ServiceResult<u64> {
        if n < 0 {
            return Err(ServiceError::bad_input(&[name], format!("`{name}` must not be negative")));
        }
        let n = n as u64;
        if n > MAX_PAGE_SIZE {
            return Err(ServiceError::bad_input(
                &[name],
                format!("`{name}` is {n}, which exceeds the limit of {MAX_PAGE_SIZE} records per page"),
            ));
        }
        Ok(n)
    };
    let backward = last.is_some() || before.is_some();
    if backward && (first.is_some() || after.is_some()) {
        return Err(ServiceError::bad_input(
            &["first"],
            "page forward with `first`/`after` or backward with `last`/`before`, not both",
        ));
    }
    if backward {
        Ok(PageRequest {
            limit: last.map(|n| size("last", n)).transpose()?.unwrap_or(DEFAULT_PAGE_SIZE),
            direction: Direction::Backward,
            cursor: before.map(|c| decode_cursor(ordering, c, "before")).transpose()?,
        })
    } else {
        Ok(PageRequest {
            limit: first.map(|n| size("first", n)).transpose()?.unwrap_or(DEFAULT_PAGE_SIZE),
            direction: Direction::Forward,
            cursor: after.map(|c| decode_cursor(ordering, c, "after")).transpose()?,
        })
    }
}

/// One page of rows, in display order, with the flags Relay needs.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit + 1` in fetch order: the extra row only
    /// tells that more exist; backward pages are put back into display order.
    pub fn from_fetched<K>(mut rows: Vec<T>, request: &PageRequest<K>) -> Self {
        let more = rows.len() as u64 > request.limit;
        rows.truncate(request.limit as usize);
        match request.direction {
            Direction::Forward => Page { rows, has_next_page: more, has_previous_page: request.cursor.is_some() },
            Direction::Backward => {
                rows.reverse();
                Page { rows, has_next_page: request.cursor.is_some(), has_previous_page: more }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bound_to_their_ordering() {
        let cursor = encode_cursor("NAME_ASC", &("Alpha".to_owned(), 3));
        let ok: PageRequest<(String, i32)> = page_request("NAME_ASC", Some(5), Some(&cursor), None, None).unwrap();
        assert_eq!(ok.cursor, Some(("Alpha".to_owned(), 3)));
        let err = page_request::<(String, i32)>("NAME_DESC", Some(5), Some(&cursor), None, None).unwrap_err();
        assert_eq!(err.code(), crate::error::Code::BadUserInput);
    }

    #[test]
    fn page_sizes_are_bounded() {
        for (first, last) in [(Some(101), None), (Some(-1), None), (None, Some(101))] {
            let err = page_request::<i32>("X", first, None, last, None).unwrap_err();
            assert_eq!(err.code(), crate::error::Code::BadUserInput);
        }
        let default = page_request::<i32>("X", None, None, None, None).unwrap();
        assert_eq!(default.limit, DEFAULT_PAGE_SIZE);
    }

    #[test]
    fn forged_cursors_are_bad_input() {
        for forged in ["", "%%%", "bm90IGpzb24", &"A".repeat(2000)] {
            let err = page_request::<(String, i32)>("NAME_ASC", None, Some(forged), None, None).unwrap_err();
            assert_eq!(err.code(), crate::error::Code::BadUserInput, "{forged}");
        }
    }
}
