//! The delivery worker, one per replica: claims due deliveries, POSTs them signed, records
//! every attempt and schedules retries.
//!
//! **Exactly one replica per attempt.** A claim marks deliveries `locked_until` a lease
//! from now; on PostgreSQL the claim reads with `FOR UPDATE SKIP LOCKED`, so two replicas
//! never claim the same row (SQLite has one process, one worker). **At least once.** The
//! outcome is recorded after the request; a replica that dies in between leaves the lease
//! to run out, and the delivery is sent again with the same `webhook-id`. **In order.** Only
//! the oldest pending delivery of each (endpoint, quote) is ever due, so a later event waits
//! while an earlier one is retrying. **Time** is the application clock: backoff, leases and
//! give-up times move with it, and [`Doorbell::pass`](crate::jobs::Doorbell::pass) runs a
//! pass now.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use entity::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use futures::StreamExt;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::address::Policy;
use super::endpoints::signing_secrets;
use super::schedule::{DEACTIVATE_AFTER, delay};
use super::signing;
use super::vocab::WebhookDeliveryStatus;
use crate::admin::audit::{self, snapshot};
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::Kind;
use crate::state::AppState;

/// How long a claim holds a delivery: well past the longest attempt.
const LEASE: chrono::Duration = chrono::Duration::seconds(120);
/// The longest response excerpt kept per attempt.
const EXCERPT: usize = 512;

/// A running worker's parts.
struct Worker {
    state: AppState,
    client: reqwest::Client,
    policy: Policy,
}

/// Starts this replica's worker (unless `MEDTOUR_WEBHOOK_WORKER` is off).
pub fn spawn(state: AppState) -> anyhow::Result<()> {
    let settings = &state.settings.webhooks;
    if !settings.worker {
        return Ok(());
    }
    let policy = Policy::of(settings);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        // Through a proxy the proxy would resolve, and the address check would be moot.
        .no_proxy()
        .dns_resolver(policy.resolver())
        .user_agent("Medtour-Webhooks/1")
        .build()?;
    let worker = Arc::new(Worker { state, client, policy });
    tokio::spawn(async move {
        let bell = worker.state.webhook_worker.clone();
        let idle = worker.state.settings.webhooks.poll_interval;
        loop {
            let ticket = bell.begin(idle).await;
            if let Err(e) = worker.pass().await {
                tracing::warn!(error = %e, "webhook delivery pass failed; retrying on the next one");
            }
            bell.finish(ticket);
        }
    });
    Ok(())
}

impl Worker {
    /// Delivers everything due, batch after batch, then updates the queue gauges.
    async fn pass(self: &Arc<Self>) -> ServiceResult<()> {
        let batch = self.state.settings.webhooks.concurrency as u64;
        loop {
            let claimed = claim(&self.state.db, self.state.clock.now(), batch).await?;
            if claimed.is_empty() {
                break;
            }
            let ids: Vec<i32> = claimed.iter().map(|(d, _)| d.endpoint_id).collect();
            let endpoints: HashMap<i32, webhook_endpoints::Model> = webhook_endpoints::Entity::find()
                .filter(webhook_endpoints::Column::Id.is_in(ids))
                .all(&self.state.db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
            let results: Vec<ServiceResult<()>> = futures::stream::iter(claimed)
                .map(|(delivery, lease)| {
                    let endpoint = endpoints.get(&delivery.endpoint_id).cloned();
                    let worker = self.clone();
                    async move {
                        let Some(endpoint) = endpoint else { return Ok(()) };
                        worker.deliver(delivery, &endpoint, lease).await
                    }
                })
                .buffer_unordered(batch as usize)
                .collect()
                .await;
            for result in results {
                result?;
            }
        }
        self.gauge_queue().await
    }

    /// One attempt of `delivery` and its record.
    async fn deliver(
        &self,
        delivery: webhook_deliveries::Model,
        endpoint: &webhook_endpoints::Model,
        lease: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let now = self.state.clock.now();
        let started = Instant::now();
        let result = self.send(&delivery, endpoint, now).await;
        let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        record(&self.state, delivery, endpoint, lease, now, latency_ms, result).await
    }

    /// POSTs the delivery's body, signed with every secret in force.
    async fn send(
        &self,
        delivery: &webhook_deliveries::Model,
        endpoint: &webhook_endpoints::Model,
        now: DateTime<Utc>,
    ) -> Result<(u16, String), String> {
        let url = self.policy.check_url(&endpoint.url)?;
        let timestamp = now.timestamp();
        let signature = signing::header(&signing_secrets(endpoint, now), &delivery.event_id, timestamp, &delivery.body);
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        Ok((status, excerpt(response).await))
    }

    /// Queue depth and the age of the oldest pending delivery, for `/metrics`.
    async fn gauge_queue(&self) -> ServiceResult<()> {
        // Deliveries to a deactivated endpoint wait for it to be switched back on; they are
        // not work the workers are behind on.
        let pending = webhook_deliveries::Entity::find()
            .filter(webhook_deliveries::Column::Status.eq(WebhookDeliveryStatus::Pending.as_str()))
            .filter(webhook_deliveries::Column::EndpointId.in_subquery(active_endpoints()));
        let depth = pending.clone().count(&self.state.db).await?;
        let oldest = pending.order_by_asc(webhook_deliveries::Column::Id).one(&self.state.db).await?;
        let age = oldest
            .map_or(0.0, |d| ((self.state.clock.now() - d.created_at).num_milliseconds() as f64 / 1000.0).max(0.0));
        self.state.metrics.set_webhook_queue(depth, age);
        Ok(())
    }
}

/// What a failed request was, in words safe to show the endpoint's owner.
fn describe(e: reqwest::Error) -> String {
    use std::error::Error;
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut cause: Option<&dyn Error> = Some(&e);
    while let Some(c) = cause {
        if let Some(refused) = c.downcast_ref::<super::address::RefusedAddress>() {
            return format!("refused: {refused}");
        }
        cause = c.source();
    }
    if e.is_connect() { "could not connect".into() } else { "the request failed".into() }
}

/// The start of a response body, at most [`EXCERPT`] bytes, as text.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < EXCERPT {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(EXCERPT);
    String::from_utf8_lossy(&bytes).chars().filter(|c| !c.is_control() || *c == '\n').collect()
}

/// The ids of the endpoints that are switched on.
fn active_endpoints() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(webhook_endpoints::Column::Id)
        .from(webhook_endpoints::Entity)
        .and_where(Expr::col(webhook_endpoints::Column::Active).eq(true))
        .take()
}

/// Claims up to `limit` due deliveries, each the oldest pending one of its (endpoint, quote)
/// to an active endpoint; returns them with the lease each now holds.
async fn claim(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
) -> ServiceResult<Vec<(webhook_deliveries::Model, DateTime<Utc>)>> {
    use webhook_deliveries::Column;
    let pending = WebhookDeliveryStatus::Pending.as_str();
    // A constant text: no value is spliced in.
    let earlier_pending = Expr::cust(
        "NOT EXISTS (SELECT 1 FROM webhook_deliveries AS earlier WHERE earlier.endpoint_id = \
         webhook_deliveries.endpoint_id AND earlier.quote_id = webhook_deliveries.quote_id AND earlier.status = 'PENDING' \
         AND earlier.id < webhook_deliveries.id)",
    );
    let mut query = webhook_deliveries::Entity::find()
        .filter(Column::Status.eq(pending))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(Condition::any().add(Column::LockedUntil.is_null()).add(Column::LockedUntil.lte(now)))
        .filter(Column::EndpointId.in_subquery(active_endpoints()))
        .filter(earlier_pending)
        .order_by_asc(Column::NextAttemptAt)
        .order_by_asc(Column::Id)
        .limit(limit);
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    if postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let lease = now + LEASE;
    let txn = db.begin().await?;
    let rows = query.all(&txn).await?;
    if rows.is_empty() {
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    webhook_deliveries::Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::value(Some(lease)))
        .filter(Column::Id.is_in(rows.iter().map(|d| d.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.into_iter().map(|d| (d, lease)).collect())
}

/// Records one attempt and moves the delivery on: SUCCEEDED on 2xx; otherwise a retry
/// after the next backoff step, or FAILED once that would pass its give-up time. Tracks the
/// endpoint's failure streak and deactivates it after [`DEACTIVATE_AFTER`].
async fn record(
    state: &AppState,
    delivery: webhook_deliveries::Model,
    endpoint: &webhook_endpoints::Model,
    lease: DateTime<Utc>,
    at: DateTime<Utc>,
    latency_ms: i32,
    result: Result<(u16, String), String>,
) -> ServiceResult<()> {
    use webhook_deliveries::Column;
    let (status_code, excerpt, error) = match &result {
        Ok((code, body)) => (Some(i32::from(*code)), Some(body.clone()), None),
        Err(why) => (None, None, Some(why.clone())),
    };
    let succeeded = status_code.is_some_and(|c| (200..300).contains(&c));
    let failures = delivery.attempts + 1;
    let (status, next) = if succeeded {
        (WebhookDeliveryStatus::Succeeded, None)
    } else {
        let next = at + chrono::Duration::from_std(delay(failures)).map_err(ServiceError::internal)?;
        if next > delivery.give_up_at {
            (WebhookDeliveryStatus::Failed, None)
        } else {
            (WebhookDeliveryStatus::Pending, Some(next))
        }
    };
    let txn = state.db.begin().await?;
    webhook_attempts::ActiveModel {
        delivery_id: Set(delivery.id),
        at: Set(at),
        response_status: Set(status_code),
        latency_ms: Set(latency_ms),
        response_excerpt: Set(excerpt),
        error: Set(error),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Only while this worker's claim holds: a lease that ran out belongs to another attempt.
    let moved = webhook_deliveries::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status.as_str()))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LastAttemptAt, Expr::value(Some(at)))
        .col_expr(Column::LastResponseStatus, Expr::value(status_code))
        .col_expr(Column::NextAttemptAt, Expr::value(next))
        .col_expr(Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(Column::Id.eq(delivery.id))
        .filter(Column::LockedUntil.eq(lease))
        .exec(&txn)
        .await?;
    if succeeded {
        webhook_endpoints::Entity::update_many()
            .col_expr(webhook_endpoints::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
            .filter(webhook_endpoints::Column::FailingSince.is_not_null())
            .exec(&txn)
            .await?;
    } else {
        webhook_endpoints::Entity::update_many()
            .col_expr(webhook_endpoints::Column::FailingSince, Expr::value(Some(at)))
            .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
            .filter(webhook_endpoints::Column::FailingSince.is_null())
            .exec(&txn)
            .await?;
        if let Some(since) = endpoint.failing_since
            && at - since >= DEACTIVATE_AFTER
            && endpoint.active
        {
            deactivate_and_audit(&txn, endpoint, since, at).await?;
        }
    }
    txn.commit().await?;
    if moved.rows_affected == 1 {
        let outcome = match status {
            WebhookDeliveryStatus::Succeeded => "succeeded",
            WebhookDeliveryStatus::Pending => "retrying",
            WebhookDeliveryStatus::Failed => "failed",
        };
        state.metrics.record_webhook_attempt(outcome);
    }
    Ok(())
}

/// Deactivates an endpoint that has failed without a success since `since`, and says so in
/// the audit log, on the attempt's own transaction.
async fn deactivate_and_audit(
    txn: &impl sea_orm::ConnectionTrait,
    endpoint: &webhook_endpoints::Model,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> ServiceResult<()> {
    webhook_endpoints::Entity::update_many()
        .col_expr(webhook_endpoints::Column::Active, Expr::value(false))
        .col_expr(webhook_endpoints::Column::DeactivatedAt, Expr::value(Some(at)))
        .col_expr(webhook_endpoints::Column::UpdatedAt, Expr::value(at))
        .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
        .exec(txn)
        .await?;
    let after = webhook_endpoints::Model {
        active: false,
        failing_since: Some(since),
        deactivated_at: Some(at),
        updated_at: at,
        ..endpoint.clone()
    };
    audit::record_as(
        txn,
        audit::Actor::SYSTEM,
        at,
        audit::Entry {
            action: "webhook_endpoint.deactivate",
            kind: Kind::WebhookEndpoint,
            row: endpoint.id,
            before: Some(snapshot::webhook_endpoint(endpoint)),
            after: Some(snapshot::webhook_endpoint(&after)),
            note: Some(format!("every delivery failed since {}", since.to_rfc3339())),
        },
    )
    .await?;
    tracing::warn!(endpoint = endpoint.id, failing_since = %since, "webhook endpoint deactivated after failing for 3 days");
    Ok(())
}
