//! Reading quotes: one by id and the newest-first keyset connection, always through the
//! caller's [`Tenancy`].

use chrono::{DateTime, Utc};
use entity::{quote_offers, quotes};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::request::QuoteFilter;
use super::scope::Tenancy;
use super::vocab::QuoteStatus;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageRequest, encode_cursor, page_request};

/// The ordering tag of quote cursors (newest first).
const ORDER: &str = "CREATED_DESC";

/// A quote by row id, if the tenancy sees it.
pub async fn by_row(db: &DatabaseConnection, tenancy: Tenancy, row: i32) -> ServiceResult<Option<quotes::Model>> {
    Ok(tenancy.find().filter(quotes::Column::Id.eq(row)).one(db).await?)
}

/// The quotes among `rows` that the tenancy sees, in one statement (none for no rows).
pub async fn by_rows(db: &DatabaseConnection, tenancy: Tenancy, rows: &[i32]) -> ServiceResult<Vec<quotes::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tenancy.find().filter(quotes::Column::Id.is_in(rows.iter().copied())).all(db).await?)
}

/// A page of quotes and, when asked, how many match.
pub struct QuotePage {
    pub page: Page<quotes::Model>,
    pub total_count: Option<u64>,
}

/// The cursor of a quote's edge.
pub fn cursor(quote: &quotes::Model) -> String {
    encode_cursor(ORDER, &(quote.created_at.to_rfc3339(), quote.id))
}

/// Quotes whose status, as [`Quote::status`](super::types::Quote) shows it, is one of
/// `statuses`: an OFFERED quote whose offer has lapsed counts as EXPIRED (not OFFERED) even
/// before the expiry is recorded, so the filter agrees with the status each quote reports.
fn status_condition(statuses: &[QuoteStatus], now: DateTime<Utc>) -> Condition {
    let lapsed = || {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(quote_offers::Entity)
                .and_where(
                    Expr::col((quote_offers::Entity, quote_offers::Column::QuoteId))
                        .equals((quotes::Entity, quotes::Column::Id)),
                )
                .and_where(quote_offers::Column::ValidUntil.lte(now))
                .take(),
        )
    };
    let offered = QuoteStatus::Offered.as_str();
    let mut any = Condition::any();
    for status in statuses {
        any = match status {
            QuoteStatus::Offered => {
                any.add(Condition::all().add(quotes::Column::Status.eq(offered)).add(lapsed().not()))
            }
            QuoteStatus::Expired => any
                .add(quotes::Column::Status.eq(status.as_str()))
                .add(Condition::all().add(quotes::Column::Status.eq(offered)).add(lapsed())),
            other => any.add(quotes::Column::Status.eq(other.as_str())),
        };
    }
    // An empty list matches nothing, as `IN ()` would.
    if statuses.is_empty() { Condition::all().add(quotes::Column::Id.lt(0)) } else { any }
}

/// The tenancy's quotes matching `filter`, newest first, with statuses as of `now`.
pub async fn list(
    db: &DatabaseConnection,
    tenancy: Tenancy,
    filter: &QuoteFilter,
    first: Option<i32>,
    after: Option<&str>,
    want_total: bool,
    now: DateTime<Utc>,
) -> ServiceResult<QuotePage> {
    let request: PageRequest<(String, i32)> = page_request(ORDER, first, after, None, None)?;
    let mut condition = tenancy.condition();
    if let Some(statuses) = &filter.statuses {
        if statuses.len() > 20 {
            return Err(ServiceError::bad_input(&["filter", "statuses"], "at most 20 statuses"));
        }
        condition = condition.add(status_condition(statuses, now));
    }
    if let Some(clinic) = filter.clinic {
        // An ID that names no clinic matches no quote.
        condition = condition.add(quotes::Column::ClinicId.eq(clinic.unwrap_or(-1)));
    }
    if let Some(after) = filter.created_after {
        condition = condition.add(quotes::Column::CreatedAt.gt(after));
    }
    if let Some(before) = filter.created_before {
        condition = condition.add(quotes::Column::CreatedAt.lt(before));
    }
    let mut query = quotes::Entity::find().filter(condition.clone());
    if let Some((created, id)) = &request.cursor {
        let created: DateTime<Utc> = DateTime::parse_from_rfc3339(created)
            .map_err(|_| ServiceError::bad_input(&["after"], "`after` is not a valid cursor for this ordering"))?
            .with_timezone(&Utc);
        let col = Expr::col((quotes::Entity, quotes::Column::CreatedAt));
        query = query.filter(
            Condition::any()
                .add(col.clone().lt(created))
                .add(col.eq(created).and(Expr::col((quotes::Entity, quotes::Column::Id)).lt(*id))),
        );
    }
    let rows = query
        .order_by_desc(quotes::Column::CreatedAt)
        .order_by_desc(quotes::Column::Id)
        .limit(request.limit + 1)
        .all(db)
        .await?;
    let total_count = if want_total { Some(quotes::Entity::find().filter(condition).count(db).await?) } else { None };
    Ok(QuotePage { page: Page::from_fetched(rows, &request), total_count })
}
