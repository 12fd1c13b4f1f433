//! What the administration services are asked to do, as plain domain values: resolvers
//! decode global IDs and convert GraphQL inputs into these before any service runs.

use chrono::NaiveDate;

use crate::auth::role::Role;
use crate::catalogue::vocab::{AccreditationBody, AdministrationRoute, CellSource, TestOutcome};
use crate::money::Decimal;

/// The row a global ID names, once decoded: `None` when it names nothing of the expected
/// kind (answered like an unknown row).
pub type Named = Option<i32>;

/// A record to change, at the version the caller read.
#[derive(Clone, Copy, Debug)]
pub struct Versioned {
    pub id: Named,
    pub version: i32,
}

/// Everything written of a treatment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatmentFields {
    pub slug: String,
    pub name: String,
    pub condition: String,
    pub description: String,
    pub regulatory_note: String,
}

/// Everything written of a new clinic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClinicFields {
    pub slug: String,
    pub name: String,
    pub country_code: String,
    pub city: String,
    pub description: String,
    pub website: Option<String>,
    pub languages: Vec<String>,
}

/// The descriptive fields of a clinic to change; `None` leaves a field as it is, and
/// `website: Some(None)` clears the website.
#[derive(Clone, Debug, Default)]
pub struct ClinicChanges {
    pub name: Option<String>,
    pub country_code: Option<String>,
    pub city: Option<String>,
    pub description: Option<String>,
    pub website: Option<Option<String>>,
    pub languages: Option<Vec<String>>,
}

/// Everything written of a doctor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoctorFields {
    pub name: String,
    pub title: String,
    pub license_number: Option<String>,
    pub years_of_experience: Option<i32>,
    pub specialties: Vec<String>,
}

/// The fields of a doctor to change (`Some(None)` clears a nullable one).
#[derive(Clone, Debug, Default)]
pub struct DoctorChanges {
    pub name: Option<String>,
    pub title: Option<String>,
    pub license_number: Option<Option<String>>,
    pub years_of_experience: Option<Option<i32>>,
    pub specialties: Option<Vec<String>>,
}

/// Everything written of an accreditation (its status is the reviewers').
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccreditationFields {
    pub body: AccreditationBody,
    pub body_name: String,
    pub certificate_number: String,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

/// One marker result of a certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub marker: String,
    pub percent_positive: f64,
}

/// Everything written of a certificate of analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateFields {
    pub lot_number: String,
    pub laboratory_name: String,
    pub laboratory_accreditation: Option<String>,
    pub issued_on: NaiveDate,
    pub cell_source: CellSource,
    pub cell_count_millions: i32,
    pub viability_percent: f64,
    pub sterility: TestOutcome,
    pub endotoxin: TestOutcome,
    pub mycoplasma: TestOutcome,
    pub markers: Vec<Marker>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
}

/// Everything written of a treatment package.
#[derive(Clone, Debug)]
pub struct PackageFields {
    /// Treatment slug.
    pub treatment: String,
    pub name: String,
    pub cell_source: CellSource,
    pub cell_count_millions: i32,
    pub administration_routes: Vec<AdministrationRoute>,
    pub sessions: i32,
    pub stay_days: i32,
    pub price: Decimal,
    pub currency_code: String,
    pub inclusions: Vec<String>,
}

/// A new API client.
#[derive(Clone, Debug)]
pub struct NewClient {
    pub role: Role,
    /// For PARTNER and AGENT clients.
    pub partner_name: Option<String>,
    /// For CLINIC clients: `Some` when an ID was given.
    pub clinic: Option<Named>,
    pub label: Option<String>,
}
