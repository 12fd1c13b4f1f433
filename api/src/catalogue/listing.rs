//! The `clinics` connection: filtered, ordered, keyset-paginated.
//!
//! Every ordering ends with the clinic id as a unique tie-breaker, so pages never repeat or
//! skip a clinic. LOWEST_PRICE is nullable (a clinic without active packages has none); such
//! clinics come last in both directions, which the keyset condition spells out explicitly
//! because SQLite and PostgreSQL disagree on where NULL sorts.

use chrono::{DateTime, Utc};
use entity::clinics;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    Condition, DatabaseConnection, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;

use super::filter::{self, ClinicFilterInput, ClinicOrder};
use super::rollups;
use super::vocab::{ClinicOrderField, OrderDirection};
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::pagination::{Direction, Page, PageRequest, encode_cursor, page_request};

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

/// A page of clinics and, when asked for, the number of clinics matching the filter.
pub struct ClinicPage {
    pub page: Page<clinics::Model>,
    pub total_count: Option<u64>,
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

/// Checks that a decoded cursor value has the type its ordering sorts by.
fn cursor_value(field: ClinicOrderField, value: &Value) -> Option<SimpleExpr> {
    match (field, value) {
        (ClinicOrderField::Name, Value::String(s)) => Some(Expr::val(s.clone()).into()),
        (ClinicOrderField::LowestPrice, Value::Number(n)) => n.as_i64().map(|v| Expr::val(v).into()),
        (ClinicOrderField::SafetyScore, Value::Number(n)) => n.as_i64().map(|v| Expr::val(v).into()),
        _ => None,
    }
}

/// Rows strictly after `key` in fetch order, where the fetch reads the value ascending when
/// `ascending`, and puts NULL values last when `nulls_last`.
fn after_key(field: ClinicOrderField, key: &SortKey, ascending: bool, nulls_last: bool) -> ServiceResult<Condition> {
    let col = Expr::col((clinics::Entity, column(field)));
    let id = Expr::col((clinics::Entity, clinics::Column::Id));
    let beyond = |a: Expr, b: SimpleExpr| if ascending { a.gt(b) } else { a.lt(b) };
    let nullable = field == ClinicOrderField::LowestPrice;
    let (value, cursor_id) = key;
    if value.is_null() {
        if !nullable {
            return Err(ServiceError::bad_input(&["after"], "the cursor is not valid for this ordering"));
        }
        let mut c = Condition::any().add(col.clone().is_null().and(beyond(id, Expr::val(*cursor_id).into())));
        if !nulls_last {
            c = c.add(col.is_not_null());
        }
        return Ok(c);
    }
    let v = cursor_value(field, value)
        .ok_or_else(|| ServiceError::bad_input(&["after"], "the cursor is not valid for this ordering"))?;
    let mut c = Condition::any().add(
        Condition::all().add(col.clone().is_not_null()).add(
            Condition::any()
                .add(beyond(col.clone(), v.clone()))
                .add(col.clone().eq(v).and(beyond(id, Expr::val(*cursor_id).into()))),
        ),
    );
    if nullable && nulls_last {
        c = c.add(col.is_null());
    }
    Ok(c)
}

/// One page of published clinics matching `filter` under `order`, as of `now`.
pub async fn list(
    db: &DatabaseConnection,
    input: &ClinicFilterInput,
    order: ClinicOrder,
    args: &PageArgs,
    want_total: bool,
    now: DateTime<Utc>,
) -> ServiceResult<ClinicPage> {
    let request: PageRequest<SortKey> =
        page_request(&order.tag(), args.first, args.after.as_deref(), args.last, args.before.as_deref())?;
    let condition = filter::condition(db, input, now.date_naive()).await?;
    if order.field == ClinicOrderField::SafetyScore {
        rollups::refresh_stale(db, now).await?;
    }

    let forward = request.direction == Direction::Forward;
    let ascending = (order.direction == OrderDirection::Asc) == forward;
    let mut query = clinics::Entity::find().filter(condition.clone());
    if let Some(key) = &request.cursor {
        query = query.filter(after_key(order.field, key, ascending, forward)?);
    }
    let dir = if ascending { Order::Asc } else { Order::Desc };
    if order.field == ClinicOrderField::LowestPrice {
        let nulls = Expr::col((clinics::Entity, clinics::Column::LowestPriceUsdMinor)).is_null();
        query = query.order_by(nulls, if forward { Order::Asc } else { Order::Desc });
    }
    let rows = query
        .order_by(column(order.field), dir.clone())
        .order_by(clinics::Column::Id, dir)
        .limit(request.limit + 1)
        .all(db)
        .await?;
    let total_count = if want_total { Some(clinics::Entity::find().filter(condition).count(db).await?) } else { None };
    Ok(ClinicPage { page: Page::from_fetched(rows, &request), total_count, order })
}
