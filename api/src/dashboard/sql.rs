//! The SQL the dashboards share: the range predicate, the funnel's aggregates, a timestamp's
//! UTC day (where the backends' dialects differ), and running a statement. Response hours
//! are defined beside `Clinic.responseTime`
//! ([`RESPONSE_HOURS`](crate::catalogue::response_time::RESPONSE_HOURS)).
//!
//! Every statement reads the quotes of the range through an index that holds every column
//! named here (`ix_quotes_range`, or per clinic / partner `ix_quotes_clinic_range` /
//! `ix_quotes_partner_range`), so the scan never reads a quote's row (nor anything of its
//! patient). Statements are written with `$1`-style placeholders; SQLite's numbered `?1`
//! means the same.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryResult, Statement, Value};

use super::range::Range;
use crate::error::ServiceResult;

/// The quotes `q` created in the range: `$1` is its start, `$2` its end.
pub const IN_RANGE: &str = "q.created_at >= $1 AND q.created_at < $2";

/// The funnel of the quotes `q` grouped: submitted, reviewed, offered, accepted.
pub const FUNNEL: &str = "COUNT(*) AS submitted, COUNT(q.reviewed_at) AS reviewed, COUNT(q.offered_at) AS offered, \
     COALESCE(SUM(CASE WHEN q.status = 'ACCEPTED' THEN 1 ELSE 0 END), 0) AS accepted";

/// The funnel re-aggregated from per-group rows `per` holding [`FUNNEL`]'s columns.
pub const FUNNEL_SUMS: &str = "CAST(SUM(per.submitted) AS BIGINT) AS submitted, \
     CAST(SUM(per.reviewed) AS BIGINT) AS reviewed, CAST(SUM(per.offered) AS BIGINT) AS offered, \
     CAST(SUM(per.accepted) AS BIGINT) AS accepted";

/// The placeholder values of [`IN_RANGE`].
pub fn range_values(range: &Range) -> Vec<Value> {
    vec![range.start().into(), range.end().into()]
}

/// The UTC day of quote `q`'s creation, as a date (PostgreSQL) or `YYYY-MM-DD` text
/// (SQLite, which stores RFC 3339 text in UTC).
pub fn created_day(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CAST(q.created_at AT TIME ZONE 'UTC' AS DATE)",
        _ => "substr(q.created_at, 1, 10)",
    }
}

/// `sql` for `backend`: `$n` placeholders become `?n` on SQLite.
pub fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs one statement and returns its rows.
pub async fn rows(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> ServiceResult<Vec<QueryResult>> {
    Ok(db.query_all_raw(statement(db.get_database_backend(), sql, values)).await?)
}

/// A quote funnel: how many quotes of a range were submitted, ever reviewed, ever offered,
/// and are now accepted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Funnel {
    pub submitted: i64,
    pub reviewed: i64,
    pub offered: i64,
    pub accepted: i64,
}

impl Funnel {
    /// Reads [`FUNNEL`]'s columns.
    pub fn read(row: &QueryResult) -> ServiceResult<Self> {
        Ok(Self {
            submitted: row.try_get("", "submitted")?,
            reviewed: row.try_get("", "reviewed")?,
            offered: row.try_get("", "offered")?,
            accepted: row.try_get("", "accepted")?,
        })
    }

    /// offered / submitted; `None` when nothing was submitted.
    pub fn offer_rate(&self) -> Option<f64> {
        ratio(self.offered, self.submitted)
    }

    /// accepted / offered; `None` when nothing was offered.
    pub fn acceptance_rate(&self) -> Option<f64> {
        ratio(self.accepted, self.offered)
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_null_when_their_divisor_is_zero() {
        let f = Funnel { submitted: 4, reviewed: 3, offered: 2, accepted: 1 };
        assert_eq!((f.offer_rate(), f.acceptance_rate()), (Some(0.5), Some(0.5)));
        let none = Funnel::default();
        assert_eq!((none.offer_rate(), none.acceptance_rate()), (None, None));
        let unoffered = Funnel { submitted: 3, ..Funnel::default() };
        assert_eq!((unoffered.offer_rate(), unoffered.acceptance_rate()), (Some(0.0), None));
    }

    #[test]
    fn placeholders_are_numbered_on_both_backends() {
        let sql = "SELECT 1 WHERE a = $1 AND b = $2 OR a = $1";
        assert_eq!(statement(DbBackend::Sqlite, sql, vec![]).sql, "SELECT 1 WHERE a = ?1 AND b = ?2 OR a = ?1");
        assert_eq!(statement(DbBackend::Postgres, sql, vec![]).sql, sql);
    }
}
