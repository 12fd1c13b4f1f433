//! `viewer`: the caller's own identity, as the API sees it.

use async_graphql::{Context, Object, Result, SimpleObject};
use entity::partners;
use sea_orm::EntityTrait;

use super::caller::caller;
use super::role::Role;
use crate::catalogue::clinic::Clinic;
use crate::state::AppState;

/// Who is calling.
#[derive(SimpleObject)]
pub struct Viewer {
    pub client_id: String,
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
    /// The authenticated caller.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let caller = caller(ctx)?;
        let db = &ctx.data::<AppState>()?.db;
        let partner_name = match caller.partner_id {
            Some(id) => partners::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(crate::error::ServiceError::from)?
                .map(|p| p.name),
            None => None,
        };
        let clinic = match caller.clinic_id {
            Some(id) => entity::clinics::Entity::find_by_id(id)
                .one(db)
                .await
                .map_err(crate::error::ServiceError::from)?
                .map(Clinic::from),
            None => None,
        };
        Ok(Viewer {
            client_id: caller.client_id.clone(),
            role: caller.role,
            partner_name,
            clinic,
            scopes: caller.scopes.clone(),
        })
    }
}
