//! `submitQuoteRequest`: validate, pre-screen, and store a quote with its first event in one
//! transaction — once per partner and idempotency key, even when identical requests race.

use entity::{clinics, quotes, treatment_packages};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, SqlErr, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::eligibility::{self, Screening};
use super::events::{self, NewEvent};
use super::outcome::{Outcome, UserError};
use super::request::QuoteRequest;
use super::scope::Tenancy;
use super::validate;
use super::vocab::{QuoteStatus, UserErrorCode};
use crate::auth::caller::Caller;
use crate::catalogue::vocab::ClinicStatus;
use crate::error::{ServiceError, ServiceResult};
use crate::state::AppState;

/// The digest of everything in a request but its key and its notes (compared decrypted, so
/// no digest of health data is stored).
fn fingerprint(input: &QuoteRequest) -> String {
    let p = &input.patient;
    let mut tried: Vec<&str> = p.treatments_tried.iter().map(|t| t.as_str()).collect();
    tried.sort_unstable();
    tried.dedup();
    let mut contra: Vec<&str> = p.contraindications.iter().map(|c| c.as_str()).collect();
    contra.sort_unstable();
    contra.dedup();
    let canonical = json!([
        input.clinic,
        input.treatment,
        input.package,
        input.requested_cell_count_millions,
        input.travel_earliest.map(|d| d.to_string()),
        input.travel_latest.map(|d| d.to_string()),
        p.reference,
        p.age_years,
        p.country_of_residence,
        p.chronic_migraine_diagnosis,
        p.headache_days_per_month,
        tried,
        contra,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The answer to a request whose key was used before: the original quote when the input is
/// the same, a CONFLICT otherwise.
fn replay(state: &AppState, existing: quotes::Model, input: &QuoteRequest) -> Outcome {
    let notes = match (&existing.medical_notes_ciphertext, &existing.medical_notes_key_id) {
        (Some(sealed), Some(kid)) => state.data_keys.decrypt(existing.id, kid, sealed).ok(),
        _ => None,
    };
    if existing.request_fingerprint == fingerprint(input) && notes == input.patient.medical_notes {
        Outcome::done(existing)
    } else {
        Outcome::refused(vec![UserError {
            field: Some(vec!["input".into(), "idempotencyKey".into()]),
            message: "this idempotency key was already used with different input".into(),
            code: UserErrorCode::Conflict,
        }])
    }
}

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
        return Ok(replay(state, found, &input));
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
        patient_reference: Set(p.reference.clone()),
        patient_age_years: Set(p.age_years),
        patient_country: Set(p.country_of_residence.clone()),
        chronic_migraine_diagnosis: Set(p.chronic_migraine_diagnosis),
        headache_days_per_month: Set(p.headache_days_per_month),
        treatments_tried: Set(json!(p.treatments_tried.iter().map(|t| t.as_str()).collect::<Vec<_>>())),
        contraindications: Set(json!(p.contraindications.iter().map(|c| c.as_str()).collect::<Vec<_>>())),
        medical_notes_ciphertext: Set(None),
        medical_notes_key_id: Set(None),
        eligibility_outcome: Set(screening.outcome.as_str().to_owned()),
        eligibility_reasons: Set(json!(screening.reasons)),
        created_at: Set(at),
        updated_at: Set(at),
        reviewed_at: Set(None),
        offered_at: Set(None),
    };
    let mut attempts = 0;
    let (txn, mut quote) = loop {
        let txn = db.begin().await?;
        match row(random_quote_id()).insert(&txn).await {
            Ok(q) => break (txn, q),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                if crate::db::violated_constraint(&e).as_deref() == Some(IDEMPOTENCY_CONSTRAINT)
                    && let Some(found) = existing(db, partner_id, &input.idempotency_key).await?
                {
                    // An identical request won the race: answer as its replay.
                    return Ok(replay(state, found, &input));
                }
                attempts += 1;
                if attempts == 4 {
                    return Err(ServiceError::Conflict("the request collided with another; retry".into()));
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    if let Some(notes) = &p.medical_notes {
        let (kid, sealed) = state.data_keys.encrypt(quote.id, notes).map_err(ServiceError::internal)?;
        quotes::Entity::update_many()
            .col_expr(quotes::Column::MedicalNotesCiphertext, Expr::value(Some(sealed.clone())))
            .col_expr(quotes::Column::MedicalNotesKeyId, Expr::value(Some(kid.clone())))
            .filter(quotes::Column::Id.eq(quote.id))
            .exec(&txn)
            .await?;
        quote.medical_notes_ciphertext = Some(sealed);
        quote.medical_notes_key_id = Some(kid);
    }
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
