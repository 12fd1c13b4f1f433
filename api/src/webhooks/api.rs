//! The webhooks' GraphQL roots: thin resolvers over the services. AGENT manages its
//! partner's endpoints, CLINIC its clinic's, ADMIN all (and its own hear every quote).

use async_graphql::{Context, Guard, GuardExt, ID, InputObject, Object, Result};

use super::deliveries;
use super::endpoints::{self, EndpointInput};
use super::scope::Owner;
use super::types::{
    WebhookDeliveryPayload, WebhookEndpointConnection, WebhookEndpointPayload, WebhookEndpointSecretPayload,
};
use super::vocab::WebhookEventType;
use crate::auth::caller::{RoleGuard, ScopeGuard, caller};
use crate::auth::role::{Role, Scope};
use crate::graphql::ids::{Kind, named};
use crate::state::AppState;

/// An endpoint as its owner describes it.
#[derive(InputObject, Clone, Debug)]
pub struct WebhookEndpointInput {
    /// https (http and loopback only where the server allows insecure URLs).
    pub url: String,
    /// The events to receive (at least one).
    pub event_types: Vec<WebhookEventType>,
}

impl From<WebhookEndpointInput> for EndpointInput {
    fn from(i: WebhookEndpointInput) -> Self {
        Self { url: i.url, event_types: i.event_types }
    }
}

/// The guard on every webhook field: AGENT, CLINIC or ADMIN with a `quotes:read` token.
fn webhook_guard() -> impl Guard {
    ScopeGuard(Scope::QuotesRead).and(RoleGuard(&[Role::Agent, Role::Clinic, Role::Admin]))
}

fn owner(ctx: &Context<'_>) -> Result<Owner> {
    Ok(Owner::of(caller(ctx)?))
}

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The caller's endpoints (AGENT: its partner's; CLINIC: its clinic's; ADMIN: all),
    /// oldest first. `first` defaults to 20, at most 100.
    #[graphql(guard = "webhook_guard()")]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<WebhookEndpointConnection> {
        let state = ctx.data::<AppState>()?;
        let (page, total) = endpoints::list(&state.db, owner(ctx)?, first, after.as_deref()).await?;
        Ok(WebhookEndpointConnection::new(page, total))
    }
}

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers an endpoint; the payload shows its signing secret, once.
    #[graphql(guard = "webhook_guard()")]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint: its URL and the events it receives.")] input: WebhookEndpointInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let state = ctx.data::<AppState>()?;
        Ok(endpoints::create(state, owner(ctx)?, input.into()).await?.into())
    }

    /// Changes an endpoint's URL and events, and turns it on or off (`active`).
    #[graphql(guard = "webhook_guard()")]
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's global ID.")] id: ID,
        #[graphql(desc = "The endpoint's new URL and events.")] input: WebhookEndpointInput,
        #[graphql(desc = "Turns the endpoint on or off; unchanged when omitted.")] active: Option<bool>,
    ) -> Result<WebhookEndpointPayload> {
        let state = ctx.data::<AppState>()?;
        let row = named(Kind::WebhookEndpoint, &id);
        Ok(endpoints::update(state, owner(ctx)?, row, input.into(), active).await?.into())
    }

    /// Removes an endpoint and its deliveries.
    #[graphql(guard = "webhook_guard()")]
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's global ID.")] id: ID,
    ) -> Result<WebhookEndpointPayload> {
        let state = ctx.data::<AppState>()?;
        Ok(endpoints::delete(state, owner(ctx)?, named(Kind::WebhookEndpoint, &id)).await?.into())
    }

    /// Gives an endpoint a new secret, shown once; the old one keeps signing beside it (a
    /// second `v1,` entry) for 24 hours.
    #[graphql(guard = "webhook_guard()")]
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's global ID.")] id: ID,
    ) -> Result<WebhookEndpointSecretPayload> {
        let state = ctx.data::<AppState>()?;
        Ok(endpoints::rotate(state, owner(ctx)?, named(Kind::WebhookEndpoint, &id)).await?.into())
    }

    /// One more attempt of a delivery's event, now, with the same `webhook-id`.
    #[graphql(guard = "webhook_guard()")]
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery's global ID (`WebhookDelivery.id`).")] delivery_id: ID,
    ) -> Result<WebhookDeliveryPayload> {
        let state = ctx.data::<AppState>()?;
        Ok(deliveries::redeliver(state, owner(ctx)?, named(Kind::WebhookDelivery, &delivery_id)).await?.into())
    }
}
