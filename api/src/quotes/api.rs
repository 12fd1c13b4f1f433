//! The quote workflow's GraphQL roots: thin resolvers over the services.

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use futures::Stream;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use super::inputs::{PatientProfileInput, QuoteOfferInput, SubmitQuoteRequestInput};
use super::request::QuoteFilter as FilterArgs;
use super::scope::Tenancy;
use super::transition::{self, Change};
use super::types::{EligibilityResult, Quote, QuoteConnection, QuoteEdge, QuoteEvent, QuotePayload};
use super::vocab::QuoteStatus;
use super::{prescreen, read, submit};
use crate::auth::caller::{RoleGuard, ScopeGuard, caller};
use crate::auth::role::{Role, Scope};
use crate::graphql::ids::{Kind, named, row_of};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::DateTime;
use crate::state::AppState;

/// Narrows the quote list.
#[derive(InputObject, Clone, Debug, Default)]
pub struct QuoteFilter {
    pub statuses: Option<Vec<QuoteStatus>>,
    pub clinic_id: Option<ID>,
    pub created_after: Option<DateTime>,
    pub created_before: Option<DateTime>,
}

/// Quote queries.
#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
    /// Pre-screens a patient for a treatment (slug). Not medical advice.
    #[graphql(guard = "ScopeGuard(Scope::EligibilityCheck)")]
    async fn check_eligibility(
        &self,
        ctx: &Context<'_>,
        treatment: String,
        patient: PatientProfileInput,
    ) -> Result<EligibilityResult> {
        let state = ctx.data::<AppState>()?;
        let result = prescreen::check(&state.db, &treatment, &patient.into()).await?;
        Ok(EligibilityResult { outcome: result.outcome, reasons: result.reasons })
    }

    /// A quote within the caller's tenancy; null otherwise, exactly as for an unknown ID.
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quote(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Quote>> {
        let state = ctx.data::<AppState>()?;
        let Some(row) = row_of(Kind::Quote, &id, &["id"])? else { return Ok(None) };
        Ok(read::by_row(&state.db, Tenancy::of(caller(ctx)?), row).await?.map(Quote::from))
    }

    /// Quotes within the caller's tenancy, newest first (AGENT: its partner's; CLINIC: its
    /// clinic's; ADMIN: all; PARTNER: none). `first` defaults to 20, at most 100.
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quotes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<QuoteFilter>,
    ) -> Result<QuoteConnection> {
        let state = ctx.data::<AppState>()?;
        let filter = filter.unwrap_or_default();
        let args = FilterArgs {
            statuses: filter.statuses,
            clinic: filter.clinic_id.map(|id| row_of(Kind::Clinic, &id, &["filter", "clinicId"])).transpose()?,
            created_after: filter.created_after.map(|d| d.0),
            created_before: filter.created_before.map(|d| d.0),
        };
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let result = read::list(
            &state.db,
            Tenancy::of(caller(ctx)?),
            &args,
            first,
            after.as_deref(),
            want_total,
            state.clock.now(),
        )
        .await?;
        let edges: Vec<QuoteEdge> = result
            .page
            .rows
            .into_iter()
            .map(|q| QuoteEdge { cursor: read::cursor(&q), node: Quote::from(q) })
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = PageInfo::new(result.page.has_next_page, result.page.has_previous_page, &cursors);
        Ok(QuoteConnection { edges, page_info, total: result.total_count })
    }
}

async fn change(ctx: &Context<'_>, id: &ID, change: Change) -> Result<QuotePayload> {
    let state = ctx.data::<AppState>()?;
    let quote = named(Kind::Quote, id);
    Ok(transition::transition(state, caller(ctx)?, quote, change).await?.into())
}

/// Quote mutations.
#[derive(Default)]
pub struct QuoteMutation;

#[Object]
impl QuoteMutation {
    /// AGENT: asks a clinic for a quote. Idempotent per partner and `idempotencyKey`.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite).and(RoleGuard(&[Role::Agent]))")]
    async fn submit_quote_request(&self, ctx: &Context<'_>, input: SubmitQuoteRequestInput) -> Result<QuotePayload> {
        let state = ctx.data::<AppState>()?;
        Ok(submit::submit(state, caller(ctx)?, input.into_request()).await?.into())
    }

    /// AGENT: withdraws an open quote.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn withdraw_quote_request(&self, ctx: &Context<'_>, id: ID) -> Result<QuotePayload> {
        change(ctx, &id, Change::Withdraw).await
    }

    /// AGENT: accepts an offer that is still valid.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn accept_quote_offer(&self, ctx: &Context<'_>, id: ID) -> Result<QuotePayload> {
        change(ctx, &id, Change::Accept).await
    }

    /// AGENT: declines an offer.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn decline_quote_offer(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> Result<QuotePayload> {
        change(ctx, &id, Change::Decline(reason)).await
    }

    /// CLINIC (its own clinic's quotes) or ADMIN: starts reviewing a submitted quote.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn start_quote_review(&self, ctx: &Context<'_>, id: ID) -> Result<QuotePayload> {
        change(ctx, &id, Change::StartReview).await
    }

    /// CLINIC or ADMIN: makes an offer on a quote under review.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn make_quote_offer(&self, ctx: &Context<'_>, id: ID, input: QuoteOfferInput) -> Result<QuotePayload> {
        change(ctx, &id, Change::Offer(Box::new(input.into()))).await
    }

    /// CLINIC or ADMIN: rejects a submitted or reviewed quote, saying why.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn reject_quote_request(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<QuotePayload> {
        change(ctx, &id, Change::Reject(reason)).await
    }
}

/// Quote subscriptions.
#[derive(Default)]
pub struct QuoteSubscription;

#[Subscription]
impl QuoteSubscription {
    /// Every new event on quotes within the caller's tenancy (or on one quote).
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quote_events(&self, ctx: &Context<'_>, quote_id: Option<ID>) -> Result<impl Stream<Item = QuoteEvent>> {
        let state = ctx.data::<AppState>()?;
        let tenancy = Tenancy::of(caller(ctx)?);
        let only = match &quote_id {
            None => None,
            Some(id) => match row_of(Kind::Quote, id, &["quoteId"])? {
                Some(row) => Some(read::by_row(&state.db, tenancy, row).await?.map_or(-1, |q| q.id)),
                None => Some(-1),
            },
        };
        let receiver = state.quote_events.subscribe();
        Ok(BroadcastStream::new(receiver).filter_map(move |item| {
            let published = item.ok()?;
            if !tenancy.admits(published.partner_id, published.clinic_id) {
                return None;
            }
            if only.is_some_and(|row| row != published.event.quote_id) {
                return None;
            }
            QuoteEvent::from_row(published.event).ok()
        }))
    }
}
