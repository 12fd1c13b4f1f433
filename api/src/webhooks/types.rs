//! The webhooks' GraphQL output types, converted explicitly from rows: the secret columns
//! never reach the schema except as the one-time `secret` of a payload.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{webhook_attempts, webhook_deliveries, webhook_endpoints};

use super::deliveries;
use super::endpoints::EndpointOutcome;
use super::loaders::{AttemptsOf, DeliveryCount, DeliveryQuote, WebhookLoader};
use super::vocab::{WebhookDeliveryStatus, WebhookEventType};
use crate::auth::caller::caller;
use crate::graphql::ids::{Kind, encode};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::DateTime;
use crate::paging::Page;
use crate::quotes::scope::Tenancy;
use crate::quotes::types::{Quote, UserError};

/// A URL that receives quote events, signed per the Standard Webhooks specification.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint {
    id: ID,
    row: webhook_endpoints::Model,
}

impl From<webhook_endpoints::Model> for WebhookEndpoint {
    fn from(row: webhook_endpoints::Model) -> Self {
        Self { id: encode(Kind::WebhookEndpoint, row.id), row }
    }
}

/// A URL that receives quote events, signed per the Standard Webhooks specification, with
/// the deliveries made to it. Visible to its owner (the AGENT's partner or the CLINIC's
/// clinic) and to ADMIN.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's global ID.
    pub async fn id(&self) -> &ID {
        &self.id
    }

    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.row.url
    }

    /// The events this endpoint receives.
    async fn event_types(&self) -> Vec<WebhookEventType> {
        let types = self.row.event_types.as_array().map(Vec::as_slice).unwrap_or_default();
        types.iter().filter_map(|t| t.as_str().and_then(WebhookEventType::parse)).collect()
    }

    /// False once its owner turned it off, or after 3 days of failing without a success.
    async fn active(&self) -> bool {
        self.row.active
    }

    /// When the endpoint was registered.
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// The deliveries to this endpoint, newest first. `first` defaults to 20, at most 100.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: default 20, at most 100.")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<WebhookDeliveryConnection> {
        let loader = ctx.data::<DataLoader<WebhookLoader>>()?;
        let (key, request) = deliveries::page_of(self.row.id, first, after.as_deref())?;
        let (rows, total) = futures::try_join!(loader.load_one(key), loader.load_one(DeliveryCount(self.row.id)))?;
        let page = Page::from_fetched(rows.unwrap_or_default(), &request);
        let total = total.unwrap_or(0);
        let edges: Vec<WebhookDeliveryEdge> = page
            .rows
            .into_iter()
            .map(|d| WebhookDeliveryEdge { cursor: deliveries::cursor(&d), node: d.into() })
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = PageInfo::new(page.has_next_page, page.has_previous_page, &cursors);
        Ok(WebhookDeliveryConnection { edges, page_info, total_count: count(total) })
    }
}

fn count(total: u64) -> i32 {
    i32::try_from(total).unwrap_or(i32::MAX)
}

/// One event to one endpoint, and how its delivery is going.
#[derive(Clone, Debug)]
pub struct WebhookDelivery {
    id: ID,
    row: webhook_deliveries::Model,
}

impl From<webhook_deliveries::Model> for WebhookDelivery {
    fn from(row: webhook_deliveries::Model) -> Self {
        Self { id: encode(Kind::WebhookDelivery, row.id), row }
    }
}

/// One attempt at a delivery.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookAttempt {
    /// When it was made.
    pub at: DateTime,
    /// The HTTP status the endpoint answered; null when it did not answer.
    pub response_status: Option<i32>,
    /// How long the attempt took, in milliseconds.
    pub latency_ms: i32,
    /// The start of the response body (at most 512 bytes).
    pub response_excerpt: Option<String>,
    /// Why no answer came (timed out, could not connect, a refused address).
    pub error: Option<String>,
}

impl From<webhook_attempts::Model> for WebhookAttempt {
    fn from(a: webhook_attempts::Model) -> Self {
        Self {
            at: DateTime(a.at),
            response_status: a.response_status,
            latency_ms: a.latency_ms,
            response_excerpt: a.response_excerpt,
            error: a.error,
        }
    }
}

/// One event to one endpoint, and how its delivery is going: attempted until a 2xx answer,
/// with backoff, for 24 hours.
#[Object]
impl WebhookDelivery {
    /// The delivery's global ID.
    pub async fn id(&self) -> &ID {
        &self.id
    }

    /// The `webhook-id` header: the same for every attempt of one event.
    async fn event_id(&self) -> &str {
        &self.row.event_id
    }

    /// What happened to the quote.
    async fn event_type(&self) -> Result<WebhookEventType> {
        Ok(WebhookEventType::from_stored(&self.row.event_type)?)
    }

    /// The quote the event is about, when the caller can see it.
    async fn quote(&self, ctx: &Context<'_>) -> Result<Option<Quote>> {
        let key = DeliveryQuote { tenancy: Tenancy::of(caller(ctx)?), row: self.row.quote_id };
        Ok(ctx.data::<DataLoader<WebhookLoader>>()?.load_one(key).await?.map(Quote::from))
    }

    /// Where the delivery stands.
    async fn status(&self) -> Result<WebhookDeliveryStatus> {
        Ok(WebhookDeliveryStatus::from_stored(&self.row.status)?)
    }

    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.row.attempts
    }

    /// When the last attempt was made; null before the first.
    async fn last_attempt_at(&self) -> Option<DateTime> {
        self.row.last_attempt_at.map(DateTime)
    }

    /// The HTTP status of the last attempt; null when it got no answer.
    async fn last_response_status(&self) -> Option<i32> {
        self.row.last_response_status
    }

    /// When the next attempt is due; null once SUCCEEDED or FAILED.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        self.row.next_attempt_at.filter(|_| self.row.status == WebhookDeliveryStatus::Pending.as_str()).map(DateTime)
    }

    /// When the event was queued for this endpoint (with the change it reports).
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// Every attempt, oldest first (the newest 50): time, status, latency, an excerpt of
    /// the answer.
    async fn attempt_log(&self, ctx: &Context<'_>) -> Result<Vec<WebhookAttempt>> {
        let attempts = ctx.data::<DataLoader<WebhookLoader>>()?.load_one(AttemptsOf(self.row.id)).await?;
        Ok(attempts.unwrap_or_default().into_iter().map(WebhookAttempt::from).collect())
    }
}

/// An edge of the endpoint connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookEndpointEdge {
    /// Opaque cursor for `after`.
    pub cursor: String,
    /// The endpoint.
    pub node: WebhookEndpoint,
}

/// A page of endpoints, oldest first.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookEndpointConnection {
    /// The endpoints of this page.
    pub edges: Vec<WebhookEndpointEdge>,
    /// Relay page information.
    pub page_info: PageInfo,
    /// Every endpoint within the caller's reach.
    pub total_count: i32,
}

impl WebhookEndpointConnection {
    /// The connection of a page of endpoints.
    pub fn new(page: crate::paging::Page<webhook_endpoints::Model>, total: u64) -> Self {
        let edges: Vec<WebhookEndpointEdge> = page
            .rows
            .into_iter()
            .map(|e| WebhookEndpointEdge { cursor: super::endpoints::cursor(&e), node: e.into() })
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = PageInfo::new(page.has_next_page, page.has_previous_page, &cursors);
        Self { edges, page_info, total_count: count(total) }
    }
}

/// An edge of the delivery connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDeliveryEdge {
    /// Opaque cursor for `after`.
    pub cursor: String,
    /// The delivery.
    pub node: WebhookDelivery,
}

/// A page of deliveries, newest first.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDeliveryConnection {
    /// The deliveries of this page.
    pub edges: Vec<WebhookDeliveryEdge>,
    /// Relay page information.
    pub page_info: PageInfo,
    /// Every delivery to the endpoint.
    pub total_count: i32,
}

fn user_errors(errors: Vec<crate::quotes::outcome::UserError>) -> Vec<UserError> {
    errors.into_iter().map(|e| UserError { field: e.field, message: e.message, code: e.code }).collect()
}

/// An endpoint and its secret, shown here once.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookEndpointSecretPayload {
    /// The endpoint; null when the request was refused.
    pub endpoint: Option<WebhookEndpoint>,
    /// The signing secret (`whsec_…`): shown once, store it now.
    pub secret: Option<String>,
    /// Why the request was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<EndpointOutcome> for WebhookEndpointSecretPayload {
    fn from(o: EndpointOutcome) -> Self {
        Self { endpoint: o.endpoint.map(Into::into), secret: o.secret, user_errors: user_errors(o.user_errors) }
    }
}

/// An endpoint, or why not.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookEndpointPayload {
    /// The endpoint; null when the request was refused (or after deletion).
    pub endpoint: Option<WebhookEndpoint>,
    /// Why the request was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<EndpointOutcome> for WebhookEndpointPayload {
    fn from(o: EndpointOutcome) -> Self {
        Self { endpoint: o.endpoint.map(Into::into), user_errors: user_errors(o.user_errors) }
    }
}

/// A delivery, or why not.
#[derive(SimpleObject, Clone, Debug)]
pub struct WebhookDeliveryPayload {
    /// The delivery; null when the request was refused.
    pub delivery: Option<WebhookDelivery>,
    /// Why the request was refused; empty on success.
    pub user_errors: Vec<UserError>,
}

impl From<deliveries::DeliveryOutcome> for WebhookDeliveryPayload {
    fn from(o: deliveries::DeliveryOutcome) -> Self {
        Self { delivery: o.delivery.map(Into::into), user_errors: user_errors(o.user_errors) }
    }
}
