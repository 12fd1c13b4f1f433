//! What the quote's GraphQL fields need from the vault: the opened patient data, its read
//! recorded first ([`AccessRecorder`](super::loaders::AccessRecorder)), and the data key that
//! opens the quote's notes.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, Result};
use chrono::{DateTime, Utc};
use entity::patient_data;

use super::loaders::{AccessRecorder, ReadOf, VaultLoader, VaultOf};
use super::vault::{self, StoredEligibility, StoredProfile};
use crate::crypto::DataKey;
use crate::error::ServiceError;
use crate::state::AppState;

async fn row(ctx: &Context<'_>, quote_id: i32) -> Result<Option<patient_data::Model>> {
    Ok(ctx.data::<DataLoader<VaultLoader>>()?.load_one(VaultOf(quote_id)).await?)
}

/// The sealed row of a quote that has one; a quote without one was stored before sealing
/// and not yet sealed (the server seals those at start-up), an INTERNAL error.
async fn sealed(ctx: &Context<'_>, quote_id: i32) -> Result<patient_data::Model> {
    row(ctx, quote_id).await?.ok_or_else(|| {
        tracing::error!(quote_id, "a quote's patient data is not sealed");
        ServiceError::internal(crate::crypto::DecryptError).into()
    })
}

/// Records this request's read of quote `quote_id`'s patient data (once per request).
async fn record(ctx: &Context<'_>, quote_id: i32) -> Result<()> {
    ctx.data::<DataLoader<AccessRecorder, HashMapCache>>()?.load_one(ReadOf(quote_id)).await?;
    Ok(())
}

/// The quote's patient profile, its read on record; `None` once erased.
pub async fn profile(ctx: &Context<'_>, quote_id: i32) -> Result<Option<StoredProfile>> {
    let row = sealed(ctx, quote_id).await?;
    let Some(key) = vault::data_key(&ctx.data::<AppState>()?.data_keys, &row)? else { return Ok(None) };
    let Some(profile) = vault::open_profile(&key, &row)? else { return Ok(None) };
    record(ctx, quote_id).await?;
    Ok(Some(profile))
}

/// The quote's eligibility result, its read on record; `None` once erased.
pub async fn eligibility(ctx: &Context<'_>, quote_id: i32) -> Result<Option<StoredEligibility>> {
    let row = sealed(ctx, quote_id).await?;
    let Some(key) = vault::data_key(&ctx.data::<AppState>()?.data_keys, &row)? else { return Ok(None) };
    let Some(eligibility) = vault::open_eligibility(&key, &row)? else { return Ok(None) };
    record(ctx, quote_id).await?;
    Ok(Some(eligibility))
}

/// The key that opens the quote's notes; `None` once erased.
pub async fn note_key(ctx: &Context<'_>, quote_id: i32) -> Result<Option<DataKey>> {
    let Some(row) = row(ctx, quote_id).await? else { return Ok(None) };
    Ok(vault::data_key(&ctx.data::<AppState>()?.data_keys, &row)?)
}

/// When the quote's patient data was erased; `None` while it is kept.
pub async fn erased_at(ctx: &Context<'_>, quote_id: i32) -> Result<Option<DateTime<Utc>>> {
    Ok(row(ctx, quote_id).await?.and_then(|r| r.erased_at))
}
