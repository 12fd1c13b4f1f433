//! Mutations that maintain the catalogue: treatments, clinics and their lifecycle, doctors,
//! evidence and its verification, and packages.

use async_graphql::{Context, ID, Object, Result};

use crate::admin::inputs::{
    AccreditationInput, CertificateOfAnalysisInput, ClinicInput, ClinicPatch, DoctorInput, DoctorPatch, TreatmentInput,
    TreatmentPackageInput,
};
use crate::admin::outcome::settle;
use crate::admin::types::*;
use crate::admin::{catalogue, evidence, records};
use crate::auth::caller::{ScopeGuard, caller};
use crate::auth::role::Scope;
use crate::catalogue::clinic::Clinic;
use crate::catalogue::types::{Accreditation, CertificateOfAnalysis, Doctor, Treatment, TreatmentPackage};
use crate::catalogue::vocab::{ClinicStatus, VerificationDecision};
use crate::graphql::ids::{Kind, named};
use crate::state::AppState;

use super::{today, versioned};

/// Catalogue administration mutations: ADMIN, and CLINIC on its own clinic where marked.
#[derive(Default)]
pub struct CatalogueAdminMutation;

#[Object]
impl CatalogueAdminMutation {
    /// ADMIN: adds a treatment.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_treatment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The treatment.")] input: TreatmentInput,
    ) -> Result<TreatmentPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(catalogue::create_treatment(state, caller(ctx)?, input.into()).await)?;
        Ok(TreatmentPayload { treatment: row.as_ref().map(Treatment::from), user_errors: user_errors(errors) })
    }

    /// ADMIN: rewrites a treatment.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn update_treatment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The treatment's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The treatment's new fields.")] input: TreatmentInput,
    ) -> Result<TreatmentPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Treatment, &id, version);
        let (row, errors) = settle(catalogue::update_treatment(state, caller(ctx)?, target, input.into()).await)?;
        Ok(TreatmentPayload { treatment: row.as_ref().map(Treatment::from), user_errors: user_errors(errors) })
    }

    /// ADMIN: adds a clinic, as a DRAFT.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic.")] input: ClinicInput,
    ) -> Result<ClinicPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(catalogue::create_clinic(state, caller(ctx)?, input.into()).await)?;
        Ok(ClinicPayload { clinic: row.map(Clinic::from), user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: changes descriptive fields.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn update_clinic(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The fields to change.")] patch: ClinicPatch,
    ) -> Result<ClinicPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Clinic, &id, version);
        let (row, errors) = settle(catalogue::update_clinic(state, caller(ctx)?, target, patch.into()).await)?;
        Ok(ClinicPayload { clinic: row.map(Clinic::from), user_errors: user_errors(errors) })
    }

    /// ADMIN: moves a clinic along its lifecycle (DRAFT → PUBLISHED → SUSPENDED ⇄ PUBLISHED,
    /// any → ARCHIVED).
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn set_clinic_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The status to move to.")] status: ClinicStatus,
        #[graphql(desc = "Why, for the audit log.")] reason: Option<String>,
    ) -> Result<ClinicPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Clinic, &id, version);
        let (row, errors) = settle(catalogue::set_clinic_status(state, caller(ctx)?, target, status, reason).await)?;
        Ok(ClinicPayload { clinic: row.map(Clinic::from), user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: adds a doctor.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn create_doctor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] clinic_id: ID,
        #[graphql(desc = "The doctor.")] input: DoctorInput,
    ) -> Result<DoctorPayload> {
        let state = ctx.data::<AppState>()?;
        let clinic = named(Kind::Clinic, &clinic_id);
        let (row, errors) = settle(records::create_doctor(state, caller(ctx)?, clinic, input.into()).await)?;
        Ok(DoctorPayload { doctor: row.as_ref().map(Doctor::from), user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: changes a doctor.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn update_doctor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The doctor's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The fields to change.")] patch: DoctorPatch,
    ) -> Result<DoctorPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Doctor, &id, version);
        let (row, errors) = settle(records::update_doctor(state, caller(ctx)?, target, patch.into()).await)?;
        Ok(DoctorPayload { doctor: row.as_ref().map(Doctor::from), user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: removes a doctor (the audit log keeps its last state).
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn remove_doctor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The doctor's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
    ) -> Result<DoctorPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Doctor, &id, version);
        let (row, errors) = settle(records::remove_doctor(state, caller(ctx)?, target).await)?;
        Ok(DoctorPayload { doctor: row.as_ref().map(Doctor::from), user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: adds an accreditation, UNVERIFIED.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn create_accreditation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] clinic_id: ID,
        #[graphql(desc = "The accreditation.")] input: AccreditationInput,
    ) -> Result<AccreditationPayload> {
        let state = ctx.data::<AppState>()?;
        let clinic = named(Kind::Clinic, &clinic_id);
        let (row, errors) = settle(evidence::create_accreditation(state, caller(ctx)?, clinic, input.into()).await)?;
        let today = today(ctx)?;
        let accreditation = row.as_ref().map(|a| Accreditation::from_row(a, today)).transpose()?;
        Ok(AccreditationPayload { accreditation, user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: rewrites an accreditation; any changed value puts
    /// it back to UNVERIFIED.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn update_accreditation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The accreditation's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The accreditation's fields.")] input: AccreditationInput,
    ) -> Result<AccreditationPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Accreditation, &id, version);
        let (row, errors) = settle(evidence::update_accreditation(state, caller(ctx)?, target, input.into()).await)?;
        let today = today(ctx)?;
        let accreditation = row.as_ref().map(|a| Accreditation::from_row(a, today)).transpose()?;
        Ok(AccreditationPayload { accreditation, user_errors: user_errors(errors) })
    }

    /// ADMIN: verifies or rejects an accreditation.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn verify_accreditation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The accreditation's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The verdict.")] decision: VerificationDecision,
        #[graphql(desc = "The reviewer's note, for the audit log.")] note: Option<String>,
    ) -> Result<AccreditationPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::Accreditation, &id, version);
        let (row, errors) = settle(evidence::verify_accreditation(state, caller(ctx)?, target, decision, note).await)?;
        let today = today(ctx)?;
        let accreditation = row.as_ref().map(|a| Accreditation::from_row(a, today)).transpose()?;
        Ok(AccreditationPayload { accreditation, user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: adds a certificate of analysis, UNVERIFIED.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn create_certificate_of_analysis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] clinic_id: ID,
        #[graphql(desc = "The certificate and its markers.")] input: CertificateOfAnalysisInput,
    ) -> Result<CertificateOfAnalysisPayload> {
        let state = ctx.data::<AppState>()?;
        let clinic = named(Kind::Clinic, &clinic_id);
        let (row, errors) = settle(evidence::create_certificate(state, caller(ctx)?, clinic, input.into()).await)?;
        let certificate_of_analysis = row.as_ref().map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).transpose()?;
        Ok(CertificateOfAnalysisPayload { certificate_of_analysis, user_errors: user_errors(errors) })
    }

    /// ADMIN: verifies or rejects a certificate of analysis.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn verify_certificate_of_analysis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The certificate's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The verdict.")] decision: VerificationDecision,
        #[graphql(desc = "The reviewer's note, for the audit log.")] note: Option<String>,
    ) -> Result<CertificateOfAnalysisPayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::CertificateOfAnalysis, &id, version);
        let (row, errors) = settle(evidence::verify_certificate(state, caller(ctx)?, target, decision, note).await)?;
        let certificate_of_analysis = row.as_ref().map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).transpose()?;
        Ok(CertificateOfAnalysisPayload { certificate_of_analysis, user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: adds an active package.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn create_treatment_package(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The clinic's ID.")] clinic_id: ID,
        #[graphql(desc = "The package.")] input: TreatmentPackageInput,
    ) -> Result<TreatmentPackagePayload> {
        let state = ctx.data::<AppState>()?;
        let clinic = named(Kind::Clinic, &clinic_id);
        let (row, errors) = settle(records::create_package(state, caller(ctx)?, clinic, input.into()).await)?;
        let treatment_package = row.as_ref().map(TreatmentPackage::from_row).transpose()?;
        Ok(TreatmentPackagePayload { treatment_package, user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: rewrites a package.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn update_treatment_package(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The package's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
        #[graphql(desc = "The package's fields.")] input: TreatmentPackageInput,
    ) -> Result<TreatmentPackagePayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::TreatmentPackage, &id, version);
        let (row, errors) = settle(records::update_package(state, caller(ctx)?, target, input.into()).await)?;
        let treatment_package = row.as_ref().map(TreatmentPackage::from_row).transpose()?;
        Ok(TreatmentPackagePayload { treatment_package, user_errors: user_errors(errors) })
    }

    /// ADMIN, or CLINIC for its own clinic: archives a package; quotes naming it keep it.
    #[graphql(guard = "ScopeGuard(Scope::CatalogueWrite)")]
    async fn archive_treatment_package(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The package's ID.")] id: ID,
        #[graphql(desc = "The version read; a stale one is a CONFLICT.")] version: i32,
    ) -> Result<TreatmentPackagePayload> {
        let state = ctx.data::<AppState>()?;
        let target = versioned(Kind::TreatmentPackage, &id, version);
        let (row, errors) = settle(records::archive_package(state, caller(ctx)?, target).await)?;
        let treatment_package = row.as_ref().map(TreatmentPackage::from_row).transpose()?;
        Ok(TreatmentPackagePayload { treatment_package, user_errors: user_errors(errors) })
    }
}
