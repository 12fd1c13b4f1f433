//! Purpose-built catalogue rows for the catalogue tests, written through the catalogue's one
//! write path (`medtour::catalogue::write`), and small helpers to read GraphQL answers.
//!
//! [`exemplary_clinic`] passes all six checklist questions; tests spoil one thing at a time.
//! After writing, [`refresh`] recomputes the clinic's roll-ups as the API would, so orderings
//! by price and safety see it.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Days, NaiveDate, Utc};
use entity::{accreditations, certificates_of_analysis as coa, clinics, coa_markers, doctors, treatments};
use medtour::catalogue::vocab::ClinicStatus;
use medtour::catalogue::write::{ClinicDraft, PackageDraft, refresh_derived};
use medtour::graphql::ids::{Kind, encode};
use medtour_tests::{Backend, TestApp, spawn_app_with};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

/// The treatment of the source article.
pub const MIGRAINE: &str = "msc-chronic-migraine";

/// Markers of a lot that meets every ISCT threshold.
pub const GOOD_MARKERS: [(&str, f64); 8] = [
    ("CD73", 98.6),
    ("CD90", 99.1),
    ("CD105", 97.4),
    ("CD34", 0.4),
    ("CD45", 0.6),
    ("CD14", 0.3),
    ("CD19", 0.2),
    ("HLA-DR", 0.8),
];

/// A server with the demo catalogue for catalogue tests. They ask many questions in a row,
/// so the partner's rate budget is raised out of their way (rate limiting has its own tests).
pub async fn catalogue_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[("MEDTOUR_RATE_PARTNER", "1000000/100000")]).await
}

/// Today shifted by `days` (negative: in the past).
pub fn days_from_today(days: i64) -> NaiveDate {
    let today = Utc::now().date_naive();
    if days < 0 { today - Days::new(days.unsigned_abs()) } else { today + Days::new(days as u64) }
}

/// Inserts a published clinic with neutral texts and nothing else; returns its row id.
pub async fn clinic(db: &DatabaseConnection, slug: &str, name: &str, country: &str, city: &str) -> i32 {
    clinic_with(db, slug, name, country, city, "A clinic offering cell therapy after a medical review.", true).await
}

/// Inserts a clinic with every text chosen; returns its row id.
pub async fn clinic_with(
    db: &DatabaseConnection,
    slug: &str,
    name: &str,
    country: &str,
    city: &str,
    description: &str,
    published: bool,
) -> i32 {
    let draft = ClinicDraft {
        slug: slug.into(),
        name: name.into(),
        country_code: country.into(),
        city: city.into(),
        description: description.into(),
        website: None,
        languages: vec!["en".into()],
        status: if published { ClinicStatus::Published } else { ClinicStatus::Draft },
    };
    draft.row(Utc::now()).insert(db).await.expect("a fixture clinic").id
}

/// A package to insert: the defaults are an active 100-million UC-MSC migraine package.
pub struct Package {
    pub treatment: &'static str,
    pub usd_cents: i64,
    pub cells: i32,
    pub source: &'static str,
    pub routes: Vec<String>,
    pub inclusions: Vec<String>,
    pub active: bool,
}

impl Package {
    /// A package at `usd_cents`.
    pub fn priced(usd_cents: i64) -> Self {
        Self {
            treatment: MIGRAINE,
            usd_cents,
            cells: 100,
            source: "UMBILICAL_CORD_MSC",
            routes: vec!["INTRAVENOUS".into()],
            inclusions: vec!["Hotel (3 nights)".into()],
            active: true,
        }
    }

    /// Inserts the package for `clinic_id`; returns its row id.
    pub async fn insert(self, db: &DatabaseConnection, clinic_id: i32) -> i32 {
        let treatment = treatments::Entity::find()
            .filter(treatments::Column::Slug.eq(self.treatment))
            .one(db)
            .await
            .expect("treatments are readable")
            .expect("the demo treatments are loaded");
        let draft = PackageDraft {
            clinic_id,
            treatment_id: treatment.id,
            name: format!("{} million cells", self.cells),
            cell_source: self.source.into(),
            cell_count_millions: self.cells,
            administration_routes: self.routes,
            sessions: 1,
            stay_days: 3,
            price_minor: self.usd_cents,
            currency_code: "USD".into(),
            inclusions: self.inclusions,
            active: self.active,
        };
        draft.row().expect("a USD package").insert(db).await.expect("a fixture package").id
    }
}

/// Inserts a doctor; returns its row id.
pub async fn doctor(db: &DatabaseConnection, clinic_id: i32, license: Option<&str>) -> i32 {
    doctors::ActiveModel {
        clinic_id: Set(clinic_id),
        name: Set("Dr. Test Fixture".into()),
        title: Set("Neurologist".into()),
        license_number: Set(license.map(str::to_owned)),
        years_of_experience: Set(Some(10)),
        specialties: Set(json!(["Neurology"])),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a fixture doctor")
    .id
}

/// Certificate numbers are unique per body: each fixture accreditation gets its own.
static NUMBERS: AtomicU32 = AtomicU32::new(1);

/// Inserts an accreditation from `body` with a stored `status`; returns its row id.
pub async fn accreditation(
    db: &DatabaseConnection,
    clinic_id: i32,
    body: &str,
    status: &str,
    expires_on: Option<NaiveDate>,
) -> i32 {
    accreditations::ActiveModel {
        clinic_id: Set(clinic_id),
        body: Set(body.into()),
        body_name: Set(format!("{body} accreditation body")),
        certificate_number: Set(format!("{body}-{clinic_id}-{}", NUMBERS.fetch_add(1, Ordering::Relaxed))),
        issued_on: Set(Some(days_from_today(-400))),
        expires_on: Set(expires_on),
        status: Set(status.into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a fixture accreditation")
    .id
}

/// A certificate to insert: the defaults are a verified, recent lot that meets the criteria.
pub struct Certificate {
    pub lot: String,
    pub laboratory: &'static str,
    pub issued_on: NaiveDate,
    pub viability: f64,
    pub sterility: &'static str,
    pub status: &'static str,
    pub markers: Vec<(&'static str, f64)>,
}

impl Certificate {
    /// A good certificate for lot `lot`.
    pub fn good(lot: &str) -> Self {
        Self {
            lot: lot.into(),
            laboratory: "Independent Cell Lab",
            issued_on: days_from_today(-30),
            viability: 92.5,
            sterility: "PASS",
            status: "VERIFIED",
            markers: GOOD_MARKERS.to_vec(),
        }
    }

    /// Inserts the certificate and its markers for `clinic_id`; returns its row id.
    pub async fn insert(self, db: &DatabaseConnection, clinic_id: i32) -> i32 {
        let certificate = coa::ActiveModel {
            clinic_id: Set(clinic_id),
            lot_number: Set(self.lot),
            laboratory_name: Set(self.laboratory.into()),
            laboratory_accreditation: Set(Some("ISO/IEC 17025".into())),
            issued_on: Set(self.issued_on),
            cell_source: Set("UMBILICAL_CORD_MSC".into()),
            cell_count_millions: Set(100),
            viability_percent: Set(self.viability),
            sterility: Set(self.sterility.into()),
            endotoxin: Set("PASS".into()),
            mycoplasma: Set("PASS".into()),
            document_url: Set(None),
            document_sha256: Set(None),
            status: Set(self.status.into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("a fixture certificate");
        for (marker, percent) in self.markers {
            coa_markers::ActiveModel {
                certificate_id: Set(certificate.id),
                marker: Set(marker.into()),
                percent_positive: Set(percent),
                ..Default::default()
            }
            .insert(db)
            .await
            .expect("a fixture marker");
        }
        certificate.id
    }
}

/// A clinic that passes all six checklist questions: a licensed doctor, a verified current
/// accreditation, a good recent certificate and one disclosed package at `usd_cents`.
pub async fn exemplary_clinic(db: &DatabaseConnection, slug: &str, name: &str, usd_cents: i64) -> i32 {
    let id = clinic(db, slug, name, "PA", "Panama City").await;
    doctor(db, id, Some("PA-LIC-1")).await;
    accreditation(db, id, "JCI", "VERIFIED", Some(days_from_today(300))).await;
    Certificate::good(&format!("{slug}-lot")).insert(db, id).await;
    Package::priced(usd_cents).insert(db, id).await;
    id
}

/// Recomputes the roll-ups (score, lowest price) of `ids` as of now.
pub async fn refresh(app: &TestApp, ids: &[i32]) {
    refresh_derived(&app.state.db, ids, Utc::now()).await.expect("roll-ups refresh");
}

/// The row id of the clinic with `slug`.
pub async fn clinic_row(app: &TestApp, slug: &str) -> clinics::Model {
    clinics::Entity::find()
        .filter(clinics::Column::Slug.eq(slug))
        .one(&app.state.db)
        .await
        .expect("clinics are readable")
        .unwrap_or_else(|| panic!("no clinic {slug}"))
}

/// The global ID of row `id` of `kind`.
pub fn gid(kind: Kind, id: i32) -> String {
    encode(kind, id).0
}

/// The string at `key` of each item of `list`.
pub fn strings(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list, got {list}"))
        .iter()
        .map(|item| item[key].as_str().unwrap_or_else(|| panic!("{key} in {item}")).to_owned())
        .collect()
}

/// The slugs of the clinics of a connection's edges.
pub fn slugs(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("edges in {connection}"))
        .iter()
        .map(|e| e["node"]["slug"].as_str().expect("a slug").to_owned())
        .collect()
}

/// The one `extensions.code` of a response that must have failed.
pub fn the_error_code(body: &Value) -> String {
    let codes = medtour_tests::error_codes(body);
    assert_eq!(codes.len(), 1, "exactly one error expected: {body:#}");
    codes[0].clone()
}
