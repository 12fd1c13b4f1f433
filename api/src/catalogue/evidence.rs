//! A clinic's evidence — doctors, accreditations, certificates, packages — gathered through
//! the request's batch loader (reads) or plain queries on a writer's transaction (roll-ups),
//! and the safety checklist computed from it.

use std::collections::HashMap;

use async_graphql::dataloader::DataLoader;
use chrono::NaiveDate;
use entity::{accreditations, doctors, treatment_packages};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::loaders::{
    AccreditationsOf, CatalogueLoader, CertificateWithMarkers, CertificatesOf, DoctorsOf, PackagesOf, Rows, group,
};
use super::rules::{self, Checklist, ClinicEvidence};
use super::{certificate_rows, package_rows};
use crate::error::ServiceResult;

/// Everything the checklist looks at for one clinic.
#[derive(Default)]
pub struct Evidence {
    pub doctors: Rows<doctors::Model>,
    pub accreditations: Rows<accreditations::Model>,
    pub certificates: Rows<CertificateWithMarkers>,
    pub packages: Rows<treatment_packages::Model>,
}

impl Evidence {
    /// Loads one clinic's evidence through the request's loader (batched with its siblings).
    pub async fn load(loader: &DataLoader<CatalogueLoader>, clinic_id: i32) -> ServiceResult<Self> {
        let (doctors, accreditations, certificates, packages) = futures::try_join!(
            loader.load_one(DoctorsOf(clinic_id)),
            loader.load_one(AccreditationsOf(clinic_id)),
            loader.load_one(CertificatesOf(clinic_id)),
            loader.load_one(PackagesOf(clinic_id)),
        )?;
        Ok(Self {
            doctors: doctors.unwrap_or_default(),
            accreditations: accreditations.unwrap_or_default(),
            certificates: certificates.unwrap_or_default(),
            packages: packages.unwrap_or_default(),
        })
    }

    /// The checklist of the clinic called `name`, described by `description`, as of `today`.
    pub fn checklist(&self, name: &str, description: &str, today: NaiveDate) -> Checklist {
        let mut texts: Vec<&str> = vec![name, description];
        for package in self.packages.iter() {
            texts.push(&package.name);
            if let Some(inclusions) = package.inclusions.as_array() {
                texts.extend(inclusions.iter().filter_map(|i| i.as_str()));
            }
        }
        rules::checklist(
            &ClinicEvidence {
                texts,
                doctors: &self.doctors,
                accreditations: &self.accreditations,
                certificates: &self.certificates,
                packages: &self.packages,
            },
            today,
        )
    }
}

/// Reads the evidence of many clinics with plain queries on `conn` — a writer's own
/// transaction, so what it has just written (and not yet committed) is what is judged. One
/// statement per relation, however many clinics.
pub async fn read_many(conn: &impl ConnectionTrait, ids: &[i32]) -> ServiceResult<HashMap<i32, Evidence>> {
    let doctors = doctors::Entity::find()
        .filter(doctors::Column::ClinicId.is_in(ids.iter().copied()))
        .order_by_asc(doctors::Column::Id)
        .all(conn)
        .await?;
    let accreditations = accreditations::Entity::find()
        .filter(accreditations::Column::ClinicId.is_in(ids.iter().copied()))
        .order_by_asc(accreditations::Column::Id)
        .all(conn)
        .await?;
    let certificates = certificate_rows::of_clinics(conn, ids).await?;
    let packages = package_rows::active_of_clinics(conn, ids).await?;
    let mut doctors = group(ids, doctors.into_iter().map(|r| (r.clinic_id, r)));
    let mut accreditations = group(ids, accreditations.into_iter().map(|r| (r.clinic_id, r)));
    let mut certificates = group(ids, certificates.into_iter().map(|c| (c.0.clinic_id, c)));
    let mut packages: HashMap<i32, Vec<treatment_packages::Model>> = packages.into_iter().collect();
    Ok(ids
        .iter()
        .map(|id| {
            let evidence = Evidence {
                doctors: doctors.remove(id).unwrap_or_default(),
                accreditations: accreditations.remove(id).unwrap_or_default(),
                certificates: certificates.remove(id).unwrap_or_default(),
                packages: packages.remove(id).unwrap_or_default().into(),
            };
            (*id, evidence)
        })
        .collect())
}
