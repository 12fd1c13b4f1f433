//! Sealing a quote's patient data under the quote's own data key, and opening it again.
//!
//! The profile (reference and medical notes included) and the eligibility result are sealed
//! as JSON in `patient_data`; free-text notes on the quote's events and offer are sealed in
//! their own columns as `sealed:<base64url>`. Every failure to open is logged with the quote
//! id and the key id, never with the data, and is an INTERNAL error for that quote alone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::patient_data;
use sea_orm::Set;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::crypto::{DataKey, DataKeys, DecryptError};
use crate::error::{ServiceError, ServiceResult};

/// The sealed profile's field name (in the associated data).
pub const PROFILE: &str = "patient.profile";
/// The sealed eligibility result's field name.
pub const ELIGIBILITY: &str = "patient.eligibility";
/// An event's note.
pub const EVENT_NOTE: &str = "event.note";
/// The offer's notes.
pub const OFFER_NOTES: &str = "offer.notes";

/// How a sealed note starts; anything else is a note stored before notes were sealed.
const NOTE_PREFIX: &str = "sealed:";

/// What the quote says about the patient, as sealed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredProfile {
    pub reference: Option<String>,
    pub age_years: i32,
    pub country_of_residence: String,
    pub chronic_migraine_diagnosis: bool,
    pub headache_days_per_month: i32,
    /// Stored vocabulary names.
    pub treatments_tried: Vec<String>,
    /// Stored vocabulary names.
    pub contraindications: Vec<String>,
    pub medical_notes: Option<String>,
}

/// The pre-screening result, as sealed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct StoredEligibility {
    /// A stored eligibility outcome name.
    pub outcome: String,
    pub reasons: Vec<String>,
}

/// Logs a failure to open quote `quote_id`'s data (ids only) and makes it INTERNAL.
fn failed(quote_id: i32, key_id: &str, what: &str) -> ServiceError {
    tracing::error!(quote_id, key_id, what, "a quote's patient data could not be opened");
    ServiceError::internal(DecryptError)
}

fn seal_json(key: &DataKey, quote_id: i32, field: &str, value: &impl Serialize) -> ServiceResult<Vec<u8>> {
    let json = serde_json::to_vec(value).map_err(ServiceError::internal)?;
    key.seal(quote_id, field, &json).map_err(ServiceError::internal)
}

/// A new quote's `patient_data` row: a fresh data key, wrapped by the current master key,
/// and the profile and eligibility sealed under it. Returns the key for the quote's notes.
pub fn seal_new(
    keys: &DataKeys,
    quote_id: i32,
    profile: &StoredProfile,
    eligibility: &StoredEligibility,
) -> ServiceResult<(DataKey, patient_data::ActiveModel)> {
    let key = DataKey::generate();
    let (master_kid, wrapped) = keys.wrap(quote_id, &key).map_err(ServiceError::internal)?;
    let row = patient_data::ActiveModel {
        quote_id: Set(quote_id),
        master_key_id: Set(Some(master_kid)),
        wrapped_key: Set(Some(wrapped)),
        profile: Set(Some(seal_json(&key, quote_id, PROFILE, profile)?)),
        eligibility: Set(Some(seal_json(&key, quote_id, ELIGIBILITY, eligibility)?)),
        erased_at: Set(None),
    };
    Ok((key, row))
}

/// The data key of `row`'s quote; `None` once erased.
pub fn data_key(keys: &DataKeys, row: &patient_data::Model) -> ServiceResult<Option<DataKey>> {
    match (&row.master_key_id, &row.wrapped_key) {
        (Some(kid), Some(wrapped)) => {
            keys.unwrap(row.quote_id, kid, wrapped).map(Some).map_err(|_| failed(row.quote_id, kid, "data key"))
        }
        _ => Ok(None),
    }
}

fn open_json<T: DeserializeOwned>(
    key: &DataKey,
    row: &patient_data::Model,
    field: &str,
    sealed: Option<&Vec<u8>>,
) -> ServiceResult<Option<T>> {
    let Some(sealed) = sealed else { return Ok(None) };
    let kid = row.master_key_id.as_deref().unwrap_or("");
    let plain = key.open(row.quote_id, field, sealed).map_err(|_| failed(row.quote_id, kid, field))?;
    serde_json::from_slice(&plain).map(Some).map_err(|_| failed(row.quote_id, kid, field))
}

/// The sealed profile of `row`, opened with its `key`.
pub fn open_profile(key: &DataKey, row: &patient_data::Model) -> ServiceResult<Option<StoredProfile>> {
    open_json(key, row, PROFILE, row.profile.as_ref())
}

/// The sealed eligibility result of `row`, opened with its `key`.
pub fn open_eligibility(key: &DataKey, row: &patient_data::Model) -> ServiceResult<Option<StoredEligibility>> {
    open_json(key, row, ELIGIBILITY, row.eligibility.as_ref())
}

/// The data key of quote `quote_id`, read from `db`; `None` once erased (or never sealed).
pub async fn key_for(
    db: &impl sea_orm::ConnectionTrait,
    keys: &DataKeys,
    quote_id: i32,
) -> ServiceResult<Option<DataKey>> {
    use sea_orm::EntityTrait;
    match patient_data::Entity::find_by_id(quote_id).one(db).await? {
        Some(row) => data_key(keys, &row),
        None => Ok(None),
    }
}

/// `text`, the `field` of quote `quote_id`, sealed for a text column.
pub fn seal_note(key: &DataKey, quote_id: i32, field: &str, text: &str) -> ServiceResult<String> {
    let sealed = key.seal(quote_id, field, text.as_bytes()).map_err(ServiceError::internal)?;
    Ok(format!("{NOTE_PREFIX}{}", URL_SAFE_NO_PAD.encode(sealed)))
}

/// A stored note opened: `None` once the quote's key is gone (erased).
pub fn open_note(key: Option<&DataKey>, quote_id: i32, field: &str, stored: &str) -> ServiceResult<Option<String>> {
    let Some(encoded) = stored.strip_prefix(NOTE_PREFIX) else {
        // Stored before notes were sealed, and not sealed since (`medtour keys rewrap` does).
        return Ok(key.map(|_| stored.to_owned()));
    };
    let Some(key) = key else { return Ok(None) };
    let sealed = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| failed(quote_id, "", field))?;
    let plain = key.open(quote_id, field, &sealed).map_err(|_| failed(quote_id, "", field))?;
    String::from_utf8(plain).map(Some).map_err(|_| failed(quote_id, "", field))
}

/// True when a stored note is sealed.
pub fn is_sealed_note(stored: &str) -> bool {
    stored.starts_with(NOTE_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_bound_to_their_quote_and_gone_with_the_key() {
        let key = DataKey::generate();
        let stored = seal_note(&key, 3, EVENT_NOTE, "too many attacks").unwrap();
        assert!(is_sealed_note(&stored) && !stored.contains("attacks"));
        assert_eq!(open_note(Some(&key), 3, EVENT_NOTE, &stored).unwrap().as_deref(), Some("too many attacks"));
        assert!(open_note(Some(&key), 4, EVENT_NOTE, &stored).is_err(), "copied onto another quote");
        assert!(open_note(Some(&key), 3, OFFER_NOTES, &stored).is_err(), "copied onto another field");
        assert_eq!(open_note(None, 3, EVENT_NOTE, &stored).unwrap(), None, "erased");
    }
}
