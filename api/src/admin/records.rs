//! Administration of a clinic's doctors and treatment packages (ADMIN, or CLINIC for its own
//! clinic). Each write refreshes the clinic's checklist and lowest price before it commits.
//! A removed doctor leaves its last state in the audit log; a package is archived, never
//! deleted, because quotes may name it.

use chrono::{DateTime, Utc};
use entity::{doctors, treatment_packages as packages};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;

use super::audit::{self, Entry, snapshot};
use super::catalogue::reachable_clinic;
use super::outcome::{Written, not_found, stale};
use super::request::{DoctorChanges, DoctorFields, Named, PackageFields, Versioned};
use super::validate::{MAX_NAME, Problems};
use super::versioned::{bump, reaches};
use crate::auth::caller::Caller;
use crate::catalogue::filter::treatment_by_slug;
use crate::catalogue::write::{PackageDraft, refresh_derived, usd_minor};
use crate::graphql::ids::Kind;
use crate::state::AppState;

fn check_doctor(prefix: &str, d: &DoctorChanges) -> Problems {
    let mut p = Problems::under(&[prefix]);
    if let Some(name) = &d.name {
        p.name("name", name, MAX_NAME);
    }
    if let Some(title) = &d.title {
        p.name("title", title, MAX_NAME);
    }
    if let Some(Some(license)) = &d.license_number {
        p.name("licenseNumber", license, 100);
    }
    if let Some(Some(years)) = d.years_of_experience {
        p.within("yearsOfExperience", years, 0, 80);
    }
    if let Some(specialties) = &d.specialties {
        p.names("specialties", specialties);
    }
    p
}

fn full(d: &DoctorFields) -> DoctorChanges {
    DoctorChanges {
        name: Some(d.name.clone()),
        title: Some(d.title.clone()),
        license_number: Some(d.license_number.clone()),
        years_of_experience: Some(d.years_of_experience),
        specialties: Some(d.specialties.clone()),
    }
}

/// Writes `changes`, made at `now`, with the refreshed roll-ups of `clinic` and the audit
/// entry, on `txn`.
async fn finish(
    txn: &impl ConnectionTrait,
    caller: &Caller,
    clinic: i32,
    now: DateTime<Utc>,
    entry: Entry,
) -> Written<()> {
    refresh_derived(txn, &[clinic], now).await?;
    audit::record(txn, caller, now, entry).await?;
    Ok(())
}

/// Adds a doctor to clinic `clinic`.
pub async fn create_doctor(
    state: &AppState,
    caller: &Caller,
    clinic: Named,
    d: DoctorFields,
) -> Written<doctors::Model> {
    let clinic = reachable_clinic(state, caller, clinic, "clinicId").await?;
    check_doctor("input", &full(&d)).finish()?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = doctors::ActiveModel {
        clinic_id: Set(clinic.id),
        name: Set(d.name),
        title: Set(d.title),
        license_number: Set(d.license_number),
        years_of_experience: Set(d.years_of_experience),
        specialties: Set(json!(d.specialties)),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let entry = Entry {
        action: "doctor.create",
        kind: Kind::Doctor,
        row: row.id,
        before: None,
        after: Some(snapshot::doctor(&row)),
        note: None,
    };
    finish(&txn, caller, clinic.id, now, entry).await?;
    txn.commit().await?;
    Ok(row)
}

async fn reachable_doctor(state: &AppState, caller: &Caller, id: Named) -> Written<doctors::Model> {
    let row = match id {
        Some(id) => doctors::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    row.filter(|d| reaches(caller, d.clinic_id)).ok_or_else(|| not_found("id", "doctor"))
}

/// Changes a doctor at `target.version`.
pub async fn update_doctor(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    d: DoctorChanges,
) -> Written<doctors::Model> {
    let before = reachable_doctor(state, caller, target.id).await?;
    check_doctor("patch", &d).finish()?;
    if before.version != target.version {
        return Err(stale("doctor"));
    }
    let now = state.clock.now();
    let changes = doctors::ActiveModel {
        name: d.name.map_or(sea_orm::NotSet, Set),
        title: d.title.map_or(sea_orm::NotSet, Set),
        license_number: d.license_number.map_or(sea_orm::NotSet, Set),
        years_of_experience: d.years_of_experience.map_or(sea_orm::NotSet, Set),
        specialties: d.specialties.map_or(sea_orm::NotSet, |s| Set(json!(s))),
        ..Default::default()
    };
    let txn = state.db.begin().await?;
    let columns = (doctors::Column::Id, doctors::Column::Version);
    bump::<doctors::Entity>(&txn, changes, columns, (before.id, target.version), &[]).await?;
    let after = doctors::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "doctor"))?;
    let entry = Entry {
        action: "doctor.update",
        kind: Kind::Doctor,
        row: before.id,
        before: Some(snapshot::doctor(&before)),
        after: Some(snapshot::doctor(&after)),
        note: None,
    };
    finish(&txn, caller, before.clinic_id, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// Removes a doctor at `target.version`; its last state stays in the audit log.
pub async fn remove_doctor(state: &AppState, caller: &Caller, target: Versioned) -> Written<doctors::Model> {
    let before = reachable_doctor(state, caller, target.id).await?;
    if before.version != target.version {
        return Err(stale("doctor"));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let removed = doctors::Entity::delete_many()
        .filter(doctors::Column::Id.eq(before.id))
        .filter(doctors::Column::Version.eq(target.version))
        .exec(&txn)
        .await?;
    if removed.rows_affected != 1 {
        return Err(stale("doctor"));
    }
    let entry = Entry {
        action: "doctor.remove",
        kind: Kind::Doctor,
        row: before.id,
        before: Some(snapshot::doctor(&before)),
        after: None,
        note: None,
    };
    finish(&txn, caller, before.clinic_id, now, entry).await?;
    txn.commit().await?;
    Ok(before)
}

/// Checks a package and prices it: the draft to write, or every problem.
async fn check_package(state: &AppState, clinic_id: i32, p: &PackageFields) -> Written<PackageDraft> {
    let mut problems = Problems::under(&["input"]);
    let treatment = match treatment_by_slug(&state.db, &p.treatment, &["input", "treatment"]).await {
        Ok(t) => Some(t),
        Err(_) => {
            problems.add(&["treatment"], format!("no treatment has the slug {:?}", p.treatment));
            None
        }
    };
    problems.name("name", &p.name, MAX_NAME);
    problems.within("cellCountMillions", p.cell_count_millions, 1, 100_000);
    problems.within("sessions", p.sessions, 1, 100);
    problems.within("stayDays", p.stay_days, 0, 365);
    if p.administration_routes.is_empty() {
        problems.add(&["administrationRoutes"], "name at least one administration route");
    }
    for (i, route) in p.administration_routes.iter().enumerate() {
        if p.administration_routes[..i].contains(route) {
            problems.add(&["administrationRoutes", &i.to_string()], format!("{} is listed twice", route.as_str()));
        }
    }
    problems.names("inclusions", &p.inclusions);
    let price = problems.price("price", "currencyCode", p.price, &p.currency_code);
    if let Some(minor) = price
        && let Err(e) = usd_minor(minor, &p.currency_code)
    {
        problems.add(&["currencyCode"], e.to_string());
    }
    problems.finish()?;
    let (Some(treatment), Some(price_minor)) = (treatment, price) else {
        return Err(not_found("treatment", "treatment"));
    };
    Ok(PackageDraft {
        clinic_id,
        treatment_id: treatment.id,
        name: p.name.clone(),
        cell_source: p.cell_source.as_str().to_owned(),
        cell_count_millions: p.cell_count_millions,
        administration_routes: p.administration_routes.iter().map(|r| r.as_str().to_owned()).collect(),
        sessions: p.sessions,
        stay_days: p.stay_days,
        price_minor,
        currency_code: p.currency_code.clone(),
        inclusions: p.inclusions.clone(),
        active: true,
    })
}

/// Adds an active package to clinic `clinic`.
pub async fn create_package(
    state: &AppState,
    caller: &Caller,
    clinic: Named,
    p: PackageFields,
) -> Written<packages::Model> {
    let clinic = reachable_clinic(state, caller, clinic, "clinicId").await?;
    let draft = check_package(state, clinic.id, &p).await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = draft.row()?.insert(&txn).await?;
    let entry = Entry {
        action: "treatmentPackage.create",
        kind: Kind::TreatmentPackage,
        row: row.id,
        before: None,
        after: Some(snapshot::package(&row)),
        note: None,
    };
    finish(&txn, caller, clinic.id, now, entry).await?;
    txn.commit().await?;
    Ok(row)
}

async fn reachable_package(state: &AppState, caller: &Caller, id: Named) -> Written<packages::Model> {
    let row = match id {
        Some(id) => packages::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    row.filter(|p| reaches(caller, p.clinic_id)).ok_or_else(|| not_found("id", "treatment package"))
}

/// Rewrites a package at `target.version` (an archived one stays archived).
pub async fn update_package(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    p: PackageFields,
) -> Written<packages::Model> {
    let before = reachable_package(state, caller, target.id).await?;
    let draft = check_package(state, before.clinic_id, &p).await?;
    if before.version != target.version {
        return Err(stale("treatment package"));
    }
    change_package(state, caller, before, target.version, draft.changes()?, "treatmentPackage.update").await
}

/// Archives a package at `target.version`: it leaves the partner catalogue and stays
/// reachable from the quotes that name it.
pub async fn archive_package(state: &AppState, caller: &Caller, target: Versioned) -> Written<packages::Model> {
    let before = reachable_package(state, caller, target.id).await?;
    if before.version != target.version {
        return Err(stale("treatment package"));
    }
    let changes = packages::ActiveModel { active: Set(false), ..Default::default() };
    change_package(state, caller, before, target.version, changes, "treatmentPackage.archive").await
}

async fn change_package(
    state: &AppState,
    caller: &Caller,
    before: packages::Model,
    version: i32,
    changes: packages::ActiveModel,
    action: &'static str,
) -> Written<packages::Model> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let columns = (packages::Column::Id, packages::Column::Version);
    bump::<packages::Entity>(&txn, changes, columns, (before.id, version), &[]).await?;
    let after =
        packages::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "treatment package"))?;
    let entry = Entry {
        action,
        kind: Kind::TreatmentPackage,
        row: before.id,
        before: Some(snapshot::package(&before)),
        after: Some(snapshot::package(&after)),
        note: None,
    };
    finish(&txn, caller, before.clinic_id, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}
