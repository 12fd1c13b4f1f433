//! The patient-data access log: read newest first with keyset pages, by staff only. Rows are
//! appended by the [`AccessRecorder`](super::loaders::AccessRecorder); nothing here or
//! anywhere in the API updates or deletes one.

use chrono::{DateTime, Utc};
use entity::patient_data_access;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::ServiceResult;
use crate::paging::{Page, page_request};

/// Narrows the log; every given field must match.
#[derive(Clone, Debug, Default)]
pub struct AccessQuery {
    /// The quote's row id (`Some(None)`: an ID that names no quote, matching nothing).
    pub quote: Option<Option<i32>>,
    pub actor: Option<String>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

/// The cursor tag of the log's one ordering.
const ORDERING: &str = "ACCESS_NEWEST";

/// One page of the log, newest first (by row id, which grows with every append), and the
/// number of matching rows when asked for.
pub async fn list(
    db: &DatabaseConnection,
    query: &AccessQuery,
    first: Option<i32>,
    after: Option<&str>,
    want_total: bool,
) -> ServiceResult<(Page<patient_data_access::Model>, Option<u64>)> {
    let request = page_request::<i32>(ORDERING, first, after, None, None)?;
    let mut cond = Condition::all();
    if let Some(quote) = query.quote {
        cond = cond.add(patient_data_access::Column::QuoteId.eq(quote.unwrap_or(-1)));
    }
    if let Some(actor) = &query.actor {
        cond = cond.add(patient_data_access::Column::Actor.eq(actor.as_str()));
    }
    if let Some(at) = query.after {
        cond = cond.add(patient_data_access::Column::At.gt(at));
    }
    if let Some(at) = query.before {
        cond = cond.add(patient_data_access::Column::At.lt(at));
    }
    let total =
        if want_total { Some(patient_data_access::Entity::find().filter(cond.clone()).count(db).await?) } else { None };
    let mut select = patient_data_access::Entity::find().filter(cond);
    if let Some(id) = request.cursor {
        select = select.filter(patient_data_access::Column::Id.lt(id));
    }
    let rows = select.order_by_desc(patient_data_access::Column::Id).limit(request.limit + 1).all(db).await?;
    Ok((Page::from_fetched(rows, &request), total))
}

/// The cursor of a log entry.
pub fn cursor(row: &patient_data_access::Model) -> String {
    crate::paging::encode_cursor(ORDERING, &row.id)
}

/// The entries among `rows`, for `node` (staff only: the caller checks).
pub async fn by_rows(db: &DatabaseConnection, rows: &[i32]) -> ServiceResult<Vec<patient_data_access::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(patient_data_access::Entity::find()
        .filter(patient_data_access::Column::Id.is_in(rows.iter().copied()))
        .all(db)
        .await?)
}
