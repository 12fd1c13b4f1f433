//! The quote workflow's GraphQL roots: thin resolvers over the services.

use async_graphql::{Context, ID, InputObject, Object, Result, Subscription};
use futures::Stream;
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
use crate::quotes::health::vault;
use crate::state::AppState;

/// Narrows the quote list; every given field must match (AND).
#[derive(InputObject, Clone, Debug, Default)]
pub struct QuoteFilter {
    /// Quotes in one of these statuses (at most 20), as `Quote.status` shows them: a lapsed
    /// offer counts as EXPIRED. An empty list matches nothing.
    pub statuses: Option<Vec<QuoteStatus>>,
    /// Quotes asked of this clinic (`Clinic.id`).
    pub clinic_id: Option<ID>,
    /// Quotes submitted strictly after this instant.
    pub created_after: Option<DateTime>,
    /// Quotes submitted strictly before this instant.
    pub created_before: Option<DateTime>,
}

/// Quote queries.
#[derive(Default)]
pub struct QuoteQuery;

#[Object]
impl QuoteQuery {
    /// Pre-screens a patient for a treatment, by the same rules as a quote request, without
    /// storing anything. Not medical advice. Needs the `eligibility:check` scope (PARTNER,
    /// AGENT, ADMIN); invalid input is BAD_USER_INPUT naming the first field at fault.
    #[graphql(guard = "ScopeGuard(Scope::EligibilityCheck)")]
    async fn check_eligibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A treatment slug, e.g. \"msc-chronic-migraine\".")] treatment: String,
        #[graphql(desc = "The patient; `medicalNotes` is not read.")] patient: PatientProfileInput,
    ) -> Result<EligibilityResult> {
        let state = ctx.data::<AppState>()?;
        let result = prescreen::check(&state.db, &treatment, &patient.into()).await?;
        Ok(EligibilityResult { outcome: result.outcome, reasons: result.reasons })
    }

    /// A quote within the caller's tenancy; null otherwise, exactly as for an unknown ID.
    /// Needs the `quotes:read` scope (AGENT, CLINIC, ADMIN).
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
    ) -> Result<Option<Quote>> {
        let state = ctx.data::<AppState>()?;
        let Some(row) = row_of(Kind::Quote, &id, &["id"])? else { return Ok(None) };
        Ok(read::by_row(&state.db, Tenancy::of(caller(ctx)?), row).await?.map(Quote::from))
    }

    /// Quotes within the caller's tenancy, newest first (AGENT: its partner's; CLINIC: its
    /// clinic's; ADMIN: all). Needs the `quotes:read` scope, which PARTNER tokens lack.
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quotes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 0 to 100, 20 when absent.")] first: Option<i32>,
        #[graphql(desc = "Start after this edge's cursor.")] after: Option<String>,
        #[graphql(desc = "Which quotes; all of the tenancy's when absent.")] filter: Option<QuoteFilter>,
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
    /// AGENT only: asks a clinic for a quote, pre-screening the patient, and creates it as
    /// SUBMITTED. Idempotent per partner and `idempotencyKey`. Invalid input is answered in
    /// `userErrors`, one entry per problem, and stores nothing.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite).and(RoleGuard(&[Role::Agent]))")]
    async fn submit_quote_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request.")] input: SubmitQuoteRequestInput,
    ) -> Result<QuotePayload> {
        let state = ctx.data::<AppState>()?;
        Ok(submit::submit(state, caller(ctx)?, input.into_request()).await?.into())
    }

    /// AGENT (its partner's quotes; needs `quotes:write`, which ADMIN also holds): withdraws
    /// a SUBMITTED, IN_REVIEW or OFFERED quote.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn withdraw_quote_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::Withdraw).await
    }

    /// AGENT (its partner's quotes; needs `quotes:write`, which ADMIN also holds): accepts
    /// the offer of an OFFERED quote whose `validUntil` has not passed.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn accept_quote_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::Accept).await
    }

    /// AGENT (its partner's quotes; needs `quotes:write`, which ADMIN also holds): declines
    /// the offer of an OFFERED quote.
    #[graphql(guard = "ScopeGuard(Scope::QuotesWrite)")]
    async fn decline_quote_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
        #[graphql(desc = "Why, for the clinic (at most 2,000 characters); recorded as the event's note.")]
        reason: Option<String>,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::Decline(reason)).await
    }

    /// CLINIC (its own clinic's quotes) or ADMIN, with `quotes:review`: moves a SUBMITTED
    /// quote to IN_REVIEW.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn start_quote_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::StartReview).await
    }

    /// CLINIC (its own clinic's quotes) or ADMIN, with `quotes:review`: makes an offer on an
    /// IN_REVIEW quote, which becomes OFFERED. Invalid input is answered in `userErrors`.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn make_quote_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
        #[graphql(desc = "The offer.")] input: QuoteOfferInput,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::Offer(Box::new(input.into()))).await
    }

    /// CLINIC (its own clinic's quotes) or ADMIN, with `quotes:review`: rejects a SUBMITTED
    /// or IN_REVIEW quote, saying why.
    #[graphql(guard = "ScopeGuard(Scope::QuotesReview)")]
    async fn reject_quote_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] id: ID,
        #[graphql(desc = "Why, for the agent: 1 to 2,000 characters; recorded as the event's note.")] reason: String,
    ) -> Result<QuotePayload> {
        change(ctx, &id, Change::Reject(reason)).await
    }
}

/// Quote subscriptions.
#[derive(Default)]
pub struct QuoteSubscription;

#[Subscription]
impl QuoteSubscription {
    /// Every new event on quotes within the caller's tenancy (or on one quote), from the
    /// moment of subscribing; earlier events are in `Quote.events`. Needs the `quotes:read`
    /// scope (AGENT, CLINIC, ADMIN).
    #[graphql(guard = "ScopeGuard(Scope::QuotesRead)")]
    async fn quote_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this quote's events (`Quote.id`); a quote outside the tenancy yields none.")]
        quote_id: Option<ID>,
    ) -> Result<impl Stream<Item = QuoteEvent>> {
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
        let state = state.clone();
        Ok(futures::StreamExt::filter_map(BroadcastStream::new(receiver), move |item| {
            let state = state.clone();
            async move {
                let published = item.ok()?;
                if !tenancy.admits(published.partner_id, published.clinic_id) {
                    return None;
                }
                if only.is_some_and(|row| row != published.event.quote_id) {
                    return None;
                }
                // A note is opened with the quote's key as it is now: none once erased.
                let key = match published.event.note {
                    Some(_) => vault::key_for(&state.db, &state.data_keys, published.event.quote_id).await.ok()?,
                    None => None,
                };
                QuoteEvent::from_row(published.event, key.as_ref()).ok()
            }
        }))
    }
}
