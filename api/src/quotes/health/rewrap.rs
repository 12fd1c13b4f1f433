//! Master key rotation: `medtour keys rewrap` re-wraps every data key still wrapped by an
//! older master key under the current one, in batches. Only the wrapped keys change, never the
//! sealed data; each row is updated on its own, conditionally on the key it was read with, so
//! the command can be stopped and run again, beside running servers. Once it reports nothing
//! left, the old key can leave `MEDTOUR_DATA_KEYS_OLD`.

use entity::patient_data;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::crypto::DataKeys;
use crate::error::{ServiceError, ServiceResult};

/// Data keys not yet under the current master key.
pub async fn remaining(db: &DatabaseConnection, keys: &DataKeys) -> ServiceResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(patient_data::Entity::find()
        .filter(patient_data::Column::MasterKeyId.is_not_null())
        .filter(patient_data::Column::MasterKeyId.ne(keys.current_kid()))
        .count(db)
        .await?)
}

/// Re-wraps every data key under the current master key, `batch` rows per round trip;
/// returns how many it re-wrapped. Fails (having kept what it did) when a key's master key
/// is not configured.
pub async fn rewrap(db: &DatabaseConnection, keys: &DataKeys, batch: u64) -> ServiceResult<u64> {
    let current = keys.current_kid().to_owned();
    let mut done = 0;
    let mut after = i32::MIN;
    loop {
        let rows = patient_data::Entity::find()
            .filter(patient_data::Column::MasterKeyId.is_not_null())
            .filter(patient_data::Column::MasterKeyId.ne(current.as_str()))
            .filter(patient_data::Column::QuoteId.gt(after))
            .order_by_asc(patient_data::Column::QuoteId)
            .limit(batch.max(1))
            .all(db)
            .await?;
        let Some(last) = rows.last() else { return Ok(done) };
        after = last.quote_id;
        for row in rows {
            let (Some(kid), Some(wrapped)) = (&row.master_key_id, &row.wrapped_key) else { continue };
            let key = keys.unwrap(row.quote_id, kid, wrapped).map_err(|_| {
                tracing::error!(quote_id = row.quote_id, key_id = %kid, "a data key could not be unwrapped");
                ServiceError::Conflict(format!(
                    "the data key of quote row {} is wrapped by master key {kid:?}, which is not configured \
                     (keep it in MEDTOUR_DATA_KEYS_OLD until rewrap has finished)",
                    row.quote_id
                ))
            })?;
            let (new_kid, rewrapped) = keys.wrap(row.quote_id, &key).map_err(ServiceError::internal)?;
            let updated = patient_data::Entity::update_many()
                .col_expr(patient_data::Column::MasterKeyId, Expr::value(new_kid))
                .col_expr(patient_data::Column::WrappedKey, Expr::value(rewrapped))
                .filter(patient_data::Column::QuoteId.eq(row.quote_id))
                .filter(patient_data::Column::MasterKeyId.eq(kid.as_str()))
                .exec(db)
                .await?;
            done += updated.rows_affected;
        }
    }
}
