//! A clinic's evidence — doctors, accreditations, certificates, packages — gathered through
//! the request's batch loader (reads) or plain queries on a writer's transaction (roll-ups),
//! and the safety checklist computed from it.

use std::collections::HashMap;

use async_graphql::dataloader::DataLoader;
use chrono::NaiveDate;
use entity::{accreditations, doctors, treatment_packages};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::loaders::{
    AccreditationsOf, CatalogueLoader, CertificateWithMarkers, CertificatesOf, DoctorsOf, PackagesOf,
};
use super::rules::{self, Checklist, ClinicEvidence};
use super::{certificate_rows, package_rows};
use crate::error::ServiceResult;

/// Everything the checklist looks at for one clinic.
#[derive(Default)]
pub struct Evidence {
    pub doctors: Vec<doctors::Model>,
    pub accreditations: Vec<accreditations::Model>,
    pub certificates: Vec<CertificateWithMarkers>,
    pub packages: Vec<treatment_packages::Model>,
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
        // The checklist is computed once per clinic shown; its own copy keeps `Evidence` one
        // type for the loader's reads and a writer's (`read_many`).
        Ok(Self {
            doctors: doctors.map(|rows| rows.to_vec()).unwrap_or_default(),
            accreditations: accreditations.map(|rows| rows.to_vec()).unwrap_or_default(),
            certificates: certificates.map(|rows| rows.to_vec()).unwrap_or_default(),
            packages: packages.map(|rows| rows.to_vec()).unwrap_or_default(),
        })
    }

    /// The checklist of the clinic called `name`, described by `description`, as of `today`.
    pub fn checklist(&self, name: &str, description: &str, today: NaiveDate) -> Checklist {
        let mut texts: Vec<&str> = vec![name, description];
        for package in &self.packages {
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
    let mut all: HashMap<i32, Evidence> = ids.iter().map(|id| (*id, Evidence::default())).collect();
    let doctors = doctors::Entity::find()
        .filter(doctors::Column::ClinicId.is_in(ids.iter().copied()))
        .order_by_asc(doctors::Column::Id)
        .all(conn)
        .await?;
    for row in doctors {
        all.entry(row.clinic_id).or_default().doctors.push(row);
    }
    let accreditations = accreditations::Entity::find()
        .filter(accreditations::Column::ClinicId.is_in(ids.iter().copied()))
        .order_by_asc(accreditations::Column::Id)
        .all(conn)
        .await?;
    for row in accreditations {
        all.entry(row.clinic_id).or_default().accreditations.push(row);
    }
    for (certificate, markers) in certificate_rows::of_clinics(conn, ids).await? {
        all.entry(certificate.clinic_id).or_default().certificates.push((certificate, markers));
    }
    for (clinic_id, packages) in package_rows::active_of_clinics(conn, ids).await? {
        all.entry(clinic_id).or_default().packages = packages;
    }
    Ok(all)
}
