//! Mutations on partners and their API clients (ADMIN).

use async_graphql::{Context, ID, Object, Result};

use crate::admin::inputs::ApiClientInput;
use crate::admin::outcome::settle;
use crate::admin::partners;
use crate::admin::partners::PartnerStatus;
use crate::admin::types::*;
use crate::auth::caller::{ScopeGuard, caller};
use crate::auth::role::Scope;
use crate::graphql::ids::{Kind, named};
use crate::state::AppState;

/// Partner and client administration mutations (ADMIN).
#[derive(Default)]
pub struct PartnerAdminMutation;

#[Object]
impl PartnerAdminMutation {
    /// ADMIN: creates an API client; its secret is in this payload and nowhere else, ever.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client.")] input: ApiClientInput,
    ) -> Result<ApiClientSecretPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(partners::create_client(state, caller(ctx)?, input.into()).await)?;
        let (client, client_secret) = match row {
            Some((row, secret)) => (Some(ApiClient::from_row(row)?), Some(secret)),
            None => (None, None),
        };
        Ok(ApiClientSecretPayload { client, client_secret, user_errors: user_errors(errors) })
    }

    /// ADMIN: revokes an API client; its tokens stop working at once.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client's global ID.")] id: ID,
    ) -> Result<ApiClientPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(partners::revoke_client(state, caller(ctx)?, named(Kind::ApiClient, &id)).await)?;
        Ok(ApiClientPayload { client: row.map(ApiClient::from_row).transpose()?, user_errors: user_errors(errors) })
    }

    /// ADMIN: suspends a partner (stopping every client of it) or makes it active again.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn set_partner_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner's ID.")] id: ID,
        #[graphql(desc = "The status to set.")] status: PartnerStatus,
        #[graphql(desc = "Why, for the audit log.")] reason: Option<String>,
    ) -> Result<PartnerPayload> {
        let state = ctx.data::<AppState>()?;
        let partner = named(Kind::Partner, &id);
        let (row, errors) = settle(partners::set_partner_status(state, caller(ctx)?, partner, status, reason).await)?;
        Ok(PartnerPayload { partner: row.map(Partner::from_row).transpose()?, user_errors: user_errors(errors) })
    }
}
