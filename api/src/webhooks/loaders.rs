//! Batched reads nested under endpoints and deliveries: a page of endpoints asks for every
//! endpoint's deliveries in one statement (and their counts in another), a page of
//! deliveries for every attempt log and every quote in one each.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{quotes, webhook_attempts, webhook_deliveries};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};

use super::deliveries::MAX_ATTEMPTS_SHOWN;
use crate::error::ServiceError;
use crate::quotes::read;
use crate::quotes::scope::Tenancy;

/// The per-request batch loader of webhook relations.
pub struct WebhookLoader {
    db: DatabaseConnection,
}

impl WebhookLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// One page of an endpoint's deliveries, newest first: up to `fetch` rows (a page and one
/// more, to tell whether there is a next page) older than `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliveriesOf {
    pub endpoint: i32,
    pub fetch: u64,
    pub before: Option<i32>,
}

/// How many deliveries an endpoint has (key: endpoint id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliveryCount(pub i32);

/// A delivery's attempts, oldest first, the newest [`MAX_ATTEMPTS_SHOWN`] (key: delivery id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttemptsOf(pub i32);

/// The quote a delivery reports, if the caller's tenancy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeliveryQuote {
    pub tenancy: Tenancy,
    pub row: i32,
}

impl Loader<DeliveriesOf> for WebhookLoader {
    type Value = Vec<webhook_deliveries::Model>;
    type Error = ServiceError;

    /// One statement per distinct page shape (in practice one per request): the newest
    /// `fetch` rows of each endpoint, numbered per endpoint by a window function.
    async fn load(&self, keys: &[DeliveriesOf]) -> Result<HashMap<DeliveriesOf, Self::Value>, Self::Error> {
        use webhook_deliveries::Column;
        let mut shapes: HashMap<(u64, Option<i32>), Vec<i32>> = HashMap::new();
        for key in keys {
            shapes.entry((key.fetch, key.before)).or_default().push(key.endpoint);
        }
        let mut map: HashMap<DeliveriesOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((fetch, before), endpoints) in shapes {
            let mut ranked = Query::select();
            ranked
                .column(Asterisk)
                .expr_window_as(
                    Expr::cust("ROW_NUMBER()"),
                    WindowStatement::partition_by(Column::EndpointId).order_by(Column::Id, Order::Desc).take(),
                    "rank_in_endpoint",
                )
                .from(webhook_deliveries::Entity)
                .and_where(Expr::col(Column::EndpointId).is_in(endpoints));
            if let Some(before) = before {
                ranked.and_where(Expr::col(Column::Id).lt(before));
            }
            let fetch = i64::try_from(fetch).map_err(ServiceError::internal)?;
            let query = Query::select()
                .column(Asterisk)
                .from_subquery(ranked.take(), "ranked")
                .and_where(Expr::col("rank_in_endpoint").lte(fetch))
                .order_by("endpoint_id", Order::Asc)
                .order_by("id", Order::Desc)
                .take();
            let statement = self.db.get_database_backend().build(&query);
            for row in webhook_deliveries::Model::find_by_statement(statement).all(&self.db).await? {
                let key = DeliveriesOf { endpoint: row.endpoint_id, fetch: fetch as u64, before };
                map.entry(key).or_default().push(row);
            }
        }
        Ok(map)
    }
}

impl Loader<DeliveryCount> for WebhookLoader {
    type Value = u64;
    type Error = ServiceError;

    async fn load(&self, keys: &[DeliveryCount]) -> Result<HashMap<DeliveryCount, Self::Value>, Self::Error> {
        use webhook_deliveries::Column;
        let counts: Vec<(i32, i64)> = webhook_deliveries::Entity::find()
            .select_only()
            .column(Column::EndpointId)
            .column_as(Column::Id.count(), "count")
            .filter(Column::EndpointId.is_in(keys.iter().map(|k| k.0)))
            .group_by(Column::EndpointId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut map: HashMap<DeliveryCount, u64> = keys.iter().map(|k| (*k, 0)).collect();
        for (endpoint, count) in counts {
            map.insert(DeliveryCount(endpoint), u64::try_from(count).unwrap_or(0));
        }
        Ok(map)
    }
}

impl Loader<AttemptsOf> for WebhookLoader {
    type Value = Vec<webhook_attempts::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[AttemptsOf]) -> Result<HashMap<AttemptsOf, Self::Value>, Self::Error> {
        // Newest first, so that the cut below keeps each delivery's newest attempts.
        let rows = webhook_attempts::Entity::find()
            .filter(webhook_attempts::Column::DeliveryId.is_in(keys.iter().map(|k| k.0)))
            .order_by_desc(webhook_attempts::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<AttemptsOf, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            let attempts = map.entry(AttemptsOf(row.delivery_id)).or_default();
            if (attempts.len() as u64) < MAX_ATTEMPTS_SHOWN {
                attempts.push(row);
            }
        }
        for attempts in map.values_mut() {
            attempts.reverse();
        }
        Ok(map)
    }
}

impl Loader<DeliveryQuote> for WebhookLoader {
    type Value = quotes::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[DeliveryQuote]) -> Result<HashMap<DeliveryQuote, Self::Value>, Self::Error> {
        let mut by_tenancy: HashMap<Tenancy, Vec<i32>> = HashMap::new();
        for key in keys {
            by_tenancy.entry(key.tenancy).or_default().push(key.row);
        }
        let mut map = HashMap::new();
        for (tenancy, rows) in by_tenancy {
            for quote in read::by_rows(&self.db, tenancy, &rows).await? {
                map.insert(DeliveryQuote { tenancy, row: quote.id }, quote);
            }
        }
        Ok(map)
    }
}
