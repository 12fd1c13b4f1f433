//! A request under an idempotency key already used: the original quote when the input is the
//! same, a CONFLICT otherwise. The business fields are compared by digest, the patient opened
//! from the sealed original (never by a digest of health data).

use entity::{patient_data, quotes};
use sea_orm::EntityTrait;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::outcome::{Outcome, UserError};
use super::request::QuoteRequest;
use super::vocab::UserErrorCode;
use crate::error::ServiceResult;
use crate::quotes::health::vault::{self, StoredProfile};
use crate::state::AppState;

/// The digest of everything in a request but its key and its patient (which is compared
/// opened, so that no digest of health data is stored: a digest of so few values could be
/// reversed by trying them all).
pub(crate) fn fingerprint(input: &QuoteRequest) -> String {
    fingerprint_of(
        input.clinic,
        input.treatment.as_str(),
        input.package,
        input.requested_cell_count_millions,
        input.travel_earliest,
        input.travel_latest,
    )
}

/// The digest of a request's business fields (as a request names them, or as a stored quote
/// holds them).
pub(crate) fn fingerprint_of(
    clinic: Option<i32>,
    treatment: &str,
    package: Option<Option<i32>>,
    cells: Option<i32>,
    earliest: Option<chrono::NaiveDate>,
    latest: Option<chrono::NaiveDate>,
) -> String {
    let canonical = json!([
        "v2",
        clinic,
        treatment,
        package,
        cells,
        earliest.map(|d| d.to_string()),
        latest.map(|d| d.to_string()),
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The patient of a request, as it is sealed.
pub(crate) fn stored_profile(p: &super::request::PatientProfile) -> StoredProfile {
    StoredProfile {
        reference: p.reference.clone(),
        age_years: p.age_years,
        country_of_residence: p.country_of_residence.clone(),
        chronic_migraine_diagnosis: p.chronic_migraine_diagnosis,
        headache_days_per_month: p.headache_days_per_month,
        treatments_tried: p.treatments_tried.iter().map(|t| t.as_str().to_owned()).collect(),
        contraindications: p.contraindications.iter().map(|c| c.as_str().to_owned()).collect(),
        medical_notes: p.medical_notes.clone(),
    }
}

/// True when two profiles say the same (lists compared as sets).
fn same_patient(a: &StoredProfile, b: &StoredProfile) -> bool {
    let set = |v: &[String]| v.iter().cloned().collect::<std::collections::BTreeSet<_>>();
    a.reference == b.reference
        && a.age_years == b.age_years
        && a.country_of_residence == b.country_of_residence
        && a.chronic_migraine_diagnosis == b.chronic_migraine_diagnosis
        && a.headache_days_per_month == b.headache_days_per_month
        && set(&a.treatments_tried) == set(&b.treatments_tried)
        && set(&a.contraindications) == set(&b.contraindications)
        && a.medical_notes == b.medical_notes
}

/// The answer to a request whose key was used before: the original quote when the input is
/// the same, a CONFLICT otherwise. An erased patient can no longer be compared: the business
/// fields decide.
pub(crate) async fn replay(state: &AppState, existing: quotes::Model, input: &QuoteRequest) -> ServiceResult<Outcome> {
    let sealed = patient_data::Entity::find_by_id(existing.id).one(&state.db).await?;
    let key = sealed.as_ref().map(|row| vault::data_key(&state.data_keys, row)).transpose()?.flatten();
    let same_patient = match (&sealed, &key) {
        (Some(row), Some(key)) => {
            vault::open_profile(key, row)?.is_some_and(|p| same_patient(&p, &stored_profile(&input.patient)))
        }
        (Some(row), None) => row.erased_at.is_some(),
        (None, _) => false,
    };
    if existing.request_fingerprint == fingerprint(input) && same_patient {
        Ok(Outcome::done(existing))
    } else {
        Ok(Outcome::refused(vec![UserError {
            field: Some(vec!["input".into(), "idempotencyKey".into()]),
            message: "this idempotency key was already used with different input".into(),
            code: UserErrorCode::Conflict,
        }]))
    }
}
