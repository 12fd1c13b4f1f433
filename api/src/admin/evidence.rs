//! Administration of a clinic's evidence: accreditations and certificates of analysis.
//!
//! Evidence arrives UNVERIFIED, whoever sends it (ADMIN or the clinic itself); only ADMIN
//! sets VERIFIED or REJECTED, with the time and the reviewer on the record and the note in
//! the audit log. Changing any value of a reviewed accreditation puts it back to UNVERIFIED;
//! resubmitting identical values changes nothing. EXPIRED is never stored: it is derived from
//! `expiresOn` when read. Every write refreshes the clinic's checklist before it commits.

use entity::{accreditations, certificates_of_analysis as coa, coa_markers};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::audit::{self, Entry, snapshot};
use super::catalogue::reachable_clinic;
use super::outcome::{Refused, Written, not_found, stale};
use super::request::{AccreditationFields, CertificateFields, Named, Versioned};
use super::validate::{MAX_NAME, MAX_TEXT, Problems};
use super::versioned::{bump, reaches, refused};
use crate::auth::caller::Caller;
use crate::catalogue::vocab::{VerificationDecision, VerificationStatus};
use crate::catalogue::write::refresh_derived;
use crate::db::Guarded;
use crate::graphql::ids::Kind;
use crate::state::AppState;

const NUMBER: Guarded = Guarded {
    constraint: "uq_accreditations_number",
    field: &["input", "certificateNumber"],
    message: "this body's certificate number is already on record",
};
const LOT: Guarded = Guarded {
    constraint: "uq_coa_clinic_lot",
    field: &["input", "lotNumber"],
    message: "this lot is already on record",
};
const MARKER: Guarded = Guarded {
    constraint: "uq_coa_markers_marker",
    field: &["input", "markers"],
    message: "each marker may be given once",
};

fn check_accreditation(a: &AccreditationFields, today: chrono::NaiveDate) -> Problems {
    let mut p = Problems::under(&["input"]);
    p.name("bodyName", &a.body_name, MAX_NAME);
    p.name("certificateNumber", &a.certificate_number, 100);
    p.not_future("issuedOn", a.issued_on, today);
    p.in_order("expiresOn", a.issued_on, a.expires_on);
    p
}

fn accreditation_values(a: &AccreditationFields) -> accreditations::ActiveModel {
    accreditations::ActiveModel {
        body: Set(a.body.as_str().to_owned()),
        body_name: Set(a.body_name.clone()),
        certificate_number: Set(a.certificate_number.clone()),
        issued_on: Set(a.issued_on),
        expires_on: Set(a.expires_on),
        // New or changed evidence waits for a reviewer.
        status: Set(VerificationStatus::Unverified.as_str().to_owned()),
        verified_at: Set(None),
        verified_by: Set(None),
        ..Default::default()
    }
}

/// Adds an UNVERIFIED accreditation to clinic `clinic`.
pub async fn create_accreditation(
    state: &AppState,
    caller: &Caller,
    clinic: Named,
    a: AccreditationFields,
) -> Written<accreditations::Model> {
    let clinic = reachable_clinic(state, caller, clinic, "clinicId").await?;
    let now = state.clock.now();
    check_accreditation(&a, now.date_naive()).finish()?;
    let txn = state.db.begin().await?;
    let row = accreditations::ActiveModel { clinic_id: Set(clinic.id), version: Set(1), ..accreditation_values(&a) }
        .insert(&txn)
        .await
        .map_err(|e| refused(e, &[NUMBER]))?;
    refresh_derived(&txn, &[clinic.id], now).await?;
    let entry = Entry {
        action: "accreditation.create",
        kind: Kind::Accreditation,
        row: row.id,
        before: None,
        after: Some(snapshot::accreditation(&row)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(row)
}

async fn reachable_accreditation(state: &AppState, caller: &Caller, id: Named) -> Written<accreditations::Model> {
    let row = match id {
        Some(id) => accreditations::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    row.filter(|a| reaches(caller, a.clinic_id)).ok_or_else(|| not_found("id", "accreditation"))
}

fn same_values(row: &accreditations::Model, a: &AccreditationFields) -> bool {
    row.body == a.body.as_str()
        && row.body_name == a.body_name
        && row.certificate_number == a.certificate_number
        && row.issued_on == a.issued_on
        && row.expires_on == a.expires_on
}

/// Rewrites an accreditation at `target.version`: back to UNVERIFIED when any value
/// changes; identical values change nothing (no new version, no audit entry).
pub async fn update_accreditation(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    a: AccreditationFields,
) -> Written<accreditations::Model> {
    let before = reachable_accreditation(state, caller, target.id).await?;
    let now = state.clock.now();
    check_accreditation(&a, now.date_naive()).finish()?;
    if before.version != target.version {
        return Err(stale("accreditation"));
    }
    if same_values(&before, &a) {
        return Ok(before);
    }
    let txn = state.db.begin().await?;
    let columns = (accreditations::Column::Id, accreditations::Column::Version);
    bump::<accreditations::Entity>(&txn, accreditation_values(&a), columns, (before.id, target.version), &[NUMBER])
        .await?;
    let after = accreditations::Entity::find_by_id(before.id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found("id", "accreditation"))?;
    refresh_derived(&txn, &[before.clinic_id], now).await?;
    let entry = Entry {
        action: "accreditation.update",
        kind: Kind::Accreditation,
        row: before.id,
        before: Some(snapshot::accreditation(&before)),
        after: Some(snapshot::accreditation(&after)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// What a verdict sets, made by `caller` at `now`.
fn verdict(decision: VerificationDecision) -> &'static str {
    match decision {
        VerificationDecision::Verify => VerificationStatus::Verified.as_str(),
        VerificationDecision::Reject => VerificationStatus::Rejected.as_str(),
    }
}

fn check_note(note: &Option<String>) -> Result<(), Refused> {
    let mut p = Problems::under(&[]);
    if let Some(note) = note {
        p.text("note", note, MAX_TEXT);
    }
    p.finish()
}

/// ADMIN: records a reviewer's verdict on an accreditation at `target.version`.
pub async fn verify_accreditation(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    decision: VerificationDecision,
    note: Option<String>,
) -> Written<accreditations::Model> {
    let before = reachable_accreditation(state, caller, target.id).await?;
    check_note(&note)?;
    if before.version != target.version {
        return Err(stale("accreditation"));
    }
    let now = state.clock.now();
    let changes = accreditations::ActiveModel {
        status: Set(verdict(decision).to_owned()),
        verified_at: Set(Some(now)),
        verified_by: Set(Some(caller.client_id.clone())),
        ..Default::default()
    };
    let txn = state.db.begin().await?;
    let columns = (accreditations::Column::Id, accreditations::Column::Version);
    bump::<accreditations::Entity>(&txn, changes, columns, (before.id, target.version), &[]).await?;
    let after = accreditations::Entity::find_by_id(before.id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found("id", "accreditation"))?;
    refresh_derived(&txn, &[before.clinic_id], now).await?;
    let entry = Entry {
        action: "accreditation.verify",
        kind: Kind::Accreditation,
        row: before.id,
        before: Some(snapshot::accreditation(&before)),
        after: Some(snapshot::accreditation(&after)),
        note,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

fn check_certificate(c: &CertificateFields, today: chrono::NaiveDate) -> Problems {
    let mut p = Problems::under(&["input"]);
    p.name("lotNumber", &c.lot_number, 100);
    p.name("laboratoryName", &c.laboratory_name, MAX_NAME);
    p.optional_name("laboratoryAccreditation", c.laboratory_accreditation.as_deref(), MAX_NAME);
    p.not_future("issuedOn", Some(c.issued_on), today);
    p.within("cellCountMillions", c.cell_count_millions, 1, 100_000);
    p.percent(&["viabilityPercent"], c.viability_percent);
    if c.markers.len() > 50 {
        p.add(&["markers"], "at most 50 markers");
    }
    for (i, m) in c.markers.iter().enumerate() {
        let index = i.to_string();
        let name_ok = !m.marker.trim().is_empty()
            && m.marker.len() <= 20
            && m.marker.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'/' | b'.'));
        if !name_ok {
            p.add(&["markers", &index, "marker"], "a marker is 1 to 20 letters, digits, '-', '/' or '.'");
        } else if c.markers[..i].iter().any(|o| o.marker.eq_ignore_ascii_case(&m.marker)) {
            p.add(&["markers", &index, "marker"], format!("{} is given twice", m.marker));
        }
        p.percent(&["markers", &index, "percentPositive"], m.percent_positive);
    }
    p.url("documentUrl", c.document_url.as_deref());
    p.sha256("documentSha256", c.document_sha256.as_deref());
    p
}

/// Adds an UNVERIFIED certificate of analysis, with its markers, to clinic `clinic`.
pub async fn create_certificate(
    state: &AppState,
    caller: &Caller,
    clinic: Named,
    c: CertificateFields,
) -> Written<(coa::Model, Vec<coa_markers::Model>)> {
    let clinic = reachable_clinic(state, caller, clinic, "clinicId").await?;
    let now = state.clock.now();
    check_certificate(&c, now.date_naive()).finish()?;
    let txn = state.db.begin().await?;
    let row = coa::ActiveModel {
        clinic_id: Set(clinic.id),
        lot_number: Set(c.lot_number),
        laboratory_name: Set(c.laboratory_name),
        laboratory_accreditation: Set(c.laboratory_accreditation),
        issued_on: Set(c.issued_on),
        cell_source: Set(c.cell_source.as_str().to_owned()),
        cell_count_millions: Set(c.cell_count_millions),
        viability_percent: Set(c.viability_percent),
        sterility: Set(c.sterility.as_str().to_owned()),
        endotoxin: Set(c.endotoxin.as_str().to_owned()),
        mycoplasma: Set(c.mycoplasma.as_str().to_owned()),
        document_url: Set(c.document_url),
        document_sha256: Set(c.document_sha256.map(|d| d.to_ascii_lowercase())),
        status: Set(VerificationStatus::Unverified.as_str().to_owned()),
        version: Set(1),
        verified_at: Set(None),
        verified_by: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| refused(e, &[LOT]))?;
    let mut markers = Vec::with_capacity(c.markers.len());
    for m in c.markers {
        let marker = coa_markers::ActiveModel {
            certificate_id: Set(row.id),
            marker: Set(m.marker),
            percent_positive: Set(m.percent_positive),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| refused(e, &[MARKER]))?;
        markers.push(marker);
    }
    refresh_derived(&txn, &[clinic.id], now).await?;
    let entry = Entry {
        action: "certificateOfAnalysis.create",
        kind: Kind::CertificateOfAnalysis,
        row: row.id,
        before: None,
        after: Some(snapshot::certificate(&row, &markers)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok((row, markers))
}

/// ADMIN: records a reviewer's verdict on a certificate at `target.version`.
pub async fn verify_certificate(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    decision: VerificationDecision,
    note: Option<String>,
) -> Written<(coa::Model, Vec<coa_markers::Model>)> {
    let before = match target.id {
        Some(id) => coa::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    let Some(before) = before.filter(|c| reaches(caller, c.clinic_id)) else {
        return Err(not_found("id", "certificate of analysis"));
    };
    check_note(&note)?;
    if before.version != target.version {
        return Err(stale("certificate of analysis"));
    }
    let now = state.clock.now();
    let changes = coa::ActiveModel {
        status: Set(verdict(decision).to_owned()),
        verified_at: Set(Some(now)),
        verified_by: Set(Some(caller.client_id.clone())),
        ..Default::default()
    };
    let txn = state.db.begin().await?;
    let columns = (coa::Column::Id, coa::Column::Version);
    bump::<coa::Entity>(&txn, changes, columns, (before.id, target.version), &[]).await?;
    let after = coa::Entity::find_by_id(before.id)
        .one(&txn)
        .await?
        .ok_or_else(|| not_found("id", "certificate of analysis"))?;
    let markers = coa_markers::Entity::find()
        .filter(coa_markers::Column::CertificateId.eq(before.id))
        .order_by_asc(coa_markers::Column::Id)
        .all(&txn)
        .await?;
    refresh_derived(&txn, &[before.clinic_id], now).await?;
    let entry = Entry {
        action: "certificateOfAnalysis.verify",
        kind: Kind::CertificateOfAnalysis,
        row: before.id,
        before: Some(snapshot::certificate(&before, &markers)),
        after: Some(snapshot::certificate(&after, &markers)),
        note,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok((after, markers))
}
