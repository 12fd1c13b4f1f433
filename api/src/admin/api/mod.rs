//! The administration's GraphQL roots: thin resolvers that decode IDs, convert inputs into
//! plain requests, call a service and shape its answer into a payload. Every root field
//! names the scope it needs: `admin` for staff-only fields, `catalogue:write` for those a
//! CLINIC client may use on its own clinic.

mod catalogue_roots;
mod partner_roots;

use async_graphql::{Context, ID, Object, Result};

use crate::admin::inputs::AuditFilter;
use crate::admin::request::Versioned;
use crate::admin::types::*;
use crate::admin::{audit, catalogue, partners};
use crate::auth::caller::ScopeGuard;
use crate::auth::role::{Role, Scope};
use crate::catalogue::clinic::ClinicConnection;
use crate::catalogue::vocab::ClinicStatus;
use crate::graphql::ids::{Kind, named};
use crate::state::AppState;

fn versioned(kind: Kind, id: &ID, version: i32) -> Versioned {
    Versioned { id: named(kind, id), version }
}

fn today(ctx: &Context<'_>) -> Result<chrono::NaiveDate> {
    Ok(ctx.data::<AppState>()?.clock.now().date_naive())
}

/// Administration queries (ADMIN).
#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// ADMIN: clinics of every status (or of `statuses`), oldest first, optionally matching
    /// `search` in name, city or description. `clinics` stays PUBLISHED-only for everyone.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn admin_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Only clinics in these statuses.")] statuses: Option<Vec<ClinicStatus>>,
        #[graphql(desc = "Case-insensitive text in name, city or description.")] search: Option<String>,
    ) -> Result<ClinicConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) =
            catalogue::list_clinics(&state.db, statuses, search, (first, after.as_deref()), want_total).await?;
        let pages = (page.has_next_page, page.has_previous_page);
        ClinicConnection::of_rows(ctx, page.rows, catalogue::clinic_cursor, pages, total).await
    }

    /// ADMIN: the audit log, newest first.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Narrows the log; every given field must match.")] filter: Option<AuditFilter>,
    ) -> Result<AuditRecordConnection> {
        let state = ctx.data::<AppState>()?;
        let filter = filter.unwrap_or_default();
        let query = audit::AuditQuery {
            entity_id: filter.entity_id.map(|id| id.0),
            actor: filter.actor,
            actions: filter.actions,
            after: filter.after.map(|d| d.0),
            before: filter.before.map(|d| d.0),
        };
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = audit::list(&state.db, &query, first, after.as_deref(), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|r| Ok(AuditRecordEdge { cursor: audit::cursor(&r), node: AuditRecord::from_row(r)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(AuditRecordConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }

    /// ADMIN: partners, oldest first.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
    ) -> Result<PartnerConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = partners::list_partners(&state.db, first, after.as_deref(), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|p| Ok(PartnerEdge { cursor: partners::partner_cursor(&p), node: Partner::from_row(p)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(PartnerConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }

    /// ADMIN: API clients, oldest first (never their secrets).
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Only clients of this role.")] role: Option<Role>,
        #[graphql(desc = "Only active (true) or inactive (false) clients.")] active: Option<bool>,
    ) -> Result<ApiClientConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) =
            partners::list_clients(&state.db, role, active, (first, after.as_deref()), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|c| Ok(ApiClientEdge { cursor: partners::client_cursor(&c), node: ApiClient::from_row(c)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(ApiClientConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }
}

pub use self::catalogue_roots::CatalogueAdminMutation;
pub use self::partner_roots::PartnerAdminMutation;
