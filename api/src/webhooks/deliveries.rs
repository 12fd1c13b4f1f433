//! Reading deliveries and their attempts, within the caller's reach (through their
//! endpoint), and `redeliverWebhook`: one more attempt of the same event.

use entity::{webhook_deliveries, webhook_endpoints};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::loaders::DeliveriesOf;
use super::scope::Owner;
use super::vocab::WebhookDeliveryStatus;
use crate::error::ServiceResult;
use crate::paging::{PageRequest, encode_cursor, page_request};
use crate::quotes::outcome::UserError;
use crate::state::AppState;

const ORDER: &str = "ID_DESC";

/// The most attempts shown per delivery (the newest).
pub const MAX_ATTEMPTS_SHOWN: u64 = 50;

/// The deliveries whose endpoint is within reach.
fn in_reach(owner: Owner) -> sea_orm::Select<webhook_deliveries::Entity> {
    let endpoints = Query::select()
        .column(webhook_endpoints::Column::Id)
        .from(webhook_endpoints::Entity)
        .cond_where(owner.condition())
        .take();
    webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::EndpointId.in_subquery(endpoints))
}

/// The deliveries among `rows` within reach.
pub async fn by_rows(
    db: &DatabaseConnection,
    owner: Owner,
    rows: &[i32],
) -> ServiceResult<Vec<webhook_deliveries::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(in_reach(owner).filter(webhook_deliveries::Column::Id.is_in(rows.iter().copied())).all(db).await?)
}

/// The cursor of a delivery's edge.
pub fn cursor(delivery: &webhook_deliveries::Model) -> String {
    encode_cursor(ORDER, &delivery.id)
}

/// What one page of an endpoint's deliveries (newest first) asks the loader for, and the
/// request that turns the fetched rows into that page.
pub fn page_of(
    endpoint: i32,
    first: Option<i32>,
    after: Option<&str>,
) -> ServiceResult<(DeliveriesOf, PageRequest<i32>)> {
    let request = page_request::<i32>(ORDER, first, after, None, None)?;
    Ok((DeliveriesOf { endpoint, fetch: request.limit + 1, before: request.cursor }, request))
}

/// What `redeliverWebhook` returns.
#[derive(Debug, Default)]
pub struct DeliveryOutcome {
    pub delivery: Option<webhook_deliveries::Model>,
    pub user_errors: Vec<UserError>,
}

/// Schedules one more attempt of delivery `row` now, with the same `webhook-id`; a failure
/// of that attempt leaves it FAILED (no further retries).
pub async fn redeliver(state: &AppState, owner: Owner, row: Option<i32>) -> ServiceResult<DeliveryOutcome> {
    let not_found = || DeliveryOutcome {
        delivery: None,
        user_errors: vec![UserError::not_found(&["deliveryId"], "webhook delivery")],
    };
    let Some(row) = row else { return Ok(not_found()) };
    let Some(found) = by_rows(&state.db, owner, &[row]).await?.pop() else { return Ok(not_found()) };
    let now = state.clock.now();
    webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::Status, Expr::value(WebhookDeliveryStatus::Pending.as_str()))
        .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(Some(now)))
        .col_expr(webhook_deliveries::Column::GiveUpAt, Expr::value(now))
        .filter(webhook_deliveries::Column::Id.eq(found.id))
        .exec(&state.db)
        .await?;
    state.webhook_worker.ring();
    let delivery = webhook_deliveries::Entity::find_by_id(found.id).one(&state.db).await?;
    Ok(DeliveryOutcome { delivery, user_errors: Vec::new() })
}
