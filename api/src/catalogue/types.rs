//! The catalogue's GraphQL output types, converted explicitly from entity rows so a column
//! added to a table never reaches the schema by accident.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages, treatments};

use super::evidence::Evidence;
use super::loaders::{CatalogueLoader, CertificatesOf, PackagesOf, TreatmentById};
use super::rules;
use super::vocab::{AccreditationBody, AdministrationRoute, CellSource, ChecklistKey, TestOutcome, VerificationStatus};
use crate::error::ServiceError;
use crate::graphql::ids::{Kind, encode};
use crate::graphql::scalars::Money;
use crate::graphql::scalars::{Date, DateTime};

pub(crate) fn strings(json: &serde_json::Value) -> Vec<String> {
    json.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn vocab<T>(parse: fn(&str) -> Option<T>, text: &str) -> Result<T, ServiceError> {
    parse(text).ok_or_else(|| ServiceError::Internal(std::sync::Arc::new(UnknownValue(text.to_owned()))))
}

/// A stored value outside its vocabulary: a data fault, reported as internal.
#[derive(Debug, thiserror::Error)]
#[error("stored value {0:?} is outside its vocabulary")]
struct UnknownValue(String);

/// A treatment clinics offer packages for.
#[derive(SimpleObject, Clone, Debug)]
pub struct Treatment {
    /// Opaque global ID.
    pub id: ID,
    /// Stable identifier used in filters, e.g. "msc-chronic-migraine".
    pub slug: String,
    pub name: String,
    /// The condition treated, e.g. "Chronic migraine".
    pub condition: String,
    pub description: String,
    /// Regulatory status, e.g. approval in the United States.
    pub regulatory_note: String,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl From<treatments::Model> for Treatment {
    fn from(t: treatments::Model) -> Self {
        Self {
            id: encode(Kind::Treatment, t.id),
            slug: t.slug,
            name: t.name,
            condition: t.condition,
            description: t.description,
            regulatory_note: t.regulatory_note,
            version: t.version,
        }
    }
}

/// A doctor practising at a clinic.
#[derive(SimpleObject, Clone, Debug)]
pub struct Doctor {
    pub id: ID,
    pub name: String,
    /// e.g. "Neurologist".
    pub title: String,
    pub license_number: Option<String>,
    pub years_of_experience: Option<i32>,
    pub specialties: Vec<String>,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl From<doctors::Model> for Doctor {
    fn from(d: doctors::Model) -> Self {
        Self {
            id: encode(Kind::Doctor, d.id),
            specialties: strings(&d.specialties),
            name: d.name,
            title: d.title,
            license_number: d.license_number,
            years_of_experience: d.years_of_experience,
            version: d.version,
        }
    }
}

/// An accreditation or licence, with its verification status.
#[derive(SimpleObject, Clone, Debug)]
pub struct Accreditation {
    pub id: ID,
    pub body: AccreditationBody,
    /// The issuing body's full name.
    pub body_name: String,
    pub certificate_number: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    /// EXPIRED once `expiresOn` has passed, whatever was verified before.
    pub status: VerificationStatus,
    /// When staff last set VERIFIED or REJECTED.
    pub verified_at: Option<DateTime>,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl Accreditation {
    /// Converts a row as of `today`.
    pub fn from_row(a: accreditations::Model, today: chrono::NaiveDate) -> Result<Self, ServiceError> {
        Ok(Self {
            id: encode(Kind::Accreditation, a.id),
            body: vocab(AccreditationBody::parse, &a.body)?,
            status: rules::accreditation_status(&a, today),
            body_name: a.body_name,
            certificate_number: a.certificate_number,
            issued_on: a.issued_on.map(Date),
            expires_on: a.expires_on.map(Date),
            verified_at: a.verified_at.map(DateTime),
            version: a.version,
        })
    }
}

/// The share of cells positive for one surface marker.
#[derive(SimpleObject, Clone, Debug)]
pub struct MarkerResult {
    /// e.g. "CD73".
    pub marker: String,
    /// e.g. 98.5.
    pub percent_positive: f64,
}

/// A laboratory's certificate of analysis for one cell lot.
#[derive(SimpleObject, Clone, Debug)]
pub struct CertificateOfAnalysis {
    pub id: ID,
    pub lot_number: String,
    pub laboratory_name: String,
    /// e.g. "ISO/IEC 17025".
    pub laboratory_accreditation: Option<String>,
    pub issued_on: Date,
    pub cell_source: CellSource,
    pub cell_count_millions: i32,
    pub viability_percent: f64,
    pub sterility: TestOutcome,
    pub endotoxin: TestOutcome,
    pub mycoplasma: TestOutcome,
    pub markers: Vec<MarkerResult>,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
    pub status: VerificationStatus,
    /// All tests PASS, viability at least 70 %, CD73/CD90/CD105 at least 95 % positive and
    /// CD34, CD45, CD14 or CD11b, CD19 or CD79a and HLA-DR at most 2 % (ISCT criteria).
    pub meets_release_criteria: bool,
    /// When staff last set VERIFIED or REJECTED.
    pub verified_at: Option<DateTime>,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl CertificateOfAnalysis {
    /// Converts a row and its markers.
    pub fn from_rows(c: coa::Model, markers: Vec<coa_markers::Model>) -> Result<Self, ServiceError> {
        let meets = rules::release_failures(&c, &markers).is_empty();
        Ok(Self {
            id: encode(Kind::CertificateOfAnalysis, c.id),
            cell_source: vocab(CellSource::parse, &c.cell_source)?,
            sterility: vocab(TestOutcome::parse, &c.sterility)?,
            endotoxin: vocab(TestOutcome::parse, &c.endotoxin)?,
            mycoplasma: vocab(TestOutcome::parse, &c.mycoplasma)?,
            status: vocab(VerificationStatus::parse, &c.status)?,
            markers: markers
                .into_iter()
                .map(|m| MarkerResult { marker: m.marker, percent_positive: m.percent_positive })
                .collect(),
            meets_release_criteria: meets,
            lot_number: c.lot_number,
            laboratory_name: c.laboratory_name,
            laboratory_accreditation: c.laboratory_accreditation,
            issued_on: Date(c.issued_on),
            cell_count_millions: c.cell_count_millions,
            viability_percent: c.viability_percent,
            document_url: c.document_url,
            document_sha256: c.document_sha256,
            verified_at: c.verified_at.map(DateTime),
            version: c.version,
        })
    }
}

/// A priced treatment package.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct TreatmentPackage {
    pub id: ID,
    pub name: String,
    #[graphql(skip)]
    pub treatment_id: i32,
    pub cell_source: CellSource,
    pub cell_count_millions: i32,
    pub administration_routes: Vec<AdministrationRoute>,
    pub sessions: i32,
    pub stay_days: i32,
    pub price: Money,
    /// e.g. "hotel", "airport transfers", "pre-treatment bloodwork".
    pub inclusions: Vec<String>,
    /// False once archived: archived packages leave the partner catalogue but stay
    /// reachable from the quotes that name them.
    pub active: bool,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl TreatmentPackage {
    /// Converts a row.
    pub fn from_row(p: treatment_packages::Model) -> Result<Self, ServiceError> {
        let routes = strings(&p.administration_routes)
            .iter()
            .map(|r| vocab(AdministrationRoute::parse, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            id: encode(Kind::TreatmentPackage, p.id),
            cell_source: vocab(CellSource::parse, &p.cell_source)?,
            price: Money::from_minor(p.price_minor, &p.currency_code),
            inclusions: strings(&p.inclusions),
            administration_routes: routes,
            name: p.name,
            treatment_id: p.treatment_id,
            cell_count_millions: p.cell_count_millions,
            sessions: p.sessions,
            stay_days: p.stay_days,
            active: p.active,
            version: p.version,
        })
    }
}

#[ComplexObject]
impl TreatmentPackage {
    /// The treatment this package is for.
    async fn treatment(&self, ctx: &Context<'_>) -> Result<Treatment> {
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
        // Read with the clinic's packages; a package fetched alone (by `node`) asks the loader.
        if let Some(row) = loader.loader().read_treatment(self.treatment_id) {
            return Ok(Treatment::from(row.clone()));
        }
        let row = loader.load_one(TreatmentById(self.treatment_id)).await?;
        Ok(row.map(Treatment::from).ok_or_else(|| ServiceError::NotFound("treatment not found".into()))?)
    }
}

/// Cheapest and dearest matching package.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}

/// One answered checklist question.
#[derive(SimpleObject, Clone, Debug)]
pub struct ChecklistItem {
    pub key: ChecklistKey,
    pub passed: bool,
    /// Why it passed or failed, in words a patient understands.
    pub detail: String,
}

/// The article's six-question safety checklist, computed from the clinic's records.
#[derive(SimpleObject, Clone, Debug)]
pub struct SafetyChecklist {
    /// Items passed, 0 to 6.
    pub score: i32,
    pub items: Vec<ChecklistItem>,
}

/// One row of the per-country cost table.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountryCostRange {
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub clinic_count: i32,
    /// Cheapest active package, in USD.
    pub min: Money,
    /// Dearest active package, in USD.
    pub max: Money,
    pub min_cell_count_millions: i32,
    pub max_cell_count_millions: i32,
}

/// Loads a clinic's evidence for its nested fields.
pub(crate) async fn evidence(ctx: &Context<'_>, clinic_id: i32) -> Result<Evidence> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    Ok(Evidence::load(loader, clinic_id).await?)
}

pub(crate) async fn packages_of(ctx: &Context<'_>, clinic_id: i32) -> Result<Vec<treatment_packages::Model>> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    Ok(loader.load_one(PackagesOf(clinic_id)).await?.unwrap_or_default())
}

pub(crate) async fn certificates_of(ctx: &Context<'_>, clinic_id: i32) -> Result<Vec<CertificateOfAnalysis>> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    let rows = loader.load_one(CertificatesOf(clinic_id)).await?.unwrap_or_default();
    Ok(rows.into_iter().map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).collect::<Result<_, _>>()?)
}

/// Today's date in UTC by the application's clock: the day expiry and recency are judged
/// against.
pub(crate) fn today(ctx: &Context<'_>) -> Result<chrono::NaiveDate> {
    Ok(ctx.data::<crate::state::AppState>()?.clock.now().date_naive())
}
