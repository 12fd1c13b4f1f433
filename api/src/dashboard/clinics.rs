//! The per-clinic section: each clinic's funnel and its median and p90 response hours, in
//! one statement.
//!
//! Only clinics with quotes created in the range are listed. The contract computes every
//! figure "over the quotes created in [from, to)" and says "zeros included" only of
//! `quotesByStatus` and `daily`; a row per clinic of the catalogue (20,000 at scale) would
//! mostly repeat zeros the caller can infer from absence, and cost a row each.

use sea_orm::{DatabaseConnection, DbBackend};

use super::range::Range;
use super::sql::{self, FUNNEL, Funnel, IN_RANGE};
use crate::catalogue::clinic::{COLUMNS, Clinic};
use crate::catalogue::response_time::RESPONSE_HOURS;
use crate::error::ServiceResult;
use crate::percentile::{Wanted, aggregate, median, read};

/// One clinic's figures for the range.
#[derive(Clone, Debug)]
pub struct ClinicStats {
    pub clinic: Clinic,
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
    let rows = sql::rows(db, &statement(db.get_database_backend()), sql::range_values(range)).await?;
    rows.iter()
        .map(|r| {
            Ok(ClinicStats {
                clinic: Clinic::read(r)?,
                funnel: Funnel::read(r)?,
                median_hours: r.try_get("", "p50")?,
                p90_hours: r.try_get("", "p90")?,
            })
        })
        .collect()
}

/// The per-clinic statement: each clinic's funnel and response percentiles in one grouped
/// pass over the range's quotes, then the clinics' rows joined to the grouped rows only.
///
/// PostgreSQL groups the range's index entries by clinic (`percentile_cont` ignores the
/// NULL hours of quotes never offered): joining a separately grouped percentile set made
/// the planner expect two million rows and compile the statement (JIT), which cost 400 ms.
/// SQLite walks the clinics and, per clinic, its quotes of the range in
/// `ix_quotes_clinic_range`, so the rows arrive grouped and nothing is sorted but each
/// clinic's few response times.
fn statement(backend: DbBackend) -> String {
    let wanted = [median("p50"), P90];
    let percentiles = aggregate(backend, RESPONSE_HOURS, &wanted, "pct");
    let per = match backend {
        DbBackend::Postgres => {
            format!("SELECT q.clinic_id, {FUNNEL}, {percentiles} FROM quotes q WHERE {IN_RANGE} GROUP BY q.clinic_id")
        }
        _ => format!(
            "SELECT c.id AS clinic_id, {FUNNEL}, {percentiles} \
             FROM clinics c JOIN quotes q ON q.clinic_id = c.id AND {IN_RANGE} GROUP BY c.id"
        ),
    };
    format!(
        "WITH per AS ({per}) \
         SELECT {COLUMNS}, per.submitted, per.reviewed, per.offered, per.accepted{} \
         FROM per JOIN clinics c ON c.id = per.clinic_id \
         ORDER BY per.submitted DESC, c.name, c.id",
        read(backend, RESPONSE_HOURS, &wanted, "per", "pct")
    )
}
