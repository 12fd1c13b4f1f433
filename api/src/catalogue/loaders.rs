//! Batched reads of everything nested under a clinic: one statement per relation per
//! request, however many clinics the page holds.
//!
//! One [`CatalogueLoader`] is created per request (so its cache never outlives the request)
//! and implements `Loader` once per relation, keyed by a newtype of the parent's id.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages, treatments};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::error::ServiceError;

/// The per-request batch loader of the catalogue.
pub struct CatalogueLoader {
    db: DatabaseConnection,
}

impl CatalogueLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Doctors of a clinic (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DoctorsOf(pub i32);
/// Accreditations of a clinic (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AccreditationsOf(pub i32);
/// Certificates of analysis of a clinic with their markers, newest first (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertificatesOf(pub i32);
/// Active packages of a clinic, cheapest first (key: clinic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackagesOf(pub i32);
/// A treatment by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TreatmentById(pub i32);

/// A certificate with its marker results.
pub type CertificateWithMarkers = (coa::Model, Vec<coa_markers::Model>);

fn group<K: std::hash::Hash + Eq + Copy, V>(keys: &[K], rows: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for (key, row) in rows {
        map.entry(key).or_default().push(row);
    }
    map
}

impl Loader<DoctorsOf> for CatalogueLoader {
    type Value = Vec<doctors::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[DoctorsOf]) -> Result<HashMap<DoctorsOf, Self::Value>, Self::Error> {
        let rows = doctors::Entity::find()
            .filter(doctors::Column::ClinicId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(doctors::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows.into_iter().map(|r| (DoctorsOf(r.clinic_id), r))))
    }
}

impl Loader<AccreditationsOf> for CatalogueLoader {
    type Value = Vec<accreditations::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[AccreditationsOf]) -> Result<HashMap<AccreditationsOf, Self::Value>, Self::Error> {
        let rows = accreditations::Entity::find()
            .filter(accreditations::Column::ClinicId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(accreditations::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows.into_iter().map(|r| (AccreditationsOf(r.clinic_id), r))))
    }
}

impl Loader<CertificatesOf> for CatalogueLoader {
    type Value = Vec<CertificateWithMarkers>;
    type Error = ServiceError;

    async fn load(&self, keys: &[CertificatesOf]) -> Result<HashMap<CertificatesOf, Self::Value>, Self::Error> {
        let certificates = coa::Entity::find()
            .filter(coa::Column::ClinicId.is_in(keys.iter().map(|k| k.0)))
            .order_by_desc(coa::Column::IssuedOn)
            .order_by_desc(coa::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i32> = certificates.iter().map(|c| c.id).collect();
        let markers = if ids.is_empty() {
            Vec::new()
        } else {
            coa_markers::Entity::find()
                .filter(coa_markers::Column::CertificateId.is_in(ids.clone()))
                .order_by_asc(coa_markers::Column::Id)
                .all(&self.db)
                .await?
        };
        let mut markers = group(&ids, markers.into_iter().map(|m| (m.certificate_id, m)));
        Ok(group(
            keys,
            certificates.into_iter().map(|c| {
                let own = markers.remove(&c.id).unwrap_or_default();
                (CertificatesOf(c.clinic_id), (c, own))
            }),
        ))
    }
}

impl Loader<PackagesOf> for CatalogueLoader {
    type Value = Vec<treatment_packages::Model>;
    type Error = ServiceError;

    async fn load(&self, keys: &[PackagesOf]) -> Result<HashMap<PackagesOf, Self::Value>, Self::Error> {
        let rows = treatment_packages::Entity::find()
            .filter(treatment_packages::Column::ClinicId.is_in(keys.iter().map(|k| k.0)))
            .filter(treatment_packages::Column::Active.eq(true))
            .order_by_asc(treatment_packages::Column::PriceUsdMinor)
            .order_by_asc(treatment_packages::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(keys, rows.into_iter().map(|r| (PackagesOf(r.clinic_id), r))))
    }
}

impl Loader<TreatmentById> for CatalogueLoader {
    type Value = treatments::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[TreatmentById]) -> Result<HashMap<TreatmentById, Self::Value>, Self::Error> {
        let rows = treatments::Entity::find()
            .filter(treatments::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (TreatmentById(r.id), r)).collect())
    }
}
