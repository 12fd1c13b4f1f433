//! Quote events: written in the same transaction as the change they record, together with
//! the change's webhook deliveries (the [outbox](crate::webhooks::outbox)); once committed,
//! the [`bus`](crate::bus) pushes them to subscribers and the webhook worker is rung.

use chrono::{DateTime, Utc};
use entity::{quote_events, quotes};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use super::vocab::QuoteStatus;
use crate::auth::caller::Caller;
use crate::error::ServiceResult;
use crate::webhooks::outbox::{self, QuoteChange};

/// A change about to be recorded.
pub struct NewEvent<'a> {
    pub from: Option<QuoteStatus>,
    pub to: QuoteStatus,
    /// Who made the change; `None` for the system (an offer expiring).
    pub caller: Option<&'a Caller>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Appends an event to `quote`'s history and queues its webhook deliveries, on `conn`: the
/// transaction of the change.
pub async fn record(
    conn: &impl ConnectionTrait,
    quote: &quotes::Model,
    e: NewEvent<'_>,
) -> ServiceResult<quote_events::Model> {
    let (actor, role) = match e.caller {
        Some(c) => (c.client_id.clone(), c.role.as_str().to_owned()),
        None => ("system".to_owned(), "SYSTEM".to_owned()),
    };
    let event = quote_events::ActiveModel {
        quote_id: Set(quote.id),
        at: Set(e.at),
        from_status: Set(e.from.map(|s| s.as_str().to_owned())),
        to_status: Set(e.to.as_str().to_owned()),
        actor_client_id: Set(actor),
        actor_role: Set(role),
        note: Set(e.note),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let change = QuoteChange {
        quote_id: quote.id,
        partner_id: quote.partner_id,
        clinic_id: quote.clinic_id,
        treatment_id: quote.treatment_id,
        event_id: event.id,
        from: event.from_status.as_deref(),
        to: &event.to_status,
        at: event.at,
    };
    outbox::enqueue(conn, change).await?;
    Ok(event)
}
