//! Retention: with `MEDTOUR_PATIENT_DATA_RETENTION_DAYS` set, a background task erases the
//! patient data of every quote closed (ACCEPTED, DECLINED, REJECTED, WITHDRAWN, EXPIRED) longer
//! ago than that, each erasure audited like an admin's, by the system.
//!
//! Safe with several replicas: each candidate is claimed in its erasure's transaction with
//! `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (another replica skips it rather than wait),
//! and the erasure only stamps a row not yet stamped, so a quote is erased exactly once
//! whatever the race. Tests ring the [`Doorbell`](crate::jobs::Doorbell) in the state instead of sleeping.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{patient_data, quotes};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::erase::{Erased, erase_quote};
use crate::auth::caller::Caller;
use crate::auth::role::Role;
use crate::error::ServiceResult;
use crate::quotes::vocab::QuoteStatus;
use crate::state::AppState;

/// Quotes looked at per pass.
const BATCH: u64 = 100;
/// The audit actor of automatic erasures.
pub const SYSTEM_ACTOR: &str = "system:retention";

/// Closed statuses, whose last change is when the quote closed.
const CLOSED: [QuoteStatus; 5] =
    [QuoteStatus::Accepted, QuoteStatus::Declined, QuoteStatus::Rejected, QuoteStatus::Withdrawn, QuoteStatus::Expired];

fn system() -> Caller {
    Caller { client_id: SYSTEM_ACTOR.to_owned(), role: Role::Admin, partner_id: None, clinic_id: None, scopes: vec![] }
}

/// Quotes closed before `cutoff` whose patient data is still kept, oldest first.
async fn candidates(state: &AppState, cutoff: DateTime<Utc>) -> ServiceResult<Vec<quotes::Model>> {
    let kept = Query::select()
        .column(patient_data::Column::QuoteId)
        .from(patient_data::Entity)
        .and_where(patient_data::Column::ErasedAt.is_null())
        .take();
    Ok(quotes::Entity::find()
        .filter(quotes::Column::Status.is_in(CLOSED.iter().map(|s| s.as_str())))
        .filter(quotes::Column::UpdatedAt.lt(cutoff))
        .filter(Expr::col((quotes::Entity, quotes::Column::Id)).in_subquery(kept))
        .order_by_asc(quotes::Column::UpdatedAt)
        .limit(BATCH)
        .all(&state.db)
        .await?)
}

/// One pass: erases what the retention period says must go; returns how many this replica
/// erased. Does nothing without a retention period.
pub async fn run_once(state: &AppState) -> ServiceResult<usize> {
    let Some(days) = state.settings.health_data.retention_days else { return Ok(0) };
    let cutoff = state.clock.now() - chrono::Duration::days(i64::from(days));
    let caller = system();
    let reason = format!("retention period of {days} days after the quote closed");
    let mut erased = 0;
    for quote in candidates(state, cutoff).await? {
        if let Erased::Now(_) = erase_quote(state, &caller, &quote, &reason, true).await? {
            erased += 1;
        }
    }
    Ok(erased)
}

/// Starts the retention task when a retention period is configured.
pub fn spawn(state: AppState) {
    if state.settings.health_data.retention_days.is_none() {
        return;
    }
    let idle: Duration = state.settings.health_data.retention_poll;
    tokio::spawn(async move {
        let bell = state.retention.clone();
        loop {
            let ticket = bell.begin(idle).await;
            match run_once(&state).await {
                Ok(0) => {}
                Ok(erased) => tracing::info!(erased, "erased patient data past its retention period"),
                Err(e) => tracing::warn!(error = %e, "the retention pass failed; retrying on the next"),
            }
            bell.finish(ticket);
        }
    });
}
