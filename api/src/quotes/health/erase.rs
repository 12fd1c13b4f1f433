//! `erasePatientData`: crypto-shredding. One transaction destroys the quote's wrapped data
//! key (and with it every value sealed under it), clears the sealed notes, stamps the erasure,
//! withdraws the quote first when it is still open (one event), and writes the audit record
//! (actor and reason; never the erased data). Erasing twice changes nothing.

use entity::{patient_data, quote_events, quote_offers, quotes};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Set, SqlErr,
    TransactionTrait, Value,
};
use serde_json::json;

use crate::admin::audit::{self, Entry};
use crate::auth::caller::Caller;
use crate::error::ServiceResult;
use crate::graphql::ids::Kind;
use crate::quotes::events::{self, NewEvent};
use crate::quotes::lifecycle::Action;
use crate::quotes::outcome::{Outcome, UserError};
use crate::quotes::request::Named;
use crate::quotes::scope::Tenancy;
use crate::quotes::transition::expire_if_lapsed;
use crate::quotes::vocab::QuoteStatus;
use crate::state::AppState;

/// The audit action of an erasure.
pub const ACTION: &str = "quote.erase_patient_data";
const MAX_REASON: usize = 2_000;

/// Erases the patient data of quote `quote` for `caller` (an ADMIN), for `reason`.
pub async fn erase(state: &AppState, caller: &Caller, quote: Named, reason: &str) -> ServiceResult<Outcome> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON || crate::quotes::validate::has_control_chars(reason) {
        let message = format!("a reason of 1 to {MAX_REASON} characters, without control characters, is required");
        return Ok(Outcome::refused(vec![UserError::invalid(vec!["reason".into()], message)]));
    }
    let found = match quote {
        Some(row) => crate::quotes::read::by_row(&state.db, Tenancy::of(caller), row).await?,
        None => None,
    };
    let Some(found) = found else { return Ok(Outcome::refused(vec![UserError::not_found(&["quoteId"], "quote")])) };
    let found = expire_if_lapsed(state, found).await?;
    match erase_quote(state, caller, &found, reason, false).await? {
        Erased::Now(q) => Ok(Outcome::done(*q)),
        Erased::Before => Ok(Outcome::done(found)),
        Erased::Raced => Ok(Outcome::refused(vec![UserError::new(
            crate::quotes::vocab::UserErrorCode::Conflict,
            "the quote was changed by someone else at the same time; try again",
        )])),
    }
}

/// How an erasure went.
pub enum Erased {
    /// Erased now; the quote as it stands (withdrawn if it was open).
    Now(Box<quotes::Model>),
    /// Erased already: nothing changed.
    Before,
    /// The open quote changed status meanwhile: nothing changed.
    Raced,
}

/// Erases `quote`'s patient data in one transaction, by `caller` (a person, or the retention
/// task's system caller). With `skip_locked`, on PostgreSQL, a quote another transaction is
/// erasing right now is skipped (`Before`) instead of waited for.
pub async fn erase_quote(
    state: &AppState,
    caller: &Caller,
    quote: &quotes::Model,
    reason: &str,
    skip_locked: bool,
) -> ServiceResult<Erased> {
    let at = state.clock.now();
    let from = QuoteStatus::from_stored(&quote.status)?;
    let withdraw = Action::Withdraw.target(from);
    let txn = state.db.begin().await?;
    if skip_locked && state.db.get_database_backend() == DbBackend::Postgres {
        let claimed = patient_data::Entity::find_by_id(quote.id)
            .filter(patient_data::Column::ErasedAt.is_null())
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .one(&txn)
            .await?;
        if claimed.is_none() {
            txn.rollback().await?;
            return Ok(Erased::Before);
        }
    }
    // The stamp goes first: of two erasures of one quote, one stamps and the other finds it
    // stamped (on SQLite this statement takes the write lock; on PostgreSQL the row lock).
    let nothing = || Expr::value(Value::Bytes(None));
    let stamped = patient_data::Entity::update_many()
        .col_expr(patient_data::Column::WrappedKey, nothing())
        .col_expr(patient_data::Column::Profile, nothing())
        .col_expr(patient_data::Column::Eligibility, nothing())
        .col_expr(patient_data::Column::MasterKeyId, Expr::value(Value::String(None)))
        .col_expr(patient_data::Column::ErasedAt, Expr::value(at))
        .filter(patient_data::Column::QuoteId.eq(quote.id))
        .filter(patient_data::Column::ErasedAt.is_null())
        .exec(&txn)
        .await?;
    if stamped.rows_affected == 0 {
        if patient_data::Entity::find_by_id(quote.id).one(&txn).await?.is_some() {
            txn.rollback().await?;
            return Ok(Erased::Before);
        }
        // Stored before sealing and never sealed: its erasure is recorded all the same.
        let row = patient_data::ActiveModel {
            quote_id: Set(quote.id),
            master_key_id: Set(None),
            wrapped_key: Set(None),
            profile: Set(None),
            eligibility: Set(None),
            erased_at: Set(Some(at)),
        };
        if let Err(e) = row.insert(&txn).await {
            txn.rollback().await?;
            return match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => Ok(Erased::Before),
                _ => Err(e.into()),
            };
        }
    }
    clear_texts(&txn, quote.id).await?;
    let mut changed = quote.clone();
    let mut event = None;
    if let Some(to) = withdraw {
        let moved = quotes::Entity::update_many()
            .col_expr(quotes::Column::Status, Expr::value(to.as_str()))
            .col_expr(quotes::Column::Version, Expr::col(quotes::Column::Version).add(1))
            .col_expr(quotes::Column::UpdatedAt, Expr::value(at))
            .filter(quotes::Column::Id.eq(quote.id))
            .filter(quotes::Column::Version.eq(quote.version))
            .exec(&txn)
            .await?;
        if moved.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(Erased::Raced);
        }
        changed.status = to.as_str().to_owned();
        changed.version += 1;
        changed.updated_at = at;
        let new = NewEvent { from: Some(from), to, caller: Some(caller), note: None, at };
        event = Some(events::record(&txn, quote, new).await?);
    }
    let entry = Entry {
        action: ACTION,
        kind: Kind::Quote,
        row: quote.id,
        before: Some(json!({ "status": quote.status, "patientDataErasedAt": null })),
        after: Some(json!({ "status": changed.status, "patientDataErasedAt": at.to_rfc3339() })),
        note: Some(reason.to_owned()),
    };
    audit::record(&txn, caller, at, entry).await?;
    txn.commit().await?;
    if let Some(event) = event {
        state.quote_events.publish(&state.db, event, &changed).await;
        state.webhook_worker.ring();
    }
    Ok(Erased::Now(Box::new(changed)))
}

/// Clears every text sealed under the quote's key (unreadable once it is gone) and the
/// plaintext columns of a quote stored before sealing.
async fn clear_texts(conn: &impl ConnectionTrait, quote_id: i32) -> ServiceResult<()> {
    let none = || Expr::value(Value::String(None));
    quote_events::Entity::update_many()
        .col_expr(quote_events::Column::Note, none())
        .filter(quote_events::Column::QuoteId.eq(quote_id))
        .exec(conn)
        .await?;
    quote_offers::Entity::update_many()
        .col_expr(quote_offers::Column::Notes, none())
        .filter(quote_offers::Column::QuoteId.eq(quote_id))
        .exec(conn)
        .await?;
    super::legacy::clear_plaintext(conn, quote_id).await
}
