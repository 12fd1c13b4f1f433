//! The evidence lists of a dashboard: verified accreditations about to lapse, and published
//! clinics whose safety score is under a threshold. Both are judged as of today (UTC) by the
//! application's clock.

use chrono::{DateTime, Days, Utc};
use entity::{accreditations, clinics};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::range;
use crate::catalogue::rollups;
use crate::catalogue::vocab::{ClinicStatus, VerificationStatus};
use crate::error::ServiceResult;

/// VERIFIED accreditations whose expiry falls in `[today, today + within_days]`, soonest
/// first. `within_days` is checked (0 to 3650).
pub async fn expiring_accreditations(
    db: &DatabaseConnection,
    within_days: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<accreditations::Model>> {
    let days = range::within_days(within_days)?;
    let today = now.date_naive();
    let last = today + Days::new(days);
    Ok(accreditations::Entity::find()
        .filter(accreditations::Column::Status.eq(VerificationStatus::Verified.as_str()))
        .filter(accreditations::Column::ExpiresOn.between(today, last))
        .order_by_asc(accreditations::Column::ExpiresOn)
        .order_by_asc(accreditations::Column::Id)
        .all(db)
        .await?)
}

/// PUBLISHED clinics whose safety score is below `threshold` (checked: 0 to 6), lowest score
/// first, then by name. Scores gone stale by the passing of time are recomputed first, as
/// the catalogue's listing by score does.
pub async fn clinics_below_safety_score(
    db: &DatabaseConnection,
    threshold: i32,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<clinics::Model>> {
    let threshold = range::threshold(threshold)?;
    rollups::refresh_stale(db, now).await?;
    Ok(clinics::Entity::find()
        .filter(clinics::Column::Status.eq(ClinicStatus::Published.as_str()))
        .filter(clinics::Column::SafetyScore.lt(threshold))
        .order_by_asc(clinics::Column::SafetyScore)
        .order_by_asc(clinics::Column::Name)
        .order_by_asc(clinics::Column::Id)
        .all(db)
        .await?)
}
