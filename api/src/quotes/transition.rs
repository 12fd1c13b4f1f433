//! Moving a quote through its lifecycle: one transaction per change (status, version, offer
//! and event together), optimistic concurrency on the version column so that of two
//! concurrent changes exactly one wins, and offers that expire when their time passes.

use entity::{quote_offers, quotes};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;

use super::events::{self, NewEvent};
use super::lifecycle::Action;
use super::outcome::{Outcome, UserError};
use super::request::{Named, OfferTerms};
use super::scope::Tenancy;
use super::submit::caller_row;
use super::validate;
use super::vocab::{QuoteStatus, UserErrorCode};
use crate::auth::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::quotes::health::vault;
use crate::state::AppState;

const MAX_REASON: usize = 2_000;

/// A change someone asks for, with what it carries.
pub enum Change {
    StartReview,
    Offer(Box<OfferTerms>),
    Reject(String),
    Withdraw,
    Accept,
    Decline(Option<String>),
}

impl Change {
    fn action(&self) -> Action {
        match self {
            Change::StartReview => Action::StartReview,
            Change::Offer(_) => Action::MakeOffer,
            Change::Reject(_) => Action::Reject,
            Change::Withdraw => Action::Withdraw,
            Change::Accept => Action::Accept,
            Change::Decline(_) => Action::Decline,
        }
    }
}

/// The quote `row` names as `caller` may see it, or the user error a nonexistent one gets.
pub async fn visible(
    db: &DatabaseConnection,
    caller: &Caller,
    row: Named,
) -> ServiceResult<Result<quotes::Model, UserError>> {
    let Some(row) = row else { return Ok(Err(UserError::not_found(&["id"], "quote"))) };
    let found = Tenancy::of(caller).find().filter(quotes::Column::Id.eq(row)).one(db).await?;
    Ok(found.ok_or_else(|| UserError::not_found(&["id"], "quote")))
}

/// The column recording when a quote first reached `to`, for the statuses that have one.
fn first_arrival(to: QuoteStatus) -> Option<quotes::Column> {
    match to {
        QuoteStatus::InReview => Some(quotes::Column::ReviewedAt),
        QuoteStatus::Offered => Some(quotes::Column::OfferedAt),
        _ => None,
    }
}

/// Applies `to` to `quote` if its version is still the one read; `None` when another change
/// got there first.
async fn apply(
    state: &AppState,
    quote: &quotes::Model,
    to: QuoteStatus,
    caller: Option<&Caller>,
    note: Option<String>,
    offer: Option<(&OfferTerms, i64)>,
) -> ServiceResult<Option<quotes::Model>> {
    let from = Some(QuoteStatus::from_stored(&quote.status)?);
    let at = state.clock.now();
    let created_by = match (offer.is_some(), caller) {
        (true, Some(c)) => Some(caller_row(&state.db, c).await?),
        _ => None,
    };
    // Free text on the quote is sealed under its data key; a quote whose data was erased
    // keeps no new text either.
    let key = match (&note, offer.as_ref().and_then(|(o, _)| o.notes.as_ref())) {
        (None, None) => None,
        _ => vault::key_for(&state.db, &state.data_keys, quote.id).await?,
    };
    let seal = |field: &str, text: &Option<String>| -> ServiceResult<Option<String>> {
        match (&key, text) {
            (Some(key), Some(text)) => Ok(Some(vault::seal_note(key, quote.id, field, text)?)),
            _ => Ok(None),
        }
    };
    let note = seal(vault::EVENT_NOTE, &note)?;
    let offer_notes = seal(vault::OFFER_NOTES, &offer.as_ref().and_then(|(o, _)| o.notes.clone()))?;
    let txn = state.db.begin().await?;
    // The version check is the first statement, so on SQLite it takes the write lock before
    // anything is read inside the transaction.
    let mut update = quotes::Entity::update_many()
        .col_expr(quotes::Column::Status, Expr::value(to.as_str()))
        .col_expr(quotes::Column::Version, Expr::col(quotes::Column::Version).add(1))
        .col_expr(quotes::Column::UpdatedAt, Expr::value(at));
    // The first arrival in IN_REVIEW and OFFERED, for the dashboards' funnel and response
    // times: written by this very statement, so it commits or rolls back with the change.
    if let Some(first) = first_arrival(to) {
        update = update.col_expr(first, Expr::col(first).if_null(at));
    }
    // With the first offer, its response time in whole seconds (each instant truncated to
    // its second, as the stored instants are), so percentiles never parse timestamps.
    let response_seconds = at.timestamp() - quote.created_at.timestamp();
    if to == QuoteStatus::Offered {
        let col = quotes::Column::ResponseSeconds;
        update = update.col_expr(col, Expr::col(col).if_null(response_seconds));
    }
    let updated = update
        .filter(quotes::Column::Id.eq(quote.id))
        .filter(quotes::Column::Version.eq(quote.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(None);
    }
    if let (Some((input, price_minor)), Some(created_by)) = (offer, created_by) {
        quote_offers::ActiveModel {
            quote_id: Set(quote.id),
            price_minor: Set(price_minor),
            currency_code: Set(input.currency_code.clone()),
            cell_count_millions: Set(input.cell_count_millions),
            sessions: Set(input.sessions),
            stay_days: Set(input.stay_days),
            inclusions: Set(json!(input.inclusions)),
            valid_until: Set(input.valid_until),
            notes: Set(offer_notes),
            created_by: Set(created_by),
            created_at: Set(at),
            quote_created_at: Set(quote.created_at),
            clinic_id: Set(quote.clinic_id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let event = events::record(&txn, quote, NewEvent { from, to, caller, note, at }).await?;
    txn.commit().await?;
    let mut changed = quote.clone();
    changed.status = to.as_str().to_owned();
    changed.version += 1;
    changed.updated_at = at;
    match first_arrival(to) {
        Some(quotes::Column::ReviewedAt) => changed.reviewed_at = changed.reviewed_at.or(Some(at)),
        Some(quotes::Column::OfferedAt) => {
            changed.offered_at = changed.offered_at.or(Some(at));
            changed.response_seconds = changed.response_seconds.or(Some(response_seconds));
        }
        _ => {}
    }
    state.quote_events.publish(&state.db, event, &changed).await;
    state.webhook_worker.ring();
    Ok(Some(changed))
}

/// Marks an OFFERED quote whose offer has lapsed as EXPIRED (recorded as a system event).
/// Returns the quote as it now stands.
pub async fn expire_if_lapsed(state: &AppState, quote: quotes::Model) -> ServiceResult<quotes::Model> {
    if QuoteStatus::parse(&quote.status) != Some(QuoteStatus::Offered) {
        return Ok(quote);
    }
    let offer = quote_offers::Entity::find().filter(quote_offers::Column::QuoteId.eq(quote.id)).one(&state.db).await?;
    if offer.is_none_or(|o| o.valid_until > state.clock.now()) {
        return Ok(quote);
    }
    let note = Some("the offer's validity passed".to_owned());
    match apply(state, &quote, QuoteStatus::Expired, None, note, None).await? {
        Some(expired) => Ok(expired),
        None => quotes::Entity::find_by_id(quote.id)
            .one(&state.db)
            .await?
            .ok_or_else(|| ServiceError::NotFound("quote".into())),
    }
}

fn reason(text: &str, field: &str, required: bool) -> Result<Option<String>, UserError> {
    let trimmed = text.trim();
    if trimmed.is_empty() && required {
        return Err(UserError::invalid(vec![field.into()], "a reason is required".into()));
    }
    if validate::has_control_chars(trimmed) {
        return Err(UserError::invalid(vec![field.into()], "a reason must not contain control characters".into()));
    }
    if trimmed.chars().count() > MAX_REASON {
        return Err(UserError::invalid(vec![field.into()], format!("at most {MAX_REASON} characters")));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// Applies `change` to quote `id` for `caller`.
pub async fn transition(state: &AppState, caller: &Caller, quote: Named, change: Change) -> ServiceResult<Outcome> {
    let quote = match visible(&state.db, caller, quote).await? {
        Ok(q) => q,
        Err(e) => return Ok(Outcome::refused(vec![e])),
    };
    let was_offered = QuoteStatus::parse(&quote.status) == Some(QuoteStatus::Offered);
    let quote = expire_if_lapsed(state, quote).await?;
    let status = QuoteStatus::from_stored(&quote.status)?;
    let action = change.action();
    let Some(to) = action.target(status) else {
        let message = if was_offered && status == QuoteStatus::Expired {
            format!("cannot {} this quote: its offer has expired, so the quote is now EXPIRED", action.verb())
        } else {
            format!("cannot {} a quote that is {}", action.verb(), status.as_str())
        };
        return Ok(Outcome {
            quote: Some(quote),
            user_errors: vec![UserError::new(UserErrorCode::InvalidTransition, message)],
        });
    };
    let (note, offer) = match &change {
        Change::Reject(text) => match reason(text, "reason", true) {
            Ok(note) => (note, None),
            Err(e) => return Ok(Outcome::refused(vec![e])),
        },
        Change::Decline(Some(text)) => match reason(text, "reason", false) {
            Ok(note) => (note, None),
            Err(e) => return Ok(Outcome::refused(vec![e])),
        },
        Change::Offer(input) => match validate::offer(input, state.clock.now()) {
            Ok(valid) => (None, Some((input.as_ref(), valid.price_minor))),
            Err(errors) => return Ok(Outcome::refused(errors)),
        },
        _ => (None, None),
    };
    match apply(state, &quote, to, Some(caller), note, offer).await? {
        Some(changed) => Ok(Outcome::done(changed)),
        None => Ok(Outcome::refused(vec![UserError::new(
            UserErrorCode::Conflict,
            "the quote was changed by someone else at the same time; reload it and try again",
        )])),
    }
}
