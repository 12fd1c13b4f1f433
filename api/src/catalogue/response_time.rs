//! How fast a clinic answers quote requests, shown to every caller: the median hours from a
//! quote's creation (SUBMITTED) to its first offer, over the clinic's quotes created in the
//! last 365 days (by the application's clock) that were offered, with the sample size.
//!
//! A page of clinics reads all their response times in one statement, computed by the
//! database (see [`percentile`](crate::percentile)); below [`MIN_SAMPLES`] offered quotes
//! the figure is withheld, so it never stands for one quote or one partner's request. The
//! dashboards' per-clinic response percentiles use the same definition
//! ([`RESPONSE_HOURS`]).

use std::collections::HashMap;

use async_graphql::SimpleObject;
use async_graphql::dataloader::Loader;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::loaders::CatalogueLoader;
use crate::error::ServiceError;
use crate::percentile::{Measure, by_group, median};

/// Below this many offered quotes a clinic's response time is null.
pub const MIN_SAMPLES: i64 = 3;
/// The window looked back over, in days.
pub const WINDOW_DAYS: i64 = 365;

/// How fast a clinic answers quote requests: SUBMITTED to first OFFERED, over the last 365
/// days.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq)]
pub struct ResponseTime {
    /// The median hours from a request's submission to the clinic's offer (a continuous
    /// median: the mean of the two middle values for an even count).
    pub median_hours: f64,
    /// How many offered quotes the median is taken over (at least 3).
    pub sample_size: i32,
}

/// Hours from quote `q`'s creation to its first offer: the whole seconds the OFFERED
/// transition stored (each timestamp truncated to its second), divided in double precision,
/// so both backends give the same bits. NULL for a quote never offered.
pub const RESPONSE_HOURS: Measure<'static> = Measure { column: "q.response_seconds", unit: 3600 };

/// The response time of a clinic (key: clinic id); absent below [`MIN_SAMPLES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResponseTimeOf(pub i32);

/// The response times of `clinic_ids` as of `now`, in one statement.
async fn read(
    db: &impl ConnectionTrait,
    clinic_ids: &[i32],
    now: DateTime<Utc>,
) -> Result<HashMap<i32, Option<ResponseTime>>, ServiceError> {
    let mut found: HashMap<i32, Option<ResponseTime>> = clinic_ids.iter().map(|id| (*id, None)).collect();
    if clinic_ids.is_empty() {
        return Ok(found);
    }
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (2..clinic_ids.len() + 2).map(|i| format!("${i}")).collect();
    let source = format!(
        "SELECT q.clinic_id, {} AS v FROM quotes q \
         WHERE q.clinic_id IN ({}) AND q.created_at >= $1 AND q.response_seconds IS NOT NULL",
        RESPONSE_HOURS.column,
        placeholders.join(", ")
    );
    let hours = Measure { column: "v", ..RESPONSE_HOURS };
    let medians = by_group(backend, &source, &["clinic_id"], hours, &[median("p50")]);
    let mut sql = format!("SELECT m.clinic_id, m.n, m.p50 FROM ({medians}) m WHERE m.n >= {MIN_SAMPLES}");
    if backend != DbBackend::Postgres {
        sql = sql.replace('$', "?");
    }
    let mut values: Vec<Value> = vec![(now - Duration::days(WINDOW_DAYS)).into()];
    values.extend(clinic_ids.iter().map(|id| Value::from(*id)));
    for row in db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await? {
        let clinic: i32 = row.try_get("", "clinic_id")?;
        let n: i64 = row.try_get("", "n")?;
        let median_hours: f64 = row.try_get("", "p50")?;
        found.insert(clinic, Some(ResponseTime { median_hours, sample_size: i32::try_from(n).unwrap_or(i32::MAX) }));
    }
    Ok(found)
}

impl Loader<ResponseTimeOf> for CatalogueLoader {
    type Value = ResponseTime;
    type Error = ServiceError;

    /// Every clinic of the request's page in the first batch (see the loader's note), as of
    /// now by the application's clock.
    async fn load(&self, keys: &[ResponseTimeOf]) -> Result<HashMap<ResponseTimeOf, Self::Value>, Self::Error> {
        let keys: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let now = self.now();
        let rows = self
            .response_times
            .read(&keys, self.expected(), |ids| async move { read(&self.db, &ids, now).await })
            .await?;
        Ok(rows.into_iter().filter_map(|(id, time)| Some((ResponseTimeOf(id), time?))).collect())
    }
}
