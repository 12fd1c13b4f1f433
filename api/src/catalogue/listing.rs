//! The `clinics` connection: filtered, ordered, keyset-paginated.
//!
//! Every ordering ends with the clinic id as a unique tie-breaker, so pages never repeat or
//! skip a clinic. LOWEST_PRICE is nullable (a clinic without active packages has none); such
//! clinics come last in both directions. Rather than sort on "is null" (which SQLite and
//! PostgreSQL place differently, and which no index serves), the clinics with a price and
//! those without are read as two parts, each in the order of its index, the second only
//! when the first runs out.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use entity::clinics;
use futures::future::{BoxFuture, FutureExt, Shared};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    Condition, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde_json::Value;

use super::filter::{self, ClinicFilterInput, ClinicOrder};
use super::rollups;
use super::vocab::{ClinicOrderField, OrderDirection};
use crate::cache::Caching;
use crate::db::positional::ByPosition;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Direction, Page, PageRequest, encode_cursor, page_request};

/// The sort key a cursor carries: the ordered value and the clinic id.
type SortKey = (Value, i32);

/// Relay arguments of a page.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// The number of clinics matching a filter, counted when first awaited. Counting every match
/// costs more than reading a page at catalogue scale, so it runs beside the page's nested
/// reads (when the response resolves `totalCount`) rather than before them.
#[derive(Clone)]
pub struct TotalCount(Shared<BoxFuture<'static, Result<u64, ServiceError>>>);

impl TotalCount {
    /// Counts the clinics matching `condition` once, when first asked.
    pub fn new(db: &DatabaseConnection, condition: Condition) -> Self {
        let db = db.clone();
        Self(async move { Ok(clinics::Entity::find().filter(condition).count(&db).await?) }.boxed().shared())
    }

    /// [`TotalCount::new`], or the count remembered for the same filter at the committed
    /// catalogue version on `day` (the partner listing, asked the same filters over and over).
    pub fn remembered(db: &DatabaseConnection, condition: Condition, caching: Arc<Caching>, day: NaiveDate) -> Self {
        let db = db.clone();
        Self(
            async move {
                let select = clinics::Entity::find().filter(condition);
                let statement = select.build(db.get_database_backend());
                let key = format!("{}|{:?}", statement.sql, statement.values);
                let version = caching.version.refresh(&db).await?;
                if let Some(count) = caching.counts.get(&key, version, day) {
                    return Ok(count);
                }
                let count = select.count(&db).await?;
                caching.counts.put(key, version, day, count);
                Ok(count)
            }
            .boxed()
            .shared(),
        )
    }

    /// The count (each clone of a `TotalCount` shares one statement).
    pub async fn get(&self) -> Result<u64, ServiceError> {
        self.0.clone().await
    }
}

impl std::fmt::Debug for TotalCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotalCount")
    }
}

/// A page of clinics and, when asked for, the number of clinics matching the filter.
pub struct ClinicPage {
    pub page: Page<clinics::Model>,
    pub total_count: Option<TotalCount>,
    pub order: ClinicOrder,
}

fn column(field: ClinicOrderField) -> clinics::Column {
    match field {
        ClinicOrderField::Name => clinics::Column::Name,
        ClinicOrderField::LowestPrice => clinics::Column::LowestPriceUsdMinor,
        ClinicOrderField::SafetyScore => clinics::Column::SafetyScore,
    }
}

fn sort_value(clinic: &clinics::Model, field: ClinicOrderField) -> Value {
    match field {
        ClinicOrderField::Name => Value::from(clinic.name.clone()),
        ClinicOrderField::LowestPrice => clinic.lowest_price_usd_minor.map_or(Value::Null, Value::from),
        ClinicOrderField::SafetyScore => Value::from(clinic.safety_score),
    }
}

/// The cursor of `clinic`'s edge under `order`.
pub fn cursor(clinic: &clinics::Model, order: ClinicOrder) -> String {
    encode_cursor(&order.tag(), &(sort_value(clinic, order.field), clinic.id))
}

/// Checks that a decoded cursor value has the type its ordering sorts by (and, for a name,
/// is text the database can compare).
fn cursor_value(field: ClinicOrderField, value: &Value) -> Option<SimpleExpr> {
    match (field, value) {
        (ClinicOrderField::Name, Value::String(s)) if !s.chars().any(char::is_control) => Some(Expr::val(s.clone())),
        (ClinicOrderField::LowestPrice, Value::Number(n)) => n.as_i64().map(Expr::val),
        (ClinicOrderField::SafetyScore, Value::Number(n)) => n.as_i64().map(Expr::val),
        _ => None,
    }
}

/// Where a row sits in fetch order: with a value to sort by, or (LOWEST_PRICE only) without
/// one. Each part is read with its own keyset query, ordered exactly like an index on
/// `(value, id)` (or on `id`), so the database walks the index instead of sorting every
/// matching clinic on every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Valued,
    Unvalued,
}

/// The parts a listing reads, in fetch order: clinics without a price come last in display
/// order, so first when reading backward.
fn parts(field: ClinicOrderField, forward: bool) -> &'static [Part] {
    match (field, forward) {
        (ClinicOrderField::LowestPrice, true) => &[Part::Valued, Part::Unvalued],
        (ClinicOrderField::LowestPrice, false) => &[Part::Unvalued, Part::Valued],
        _ => &[Part::Valued],
    }
}

/// The part a cursor points into and the condition for the rows strictly after it in fetch
/// order (ascending when `ascending`) within that part; `arg` names the cursor for errors.
fn after_key(field: ClinicOrderField, key: &SortKey, ascending: bool, arg: &str) -> ServiceResult<(Part, SimpleExpr)> {
    let invalid = || ServiceError::bad_input(&[arg], format!("`{arg}` is not a valid cursor for this ordering"));
    let beyond = |a: SimpleExpr, b: SimpleExpr| if ascending { a.gt(b) } else { a.lt(b) };
    let id = || Expr::col((clinics::Entity, clinics::Column::Id));
    let (value, cursor_id) = key;
    if value.is_null() {
        if field != ClinicOrderField::LowestPrice {
            return Err(invalid());
        }
        return Ok((Part::Unvalued, beyond(id(), Expr::val(*cursor_id))));
    }
    let v = cursor_value(field, value).ok_or_else(invalid)?;
    // A row comparison, which both databases answer with a range scan of the index.
    let row = Expr::tuple([Expr::col((clinics::Entity, column(field))), id()]);
    Ok((Part::Valued, beyond(row, Expr::tuple([v, Expr::val(*cursor_id)]))))
}

/// Reads up to `want` clinics matching `condition` in fetch order, from after `cursor`.
async fn fetch(
    db: &DatabaseConnection,
    condition: &Condition,
    field: ClinicOrderField,
    (ascending, forward): (bool, bool),
    cursor: Option<(Part, SimpleExpr)>,
    want: u64,
) -> ServiceResult<Vec<clinics::Model>> {
    let dir = if ascending { Order::Asc } else { Order::Desc };
    let nullable = field == ClinicOrderField::LowestPrice;
    let col = || Expr::col((clinics::Entity, column(field)));
    let mut rows: Vec<clinics::Model> = Vec::new();
    let mut keyset = cursor;
    for &part in parts(field, forward) {
        // Parts before the cursor's own lie behind it.
        if keyset.as_ref().is_some_and(|(at, _)| *at != part) {
            continue;
        }
        let mut query = clinics::Entity::find().filter(condition.clone());
        if let Some((_, after)) = keyset.take() {
            query = query.filter(after);
        }
        query = match part {
            Part::Valued if nullable => query.filter(col().is_not_null()),
            Part::Valued => query,
            Part::Unvalued => query.filter(col().is_null()),
        };
        if part == Part::Valued {
            query = query.order_by(column(field), dir.clone());
        }
        let remaining = want - rows.len() as u64;
        let page = query.order_by(clinics::Column::Id, dir.clone()).limit(remaining);
        rows.extend(page.into_model::<ByPosition<clinics::Model>>().all(db).await?.into_iter().map(|ByPosition(r)| r));
        if rows.len() as u64 >= want {
            break;
        }
    }
    Ok(rows)
}

/// One page of published clinics matching `filter` under `order`, as of `now`.
pub async fn list(
    db: &DatabaseConnection,
    input: &ClinicFilterInput,
    order: ClinicOrder,
    args: &PageArgs,
    want_total: bool,
    now: DateTime<Utc>,
    caching: &Arc<Caching>,
) -> ServiceResult<ClinicPage> {
    let request: PageRequest<SortKey> =
        page_request(&order.tag(), args.first, args.after.as_deref(), args.last, args.before.as_deref())?;
    let condition = filter::condition(db, input, now.date_naive()).await?;
    if order.field == ClinicOrderField::SafetyScore {
        rollups::refresh_stale(db, now).await?;
    }

    let forward = request.direction == Direction::Forward;
    let ascending = (order.direction == OrderDirection::Asc) == forward;
    let arg = if forward { "after" } else { "before" };
    let cursor = request.cursor.as_ref().map(|key| after_key(order.field, key, ascending, arg)).transpose()?;
    let rows = fetch(db, &condition, order.field, (ascending, forward), cursor, request.limit + 1).await?;
    let total_count = want_total.then(|| TotalCount::remembered(db, condition, Arc::clone(caching), now.date_naive()));
    Ok(ClinicPage { page: Page::from_fetched(rows, &request), total_count, order })
}
