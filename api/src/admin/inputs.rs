//! What staff and clinics send to administration, as GraphQL inputs, and their conversion
//! into the plain [`request`](super::request) values the services take.

use async_graphql::{ID, InputObject, MaybeUndefined};

use super::request::{
    AccreditationFields, CertificateFields, ClinicChanges, ClinicFields, DoctorChanges, DoctorFields, Marker,
    NewClient, PackageFields, TreatmentFields,
};
use crate::auth::role::Role;
use crate::catalogue::vocab::{AccreditationBody, AdministrationRoute, CellSource, TestOutcome};
use crate::graphql::ids::{Kind, named};
use crate::graphql::scalars::Date;
use crate::money::Decimal;

/// `Some(None)` for an explicit null (clear the field), `None` when the field was left out.
fn patched<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// A new clinic (created as DRAFT).
#[derive(InputObject, Clone, Debug)]
pub struct ClinicInput {
    /// Lower-case letters, digits and single hyphens, 2 to 100 characters; unique.
    pub slug: String,
    /// The clinic's name, 1 to 200 characters.
    pub name: String,
    /// ISO 3166-1 alpha-2, officially assigned.
    pub country_code: String,
    /// The city, 1 to 200 characters.
    pub city: String,
    /// What the clinic offers, 1 to 10,000 characters.
    pub description: String,
    /// An absolute http(s) URL.
    pub website: Option<String>,
    /// ISO 639-1 codes, each once.
    pub languages: Vec<String>,
}

impl From<ClinicInput> for ClinicFields {
    fn from(c: ClinicInput) -> Self {
        Self {
            slug: c.slug,
            name: c.name,
            country_code: c.country_code,
            city: c.city,
            description: c.description,
            website: c.website,
            languages: c.languages,
        }
    }
}

/// Descriptive fields of a clinic to change; a field left out stays as it is.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ClinicPatch {
    /// The clinic's name.
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// What the clinic offers.
    pub description: Option<String>,
    /// An absolute http(s) URL; null removes it.
    pub website: MaybeUndefined<String>,
    /// ISO 639-1 codes.
    pub languages: Option<Vec<String>>,
}

impl From<ClinicPatch> for ClinicChanges {
    fn from(p: ClinicPatch) -> Self {
        Self {
            name: p.name,
            country_code: p.country_code,
            city: p.city,
            description: p.description,
            website: patched(p.website),
            languages: p.languages,
        }
    }
}

/// A new doctor.
#[derive(InputObject, Clone, Debug)]
pub struct DoctorInput {
    /// Full name.
    pub name: String,
    /// e.g. "Neurologist".
    pub title: String,
    /// The medical licence number, when the doctor has one.
    pub license_number: Option<String>,
    /// 0 to 80.
    pub years_of_experience: Option<i32>,
    /// Up to 30 specialties.
    pub specialties: Vec<String>,
}

impl From<DoctorInput> for DoctorFields {
    fn from(d: DoctorInput) -> Self {
        Self {
            name: d.name,
            title: d.title,
            license_number: d.license_number,
            years_of_experience: d.years_of_experience,
            specialties: d.specialties,
        }
    }
}

/// Fields of a doctor to change; a field left out stays as it is, null clears it.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DoctorPatch {
    /// Full name.
    pub name: Option<String>,
    /// e.g. "Neurologist".
    pub title: Option<String>,
    /// The medical licence number; null removes it.
    pub license_number: MaybeUndefined<String>,
    /// 0 to 80; null removes it.
    pub years_of_experience: MaybeUndefined<i32>,
    /// Up to 30 specialties.
    pub specialties: Option<Vec<String>>,
}

impl From<DoctorPatch> for DoctorChanges {
    fn from(p: DoctorPatch) -> Self {
        Self {
            name: p.name,
            title: p.title,
            license_number: patched(p.license_number),
            years_of_experience: patched(p.years_of_experience),
            specialties: p.specialties,
        }
    }
}

/// An accreditation or licence (it arrives UNVERIFIED).
#[derive(InputObject, Clone, Debug)]
pub struct AccreditationInput {
    /// The issuing body.
    pub body: AccreditationBody,
    /// The issuing body's full name.
    pub body_name: String,
    /// Unique per body.
    pub certificate_number: String,
    /// Not in the future.
    pub issued_on: Option<Date>,
    /// Not before `issuedOn`.
    pub expires_on: Option<Date>,
}

impl From<AccreditationInput> for AccreditationFields {
    fn from(a: AccreditationInput) -> Self {
        Self {
            body: a.body,
            body_name: a.body_name,
            certificate_number: a.certificate_number,
            issued_on: a.issued_on.map(|d| d.0),
            expires_on: a.expires_on.map(|d| d.0),
        }
    }
}

/// One surface-marker result.
#[derive(InputObject, Clone, Debug)]
pub struct MarkerInput {
    /// e.g. "CD73"; each marker once per certificate.
    pub marker: String,
    /// 0 to 100.
    pub percent_positive: f64,
}

/// A laboratory's certificate of analysis for one lot (it arrives UNVERIFIED).
#[derive(InputObject, Clone, Debug)]
pub struct CertificateOfAnalysisInput {
    /// Unique per clinic.
    pub lot_number: String,
    /// The laboratory that tested the lot.
    pub laboratory_name: String,
    /// e.g. "ISO/IEC 17025".
    pub laboratory_accreditation: Option<String>,
    /// Not in the future.
    pub issued_on: Date,
    /// Where the cells come from.
    pub cell_source: CellSource,
    /// 1 to 100,000.
    pub cell_count_millions: i32,
    /// 0 to 100.
    pub viability_percent: f64,
    /// Sterility test result.
    pub sterility: TestOutcome,
    /// Endotoxin test result.
    pub endotoxin: TestOutcome,
    /// Mycoplasma test result.
    pub mycoplasma: TestOutcome,
    /// Percentages 0 to 100, each marker once.
    pub markers: Vec<MarkerInput>,
    /// An absolute http(s) URL of the document.
    pub document_url: Option<String>,
    /// SHA-256 of the document, 64 hexadecimal digits.
    pub document_sha256: Option<String>,
}

impl From<CertificateOfAnalysisInput> for CertificateFields {
    fn from(c: CertificateOfAnalysisInput) -> Self {
        Self {
            lot_number: c.lot_number,
            laboratory_name: c.laboratory_name,
            laboratory_accreditation: c.laboratory_accreditation,
            issued_on: c.issued_on.0,
            cell_source: c.cell_source,
            cell_count_millions: c.cell_count_millions,
            viability_percent: c.viability_percent,
            sterility: c.sterility,
            endotoxin: c.endotoxin,
            mycoplasma: c.mycoplasma,
            markers: c
                .markers
                .into_iter()
                .map(|m| Marker { marker: m.marker, percent_positive: m.percent_positive })
                .collect(),
            document_url: c.document_url,
            document_sha256: c.document_sha256,
        }
    }
}

/// A treatment package.
#[derive(InputObject, Clone, Debug)]
pub struct TreatmentPackageInput {
    /// Treatment slug.
    pub treatment: String,
    /// The package's name.
    pub name: String,
    /// Where the cells come from.
    pub cell_source: CellSource,
    /// 1 to 100,000.
    pub cell_count_millions: i32,
    /// At least one, each once.
    pub administration_routes: Vec<AdministrationRoute>,
    /// 1 to 100.
    pub sessions: i32,
    /// 0 to 365.
    pub stay_days: i32,
    /// Greater than 0, at most two decimals.
    pub price: Decimal,
    /// ISO 4217; the catalogue holds USD prices for now.
    pub currency_code: String,
    /// e.g. "hotel", up to 30.
    pub inclusions: Vec<String>,
}

impl From<TreatmentPackageInput> for PackageFields {
    fn from(p: TreatmentPackageInput) -> Self {
        Self {
            treatment: p.treatment,
            name: p.name,
            cell_source: p.cell_source,
            cell_count_millions: p.cell_count_millions,
            administration_routes: p.administration_routes,
            sessions: p.sessions,
            stay_days: p.stay_days,
            price: p.price,
            currency_code: p.currency_code,
            inclusions: p.inclusions,
        }
    }
}

/// A treatment.
#[derive(InputObject, Clone, Debug)]
pub struct TreatmentInput {
    /// Lower-case letters, digits and single hyphens; unique.
    pub slug: String,
    /// The treatment's name.
    pub name: String,
    /// The condition treated, e.g. "Chronic migraine".
    pub condition: String,
    /// What the treatment is.
    pub description: String,
    /// Regulatory status, e.g. approval in the United States.
    pub regulatory_note: String,
}

impl From<TreatmentInput> for TreatmentFields {
    fn from(t: TreatmentInput) -> Self {
        Self {
            slug: t.slug,
            name: t.name,
            condition: t.condition,
            description: t.description,
            regulatory_note: t.regulatory_note,
        }
    }
}

/// A new API client.
#[derive(InputObject, Clone, Debug)]
pub struct ApiClientInput {
    /// What kind of caller it is.
    pub role: Role,
    /// For PARTNER and AGENT clients: the partner (created when new).
    pub partner_name: Option<String>,
    /// For CLINIC clients: the clinic.
    pub clinic_id: Option<ID>,
    /// A note on who holds it.
    pub label: Option<String>,
}

impl From<ApiClientInput> for NewClient {
    fn from(c: ApiClientInput) -> Self {
        Self {
            role: c.role,
            partner_name: c.partner_name,
            clinic: c.clinic_id.map(|id| named(Kind::Clinic, &id)),
            label: c.label,
        }
    }
}

/// Narrows the audit log; every given field must match.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditFilter {
    /// The changed record's global ID.
    pub entity_id: Option<ID>,
    /// The acting client's id.
    pub actor: Option<String>,
    /// Actions such as "clinic.update".
    pub actions: Option<Vec<String>>,
    /// Only records made after this moment.
    pub after: Option<crate::graphql::scalars::DateTime>,
    /// Only records made before this moment.
    pub before: Option<crate::graphql::scalars::DateTime>,
}
