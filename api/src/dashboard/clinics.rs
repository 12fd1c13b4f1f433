//! The per-clinic section: each clinic's funnel and its median and p90 response hours, in
//! one statement.
//!
//! Only clinics with quotes created in the range are listed. The contract computes every
//! figure "over the quotes created in [from, to)" and says "zeros included" only of
//! `quotesByStatus` and `daily`; a row per clinic of the catalogue (20,000 at scale) would
//! mostly repeat zeros the caller can infer from absence, and cost a row each.

use entity::clinics;
use sea_orm::{DatabaseConnection, DbBackend, FromQueryResult};

use super::range::Range;
use super::sql::{self, FUNNEL, Funnel, IN_RANGE};
use crate::catalogue::response_time::response_hours;
use crate::error::ServiceResult;
use crate::percentile::{Wanted, by_group, median, postgres_array, read_array};

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
    let rows = sql::rows(db, &statement(db.get_database_backend()), sql::range_values(range)).await?;
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

/// The per-clinic statement. Figures are grouped by clinic id alone, from the range's
/// index, and the clinics' rows are joined to the grouped rows only.
///
/// PostgreSQL computes funnel and percentiles in one grouped pass (`percentile_cont`
/// ignores the NULL hours of quotes never offered): joining a separately grouped percentile
/// set made the planner expect two million rows and compile the statement (JIT), which
/// cost 400 ms. SQLite numbers only the offered quotes ([`by_group`]) and joins them to the
/// funnel per clinic.
fn statement(backend: DbBackend) -> String {
    let hours = response_hours(backend);
    let wanted = [median("p50"), P90];
    let per = match backend {
        DbBackend::Postgres => format!(
            "SELECT q.clinic_id, {FUNNEL}, {} FROM quotes q WHERE {IN_RANGE} GROUP BY q.clinic_id",
            postgres_array(hours, &wanted, "pct")
        ),
        _ => {
            let offered = format!(
                "SELECT q.clinic_id, {hours} AS v FROM quotes q WHERE {IN_RANGE} AND q.response_seconds IS NOT NULL"
            );
            format!(
                "SELECT f.*, pct.p50, pct.p90 FROM ( \
                   SELECT q.clinic_id, {FUNNEL} FROM quotes q WHERE {IN_RANGE} GROUP BY q.clinic_id) f \
                 LEFT JOIN ({}) pct ON pct.clinic_id = f.clinic_id",
                by_group(backend, &offered, &["clinic_id"], &wanted)
            )
        }
    };
    let percentiles = match backend {
        DbBackend::Postgres => read_array("per", "pct", &wanted),
        _ => ", per.p50, per.p90".to_owned(),
    };
    format!(
        "WITH per AS ({per}) \
         SELECT c.*, per.submitted, per.reviewed, per.offered, per.accepted{percentiles} \
         FROM per JOIN clinics c ON c.id = per.clinic_id \
         ORDER BY per.submitted DESC, c.name, c.id"
    )
}
