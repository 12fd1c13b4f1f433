//! `checkEligibility`: the pre-screening rule run for a patient who is not (yet) a quote.

use sea_orm::DatabaseConnection;

use super::eligibility::{self, Eligibility, Screening};
use super::request::PatientProfile;
use super::validate;
use crate::catalogue::filter::treatment_by_slug;
use crate::error::{ServiceError, ServiceResult};

/// Screens `patient` for the treatment with slug `treatment`: an unknown treatment or an
/// invalid profile is bad input on its argument.
pub async fn check(db: &DatabaseConnection, treatment: &str, patient: &PatientProfile) -> ServiceResult<Eligibility> {
    treatment_by_slug(db, treatment, &["treatment"]).await?;
    if let Some(problem) = validate::patient(patient, &["patient"]).into_iter().next() {
        return Err(ServiceError::BadInput { field: problem.field.unwrap_or_default(), message: problem.message });
    }
    Ok(eligibility::screen(&Screening {
        chronic_migraine_diagnosis: patient.chronic_migraine_diagnosis,
        headache_days_per_month: patient.headache_days_per_month,
        treatments_tried: &patient.treatments_tried,
        contraindications: &patient.contraindications,
    }))
}
