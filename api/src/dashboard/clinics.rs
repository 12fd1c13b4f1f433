//! The per-clinic section: each clinic's funnel and its median and p90 response hours, in
//! one statement.
//!
//! Only clinics with quotes created in the range are listed. The contract computes every
//! figure "over the quotes created in [from, to)" and says "zeros included" only of
//! `quotesByStatus` and `daily`; a row per clinic of the catalogue (20,000 at scale) would
//! mostly repeat zeros the caller can infer from absence, and cost a row each.

use entity::clinics;
use sea_orm::{DatabaseConnection, FromQueryResult};

use super::range::Range;
use super::sql::{self, FUNNEL, Funnel, IN_RANGE};
use crate::catalogue::response_time::response_hours;
use crate::error::ServiceResult;
use crate::percentile::{Wanted, by_group, median};

/// One clinic's figures for the range.
#[derive(Clone, Debug)]
pub struct ClinicStats {
    pub clinic: clinics::Model,
    pub funnel: Funnel,
    /// Median hours from creation to the first offer, over the range's offered quotes.
    pub median_hours: Option<f64>,
    /// The 90th percentile of the same.
    pub p90_hours: Option<f64>,
}

/// The p90 of the response hours.
const P90: Wanted = Wanted { alias: "p90", fraction: 0.9 };

/// Every clinic with quotes in the range: most submitted first, then by name.
pub async fn by_clinic(db: &DatabaseConnection, range: &Range) -> ServiceResult<Vec<ClinicStats>> {
    let backend = db.get_database_backend();
    // The percentiles run over the range's offered quotes only, numbered per clinic in one
    // pass; the funnel counts come from the same index, grouped per clinic.
    let hours = format!(
        "SELECT q.clinic_id, {} AS v FROM quotes q WHERE {IN_RANGE} AND q.offered_at IS NOT NULL",
        response_hours(backend)
    );
    let percentiles = by_group(backend, &hours, &["clinic_id"], &[median("p50"), P90]);
    let sql = format!(
        "WITH per AS (SELECT q.clinic_id, {FUNNEL} FROM quotes q WHERE {IN_RANGE} GROUP BY q.clinic_id), \
         pct AS ({percentiles}) \
         SELECT c.*, per.submitted, per.reviewed, per.offered, per.accepted, pct.p50, pct.p90 \
         FROM per JOIN clinics c ON c.id = per.clinic_id LEFT JOIN pct ON pct.clinic_id = per.clinic_id \
         ORDER BY per.submitted DESC, c.name, c.id"
    );
    let rows = sql::rows(db, &sql, sql::range_values(range)).await?;
    rows.iter()
        .map(|r| {
            Ok(ClinicStats {
                clinic: clinics::Model::from_query_result(r, "")?,
                funnel: Funnel::read(r)?,
                median_hours: r.try_get("", "p50")?,
                p90_hours: r.try_get("", "p90")?,
            })
        })
        .collect()
}
