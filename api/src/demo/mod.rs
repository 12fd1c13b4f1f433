//! Demo data shipped with the project (`catalogue.json`), loaded by `medtour seed-demo` and on
//! the first start of an empty development database.
//!
//! Loading is idempotent: treatments and clinics are keyed by slug, and a clinic that exists
//! already is left as it is, children included. Dates in the file may be relative to the
//! day of loading ("-90d", "+700d") so that "recent" and "unexpired" stay true over time.

mod records;

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::{accreditations, certificates_of_analysis as coa, clinics, coa_markers, doctors, treatments};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::json;

use self::records::{Catalogue, ClinicRecord};
use crate::catalogue::vocab::ClinicStatus;
use crate::catalogue::write::{self, ClinicDraft, PackageDraft};
use crate::config::Mode;
use crate::money::{self, Decimal};

/// What a load added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub treatments: usize,
    pub clinics: usize,
}

/// A fault in the shipped demo file or while writing it.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data is malformed: {0}")]
    Malformed(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Service(#[from] crate::error::ServiceError),
    #[error(
        "production mode (MEDTOUR_ENV=production) refuses demo data: it is public, and its demo \
         clients' secrets, an ADMIN's among them, are printed"
    )]
    Production,
}

/// Demo data and demo clients are for development only: refused in production mode.
pub fn refuse_in_production(mode: Mode) -> Result<(), DemoError> {
    match mode {
        Mode::Development => Ok(()),
        Mode::Production => Err(DemoError::Production),
    }
}

const CATALOGUE: &str = include_str!("catalogue.json");

/// Loads the demo catalogue into `db` as of `now` (its dates are relative to that day),
/// adding only what is missing.
pub async fn load(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Loaded, DemoError> {
    let catalogue: Catalogue = serde_json::from_str(CATALOGUE).map_err(|e| DemoError::Malformed(e.to_string()))?;
    let txn = db.begin().await?;
    let mut loaded = Loaded::default();
    for t in &catalogue.treatments {
        if treatments::Entity::find().filter(treatments::Column::Slug.eq(&t.slug)).one(&txn).await?.is_none() {
            treatments::ActiveModel {
                slug: Set(t.slug.clone()),
                name: Set(t.name.clone()),
                condition: Set(t.condition.clone()),
                description: Set(t.description.clone()),
                regulatory_note: Set(t.regulatory_note.clone()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            loaded.treatments += 1;
        }
    }
    let mut new_clinics = Vec::new();
    for c in &catalogue.clinics {
        if clinics::Entity::find().filter(clinics::Column::Slug.eq(&c.slug)).one(&txn).await?.is_none() {
            new_clinics.push(insert_clinic(&txn, c, now).await?);
        }
    }
    write::refresh_derived(&txn, &new_clinics, now).await?;
    txn.commit().await?;
    loaded.clinics = new_clinics.len();
    Ok(loaded)
}

/// Reads "YYYY-MM-DD" or a day offset from `today` ("-90d", "+700d").
fn date(text: &str, today: NaiveDate) -> Result<NaiveDate, DemoError> {
    let bad = || DemoError::Malformed(format!("date {text:?}"));
    if let Some(days) = text.strip_suffix('d') {
        let n: i64 = days.parse().map_err(|_| bad())?;
        let shifted = if n < 0 {
            today.checked_sub_days(Days::new(n.unsigned_abs()))
        } else {
            today.checked_add_days(Days::new(n as u64))
        };
        return shifted.ok_or_else(bad);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())
}

fn opt_date(text: &Option<String>, today: NaiveDate) -> Result<Option<NaiveDate>, DemoError> {
    text.as_deref().map(|t| date(t, today)).transpose()
}

async fn insert_clinic(txn: &DatabaseTransaction, c: &ClinicRecord, now: DateTime<Utc>) -> Result<i32, DemoError> {
    let today = now.date_naive();
    let draft = ClinicDraft {
        slug: c.slug.clone(),
        name: c.name.clone(),
        country_code: c.country_code.clone(),
        city: c.city.clone(),
        description: c.description.clone(),
        website: c.website.clone(),
        languages: c.languages.clone(),
        status: if c.published { ClinicStatus::Published } else { ClinicStatus::Draft },
    };
    let clinic = draft.row(now).insert(txn).await?;
    for d in &c.doctors {
        doctors::ActiveModel {
            clinic_id: Set(clinic.id),
            name: Set(d.name.clone()),
            title: Set(d.title.clone()),
            license_number: Set(d.license_number.clone()),
            years_of_experience: Set(d.years_of_experience),
            specialties: Set(json!(d.specialties)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    for a in &c.accreditations {
        accreditations::ActiveModel {
            clinic_id: Set(clinic.id),
            body: Set(a.body.clone()),
            body_name: Set(a.body_name.clone()),
            certificate_number: Set(a.certificate_number.clone()),
            issued_on: Set(opt_date(&a.issued_on, today)?),
            expires_on: Set(opt_date(&a.expires_on, today)?),
            status: Set(a.status.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    for r in &c.certificates {
        let certificate = coa::ActiveModel {
            clinic_id: Set(clinic.id),
            lot_number: Set(r.lot_number.clone()),
            laboratory_name: Set(r.laboratory_name.clone()),
            laboratory_accreditation: Set(r.laboratory_accreditation.clone()),
            issued_on: Set(date(&r.issued_on, today)?),
            cell_source: Set(r.cell_source.clone()),
            cell_count_millions: Set(r.cell_count_millions),
            viability_percent: Set(r.viability_percent),
            sterility: Set(r.sterility.clone()),
            endotoxin: Set(r.endotoxin.clone()),
            mycoplasma: Set(r.mycoplasma.clone()),
            document_url: Set(r.document_url.clone()),
            document_sha256: Set(r.document_sha256.clone()),
            status: Set(r.status.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for m in &r.markers {
            coa_markers::ActiveModel {
                certificate_id: Set(certificate.id),
                marker: Set(m.marker.clone()),
                percent_positive: Set(m.percent_positive),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    for p in &c.packages {
        let treatment = treatments::Entity::find()
            .filter(treatments::Column::Slug.eq(&p.treatment))
            .one(txn)
            .await?
            .ok_or_else(|| DemoError::Malformed(format!("unknown treatment {:?}", p.treatment)))?;
        let minor = money::exponent(&p.currency_code)
            .and_then(|exponent| Decimal::parse_str(&p.price).and_then(|d| d.to_minor(exponent)))
            .ok_or_else(|| DemoError::Malformed(format!("price {:?} {}", p.price, p.currency_code)))?;
        let draft = PackageDraft {
            clinic_id: clinic.id,
            treatment_id: treatment.id,
            name: p.name.clone(),
            cell_source: p.cell_source.clone(),
            cell_count_millions: p.cell_count_millions,
            administration_routes: p.administration_routes.clone(),
            sessions: p.sessions,
            stay_days: p.stay_days,
            price_minor: minor,
            currency_code: p.currency_code.clone(),
            inclusions: p.inclusions.clone(),
            active: p.active,
        };
        draft.row()?.insert(txn).await?;
    }
    Ok(clinic.id)
}

/// Creates one client per role (stamped `now`) for trying the API and prints them, once, with
/// their secrets.
pub async fn print_demo_clients(db: &DatabaseConnection, port: u16, now: DateTime<Utc>) -> Result<(), DemoError> {
    use crate::auth::clients;
    use crate::auth::role::Role;
    let partner = Some("Demo Partner Site");
    let clinic = clinics::Entity::find()
        .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
        .one(db)
        .await?
        .map(|c| c.slug)
        .ok_or_else(|| DemoError::Malformed("no published clinic for the demo CLINIC client".into()))?;
    let made = [
        clients::create(db, Role::Partner, partner, None, Some("demo"), now).await?,
        clients::create(db, Role::Agent, partner, None, Some("demo"), now).await?,
        clients::create(db, Role::Clinic, None, Some(&clinic), Some("demo"), now).await?,
        clients::create(db, Role::Admin, None, None, Some("demo"), now).await?,
    ];
    println!("\nDemo clients (shown once; secrets are stored only as hashes):");
    for c in &made {
        println!("  {:<8} client_id={}  client_secret={}", c.role.as_str(), c.client_id, c.client_secret);
    }
    if let Some(agent) = made.get(1) {
        println!(
            "\nTry:\n  TOKEN=$(curl -s -u '{}:{}' -d grant_type=client_credentials http://127.0.0.1:{port}/oauth/token | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n  curl -s http://127.0.0.1:{port}/graphql -H \"authorization: Bearer $TOKEN\" -H 'content-type: application/json' -d '{{\"query\":\"{{ viewer {{ clientId role partnerName }} }}\"}}'\n",
            agent.client_id, agent.client_secret
        );
    }
    Ok(())
}
