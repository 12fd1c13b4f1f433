//! Per-clinic roll-ups kept in the `clinics` row so partners can order by them with an
//! index: the safety score and the lowest active package price in USD.
//!
//! The score can change by the passing of time alone (an accreditation expires, a
//! certificate turns twelve months old), so each row also records when its score goes
//! stale; listings ordered by score first recompute the stale rows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, Utc};
use entity::clinics;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::evidence::{self, Evidence};
use crate::error::ServiceResult;

/// Recomputes the roll-ups of `clinic_ids` as of `now`, reading and writing through `conn`
/// (the caller's transaction, so the roll-ups commit with what they are derived from).
pub async fn refresh(conn: &impl ConnectionTrait, clinic_ids: &[i32], now: DateTime<Utc>) -> ServiceResult<()> {
    if clinic_ids.is_empty() {
        return Ok(());
    }
    let clinics =
        clinics::Entity::find().filter(clinics::Column::Id.is_in(clinic_ids.iter().copied())).all(conn).await?;
    let mut evidence: HashMap<i32, Evidence> = evidence::read_many(conn, clinic_ids).await?;
    for clinic in clinics {
        let Some(ev) = evidence.remove(&clinic.id) else { continue };
        let checklist = ev.checklist(&clinic.name, &clinic.description, now.date_naive());
        let valid_until = checklist.changes_on.map(|day| day.and_time(NaiveTime::MIN).and_utc());
        let lowest = ev.packages.iter().map(|p| p.price_usd_minor).min();
        clinics::Entity::update_many()
            .col_expr(clinics::Column::SafetyScore, Expr::value(checklist.score()))
            .col_expr(clinics::Column::SafetyScoreValidUntil, Expr::value(valid_until))
            .col_expr(clinics::Column::LowestPriceUsdMinor, Expr::value(lowest))
            .filter(clinics::Column::Id.eq(clinic.id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Recomputes every clinic whose score has gone stale by `now`.
pub async fn refresh_stale(db: &DatabaseConnection, now: DateTime<Utc>) -> ServiceResult<()> {
    let stale: Vec<i32> = clinics::Entity::find()
        .select_only()
        .column(clinics::Column::Id)
        .filter(clinics::Column::SafetyScoreValidUntil.lte(now))
        .into_tuple()
        .all(db)
        .await?;
    if stale.is_empty() {
        return Ok(());
    }
    // One transaction for the batch: a commit per clinic would cost SQLite a sync each.
    let txn = db.begin().await?;
    refresh(&txn, &stale, now).await?;
    txn.commit().await?;
    Ok(())
}
