//! The shape of `catalogue.json`. Unknown fields are refused so a typo in the file fails
//! loudly instead of silently dropping data.

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub treatments: Vec<TreatmentRecord>,
    pub clinics: Vec<ClinicRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreatmentRecord {
    pub slug: String,
    pub name: String,
    pub condition: String,
    pub description: String,
    pub regulatory_note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicRecord {
    pub slug: String,
    pub name: String,
    pub country_code: String,
    pub city: String,
    pub description: String,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub published: bool,
    pub doctors: Vec<DoctorRecord>,
    pub accreditations: Vec<AccreditationRecord>,
    pub certificates: Vec<CertificateRecord>,
    pub packages: Vec<PackageRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoctorRecord {
    pub name: String,
    pub title: String,
    pub license_number: Option<String>,
    pub years_of_experience: Option<i32>,
    pub specialties: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccreditationRecord {
    pub body: String,
    pub body_name: String,
    pub certificate_number: String,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkerRecord {
    pub marker: String,
    pub percent_positive: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateRecord {
    pub lot_number: String,
    pub laboratory_name: String,
    pub laboratory_accreditation: Option<String>,
    pub issued_on: String,
    pub cell_source: String,
    pub cell_count_millions: i32,
    pub viability_percent: f64,
    pub sterility: String,
    pub endotoxin: String,
    pub mycoplasma: String,
    pub markers: Vec<MarkerRecord>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
    pub status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageRecord {
    pub name: String,
    pub treatment: String,
    pub cell_source: String,
    pub cell_count_millions: i32,
    pub administration_routes: Vec<String>,
    pub sessions: i32,
    pub stay_days: i32,
    pub price: String,
    pub currency_code: String,
    pub inclusions: Vec<String>,
    pub active: bool,
}
