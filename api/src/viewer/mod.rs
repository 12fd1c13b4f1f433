//! `viewer`: the caller's own identity, as the API sees it.

mod service;

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::auth::caller::caller;
use crate::auth::role::Role;
use crate::catalogue::clinic::Clinic;
use crate::state::AppState;

/// Who is calling: the API client the bearer token was issued to.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The client's id (the token's `sub`), e.g. "mt_…".
    pub client_id: String,
    /// The client's role, which decides its tenancy and the scopes it may hold.
    pub role: Role,
    /// The name of the partner a PARTNER or AGENT client belongs to; null for other roles.
    pub partner_name: Option<String>,
    /// The clinic a CLINIC client works for; null for other roles.
    pub clinic: Option<Clinic>,
    /// Scopes granted to the token, e.g. "catalogue:read", "quotes:write".
    pub scopes: Vec<String>,
}

/// The `viewer` query.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The authenticated caller. Any valid token, whatever its scopes.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let caller = caller(ctx)?;
        let identity = service::identity(&ctx.data::<AppState>()?.db, caller).await?;
        Ok(Viewer {
            client_id: caller.client_id.clone(),
            role: caller.role,
            partner_name: identity.partner_name,
            clinic: identity.clinic.map(Clinic::from),
            scopes: caller.scopes.clone(),
        })
    }
}
