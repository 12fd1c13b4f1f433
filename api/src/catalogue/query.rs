//! The catalogue's query root: what partner websites call to compare clinics.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, InputObject, Object, Result};

use super::clinic::{Clinic, ClinicConnection, ClinicEdge};
use super::filter::{ClinicFilterInput, ClinicOrder};
use super::listing::{self, PageArgs};
use super::loaders::CatalogueLoader;
use super::service;
use super::types::{CountryCostRange, Treatment};
use super::vocab::{AccreditationBody, CellSource, ClinicOrderField, OrderDirection};
use crate::auth::caller::ScopeGuard;
use crate::auth::role::Scope;
use crate::error::ServiceError;
use crate::graphql::ids::{Kind, row_of};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::Money;
use crate::money::Decimal;
use crate::state::AppState;

/// Narrows the clinic list; every given field must match (AND).
#[derive(InputObject, Clone, Debug, Default)]
pub struct ClinicFilter {
    /// ISO 3166-1 alpha-2 codes.
    pub country_codes: Option<Vec<String>>,
    /// City name, case-insensitive.
    pub city: Option<String>,
    /// Treatment slug: clinics with an active package for it.
    pub treatment: Option<String>,
    /// Clinics with an active package of one of these cell sources.
    pub cell_sources: Option<Vec<CellSource>>,
    /// Clinics with an active package of at least this many million cells.
    pub min_cell_count_millions: Option<i32>,
    /// Clinics with an active package at most this price, in USD.
    pub max_price: Option<Decimal>,
    /// Clinics holding an accreditation from one of these bodies.
    pub accreditation_bodies: Option<Vec<AccreditationBody>>,
    /// Clinics with at least one VERIFIED, unexpired accreditation.
    pub verified_only: Option<bool>,
    /// Case-insensitive text in name, city or description.
    pub search: Option<String>,
}

/// How to order clinics.
#[derive(InputObject, Clone, Copy, Debug)]
#[graphql(name = "ClinicOrder")]
pub struct ClinicOrderInput {
    pub field: ClinicOrderField,
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
    /// Every treatment in the catalogue.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn treatments(&self, ctx: &Context<'_>) -> Result<Vec<Treatment>> {
        let state = ctx.data::<AppState>()?;
        Ok(service::treatments(&state.db).await?.into_iter().map(Treatment::from).collect())
    }

    /// One published clinic, by global ID or by slug (exactly one of the two).
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn clinic(&self, ctx: &Context<'_>, id: Option<ID>, slug: Option<String>) -> Result<Option<Clinic>> {
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
    /// as a Relay connection. `first`/`last` default to 20 and may not exceed 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn clinics(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ClinicFilter>,
        order_by: Option<ClinicOrderInput>,
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
        )
        .await?;
        // Nested fields of the whole page then load in one statement per relation.
        ctx.data::<DataLoader<CatalogueLoader>>()?.loader().expect_clinics(result.page.rows.iter().map(|r| r.id));
        let edges: Vec<ClinicEdge> = result
            .page
            .rows
            .into_iter()
            .map(|row| ClinicEdge { cursor: listing::cursor(&row, result.order), node: Clinic::from(row) })
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = PageInfo::new(result.page.has_next_page, result.page.has_previous_page, &cursors);
        Ok(ClinicConnection { edges, page_info, total: result.total_count })
    }

    /// The per-country cost table for a treatment (slug), live from active packages, in USD,
    /// ordered by country code.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueRead)")]
    async fn cost_comparison(&self, ctx: &Context<'_>, treatment: String) -> Result<Vec<CountryCostRange>> {
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
