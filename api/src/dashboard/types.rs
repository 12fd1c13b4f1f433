//! The dashboards' GraphQL types, converted explicitly from the services' plain figures.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, InputObject, Result, SimpleObject, Value};

use super::clinics::ClinicStats;
use super::figures::Day;
use super::prices::PriceBand;
use super::sql::Funnel;
use crate::admin::loaders::{AdminLoader, PartnerById};
use crate::admin::types::Partner;
use crate::catalogue::clinic::Clinic;
use crate::error::ServiceError;
use crate::graphql::eager::{Leaf, Plain, object};
use crate::graphql::scalars::{Date, Money};
use crate::quotes::vocab::QuoteStatus;

/// A range of whole UTC days, `from` included and `to` excluded: `from` must come before
/// `to`, and the range may cover at most 3 years.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct DateRange {
    /// The first day (UTC) included.
    pub from: Date,
    /// The day after the last one included (UTC).
    pub to: Date,
}

/// A count, saturated into GraphQL's Int.
fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// How many of the range's quotes are now in one status.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct StatusCount {
    /// The status.
    pub status: QuoteStatus,
    /// How many quotes created in the range are in it now.
    pub count: i32,
}

impl From<(QuoteStatus, i64)> for StatusCount {
    fn from((status, count): (QuoteStatus, i64)) -> Self {
        Self { status, count: int(count) }
    }
}

/// From request to accepted offer: of the quotes created in the range, how many there were,
/// how many ever reached IN_REVIEW and OFFERED, and how many are now ACCEPTED.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct QuoteFunnel {
    /// Quotes created in the range.
    pub submitted: i32,
    /// Of those, the ones that ever reached IN_REVIEW.
    pub reviewed: i32,
    /// Of those, the ones that ever reached OFFERED.
    pub offered: i32,
    /// Of those, the ones now ACCEPTED.
    pub accepted: i32,
    /// offered / submitted; null when nothing was submitted.
    pub offer_rate: Option<f64>,
    /// accepted / offered; null when nothing was offered.
    pub acceptance_rate: Option<f64>,
}

impl From<Funnel> for QuoteFunnel {
    fn from(f: Funnel) -> Self {
        Self {
            submitted: int(f.submitted),
            reviewed: int(f.reviewed),
            offered: int(f.offered),
            accepted: int(f.accepted),
            offer_rate: f.offer_rate(),
            acceptance_rate: f.acceptance_rate(),
        }
    }
}

/// The funnel of the quotes to clinics of one country.
#[derive(SimpleObject, Clone, Debug)]
pub struct CountryQuoteStats {
    /// The clinics' country, ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The funnel of the range's quotes to clinics there.
    pub funnel: QuoteFunnel,
}

/// The funnel of one partner's quotes.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct PartnerQuoteStats {
    /// The funnel of the range's quotes from the partner's agents.
    pub funnel: QuoteFunnel,
    #[graphql(skip)]
    pub partner_id: i32,
}

#[ComplexObject]
impl PartnerQuoteStats {
    /// The partner (read with the other rows' partners, in one statement).
    async fn partner(&self, ctx: &Context<'_>) -> Result<Partner> {
        let row = ctx.data::<DataLoader<AdminLoader>>()?.load_one(PartnerById(self.partner_id)).await?;
        let row = row.ok_or_else(|| ServiceError::internal(std::io::Error::other("a counted partner is missing")))?;
        Ok(Partner::from_row(row)?)
    }
}

/// The funnel of one clinic's quotes and how fast it made its offers.
#[derive(SimpleObject, Clone, Debug)]
pub struct ClinicQuoteStats {
    /// The clinic, whatever its status.
    pub clinic: Clinic,
    /// The funnel of the range's quotes to the clinic.
    pub funnel: QuoteFunnel,
    /// The median hours from creation to the first offer over the range's offered quotes
    /// (continuous, as PostgreSQL's percentile_cont); null when none was offered.
    pub median_response_hours: Option<f64>,
    /// The 90th percentile of the same hours; null when none was offered.
    pub p90_response_hours: Option<f64>,
}

impl From<ClinicStats> for ClinicQuoteStats {
    fn from(s: ClinicStats) -> Self {
        Self {
            clinic: s.clinic,
            funnel: s.funnel.into(),
            median_response_hours: s.median_hours,
            p90_response_hours: s.p90_hours,
        }
    }
}

/// The median offer for one cell-count band in one country, in USD.
#[derive(SimpleObject, Clone, Debug)]
pub struct OfferedPriceBand {
    /// The clinics' country, ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The band's lowest cell count of the offer, in millions: 1, 51, 101 or 201.
    pub min_cell_count_millions: i32,
    /// The band's highest cell count, in millions: 50, 100 or 200; null for the open band
    /// (201 and more).
    pub max_cell_count_millions: Option<i32>,
    /// How many offers the median is taken over (offers made in USD; the platform has no
    /// exchange rates yet, so offers in other currencies are not counted).
    pub offers: i32,
    /// The median offered price (continuous), rounded to the cent.
    pub median: Money,
}

impl From<PriceBand> for OfferedPriceBand {
    fn from(b: PriceBand) -> Self {
        Self {
            country_code: b.country_code,
            min_cell_count_millions: b.min_cells,
            max_cell_count_millions: b.max_cells,
            offers: int(b.offers),
            median: Money::usd(b.median_cents),
        }
    }
}

/// One day of the range.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct DailyQuoteCount {
    /// The day (UTC).
    pub day: Date,
    /// Quotes created that day.
    pub submitted: i32,
    /// Of those, the ones that ever reached OFFERED.
    pub offered: i32,
    /// Of those, the ones now ACCEPTED.
    pub accepted: i32,
}

impl From<Day> for DailyQuoteCount {
    fn from(d: Day) -> Self {
        Self { day: Date(d.day), submitted: int(d.submitted), offered: int(d.offered), accepted: int(d.accepted) }
    }
}

// The dashboards' rows, answered in one walk of their selection (see
// [`eager`](crate::graphql::eager)): a per-clinic list holds 20,000 rows at scale, and one
// future per field was most of its time over HTTP. `PartnerQuoteStats` waits for its
// partner, so it keeps the derived resolver.

fn name<'a>(ctx: &'a Context<'_>) -> &'a str {
    ctx.item.node.name.node.as_str()
}

impl Plain for StatusCount {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "status" => self.status.leaf(),
            "count" => self.count.leaf(),
            _ => return None,
        })
    }
}

impl Plain for QuoteFunnel {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "submitted" => self.submitted.leaf(),
            "reviewed" => self.reviewed.leaf(),
            "offered" => self.offered.leaf(),
            "accepted" => self.accepted.leaf(),
            "offerRate" => self.offer_rate.leaf(),
            "acceptanceRate" => self.acceptance_rate.leaf(),
            _ => return None,
        })
    }
}

impl Plain for CountryQuoteStats {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        match name(ctx) {
            "countryCode" => Some(self.country_code.leaf()),
            "funnel" => object(&self.funnel, ctx),
            _ => None,
        }
    }
}

impl Plain for ClinicQuoteStats {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        match name(ctx) {
            "clinic" => object(&self.clinic, ctx),
            "funnel" => object(&self.funnel, ctx),
            "medianResponseHours" => Some(self.median_response_hours.leaf()),
            "p90ResponseHours" => Some(self.p90_response_hours.leaf()),
            _ => None,
        }
    }
}

impl Plain for OfferedPriceBand {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        match name(ctx) {
            "countryCode" => Some(self.country_code.leaf()),
            "minCellCountMillions" => Some(self.min_cell_count_millions.leaf()),
            "maxCellCountMillions" => Some(self.max_cell_count_millions.leaf()),
            "offers" => Some(self.offers.leaf()),
            "median" => object(&self.median, ctx),
            _ => None,
        }
    }
}

impl Plain for DailyQuoteCount {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match name(ctx) {
            "day" => self.day.leaf(),
            "submitted" => self.submitted.leaf(),
            "offered" => self.offered.leaf(),
            "accepted" => self.accepted.leaf(),
            _ => return None,
        })
    }
}
