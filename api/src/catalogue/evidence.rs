//! A clinic's evidence — doctors, accreditations, certificates, packages — gathered through
//! the request's batch loader, and the safety checklist computed from it.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use entity::{accreditations, doctors, treatment_packages};

use super::loaders::{
    AccreditationsOf, CatalogueLoader, CertificateWithMarkers, CertificatesOf, DoctorsOf, PackagesOf,
};
use super::rules::{self, Checklist, ClinicEvidence};
use crate::error::{ServiceError, ServiceResult};

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

/// Loads the evidence of many clinics at once, outside a GraphQL request.
pub async fn load_many(loader: &CatalogueLoader, ids: &[i32]) -> Result<HashMap<i32, Evidence>, ServiceError> {
    let mut doctors = loader.load(&ids.iter().map(|i| DoctorsOf(*i)).collect::<Vec<_>>()).await?;
    let mut accreditations = loader.load(&ids.iter().map(|i| AccreditationsOf(*i)).collect::<Vec<_>>()).await?;
    let mut certificates = loader.load(&ids.iter().map(|i| CertificatesOf(*i)).collect::<Vec<_>>()).await?;
    let mut packages = loader.load(&ids.iter().map(|i| PackagesOf(*i)).collect::<Vec<_>>()).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let evidence = Evidence {
                doctors: doctors.remove(&DoctorsOf(*id)).unwrap_or_default(),
                accreditations: accreditations.remove(&AccreditationsOf(*id)).unwrap_or_default(),
                certificates: certificates.remove(&CertificatesOf(*id)).unwrap_or_default(),
                packages: packages.remove(&PackagesOf(*id)).unwrap_or_default(),
            };
            (*id, evidence)
        })
        .collect())
}
