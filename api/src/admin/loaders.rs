//! Batched reads under partners and API clients: a page of clients costs one statement for
//! their partners, and a page of partners one for their clients.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{api_clients, partners};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::ServiceError;

/// The per-request loader of the partner and client administration.
pub struct AdminLoader {
    db: DatabaseConnection,
}

impl AdminLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// A partner by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartnerById(pub i32);
/// The clients of a partner, oldest first (key: partner id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientsOf(pub i32);

impl Loader<PartnerById> for AdminLoader {
    type Value = partners::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[PartnerById]) -> Result<HashMap<PartnerById, Self::Value>, Self::Error> {
        let rows =
            partners::Entity::find().filter(partners::Column::Id.is_in(keys.iter().map(|k| k.0))).all(&self.db).await?;
        Ok(rows.into_iter().map(|p| (PartnerById(p.id), p)).collect())
    }
}

impl Loader<ClientsOf> for AdminLoader {
    type Value = Vec<api_clients::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[ClientsOf]) -> Result<HashMap<ClientsOf, Self::Value>, Self::Error> {
        let rows = api_clients::Entity::find()
            .filter(api_clients::Column::PartnerId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(api_clients::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<ClientsOf, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            if let Some(partner) = row.partner_id {
                map.entry(ClientsOf(partner)).or_default().push(row);
            }
        }
        Ok(map)
    }
}
