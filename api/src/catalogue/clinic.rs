//! The `Clinic` type and its connection. Every nested field reads through the request's
//! batch loader, so a page of fifty clinics costs the same statements as a page of five; a
//! page reads its clinics' nested lists before it is answered, and then answers each edge in
//! one walk.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result, SimpleObject, Value};
use entity::clinics;
use sea_orm::{DbErr, FromQueryResult, QueryResult};

use super::filter::check_slug;
use super::loaders::{CatalogueLoader, DoctorsOf, Nested, Rows, TreatmentBySlug};
use super::response_time::{ResponseTime, ResponseTimeOf};
use super::types::{
    Accreditation, CertificateOfAnalysis, ChecklistItem, Doctor, PriceRange, SafetyChecklist, TreatmentPackage,
    certificates_of, evidence, packages_of, strings, today,
};
use super::vocab::ClinicStatus;
use crate::error::ServiceError;
use crate::graphql::eager::{Eager, Leaf, Plain, list, object};
use crate::graphql::ids::{Kind, encode};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::Money;

/// A clinic of the catalogue.
#[derive(Clone, Debug)]
pub struct Clinic {
    id: ID,
    row_id: i32,
    slug: String,
    name: String,
    country_code: String,
    city: String,
    description: String,
    website: Option<String>,
    languages: Vec<String>,
    status: String,
    version: i32,
}

/// The columns of clinic `c` a [`Clinic`] is made of, for statements that read clinics
/// beside figures of their own ([`Clinic::read`]): the row without its derived search texts,
/// rollups and timestamps (the dashboards' 20,000 per-clinic rows decoded 40 % fewer values).
pub const COLUMNS: &str = "c.id, c.slug, c.name, c.country_code, c.city, c.description, c.website, c.languages, \
     c.status, c.version";

/// The clinic of a row holding [`COLUMNS`].
#[derive(FromQueryResult)]
struct Columns {
    id: i32,
    slug: String,
    name: String,
    country_code: String,
    city: String,
    description: String,
    website: Option<String>,
    languages: serde_json::Value,
    status: String,
    version: i32,
}

impl Clinic {
    /// The clinic of `row`, which holds [`COLUMNS`].
    pub fn read(row: &QueryResult) -> Result<Self, DbErr> {
        let c = Columns::from_query_result(row, "")?;
        Ok(Self {
            id: encode(Kind::Clinic, c.id),
            row_id: c.id,
            languages: strings(&c.languages),
            slug: c.slug,
            name: c.name,
            country_code: c.country_code,
            city: c.city,
            description: c.description,
            website: c.website,
            status: c.status,
            version: c.version,
        })
    }
}

impl From<clinics::Model> for Clinic {
    fn from(c: clinics::Model) -> Self {
        Self {
            id: encode(Kind::Clinic, c.id),
            row_id: c.id,
            languages: strings(&c.languages),
            slug: c.slug,
            name: c.name,
            country_code: c.country_code,
            city: c.city,
            description: c.description,
            website: c.website,
            status: c.status,
            version: c.version,
        }
    }
}

/// A clinic's fields, answered eagerly. Its nested lists are answered from memory once the
/// request has read them (a page of clinics reads them all before it is resolved, see
/// [`CatalogueLoader::prefetch`]); until then, and for every other nested field, they wait
/// for the batch loader and the derived resolver answers them.
impl Plain for Clinic {
    const WAITS: bool = true;

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match super::plain::name(ctx) {
            "id" => self.id.leaf(),
            "slug" => self.slug.leaf(),
            "name" => self.name.leaf(),
            "countryCode" => self.country_code.leaf(),
            "city" => self.city.leaf(),
            "description" => self.description.leaf(),
            "website" => self.website.leaf(),
            "languages" => self.languages.leaf(),
            // A stored status the vocabulary does not know is the derived resolver's error.
            "status" => ClinicStatus::from_stored(&self.status).ok()?.leaf(),
            "version" => self.version.leaf(),
            "doctors" => {
                let rows = read(ctx)?.read_doctors(self.row_id)?;
                list(&rows.iter().map(Doctor::from).collect::<Vec<_>>(), ctx)?
            }
            "accreditations" => {
                let (rows, today) = (read(ctx)?.read_accreditations(self.row_id)?, today(ctx).ok()?);
                let shown = rows.iter().map(|a| Accreditation::from_row(a, today).ok());
                list(&shown.collect::<Option<Vec<_>>>()?, ctx)?
            }
            "certificatesOfAnalysis" => {
                let rows = read(ctx)?.read_certificates(self.row_id)?;
                let shown = rows.iter().map(|(c, markers)| CertificateOfAnalysis::from_rows(c, markers).ok());
                list(&shown.collect::<Option<Vec<_>>>()?, ctx)?
            }
            // Narrowed to a treatment, packages wait: the slug is checked and looked up.
            "packages" if ctx.item.node.arguments.is_empty() => {
                let rows = read(ctx)?.read_packages(self.row_id)?;
                let shown = rows.iter().map(|p| TreatmentPackage::from_row(p).ok());
                list(&shown.collect::<Option<Vec<_>>>()?, ctx)?
            }
            _ => return None,
        })
    }
}

/// The request's loader, for rows it has read already.
fn read<'a>(ctx: &'a Context<'_>) -> Option<&'a CatalogueLoader> {
    ctx.data::<DataLoader<CatalogueLoader>>().ok().map(DataLoader::loader)
}

impl Clinic {
    /// The row id, for services.
    pub fn row_id(&self) -> i32 {
        self.row_id
    }

    /// Active packages, narrowed to the treatment with slug `treatment` when given. An
    /// unknown slug is bad input; the slug is resolved through the request's loader, beside
    /// the packages, so a page of clinics costs no statement per clinic.
    async fn packages_for(
        &self,
        ctx: &Context<'_>,
        treatment: Option<String>,
    ) -> Result<Rows<entity::treatment_packages::Model>> {
        let Some(slug) = treatment else {
            return packages_of(ctx, self.row_id).await;
        };
        check_slug(&slug, &["treatment"])?;
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
        let (rows, treatment) = futures::try_join!(packages_of(ctx, self.row_id), async {
            loader.load_one(TreatmentBySlug(slug.clone())).await.map_err(async_graphql::Error::from)
        })?;
        let treatment = treatment
            .ok_or_else(|| ServiceError::bad_input(&["treatment"], format!("no treatment has the slug \"{slug}\"")))?;
        Ok(rows.iter().filter(|p| p.treatment_id == treatment.id).cloned().collect())
    }
}

/// A clinic of the catalogue: who works there, what it is accredited for, the certificates
/// of analysis of its cell lots, its packages and prices, and the safety checklist computed
/// from all of these. `clinics` and `clinic` show published clinics only.
#[Object]
impl Clinic {
    /// Opaque global ID (usable with `node` and as `SubmitQuoteRequestInput.clinicId`).
    pub async fn id(&self) -> &ID {
        &self.id
    }
    /// Stable identifier, e.g. "baja-regenerative-institute" (usable with `clinic(slug:)`).
    async fn slug(&self) -> &str {
        &self.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The country the clinic is in, as an ISO 3166-1 alpha-2 code, e.g. "MX".
    async fn country_code(&self) -> &str {
        &self.country_code
    }
    /// The city the clinic is in.
    async fn city(&self) -> &str {
        &self.city
    }
    /// The clinic's own presentation, as it wrote it (the REALISTIC_CLAIMS checklist item
    /// reads it).
    async fn description(&self) -> &str {
        &self.description
    }
    /// The clinic's website (an http or https URL); null when it has none.
    async fn website(&self) -> Option<&str> {
        self.website.as_deref()
    }
    /// Languages spoken with patients, as ISO 639-1 codes, e.g. ["en", "es"].
    async fn languages(&self) -> &[String] {
        &self.languages
    }
    /// Where the clinic is in its lifecycle; partners only ever see PUBLISHED clinics.
    async fn status(&self) -> Result<ClinicStatus> {
        Ok(ClinicStatus::from_stored(&self.status)?)
    }
    /// The record's current version, for optimistic concurrency on updates.
    async fn version(&self) -> i32 {
        self.version
    }

    /// The doctors practising at the clinic.
    async fn doctors(&self, ctx: &Context<'_>) -> Result<Vec<Eager<Doctor>>> {
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
        let rows = loader.load_one(DoctorsOf(self.row_id)).await?.unwrap_or_default();
        Ok(rows.iter().map(|d| Eager(Doctor::from(d))).collect())
    }
    /// Its accreditations and licences, whatever their status (EXPIRED ones included).
    async fn accreditations(&self, ctx: &Context<'_>) -> Result<Vec<Eager<Accreditation>>> {
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
        let rows = loader.load_one(super::loaders::AccreditationsOf(self.row_id)).await?.unwrap_or_default();
        let today = today(ctx)?;
        Ok(rows.iter().map(|a| Accreditation::from_row(a, today).map(Eager)).collect::<Result<_, _>>()?)
    }
    /// Certificates of analysis of the clinic's cell lots, whatever their status, newest
    /// first.
    async fn certificates_of_analysis(&self, ctx: &Context<'_>) -> Result<Vec<Eager<CertificateOfAnalysis>>> {
        Ok(certificates_of(ctx, self.row_id).await?.into_iter().map(Eager).collect())
    }
    /// The clinic's active packages, cheapest first.
    async fn packages(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A treatment slug: only packages for that treatment. An unknown slug is BAD_USER_INPUT.")]
        treatment: Option<String>,
    ) -> Result<Vec<Eager<TreatmentPackage>>> {
        let rows = self.packages_for(ctx, treatment).await?;
        Ok(rows.iter().map(|p| TreatmentPackage::from_row(p).map(Eager)).collect::<Result<_, _>>()?)
    }
    /// The prices of the cheapest and dearest active packages, in USD; null when no
    /// package matches.
    async fn price_range(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A treatment slug: only packages for that treatment. An unknown slug is BAD_USER_INPUT.")]
        treatment: Option<String>,
    ) -> Result<Option<PriceRange>> {
        let rows = self.packages_for(ctx, treatment).await?;
        let min = rows.iter().map(|p| p.price_usd_minor).min();
        let max = rows.iter().map(|p| p.price_usd_minor).max();
        Ok(min.zip(max).map(|(min, max)| PriceRange { min: Money::usd(min), max: Money::usd(max) }))
    }
    /// How fast the clinic answers quote requests: the median hours from SUBMITTED to the
    /// first OFFERED over its quotes created in the last 365 days that were offered; null
    /// below 3 such quotes.
    async fn response_time(&self, ctx: &Context<'_>) -> Result<Option<ResponseTime>> {
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?;
        Ok(loader.load_one(ResponseTimeOf(self.row_id)).await?)
    }
    /// The article's "how to choose a safe clinic" checklist, computed from the clinic's
    /// records as of today (UTC).
    async fn safety_checklist(&self, ctx: &Context<'_>) -> Result<SafetyChecklist> {
        let checklist = evidence(ctx, self.row_id).await?.checklist(&self.name, &self.description, today(ctx)?);
        Ok(SafetyChecklist {
            score: checklist.score(),
            items: checklist
                .items
                .into_iter()
                .map(|i| ChecklistItem { key: i.key, passed: i.passed, detail: i.detail })
                .collect(),
        })
    }
}

/// An edge of the clinic connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct ClinicEdge {
    /// Opaque cursor of this clinic under the requested ordering, for `after` or `before`.
    /// Valid only with the same `orderBy`.
    pub cursor: String,
    /// The clinic.
    pub node: Eager<Clinic>,
}

/// An edge answered in one walk with its clinic, when the clinic's fields are all in memory.
impl Plain for ClinicEdge {
    const WAITS: bool = true;

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match super::plain::name(ctx) {
            "cursor" => self.cursor.leaf(),
            "node" => object(&self.node.0, ctx)?,
            _ => return None,
        })
    }
}

/// A page of clinics.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct ClinicConnection {
    /// The page's clinics, in the requested order.
    pub edges: Vec<Eager<ClinicEdge>>,
    /// Whether more pages follow or precede, and the cursors to reach them.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Option<super::listing::TotalCount>,
}

impl ClinicConnection {
    /// The page of `rows`, each with its `cursor`. The clinics' nested lists the selection
    /// shows are read for the whole page before it is resolved, one statement per relation.
    pub async fn of_rows(
        ctx: &Context<'_>,
        rows: Vec<clinics::Model>,
        cursor: impl Fn(&clinics::Model) -> String,
        (has_next_page, has_previous_page): (bool, bool),
        total: Option<super::listing::TotalCount>,
    ) -> Result<Self> {
        let loader = ctx.data::<DataLoader<CatalogueLoader>>()?.loader();
        loader.expect_clinics(rows.iter().map(|r| r.id));
        let node = ctx.look_ahead().field("edges").field("node");
        loader
            .prefetch(Nested {
                doctors: node.field("doctors").exists(),
                accreditations: node.field("accreditations").exists(),
                certificates: node.field("certificatesOfAnalysis").exists(),
                packages: node.field("packages").exists(),
            })
            .await?;
        let edges: Vec<Eager<ClinicEdge>> = rows
            .into_iter()
            .map(|row| Eager(ClinicEdge { cursor: cursor(&row), node: Eager(Clinic::from(row)) }))
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.0.cursor.as_str()).collect();
        let page_info = PageInfo::new(has_next_page, has_previous_page, &cursors);
        Ok(Self { edges, page_info, total })
    }
}

#[async_graphql::ComplexObject]
impl ClinicConnection {
    /// Clinics matching the filter, across all pages.
    async fn total_count(&self) -> Result<i32> {
        let Some(total) = &self.total else { return Ok(0) };
        Ok(i32::try_from(total.get().await?).unwrap_or(i32::MAX))
    }
}
