//! The catalogue's GraphQL output types, converted explicitly from entity rows so a column
//! added to a table never reaches the schema by accident.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages, treatments};

use super::evidence::Evidence;
use super::loaders::{CatalogueLoader, CertificatesOf, PackagesOf, Rows, TreatmentById};
use super::rules;
use super::vocab::{AccreditationBody, AdministrationRoute, CellSource, ChecklistKey, TestOutcome, VerificationStatus};
use crate::error::ServiceError;
use crate::graphql::ids::{Kind, encode};
use crate::graphql::scalars::Money;
use crate::graphql::scalars::{Date, DateTime};

pub(crate) fn strings(json: &serde_json::Value) -> Vec<String> {
    json.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

/// A treatment clinics offer packages for.
#[derive(SimpleObject, Clone, Debug)]
pub struct Treatment {
    /// Opaque global ID (usable with `node`).
    pub id: ID,
    /// Stable identifier used in filters and quote requests, e.g. "msc-chronic-migraine".
    pub slug: String,
    /// Display name, e.g. "Mesenchymal stem cell therapy for chronic migraine".
    pub name: String,
    /// The condition treated, e.g. "Chronic migraine".
    pub condition: String,
    /// What the treatment is and how it is given, in plain words.
    pub description: String,
    /// Regulatory status, e.g. whether it is approved in the United States. Show it beside
    /// the treatment.
    pub regulatory_note: String,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl From<&treatments::Model> for Treatment {
    fn from(t: &treatments::Model) -> Self {
        Self {
            id: encode(Kind::Treatment, t.id),
            slug: t.slug.clone(),
            name: t.name.clone(),
            condition: t.condition.clone(),
            description: t.description.clone(),
            regulatory_note: t.regulatory_note.clone(),
            version: t.version,
        }
    }
}

/// A doctor practising at a clinic.
#[derive(SimpleObject, Clone, Debug)]
pub struct Doctor {
    /// Opaque global ID (usable with `node`).
    pub id: ID,
    /// Full name, e.g. "Dr. Alejandro Ruiz Ortega".
    pub name: String,
    /// Professional title, e.g. "Neurologist".
    pub title: String,
    /// Medical licence number as the clinic declares it; null when none was given (the
    /// DOCTOR_CREDENTIALS checklist item needs one).
    pub license_number: Option<String>,
    /// Years in practice, as declared by the clinic; null when not given.
    pub years_of_experience: Option<i32>,
    /// Fields of practice, e.g. "Neurology", "Headache medicine".
    pub specialties: Vec<String>,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl From<&doctors::Model> for Doctor {
    fn from(d: &doctors::Model) -> Self {
        Self {
            id: encode(Kind::Doctor, d.id),
            specialties: strings(&d.specialties),
            name: d.name.clone(),
            title: d.title.clone(),
            license_number: d.license_number.clone(),
            years_of_experience: d.years_of_experience,
            version: d.version,
        }
    }
}

/// An accreditation or licence, with its verification status.
#[derive(SimpleObject, Clone, Debug)]
pub struct Accreditation {
    /// Opaque global ID (usable with `node`).
    pub id: ID,
    /// The kind of body that issued it.
    pub body: AccreditationBody,
    /// The issuing body's full name, e.g. "Joint Commission International".
    pub body_name: String,
    /// The certificate or licence number the body issued.
    pub certificate_number: String,
    /// When it was issued (UTC date); null when unknown.
    pub issued_on: Option<Date>,
    /// When it stops being valid (UTC date); null when it does not expire.
    pub expires_on: Option<Date>,
    /// How far Medtour has checked it. EXPIRED once `expiresOn` has passed (judged against
    /// today's UTC date when read), whatever was verified before.
    pub status: VerificationStatus,
    /// When staff last set VERIFIED or REJECTED.
    pub verified_at: Option<DateTime>,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl Accreditation {
    /// Converts a row as of `today`.
    pub fn from_row(a: &accreditations::Model, today: chrono::NaiveDate) -> Result<Self, ServiceError> {
        Ok(Self {
            id: encode(Kind::Accreditation, a.id),
            body: AccreditationBody::from_stored(&a.body)?,
            // The stored status must be one we know; what is shown may be EXPIRED instead.
            status: VerificationStatus::from_stored(&a.status).map(|_| rules::accreditation_status(a, today))?,
            body_name: a.body_name.clone(),
            certificate_number: a.certificate_number.clone(),
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
    /// The surface marker tested, e.g. "CD73" or "HLA-DR".
    pub marker: String,
    /// Share of the lot's cells positive for the marker, in percent (0 to 100), e.g. 98.5.
    pub percent_positive: f64,
}

/// A laboratory's certificate of analysis for one cell lot.
#[derive(SimpleObject, Clone, Debug)]
pub struct CertificateOfAnalysis {
    /// Opaque global ID (usable with `node`).
    pub id: ID,
    /// The cell lot the certificate is for, as the laboratory numbers it.
    pub lot_number: String,
    /// The laboratory that tested the lot (a third party for THIRD_PARTY_COA).
    pub laboratory_name: String,
    /// The laboratory's own accreditation, e.g. "ISO/IEC 17025"; null when not given.
    pub laboratory_accreditation: Option<String>,
    /// When the certificate was issued (UTC date). THIRD_PARTY_COA needs one from the last
    /// 12 months.
    pub issued_on: Date,
    /// Where the lot's cells come from.
    pub cell_source: CellSource,
    /// Cells in the lot, in millions.
    pub cell_count_millions: i32,
    /// Share of living cells, in percent (0 to 100); release needs at least 70.
    pub viability_percent: f64,
    /// Sterility test result; release needs PASS.
    pub sterility: TestOutcome,
    /// Endotoxin test result; release needs PASS.
    pub endotoxin: TestOutcome,
    /// Mycoplasma test result; release needs PASS.
    pub mycoplasma: TestOutcome,
    /// Surface-marker results (flow cytometry), one per marker tested.
    pub markers: Vec<MarkerResult>,
    /// Where the certificate document can be downloaded; null when not published.
    pub document_url: Option<String>,
    /// SHA-256 of the document at `documentUrl`, as 64 hexadecimal digits, to check a copy
    /// against; null when not given.
    pub document_sha256: Option<String>,
    /// How far Medtour has checked the certificate with the laboratory.
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
    pub fn from_rows(c: &coa::Model, markers: &[coa_markers::Model]) -> Result<Self, ServiceError> {
        let meets = rules::release_failures(c, markers).is_empty();
        Ok(Self {
            id: encode(Kind::CertificateOfAnalysis, c.id),
            cell_source: CellSource::from_stored(&c.cell_source)?,
            sterility: TestOutcome::from_stored(&c.sterility)?,
            endotoxin: TestOutcome::from_stored(&c.endotoxin)?,
            mycoplasma: TestOutcome::from_stored(&c.mycoplasma)?,
            status: VerificationStatus::from_stored(&c.status)?,
            markers: markers
                .iter()
                .map(|m| MarkerResult { marker: m.marker.clone(), percent_positive: m.percent_positive })
                .collect(),
            meets_release_criteria: meets,
            lot_number: c.lot_number.clone(),
            laboratory_name: c.laboratory_name.clone(),
            laboratory_accreditation: c.laboratory_accreditation.clone(),
            issued_on: Date(c.issued_on),
            cell_count_millions: c.cell_count_millions,
            viability_percent: c.viability_percent,
            document_url: c.document_url.clone(),
            document_sha256: c.document_sha256.clone(),
            verified_at: c.verified_at.map(DateTime),
            version: c.version,
        })
    }
}

/// A priced treatment package.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct TreatmentPackage {
    /// Opaque global ID (usable with `node` and as `SubmitQuoteRequestInput.packageId`).
    pub id: ID,
    /// The clinic's name for the package, e.g. "Migraine Standard — 100 million UC-MSC".
    pub name: String,
    #[graphql(skip)]
    pub treatment_id: i32,
    /// Where the package's cells come from.
    pub cell_source: CellSource,
    /// Cells given over the whole package, in millions (e.g. 25, 50, 100, 200, 250).
    pub cell_count_millions: i32,
    /// How the cells are given; at least one.
    pub administration_routes: Vec<AdministrationRoute>,
    /// Number of treatment sessions.
    pub sessions: i32,
    /// Days the patient is expected to stay near the clinic.
    pub stay_days: i32,
    /// The package price in the clinic's currency (`priceRange` and filters compare in USD).
    pub price: Money,
    /// What the price includes besides the treatment, e.g. "hotel", "airport transfers",
    /// "pre-treatment bloodwork".
    pub inclusions: Vec<String>,
    /// False once archived: archived packages leave the partner catalogue but stay
    /// reachable from the quotes that name them.
    pub active: bool,
    /// The record's current version, for optimistic concurrency on updates.
    pub version: i32,
}

impl TreatmentPackage {
    /// Converts a row.
    pub fn from_row(p: &treatment_packages::Model) -> Result<Self, ServiceError> {
        let routes = strings(&p.administration_routes)
            .iter()
            .map(|r| AdministrationRoute::from_stored(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            id: encode(Kind::TreatmentPackage, p.id),
            cell_source: CellSource::from_stored(&p.cell_source)?,
            price: Money::from_minor(p.price_minor, &p.currency_code),
            inclusions: strings(&p.inclusions),
            administration_routes: routes,
            name: p.name.clone(),
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
        if let Some(treatment) = loader.loader().read_treatment(self.treatment_id) {
            return Ok(treatment.clone());
        }
        let row = loader.load_one(TreatmentById(self.treatment_id)).await?;
        Ok(row.as_ref().map(Treatment::from).ok_or_else(|| ServiceError::NotFound("treatment not found".into()))?)
    }
}

/// The prices of the cheapest and dearest matching packages, in USD.
#[derive(SimpleObject, Clone, Debug)]
pub struct PriceRange {
    /// The cheapest matching package's price, in USD.
    pub min: Money,
    /// The dearest matching package's price, in USD.
    pub max: Money,
}

/// One answered checklist question.
#[derive(SimpleObject, Clone, Debug)]
pub struct ChecklistItem {
    /// Which of the six questions this answers.
    pub key: ChecklistKey,
    /// True when the clinic's records answer the question satisfactorily.
    pub passed: bool,
    /// Why it passed or failed, in words a patient understands.
    pub detail: String,
}

/// The article's six-question safety checklist, computed from the clinic's records.
#[derive(SimpleObject, Clone, Debug)]
pub struct SafetyChecklist {
    /// Items passed, 0 to 6.
    pub score: i32,
    /// The six items, one per `ChecklistKey`, in the order of that enum.
    pub items: Vec<ChecklistItem>,
}

/// One row of the per-country cost table.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountryCostRange {
    /// The country, as an ISO 3166-1 alpha-2 code.
    pub country_code: String,
    /// Published clinics in the country with an active package for the treatment.
    pub clinic_count: i32,
    /// Cheapest active package, in USD.
    pub min: Money,
    /// Dearest active package, in USD.
    pub max: Money,
    /// Smallest cell count among those packages, in millions.
    pub min_cell_count_millions: i32,
    /// Largest cell count among those packages, in millions.
    pub max_cell_count_millions: i32,
}

/// Loads a clinic's evidence for its nested fields.
pub(crate) async fn evidence(ctx: &Context<'_>, clinic_id: i32) -> Result<Evidence> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    Ok(Evidence::load(loader, clinic_id).await?)
}

pub(crate) async fn packages_of(ctx: &Context<'_>, clinic_id: i32) -> Result<Rows<treatment_packages::Model>> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    Ok(loader.load_one(PackagesOf(clinic_id)).await?.unwrap_or_default())
}

pub(crate) async fn certificates_of(ctx: &Context<'_>, clinic_id: i32) -> Result<Vec<CertificateOfAnalysis>> {
    let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
    let rows = loader.load_one(CertificatesOf(clinic_id)).await?.unwrap_or_default();
    Ok(rows.iter().map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).collect::<Result<_, _>>()?)
}

/// Today's date in UTC by the application's clock: the day expiry and recency are judged
/// against.
pub(crate) fn today(ctx: &Context<'_>) -> Result<chrono::NaiveDate> {
    Ok(ctx.data::<crate::state::AppState>()?.clock.now().date_naive())
}
