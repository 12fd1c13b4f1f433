//! The administration's GraphQL roots: thin resolvers that decode IDs, convert inputs into
//! plain requests, call a service and shape its answer into a payload. Every root field
//! names the scope it needs: `admin` for staff-only fields, `catalogue:write` for those a
//! CLINIC client may use on its own clinic.

use async_graphql::{Context, ID, Object, Result};

use super::inputs::{
    AccreditationInput, ApiClientInput, AuditFilter, CertificateOfAnalysisInput, ClinicInput, ClinicPatch, DoctorInput,
    DoctorPatch, TreatmentInput, TreatmentPackageInput,
};
use super::outcome::settle;
use super::partners::PartnerStatus;
use super::request::Versioned;
use super::types::*;
use super::{audit, catalogue, evidence, partners, records};
use crate::auth::caller::{ScopeGuard, caller};
use crate::auth::role::{Role, Scope};
use crate::catalogue::clinic::{Clinic, ClinicConnection, ClinicEdge};
use crate::catalogue::types::{Accreditation, CertificateOfAnalysis, Doctor, Treatment, TreatmentPackage};
use crate::catalogue::vocab::{ClinicStatus, VerificationDecision};
use crate::graphql::ids::{Kind, named};
use crate::graphql::pagination::PageInfo;
use crate::state::AppState;

fn versioned(kind: Kind, id: &ID, version: i32) -> Versioned {
    Versioned { id: named(kind, id), version }
}

fn today(ctx: &Context<'_>) -> Result<chrono::NaiveDate> {
    Ok(ctx.data::<AppState>()?.clock.now().date_naive())
}

/// Administration queries (ADMIN).
#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// ADMIN: clinics of every status (or of `statuses`), oldest first, optionally matching
    /// `search` in name, city or description. `clinics` stays PUBLISHED-only for everyone.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn admin_clinics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Only clinics in these statuses.")] statuses: Option<Vec<ClinicStatus>>,
        #[graphql(desc = "Case-insensitive text in name, city or description.")] search: Option<String>,
    ) -> Result<ClinicConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) =
            catalogue::list_clinics(&state.db, statuses, search, (first, after.as_deref()), want_total).await?;
        let edges: Vec<ClinicEdge> = page
            .rows
            .into_iter()
            .map(|c| ClinicEdge { cursor: catalogue::clinic_cursor(&c), node: Clinic::from(c) })
            .collect();
        let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
        let page_info = PageInfo::new(page.has_next_page, page.has_previous_page, &cursors);
        Ok(ClinicConnection { edges, page_info, total })
    }

    /// ADMIN: the audit log, newest first.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Narrows the log; every given field must match.")] filter: Option<AuditFilter>,
    ) -> Result<AuditRecordConnection> {
        let state = ctx.data::<AppState>()?;
        let filter = filter.unwrap_or_default();
        let query = audit::AuditQuery {
            entity_id: filter.entity_id.map(|id| id.0),
            actor: filter.actor,
            actions: filter.actions,
            after: filter.after.map(|d| d.0),
            before: filter.before.map(|d| d.0),
        };
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = audit::list(&state.db, &query, first, after.as_deref(), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|r| Ok(AuditRecordEdge { cursor: audit::cursor(&r), node: AuditRecord::from_row(r)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(AuditRecordConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }

    /// ADMIN: partners, oldest first.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
    ) -> Result<PartnerConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) = partners::list_partners(&state.db, first, after.as_deref(), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|p| Ok(PartnerEdge { cursor: partners::partner_cursor(&p), node: Partner::from_row(p)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(PartnerConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }

    /// ADMIN: API clients, oldest first (never their secrets).
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn api_clients(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100; 20 when left out.")] first: Option<i32>,
        #[graphql(desc = "The cursor after which the page starts.")] after: Option<String>,
        #[graphql(desc = "Only clients of this role.")] role: Option<Role>,
        #[graphql(desc = "Only active (true) or inactive (false) clients.")] active: Option<bool>,
    ) -> Result<ApiClientConnection> {
        let state = ctx.data::<AppState>()?;
        let want_total = ctx.look_ahead().field("totalCount").exists();
        let (page, total) =
            partners::list_clients(&state.db, role, active, (first, after.as_deref()), want_total).await?;
        let edges = page
            .rows
            .into_iter()
            .map(|c| Ok(ApiClientEdge { cursor: partners::client_cursor(&c), node: ApiClient::from_row(c)? }))
            .collect::<Result<Vec<_>, crate::error::ServiceError>>()?;
        Ok(ApiClientConnection::new(edges, page.has_next_page, page.has_previous_page, total))
    }
}

/// Administration mutations.
#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// ADMIN: adds a treatment.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_treatment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The treatment.")] input: TreatmentInput,
    ) -> Result<TreatmentPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(catalogue::create_treatment(state, caller(ctx)?, input.into()).await)?;
        Ok(TreatmentPayload { treatment: row.map(Treatment::from), user_errors: user_errors(errors) })
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
        Ok(TreatmentPayload { treatment: row.map(Treatment::from), user_errors: user_errors(errors) })
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
        Ok(DoctorPayload { doctor: row.map(Doctor::from), user_errors: user_errors(errors) })
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
        Ok(DoctorPayload { doctor: row.map(Doctor::from), user_errors: user_errors(errors) })
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
        Ok(DoctorPayload { doctor: row.map(Doctor::from), user_errors: user_errors(errors) })
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
        let accreditation = row.map(|a| Accreditation::from_row(a, today)).transpose()?;
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
        let accreditation = row.map(|a| Accreditation::from_row(a, today)).transpose()?;
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
        let accreditation = row.map(|a| Accreditation::from_row(a, today)).transpose()?;
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
        let certificate_of_analysis = row.map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).transpose()?;
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
        let certificate_of_analysis = row.map(|(c, m)| CertificateOfAnalysis::from_rows(c, m)).transpose()?;
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
        let treatment_package = row.map(TreatmentPackage::from_row).transpose()?;
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
        let treatment_package = row.map(TreatmentPackage::from_row).transpose()?;
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
        let treatment_package = row.map(TreatmentPackage::from_row).transpose()?;
        Ok(TreatmentPackagePayload { treatment_package, user_errors: user_errors(errors) })
    }

    /// ADMIN: creates an API client; its secret is in this payload and nowhere else, ever.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client.")] input: ApiClientInput,
    ) -> Result<ApiClientSecretPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(partners::create_client(state, caller(ctx)?, input.into()).await)?;
        let (client, client_secret) = match row {
            Some((row, secret)) => (Some(ApiClient::from_row(row)?), Some(secret)),
            None => (None, None),
        };
        Ok(ApiClientSecretPayload { client, client_secret, user_errors: user_errors(errors) })
    }

    /// ADMIN: revokes an API client; its tokens stop working at once.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The client's global ID.")] id: ID,
    ) -> Result<ApiClientPayload> {
        let state = ctx.data::<AppState>()?;
        let (row, errors) = settle(partners::revoke_client(state, caller(ctx)?, named(Kind::ApiClient, &id)).await)?;
        Ok(ApiClientPayload { client: row.map(ApiClient::from_row).transpose()?, user_errors: user_errors(errors) })
    }

    /// ADMIN: suspends a partner (stopping every client of it) or makes it active again.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn set_partner_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The partner's ID.")] id: ID,
        #[graphql(desc = "The status to set.")] status: PartnerStatus,
        #[graphql(desc = "Why, for the audit log.")] reason: Option<String>,
    ) -> Result<PartnerPayload> {
        let state = ctx.data::<AppState>()?;
        let partner = named(Kind::Partner, &id);
        let (row, errors) = settle(partners::set_partner_status(state, caller(ctx)?, partner, status, reason).await)?;
        Ok(PartnerPayload { partner: row.map(Partner::from_row).transpose()?, user_errors: user_errors(errors) })
    }
}
