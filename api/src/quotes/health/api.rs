//! The health-data protection roots (ADMIN): the access log and erasure.

use async_graphql::{Context, ID, Object, Result};

use super::access::{self, AccessQuery};
use super::erase;
use super::types::{PatientDataAccess, PatientDataAccessConnection, PatientDataAccessEdge, PatientDataAccessFilter};
use crate::auth::caller::{ScopeGuard, caller};
use crate::auth::role::Scope;
use crate::graphql::ids::{Kind, named, row_of};
use crate::quotes::types::QuotePayload;
use crate::state::AppState;

/// Health-data queries.
#[derive(Default)]
pub struct HealthQuery;

#[Object]
impl HealthQuery {
    /// ADMIN: every recorded read of patient data, newest first. The log is append-only:
    /// nothing in the API changes or deletes an entry.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn patient_data_access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Narrows the log; every given field must match.")] filter: Option<PatientDataAccessFilter>,
    ) -> Result<PatientDataAccessConnection> {
        let state = ctx.data::<AppState>()?;
        let filter = filter.unwrap_or_default();
        let query = AccessQuery {
            quote: filter.quote_id.map(|id| row_of(Kind::Quote, &id, &["filter", "quoteId"])).transpose()?,
            actor: filter.actor,
            after: filter.after.map(|d| d.0),
            before: filter.before.map(|d| d.0),
        };
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = access::list(&state.db, &query, first, after.as_deref(), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|r| Ok(PatientDataAccessEdge { cursor: access::cursor(&r), node: PatientDataAccess::from_row(r)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = crate::graphql::pagination::PageInfo::new(page.has_next_page, page.has_previous_page, &cursors);
        Ok(PatientDataAccessConnection { edges, page_info, total })
    }
}

/// Health-data mutations.
#[derive(Default)]
pub struct HealthMutation;

#[Object]
impl HealthMutation {
    /// ADMIN: erases everything the quote says about the patient by destroying its data key
    /// (crypto-shredding): `patient`, `eligibility` and every note become null for good, and
    /// `patientDataErasedAt` is stamped. The business record (status, clinic, treatment,
    /// package, offer terms, event times) stays. An open quote is withdrawn first, in the same
    /// transaction. Audited with the reason; erasing again changes nothing and answers the
    /// quote.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn erase_patient_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quote's global ID (`Quote.id`).")] quote_id: ID,
        #[graphql(desc = "Why (an erasure request's reference, say): 1 to 2,000 characters; kept in the audit log.")]
        reason: String,
    ) -> Result<QuotePayload> {
        let state = ctx.data::<AppState>()?;
        let quote = named(Kind::Quote, &quote_id);
        Ok(erase::erase(state, caller(ctx)?, quote, &reason).await?.into())
    }
}
