//! `viewer`: the caller's own identity, as the API sees it.

mod service;

use async_graphql::{Context, Object, Result, SimpleObject};

use crate::auth::caller::caller;
use crate::auth::role::Role;
use crate::catalogue::clinic::Clinic;
use crate::state::AppState;

/// Who is calling.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The API client's id (the `sub` of its token).
    pub client_id: String,
    /// The client's role.
    pub role: Role,
    /// The partner of a PARTNER or AGENT client.
    pub partner_name: Option<String>,
    /// The clinic of a CLINIC client.
    pub clinic: Option<Clinic>,
    /// Scopes granted to the token.
    pub scopes: Vec<String>,
}

/// The `viewer` query.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The authenticated caller: every role may ask who it is.
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
