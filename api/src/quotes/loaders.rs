//! Batched reads nested under quotes: history, offers, clinics and packages.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{clinics, quote_events, quote_offers, treatment_packages};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::ServiceError;

/// The per-request batch loader of quote relations.
pub struct QuoteLoader {
    db: DatabaseConnection,
}

impl QuoteLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// A quote's events, oldest first (key: quote id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventsOf(pub i32);
/// A quote's offer (key: quote id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OfferOf(pub i32);
/// A clinic by id, published or not (the quote's clinic stays visible to its parties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClinicOf(pub i32);
/// A package by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackageOf(pub i32);

impl Loader<EventsOf> for QuoteLoader {
    type Value = Vec<quote_events::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[EventsOf]) -> Result<HashMap<EventsOf, Self::Value>, Self::Error> {
        let rows = quote_events::Entity::find()
            .filter(quote_events::Column::QuoteId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(quote_events::Column::Id)
            .all(&self.db)
            .await?;
        let mut map: HashMap<EventsOf, Vec<_>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(EventsOf(row.quote_id)).or_default().push(row);
        }
        Ok(map)
    }
}

impl Loader<OfferOf> for QuoteLoader {
    type Value = quote_offers::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[OfferOf]) -> Result<HashMap<OfferOf, Self::Value>, Self::Error> {
        let rows = quote_offers::Entity::find()
            .filter(quote_offers::Column::QuoteId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (OfferOf(r.quote_id), r)).collect())
    }
}

impl Loader<ClinicOf> for QuoteLoader {
    type Value = clinics::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[ClinicOf]) -> Result<HashMap<ClinicOf, Self::Value>, Self::Error> {
        let rows =
            clinics::Entity::find().filter(clinics::Column::Id.is_in(keys.iter().map(|k| k.0))).all(&self.db).await?;
        Ok(rows.into_iter().map(|r| (ClinicOf(r.id), r)).collect())
    }
}

impl Loader<PackageOf> for QuoteLoader {
    type Value = treatment_packages::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[PackageOf]) -> Result<HashMap<PackageOf, Self::Value>, Self::Error> {
        let rows = treatment_packages::Entity::find()
            .filter(treatment_packages::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (PackageOf(r.id), r)).collect())
    }
}
