//! `submitQuoteRequest`: validate, pre-screen, and store a quote with its first event in one
//! transaction — once per partner and idempotency key, even when identical requests race.

use entity::{clinics, quotes, treatment_packages};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr, TransactionTrait,
};

use super::eligibility::{self, Screening};
use super::events::{self, NewEvent};
use super::outcome::{Outcome, UserError};
use super::replay::{fingerprint, replay, stored_profile};
use super::request::QuoteRequest;
use super::scope::Tenancy;
use super::validate;
use super::vocab::{QuoteStatus, UserErrorCode};
use crate::auth::caller::Caller;
use crate::catalogue::vocab::ClinicStatus;
use crate::error::{ServiceError, ServiceResult};
use crate::quotes::health::vault::{self, StoredEligibility};
use crate::state::AppState;

async fn existing(db: &DatabaseConnection, partner_id: i32, key: &str) -> ServiceResult<Option<quotes::Model>> {
    Ok(Tenancy::Partner(partner_id).find().filter(quotes::Column::IdempotencyKey.eq(key)).one(db).await?)
}

/// What the request points at, once checked.
struct Target {
    clinic_id: i32,
    treatment_id: i32,
    package_id: Option<i32>,
}

async fn resolve_target(
    db: &DatabaseConnection,
    input: &QuoteRequest,
    errors: &mut Vec<UserError>,
) -> ServiceResult<Option<Target>> {
    let clinic = match input.clinic {
        Some(id) => {
            clinics::Entity::find_by_id(id)
                .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
                .one(db)
                .await?
        }
        None => None,
    };
    let Some(clinic) = clinic else {
        errors.push(UserError::not_found(&["input", "clinicId"], "published clinic"));
        return Ok(None);
    };
    let treatment = crate::catalogue::filter::treatment_by_slug(db, &input.treatment, &["input", "treatment"]).await;
    let treatment = match treatment {
        Ok(t) => t,
        Err(ServiceError::BadInput { message, .. }) => {
            errors.push(UserError {
                field: Some(vec!["input".into(), "treatment".into()]),
                message,
                code: UserErrorCode::NotFound,
            });
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let offered: Vec<treatment_packages::Model> = treatment_packages::Entity::find()
        .filter(treatment_packages::Column::ClinicId.eq(clinic.id))
        .filter(treatment_packages::Column::TreatmentId.eq(treatment.id))
        .filter(treatment_packages::Column::Active.eq(true))
        .all(db)
        .await?;
    if offered.is_empty() {
        errors.push(UserError::invalid(
            vec!["input".into(), "treatment".into()],
            format!("{} does not offer {}", clinic.name, treatment.slug),
        ));
        return Ok(None);
    }
    let mut package_id = None;
    if let Some(named) = input.package {
        match named.and_then(|row| offered.iter().find(|p| p.id == row)) {
            Some(p) => package_id = Some(p.id),
            None => errors.push(UserError::not_found(
                &["input", "packageId"],
                "active package of this clinic for this treatment",
            )),
        }
    }
    if let Some(cells) = input.requested_cell_count_millions {
        let candidates: Vec<i32> = match package_id {
            Some(id) => offered.iter().filter(|p| p.id == id).map(|p| p.cell_count_millions).collect(),
            None => offered.iter().map(|p| p.cell_count_millions).collect(),
        };
        if !candidates.contains(&cells) {
            let mut options = candidates.clone();
            options.sort_unstable();
            options.dedup();
            errors.push(UserError::invalid(
                vec!["input".into(), "requestedCellCountMillions".into()],
                format!("the clinic offers {options:?} million cells for this request, not {cells}"),
            ));
        }
    }
    Ok(Some(Target { clinic_id: clinic.id, treatment_id: treatment.id, package_id }))
}

/// The unique index that makes a key count once per partner.
const IDEMPOTENCY_CONSTRAINT: &str = "uq_quotes_partner_idempotency";

/// A fresh random quote row id.
fn random_quote_id() -> i32 {
    use rand::Rng;
    rand::thread_rng().gen_range(1..=i32::MAX)
}

/// Submits a quote request for `caller` (an AGENT).
pub async fn submit(state: &AppState, caller: &Caller, input: QuoteRequest) -> ServiceResult<Outcome> {
    let db = &state.db;
    let Some(partner_id) = caller.partner_id else {
        return Err(ServiceError::Forbidden("only agents of a partner submit quote requests".into()));
    };
    let key_errors = validate::idempotency_key(&input.idempotency_key);
    if !key_errors.is_empty() {
        return Ok(Outcome::refused(key_errors));
    }
    if let Some(found) = existing(db, partner_id, &input.idempotency_key).await? {
        return replay(state, found, &input).await;
    }
    let today = state.clock.now().date_naive();
    let mut errors = validate::patient(&input.patient, &["input", "patient"]);
    errors.extend(validate::travel(input.travel_earliest, input.travel_latest, today));
    if let Some(cells) = input.requested_cell_count_millions
        && !(1..=100_000).contains(&cells)
    {
        errors.push(UserError::invalid(
            vec!["input".into(), "requestedCellCountMillions".into()],
            "must be 1 to 100000".into(),
        ));
    }
    let target = resolve_target(db, &input, &mut errors).await?;
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Ok(Outcome::refused(errors));
    };

    let p = &input.patient;
    let screening = eligibility::screen(&Screening {
        chronic_migraine_diagnosis: p.chronic_migraine_diagnosis,
        headache_days_per_month: p.headache_days_per_month,
        treatments_tried: &p.treatments_tried,
        contraindications: &p.contraindications,
    });
    let at = state.clock.now();
    let submitted_by = caller_row(db, caller).await?;
    // Quote ids are drawn at random, not from a sequence, so an ID tells nobody how many
    // quotes the platform holds (older quotes keep their sequential ids). A draw that hits
    // an existing id is retried; one that hits the idempotency key is a replay.
    let row = |id: i32| quotes::ActiveModel {
        id: Set(id),
        partner_id: Set(partner_id),
        submitted_by: Set(submitted_by),
        clinic_id: Set(target.clinic_id),
        treatment_id: Set(target.treatment_id),
        package_id: Set(target.package_id),
        idempotency_key: Set(input.idempotency_key.clone()),
        request_fingerprint: Set(fingerprint(&input)),
        status: Set(QuoteStatus::Submitted.as_str().to_owned()),
        version: Set(0),
        requested_cell_count_millions: Set(input.requested_cell_count_millions),
        travel_earliest: Set(input.travel_earliest),
        travel_latest: Set(input.travel_latest),
        // Patient data lives sealed in `patient_data`; these columns are for older quotes.
        patient_reference: Set(None),
        patient_age_years: Set(None),
        patient_country: Set(None),
        chronic_migraine_diagnosis: Set(None),
        headache_days_per_month: Set(None),
        treatments_tried: Set(None),
        contraindications: Set(None),
        medical_notes_ciphertext: Set(None),
        medical_notes_key_id: Set(None),
        eligibility_outcome: Set(None),
        eligibility_reasons: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        reviewed_at: Set(None),
        offered_at: Set(None),
        response_seconds: Set(None),
    };
    let mut attempts = 0;
    let (txn, quote) = loop {
        let txn = db.begin().await?;
        match row(random_quote_id()).insert(&txn).await {
            Ok(q) => break (txn, q),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                if crate::db::violated_constraint(&e).as_deref() == Some(IDEMPOTENCY_CONSTRAINT)
                    && let Some(found) = existing(db, partner_id, &input.idempotency_key).await?
                {
                    // An identical request won the race: answer as its replay.
                    return replay(state, found, &input).await;
                }
                attempts += 1;
                if attempts == 4 {
                    return Err(ServiceError::Conflict("the request collided with another; retry".into()));
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    let eligibility =
        StoredEligibility { outcome: screening.outcome.as_str().to_owned(), reasons: screening.reasons.clone() };
    let (_, sealed) = vault::seal_new(&state.data_keys, quote.id, &stored_profile(p), &eligibility)?;
    sealed.insert(&txn).await?;
    let event = events::record(
        &txn,
        &quote,
        NewEvent { from: None, to: QuoteStatus::Submitted, caller: Some(caller), note: None, at },
    )
    .await?;
    txn.commit().await?;
    state.quote_events.publish(&state.db, event, &quote).await;
    state.webhook_worker.ring();
    Ok(Outcome::done(quote))
}

/// The row id of the caller's client.
pub(crate) async fn caller_row(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<i32> {
    entity::api_clients::Entity::find()
        .filter(entity::api_clients::Column::ClientId.eq(&caller.client_id))
        .one(db)
        .await?
        .map(|c| c.id)
        .ok_or(ServiceError::Unauthenticated)
}
