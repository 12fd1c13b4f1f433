//! Administration of treatments and clinics: creation, descriptive updates and the clinic
//! lifecycle (DRAFT → PUBLISHED → SUSPENDED ⇄ PUBLISHED, any → ARCHIVED).

use entity::{clinics, treatments};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

use super::audit::{self, Entry, snapshot};
use super::outcome::{Written, invalid_transition, not_found, stale};
use super::request::{ClinicChanges, ClinicFields, TreatmentFields, Versioned};
use super::validate::{MAX_NAME, MAX_TEXT, Problems};
use super::versioned::{bump, reaches, refused};
use crate::auth::caller::Caller;
use crate::catalogue::filter::contains_pattern;
use crate::catalogue::listing::TotalCount;
use crate::catalogue::vocab::ClinicStatus;
use crate::catalogue::write::{ClinicDraft, advance_version, refresh_derived};
use crate::db::Guarded;
use crate::graphql::ids::Kind;
use crate::state::AppState;

const TREATMENT_SLUG: Guarded = Guarded {
    constraint: "treatments_slug_key",
    field: &["input", "slug"],
    message: "another treatment has this slug",
};
const CLINIC_SLUG: Guarded =
    Guarded { constraint: "clinics_slug_key", field: &["input", "slug"], message: "another clinic has this slug" };

fn check_treatment(t: &TreatmentFields) -> Problems {
    let mut p = Problems::under(&["input"]);
    p.slug("slug", &t.slug);
    p.name("name", &t.name, MAX_NAME);
    p.name("condition", &t.condition, MAX_NAME);
    p.text("description", &t.description, MAX_TEXT);
    p.text("regulatoryNote", &t.regulatory_note, MAX_TEXT);
    p
}

fn treatment_row(t: &TreatmentFields) -> treatments::ActiveModel {
    treatments::ActiveModel {
        slug: Set(t.slug.clone()),
        name: Set(t.name.clone()),
        condition: Set(t.condition.clone()),
        description: Set(t.description.clone()),
        regulatory_note: Set(t.regulatory_note.clone()),
        ..Default::default()
    }
}

/// ADMIN: adds a treatment.
pub async fn create_treatment(state: &AppState, caller: &Caller, t: TreatmentFields) -> Written<treatments::Model> {
    check_treatment(&t).finish()?;
    let txn = state.db.begin().await?;
    let row = treatment_row(&t).insert(&txn).await.map_err(|e| refused(e, &[TREATMENT_SLUG]))?;
    let entry = Entry {
        action: "treatment.create",
        kind: Kind::Treatment,
        row: row.id,
        before: None,
        after: Some(snapshot::treatment(&row)),
        note: None,
    };
    advance_version(&txn).await?;
    audit::record(&txn, caller, state.clock.now(), entry).await?;
    txn.commit().await?;
    Ok(row)
}

/// ADMIN: rewrites a treatment at `target.version`.
pub async fn update_treatment(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    t: TreatmentFields,
) -> Written<treatments::Model> {
    let before = match target.id {
        Some(id) => treatments::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    let Some(before) = before else { return Err(not_found("id", "treatment")) };
    check_treatment(&t).finish()?;
    if before.version != target.version {
        return Err(stale("treatment"));
    }
    let txn = state.db.begin().await?;
    let columns = (treatments::Column::Id, treatments::Column::Version);
    // A slug taken meanwhile is a field error, as on creation.
    bump::<treatments::Entity>(&txn, treatment_row(&t), columns, (before.id, target.version), &[TREATMENT_SLUG])
        .await?;
    let after =
        treatments::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "treatment"))?;
    let entry = Entry {
        action: "treatment.update",
        kind: Kind::Treatment,
        row: before.id,
        before: Some(snapshot::treatment(&before)),
        after: Some(snapshot::treatment(&after)),
        note: None,
    };
    advance_version(&txn).await?;
    audit::record(&txn, caller, state.clock.now(), entry).await?;
    txn.commit().await?;
    Ok(after)
}

fn check_clinic(prefix: &str, c: &ClinicChanges, slug: Option<&str>) -> Problems {
    let mut p = Problems::under(&[prefix]);
    if let Some(slug) = slug {
        p.slug("slug", slug);
    }
    if let Some(name) = &c.name {
        p.name("name", name, MAX_NAME);
    }
    if let Some(code) = &c.country_code {
        p.country("countryCode", code);
    }
    if let Some(city) = &c.city {
        p.name("city", city, MAX_NAME);
    }
    if let Some(description) = &c.description {
        p.text("description", description, MAX_TEXT);
    }
    if let Some(website) = &c.website {
        p.url("website", website.as_deref());
    }
    if let Some(languages) = &c.languages {
        p.languages("languages", languages);
    }
    p
}

/// ADMIN: adds a clinic as a DRAFT, invisible to partners until published.
pub async fn create_clinic(state: &AppState, caller: &Caller, c: ClinicFields) -> Written<clinics::Model> {
    let changes = ClinicChanges {
        name: Some(c.name.clone()),
        country_code: Some(c.country_code.clone()),
        city: Some(c.city.clone()),
        description: Some(c.description.clone()),
        website: Some(c.website.clone()),
        languages: Some(c.languages.clone()),
    };
    check_clinic("input", &changes, Some(&c.slug)).finish()?;
    let now = state.clock.now();
    let draft = ClinicDraft {
        slug: c.slug,
        name: c.name,
        country_code: c.country_code,
        city: c.city,
        description: c.description,
        website: c.website,
        languages: c.languages,
        status: ClinicStatus::Draft,
    };
    let txn = state.db.begin().await?;
    let row = draft.row(now).insert(&txn).await.map_err(|e| refused(e, &[CLINIC_SLUG]))?;
    refresh_derived(&txn, &[row.id], now).await?;
    let after = clinics::Entity::find_by_id(row.id).one(&txn).await?.unwrap_or(row);
    let entry = Entry {
        action: "clinic.create",
        kind: Kind::Clinic,
        row: after.id,
        before: None,
        after: Some(snapshot::clinic(&after)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// The clinic `id` names, if the caller may change it (otherwise NOT_FOUND on `field`,
/// exactly as for one that does not exist).
pub async fn reachable_clinic(
    state: &AppState,
    caller: &Caller,
    id: Option<i32>,
    field: &str,
) -> Written<clinics::Model> {
    let row = match id {
        Some(id) => clinics::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    row.filter(|c| reaches(caller, c.id)).ok_or_else(|| not_found(field, "clinic"))
}

/// ADMIN, or CLINIC for its own clinic: changes descriptive fields at `target.version`.
/// The folded search texts and the checklist (whose REALISTIC_CLAIMS reads the texts) are
/// recomputed before the change commits.
pub async fn update_clinic(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    c: ClinicChanges,
) -> Written<clinics::Model> {
    let before = reachable_clinic(state, caller, target.id, "id").await?;
    check_clinic("patch", &c, None).finish()?;
    if before.version != target.version {
        return Err(stale("clinic"));
    }
    let now = state.clock.now();
    let draft = ClinicDraft {
        slug: before.slug.clone(),
        name: c.name.unwrap_or_else(|| before.name.clone()),
        country_code: c.country_code.unwrap_or_else(|| before.country_code.clone()),
        city: c.city.unwrap_or_else(|| before.city.clone()),
        description: c.description.unwrap_or_else(|| before.description.clone()),
        website: c.website.unwrap_or_else(|| before.website.clone()),
        languages: c.languages.unwrap_or_else(|| crate::catalogue::types::strings(&before.languages)),
        status: ClinicStatus::from_stored(&before.status)?,
    };
    let txn = state.db.begin().await?;
    let columns = (clinics::Column::Id, clinics::Column::Version);
    bump::<clinics::Entity>(&txn, draft.changes(now), columns, (before.id, target.version), &[]).await?;
    refresh_derived(&txn, &[before.id], now).await?;
    let after = clinics::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "clinic"))?;
    let entry = Entry {
        action: "clinic.update",
        kind: Kind::Clinic,
        row: before.id,
        before: Some(snapshot::clinic(&before)),
        after: Some(snapshot::clinic(&after)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// ADMIN: moves a clinic along its lifecycle at `target.version`, noting `reason`.
pub async fn set_clinic_status(
    state: &AppState,
    caller: &Caller,
    target: Versioned,
    to: ClinicStatus,
    reason: Option<String>,
) -> Written<clinics::Model> {
    let before = reachable_clinic(state, caller, target.id, "id").await?;
    let mut problems = Problems::under(&[]);
    if let Some(reason) = &reason {
        problems.text("reason", reason, MAX_TEXT);
    }
    problems.finish()?;
    let from = ClinicStatus::from_stored(&before.status)?;
    if !from.may_become(to) {
        return Err(invalid_transition("status", format!("a {} clinic cannot become {}", from.as_str(), to.as_str())));
    }
    if before.version != target.version {
        return Err(stale("clinic"));
    }
    let now = state.clock.now();
    let changes =
        clinics::ActiveModel { status: Set(to.as_str().to_owned()), updated_at: Set(now), ..Default::default() };
    let txn = state.db.begin().await?;
    let columns = (clinics::Column::Id, clinics::Column::Version);
    bump::<clinics::Entity>(&txn, changes, columns, (before.id, target.version), &[]).await?;
    let after = clinics::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "clinic"))?;
    let entry = Entry {
        action: "clinic.status",
        kind: Kind::Clinic,
        row: before.id,
        before: Some(snapshot::clinic(&before)),
        after: Some(snapshot::clinic(&after)),
        note: reason,
    };
    advance_version(&txn).await?;
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok(after)
}

/// The cursor tag of the staff clinic list (by row id).
const CLINICS: &str = "ADMIN_CLINICS_BY_ID";

/// The cursor of a clinic in the staff list.
pub fn clinic_cursor(c: &clinics::Model) -> String {
    crate::paging::encode_cursor(CLINICS, &c.id)
}

/// ADMIN: clinics of every status (or of `statuses`), matching `search` in name, city or
/// description, oldest first; the count when asked.
pub async fn list_clinics(
    db: &sea_orm::DatabaseConnection,
    statuses: Option<Vec<ClinicStatus>>,
    search: Option<String>,
    (first, after): (Option<i32>, Option<&str>),
    want_total: bool,
) -> crate::error::ServiceResult<(crate::paging::Page<clinics::Model>, Option<TotalCount>)> {
    use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
    let request = crate::paging::page_request::<i32>(CLINICS, first, after, None, None)?;
    let mut cond = Condition::all();
    if let Some(statuses) = statuses {
        cond = cond.add(clinics::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
    }
    if let Some(search) = search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if search.chars().count() > MAX_NAME || search.chars().any(char::is_control) {
            return Err(crate::error::ServiceError::bad_input(&["search"], "at most 200 characters, one line"));
        }
        cond = cond.add(clinics::Column::SearchText.like(contains_pattern(search)));
    }
    let total = want_total.then(|| TotalCount::new(db, cond.clone()));
    let mut select = clinics::Entity::find().filter(cond);
    if let Some(id) = request.cursor {
        select = select.filter(clinics::Column::Id.gt(id));
    }
    let rows = select.order_by_asc(clinics::Column::Id).limit(request.limit + 1).all(db).await?;
    Ok((crate::paging::Page::from_fetched(rows, &request), total))
}
