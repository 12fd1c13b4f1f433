//! Reading deliveries and their attempts, within the caller's reach (through their
//! endpoint), and `redeliverWebhook`: one more attempt of the same event.

use entity::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::scope::Owner;
use super::vocab::WebhookDeliveryStatus;
use crate::error::ServiceResult;
use crate::paging::{Page, encode_cursor, page_request};
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

/// A page of one endpoint's deliveries (an endpoint the caller already reached), newest
/// first, and how many there are.
pub async fn of_endpoint(
    db: &DatabaseConnection,
    endpoint_id: i32,
    first: Option<i32>,
    after: Option<&str>,
) -> ServiceResult<(Page<webhook_deliveries::Model>, u64)> {
    let request = page_request::<i32>(ORDER, first, after, None, None)?;
    let all = webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::EndpointId.eq(endpoint_id));
    let mut query = all.clone();
    if let Some(before) = request.cursor {
        query = query.filter(webhook_deliveries::Column::Id.lt(before));
    }
    let rows = query.order_by_desc(webhook_deliveries::Column::Id).limit(request.limit + 1).all(db).await?;
    Ok((Page::from_fetched(rows, &request), all.count(db).await?))
}

/// A delivery's attempts, oldest first (the newest [`MAX_ATTEMPTS_SHOWN`]).
pub async fn attempts(db: &DatabaseConnection, delivery_id: i32) -> ServiceResult<Vec<webhook_attempts::Model>> {
    let mut rows = webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.eq(delivery_id))
        .order_by_desc(webhook_attempts::Column::Id)
        .limit(MAX_ATTEMPTS_SHOWN)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows)
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
