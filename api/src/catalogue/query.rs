//! The catalogue's query root: what partner websites call to compare clinics.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::clinic::{Clinic, ClinicConnection};
use super::filter::{ClinicFilterInput, ClinicOrder};
use super::listing::{self, PageArgs};
use super::service;
use super::types::{CountryCostRange, Treatment};
use super::vocab::{AccreditationBody, CellSource, ClinicOrderField, OrderDirection};
use crate::auth::caller::ScopeGuard;
use crate::auth::role::Scope;
use crate::error::ServiceError;
use crate::graphql::ids::{Kind, row_of};
use crate::graphql::scalars::Money;
use crate::money::Decimal;
use crate::state::AppState;

/// Narrows the clinic list; every given field must match (AND), and a list matches when
/// any of its values does (OR). The package criteria (`treatment`, `cellSources`,
/// `minCellCountMillions`, `maxPrice`) must all hold for one and the same active package.
/// Lists take at most 50 values (an empty list matches nothing) and texts at most 200
/// characters (a blank one does not narrow).
#[derive(InputObject, Clone, Debug, Default)]
pub struct ClinicFilter {
    /// Clinics in one of these countries (ISO 3166-1 alpha-2 codes, any case).
    pub country_codes: Option<Vec<String>>,
    /// Clinics in this city (the whole name, case-insensitive).
    pub city: Option<String>,
    /// A treatment slug: clinics with an active package for it. An unknown slug is
    /// BAD_USER_INPUT.
    pub treatment: Option<String>,
    /// Clinics with an active package of one of these cell sources.
    pub cell_sources: Option<Vec<CellSource>>,
    /// Clinics with an active package of at least this many million cells (0 to 100000).
    pub min_cell_count_millions: Option<i32>,
    /// Clinics with an active package at most this price, in USD (a decimal string with at
    /// most 2 decimals, e.g. "5000.00").
    pub max_price: Option<Decimal>,
    /// Clinics holding an accreditation from one of these bodies that is neither REJECTED
    /// nor expired.
    pub accreditation_bodies: Option<Vec<AccreditationBody>>,
    /// When true, only clinics with at least one VERIFIED, unexpired accreditation.
    pub verified_only: Option<bool>,
    /// Text anywhere in the name, city or description (case-insensitive).
    pub search: Option<String>,
}

/// How to order clinics.
#[derive(InputObject, Clone, Copy, Debug)]
#[graphql(name = "ClinicOrder")]
pub struct ClinicOrderInput {
    /// What to order by; ties are broken by an internal, stable key.
    pub field: ClinicOrderField,
    /// Which way; ascending unless given.
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<ClinicFilter> for ClinicFilterInput {
    fn from(f: ClinicFilter) -> Self {
        Self {
            country_codes: f.country_codes,
            city: f.city,
            treatment: f.treatment,
            cell_sources: f.cell_sources,
            min_cell_count_millions: f.min_cell_count_millions,
            max_price: f.max_price,
            accreditation_bodies: f.accreditation_bodies,
            verified_only: f.verified_only,
            search: f.search,
        }
    }
}

/// Catalogue queries.
#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// Every treatment in the catalogue. Needs the `catalogue:read` scope (every role).
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn treatments(&self, ctx: &Context<'_>) -> Result<Vec<Treatment>> {
        let state = ctx.data::<AppState>()?;
        Ok(service::treatments(&state.db).await?.iter().map(Treatment::from).collect())
    }

    /// One published clinic, by global ID or by slug (exactly one of the two, or
    /// BAD_USER_INPUT); null when no published clinic matches. Needs the `catalogue:read`
    /// scope (every role).
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's global ID (`Clinic.id`).")] id: Option<ID>,
        #[graphql(desc = "The clinic's slug, e.g. \"baja-regenerative-institute\".")] slug: Option<String>,
    ) -> Result<Option<Clinic>> {
        let state = ctx.data::<AppState>()?;
        let row = match (id, slug) {
            (Some(id), None) => match row_of(Kind::Clinic, &id, &["id"])? {
                Some(row) => service::clinic_by_id(&state.db, row).await?,
                None => None,
            },
            (None, Some(slug)) => service::clinic_by_slug(&state.db, &slug).await?,
            _ => return Err(ServiceError::bad_input(&["id"], "give exactly one of `id` and `slug`").into()),
        };
        Ok(row.map(Clinic::from))
    }

    /// Published clinics, filtered and ordered (by name ascending unless told otherwise),
    /// as a Relay connection read forward (`first`/`after`) or backward (`last`/`before`),
    /// never both. Needs the `catalogue:read` scope (every role).
    #[allow(clippy::too_many_arguments)]
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size reading forward, 0 to 100 (20 when absent).")] first: Option<i32>,
        #[graphql(desc = "Start after this edge's cursor (read under the same `orderBy`).")] after: Option<String>,
        #[graphql(desc = "Page size reading backward, from the end or `before`, 0 to 100 (20 when absent).")]
        last: Option<i32>,
        #[graphql(desc = "End before this edge's cursor (read under the same `orderBy`).")] before: Option<String>,
        #[graphql(desc = "Which clinics; all published clinics when absent.")] filter: Option<ClinicFilter>,
        #[graphql(desc = "The order; by name, ascending, when absent.")] order_by: Option<ClinicOrderInput>,
    ) -> Result<ClinicConnection> {
        let state = ctx.data::<AppState>()?;
        let order =
            order_by.map_or_else(ClinicOrder::default, |o| ClinicOrder { field: o.field, direction: o.direction });
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let result = listing::list(
            &state.db,
            &filter.map(ClinicFilterInput::from).unwrap_or_default(),
            order,
            &PageArgs { first, after, last, before },
            want_total,
            state.clock.now(),
            &state.cache,
        )
        .await?;
        let (page, order) = (result.page, result.order);
        let pages = (page.has_next_page, page.has_previous_page);
        ClinicConnection::of_rows(ctx, page.rows, |row| listing::cursor(row, order), pages, result.total_count).await
    }

    /// The per-country cost table for a treatment, live from the active packages of
    /// published clinics, in USD, ordered by country code; countries without such a
    /// package are left out. Needs the `catalogue:read` scope (every role).
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn cost_comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A treatment slug, e.g. \"msc-chronic-migraine\". An unknown slug is BAD_USER_INPUT.")]
        treatment: String,
    ) -> Result<Vec<CountryCostRange>> {
        let state = ctx.data::<AppState>()?;
        let rows = service::cost_comparison(&state.db, &treatment).await?;
        Ok(rows
            .into_iter()
            .map(|r| CountryCostRange {
                country_code: r.country_code,
                clinic_count: i32::try_from(r.clinic_count).unwrap_or(i32::MAX),
                min: Money::usd(r.min_price),
                max: Money::usd(r.max_price),
                min_cell_count_millions: r.min_cells,
                max_cell_count_millions: r.max_cells,
            })
            .collect())
    }
}
