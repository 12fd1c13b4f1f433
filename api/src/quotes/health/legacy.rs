//! Quotes stored before envelope encryption: their patient columns in plaintext (but for the
//! medical notes, sealed directly under a master key) and their notes in plaintext. Sealing
//! them moves everything into `patient_data` under a fresh data key, seals their notes, and
//! empties the old columns, one quote per transaction, so it can stop and resume anywhere.
//! The server does it at start-up; `medtour keys rewrap` does it too.

use entity::{patient_data, quote_events, quote_offers, quotes, treatments};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, Value,
};

use super::vault::{self, StoredEligibility, StoredProfile};
use crate::catalogue::types::strings;
use crate::crypto::DataKeys;
use crate::error::{ServiceError, ServiceResult};

/// Quotes sealed per round trip.
const BATCH: u64 = 100;

/// Empties quote `quote_id`'s plaintext patient columns.
pub async fn clear_plaintext(conn: &impl ConnectionTrait, quote_id: i32) -> ServiceResult<()> {
    use quotes::Column as C;
    let mut update = quotes::Entity::update_many();
    for col in [C::PatientReference, C::PatientCountry, C::MedicalNotesKeyId, C::EligibilityOutcome] {
        update = update.col_expr(col, Expr::value(Value::String(None)));
    }
    for col in [C::PatientAgeYears, C::HeadacheDaysPerMonth] {
        update = update.col_expr(col, Expr::value(Value::Int(None)));
    }
    update = update
        .col_expr(C::ChronicMigraineDiagnosis, Expr::value(Value::Bool(None)))
        .col_expr(C::MedicalNotesCiphertext, Expr::value(Value::Bytes(None)));
    for col in [C::TreatmentsTried, C::Contraindications, C::EligibilityReasons] {
        update = update.col_expr(col, Expr::value(Value::Json(None)));
    }
    update.filter(C::Id.eq(quote_id)).exec(conn).await?;
    Ok(())
}

/// What a legacy row says about the patient.
fn legacy_profile(keys: &DataKeys, q: &quotes::Model) -> ServiceResult<(StoredProfile, StoredEligibility)> {
    let missing = || ServiceError::internal(crate::crypto::DecryptError);
    let medical_notes = match (&q.medical_notes_ciphertext, &q.medical_notes_key_id) {
        (Some(sealed), Some(kid)) => Some(keys.decrypt(q.id, kid, sealed).map_err(|_| {
            tracing::error!(quote_id = q.id, key_id = %kid, "a legacy quote's notes could not be decrypted");
            missing()
        })?),
        _ => None,
    };
    let profile = StoredProfile {
        reference: q.patient_reference.clone(),
        age_years: q.patient_age_years.ok_or_else(missing)?,
        country_of_residence: q.patient_country.clone().ok_or_else(missing)?,
        chronic_migraine_diagnosis: q.chronic_migraine_diagnosis.ok_or_else(missing)?,
        headache_days_per_month: q.headache_days_per_month.ok_or_else(missing)?,
        treatments_tried: q.treatments_tried.as_ref().map(strings).unwrap_or_default(),
        contraindications: q.contraindications.as_ref().map(strings).unwrap_or_default(),
        medical_notes,
    };
    let eligibility = StoredEligibility {
        outcome: q.eligibility_outcome.clone().ok_or_else(missing)?,
        reasons: q.eligibility_reasons.as_ref().map(strings).unwrap_or_default(),
    };
    Ok((profile, eligibility))
}

/// Seals one legacy quote; false when another process sealed it first.
async fn seal_one(db: &DatabaseConnection, keys: &DataKeys, q: &quotes::Model) -> ServiceResult<bool> {
    let (profile, eligibility) = legacy_profile(keys, q)?;
    let slug = treatments::Entity::find_by_id(q.treatment_id).one(db).await?.map(|t| t.slug).unwrap_or_default();
    let txn = db.begin().await?;
    if patient_data::Entity::find_by_id(q.id).one(&txn).await?.is_some() {
        txn.rollback().await?;
        return Ok(false);
    }
    let (key, row) = vault::seal_new(keys, q.id, &profile, &eligibility)?;
    row.insert(&txn).await?;
    for e in quote_events::Entity::find().filter(quote_events::Column::QuoteId.eq(q.id)).all(&txn).await? {
        if let Some(note) = e.note.as_deref().filter(|n| !vault::is_sealed_note(n)) {
            let sealed = vault::seal_note(&key, q.id, vault::EVENT_NOTE, note)?;
            quote_events::Entity::update_many()
                .col_expr(quote_events::Column::Note, Expr::value(sealed))
                .filter(quote_events::Column::Id.eq(e.id))
                .exec(&txn)
                .await?;
        }
    }
    if let Some(o) = quote_offers::Entity::find().filter(quote_offers::Column::QuoteId.eq(q.id)).one(&txn).await?
        && let Some(notes) = o.notes.as_deref().filter(|n| !vault::is_sealed_note(n))
    {
        let sealed = vault::seal_note(&key, q.id, vault::OFFER_NOTES, notes)?;
        quote_offers::Entity::update_many()
            .col_expr(quote_offers::Column::Notes, Expr::value(sealed))
            .filter(quote_offers::Column::Id.eq(o.id))
            .exec(&txn)
            .await?;
    }
    // The request's digest no longer covers the patient (compared opened instead).
    let fingerprint = crate::quotes::replay::fingerprint_of(
        Some(q.clinic_id),
        &slug,
        q.package_id.map(Some),
        q.requested_cell_count_millions,
        q.travel_earliest,
        q.travel_latest,
    );
    quotes::Entity::update_many()
        .col_expr(quotes::Column::RequestFingerprint, Expr::value(fingerprint))
        .filter(quotes::Column::Id.eq(q.id))
        .exec(&txn)
        .await?;
    clear_plaintext(&txn, q.id).await?;
    txn.commit().await?;
    Ok(true)
}

/// Seals every legacy quote; returns how many this call sealed.
pub async fn seal_all(db: &DatabaseConnection, keys: &DataKeys) -> ServiceResult<u64> {
    let mut sealed = 0;
    let mut after = 0;
    loop {
        let batch = quotes::Entity::find()
            .filter(quotes::Column::PatientAgeYears.is_not_null())
            .filter(quotes::Column::Id.gt(after))
            .order_by_asc(quotes::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { return Ok(sealed) };
        after = last.id;
        for q in &batch {
            sealed += u64::from(seal_one(db, keys, q).await?);
        }
    }
}
