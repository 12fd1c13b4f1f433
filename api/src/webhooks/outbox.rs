//! The durable outbox: one delivery row per subscribed endpoint, written by the quote
//! workflow inside the transaction of the change it reports — so a committed change always
//! has its deliveries and a rolled-back one has none. It takes plain values and knows
//! nothing of quotes beyond them.

use chrono::{DateTime, Utc};
use entity::{treatments, webhook_deliveries, webhook_endpoints};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::vocab::{WebhookDeliveryStatus, WebhookEventType};
use crate::error::ServiceResult;
use crate::graphql::ids::{Kind, encode};

/// How long a delivery is retried before it is FAILED.
pub const RETRY_FOR: chrono::Duration = chrono::Duration::hours(24);

/// A committed-to-be change of a quote, as its webhooks report it.
pub struct QuoteChange<'a> {
    pub quote_id: i32,
    pub partner_id: i32,
    pub clinic_id: i32,
    pub treatment_id: i32,
    /// The quote event recording the change.
    pub event_id: i32,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub at: DateTime<Utc>,
}

/// Writes one delivery per active endpoint subscribed to this change (the quote's partner's,
/// its clinic's and the ADMIN endpoints) on `conn`, the change's transaction. Returns how
/// many.
pub async fn enqueue(conn: &impl ConnectionTrait, change: QuoteChange<'_>) -> ServiceResult<usize> {
    let Some(event_type) = WebhookEventType::for_status(change.to) else { return Ok(0) };
    let endpoints = webhook_endpoints::Entity::find()
        .filter(webhook_endpoints::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(webhook_endpoints::Column::PartnerId.eq(change.partner_id))
                .add(webhook_endpoints::Column::ClinicId.eq(change.clinic_id))
                .add(
                    Condition::all()
                        .add(webhook_endpoints::Column::PartnerId.is_null())
                        .add(webhook_endpoints::Column::ClinicId.is_null()),
                ),
        )
        .all(conn)
        .await?;
    let subscribed: Vec<_> = endpoints.into_iter().filter(|e| subscribes(e, event_type)).collect();
    if subscribed.is_empty() {
        return Ok(0);
    }
    let treatment = treatments::Entity::find_by_id(change.treatment_id).one(conn).await?.map(|t| t.slug);
    // IDs and statuses only: never the patient, never a note.
    let body = json!({
        "type": event_type.wire_name(),
        "timestamp": change.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": {
            "quoteId": encode(Kind::Quote, change.quote_id).0,
            "status": change.to,
            "from": change.from,
            "at": change.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "clinicId": encode(Kind::Clinic, change.clinic_id).0,
            "treatment": treatment,
        }
    })
    .to_string();
    let rows = subscribed.iter().map(|endpoint| webhook_deliveries::ActiveModel {
        endpoint_id: Set(endpoint.id),
        event_id: Set(format!("msg_{}", uuid::Uuid::new_v4().simple())),
        event_type: Set(event_type.as_str().to_owned()),
        quote_id: Set(change.quote_id),
        quote_event_id: Set(change.event_id),
        body: Set(body.clone()),
        status: Set(WebhookDeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(change.at)),
        give_up_at: Set(change.at + RETRY_FOR),
        locked_until: Set(None),
        last_attempt_at: Set(None),
        last_response_status: Set(None),
        created_at: Set(change.at),
        ..Default::default()
    });
    webhook_deliveries::Entity::insert_many(rows).exec(conn).await?;
    Ok(subscribed.len())
}

/// True when `endpoint` asked for events of `event_type`.
fn subscribes(endpoint: &webhook_endpoints::Model, event_type: WebhookEventType) -> bool {
    endpoint.event_types.as_array().is_some_and(|types| types.iter().any(|t| t.as_str() == Some(event_type.as_str())))
}
