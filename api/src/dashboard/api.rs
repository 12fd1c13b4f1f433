//! The dashboards' GraphQL root and the `Dashboard` object. Each field of a dashboard is its
//! own statement, run only when asked for, and the fields asked for together run side by
//! side (async-graphql resolves an object's fields concurrently).

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Object, Result};

use super::range::Range;
use super::types::*;
use super::{clinics, evidence, figures, prices};
use crate::auth::caller::ScopeGuard;
use crate::auth::role::Scope;
use crate::catalogue::clinic::Clinic;
use crate::catalogue::loaders::CatalogueLoader;
use crate::catalogue::types::Accreditation;
use crate::graphql::eager::Eager;
use crate::graphql::scalars::Date;
use crate::state::AppState;

/// The dashboards' queries (ADMIN).
#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// ADMIN: the business in figures over the quotes created in `range`, every figure
    /// computed by the database. A range that is empty, reversed or longer than 3 years is
    /// BAD_USER_INPUT naming `range`.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn dashboard(
        &self,
        #[graphql(desc = "UTC days: `from` included, `to` excluded; at most 3 years.")] range: DateRange,
    ) -> Result<Dashboard> {
        Ok(Dashboard { range: Range::new(range.from.0, range.to.0)? })
    }
}

/// A dashboard over a range of days (see its GraphQL description on the `impl`).
pub struct Dashboard {
    range: Range,
}

fn db<'a>(ctx: &Context<'a>) -> Result<&'a sea_orm::DatabaseConnection> {
    Ok(&ctx.data::<AppState>()?.db)
}

/// Tells the catalogue's loader which clinics this list shows, so their nested fields are
/// read in one batch whatever the list's length.
fn expect(ctx: &Context<'_>, ids: impl IntoIterator<Item = i32>) -> Result<()> {
    ctx.data::<DataLoader<CatalogueLoader>>()?.loader().expect_clinics(ids);
    Ok(())
}

/// The business in figures over the quotes created in [from, to) (UTC days): submitted =
/// quotes created in the range; reviewed / offered = those of them that ever reached
/// IN_REVIEW / OFFERED; accepted = those now ACCEPTED. Response time = hours from creation to
/// the first offer; medians and p90 are continuous percentiles (as PostgreSQL's
/// percentile_cont). Money in USD, rounded to cents.
#[Object]
impl Dashboard {
    /// The first day of the range.
    async fn from(&self) -> Date {
        Date(self.range.from())
    }

    /// The day after the last day of the range.
    async fn to(&self) -> Date {
        Date(self.range.to())
    }

    /// How many of the range's quotes are in each status now: every status, zeros included.
    async fn quotes_by_status(&self, ctx: &Context<'_>) -> Result<Vec<Eager<StatusCount>>> {
        let counts = figures::quotes_by_status(db(ctx)?, &self.range).await?;
        Ok(counts.into_iter().map(|c| Eager(c.into())).collect())
    }

    /// The funnel of every quote created in the range.
    async fn funnel(&self, ctx: &Context<'_>) -> Result<Eager<QuoteFunnel>> {
        Ok(Eager(figures::funnel(db(ctx)?, &self.range).await?.into()))
    }

    /// The funnel per clinic country, by country code (countries with quotes in the range).
    async fn by_country(&self, ctx: &Context<'_>) -> Result<Vec<Eager<CountryQuoteStats>>> {
        let rows = figures::by_country(db(ctx)?, &self.range).await?;
        Ok(rows
            .into_iter()
            .map(|(country_code, f)| Eager(CountryQuoteStats { country_code, funnel: f.into() }))
            .collect())
    }

    /// The funnel per partner, by partner name (partners with quotes in the range).
    async fn by_partner(&self, ctx: &Context<'_>) -> Result<Vec<PartnerQuoteStats>> {
        let rows = figures::by_partner(db(ctx)?, &self.range).await?;
        Ok(rows.into_iter().map(|(partner_id, f)| PartnerQuoteStats { partner_id, funnel: f.into() }).collect())
    }

    /// The funnel and response hours per clinic, most submitted first, then by clinic name.
    /// Only clinics with quotes created in the range are listed.
    async fn by_clinic(&self, ctx: &Context<'_>) -> Result<Vec<Eager<ClinicQuoteStats>>> {
        let rows = clinics::by_clinic(db(ctx)?, &self.range).await?;
        expect(ctx, rows.iter().map(|r| r.clinic.row_id()))?;
        Ok(rows.into_iter().map(|r| Eager(r.into())).collect())
    }

    /// The median offered price per clinic country and cell-count band (by the offer's cell
    /// count: 1–50, 51–100, 101–200, 201 and more million), by country, then band. Bands
    /// without offers are absent.
    async fn offered_prices(&self, ctx: &Context<'_>) -> Result<Vec<Eager<OfferedPriceBand>>> {
        let bands = prices::offered_prices(db(ctx)?, &self.range).await?;
        Ok(bands.into_iter().map(|b| Eager(b.into())).collect())
    }

    /// Every day of the range in order, zeros included.
    async fn daily(&self, ctx: &Context<'_>) -> Result<Vec<Eager<DailyQuoteCount>>> {
        let days = figures::daily(db(ctx)?, &self.range).await?;
        Ok(days.into_iter().map(|d| Eager(d.into())).collect())
    }

    /// VERIFIED accreditations expiring in [today, today + withinDays] (UTC), soonest first,
    /// whatever the range.
    async fn expiring_accreditations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 60, desc = "How many days ahead to look: 0 (today only) to 3650.")] within_days: i32,
    ) -> Result<Vec<Eager<Accreditation>>> {
        let state = ctx.data::<AppState>()?;
        let now = state.clock.now();
        let rows = evidence::expiring_accreditations(&state.db, within_days, now).await?;
        let today = now.date_naive();
        Ok(rows.iter().map(|a| Accreditation::from_row(a, today).map(Eager)).collect::<Result<_, _>>()?)
    }

    /// PUBLISHED clinics whose safety score is below `threshold`, lowest score first, then
    /// by name, whatever the range.
    async fn clinics_below_safety_score(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 4, desc = "Clinics scoring below this are listed: 0 to 6.")] threshold: i32,
    ) -> Result<Vec<Eager<Clinic>>> {
        let state = ctx.data::<AppState>()?;
        let rows = evidence::clinics_below_safety_score(&state.db, threshold, state.clock.now()).await?;
        expect(ctx, rows.iter().map(|c| c.id))?;
        Ok(rows.into_iter().map(|c| Eager(c.into())).collect())
    }
}
