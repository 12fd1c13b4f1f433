//! The administration's GraphQL output types: mutation payloads (the record and the user
//! errors, Shopify-style), audit records, partners and API clients, converted explicitly from
//! rows so that a secret hash can never reach the schema.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Json, Result, SimpleObject};
use entity::{api_clients, audit_records, partners};

use super::loaders::{AdminLoader, ClientsOf, PartnerById};
use super::partners::PartnerStatus;
use crate::auth::revocation::PARTNER_ACTIVE;
use crate::auth::role::Role;
use crate::catalogue::clinic::Clinic;
use crate::catalogue::types::{Accreditation, CertificateOfAnalysis, Doctor, Treatment, TreatmentPackage};
use crate::error::ServiceError;
use crate::graphql::ids::{Kind, encode};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::DateTime;
use crate::quotes::loaders::{ClinicOf, QuoteLoader};
use crate::quotes::outcome;
use crate::quotes::types::UserError;

/// The payload's user errors.
pub fn user_errors(errors: Vec<outcome::UserError>) -> Vec<UserError> {
    errors.into_iter().map(|e| UserError { field: e.field, message: e.message, code: e.code }).collect()
}

/// The result of a clinic mutation.
#[derive(SimpleObject)]
pub struct ClinicPayload {
    /// The clinic as it now stands; null when nothing was done.
    pub clinic: Option<Clinic>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of a doctor mutation.
#[derive(SimpleObject)]
pub struct DoctorPayload {
    /// The doctor as it now stands (a removed doctor as it last stood); null when nothing was done.
    pub doctor: Option<Doctor>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of an accreditation mutation.
#[derive(SimpleObject)]
pub struct AccreditationPayload {
    /// The accreditation as it now stands; null when nothing was done.
    pub accreditation: Option<Accreditation>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of a certificate-of-analysis mutation.
#[derive(SimpleObject)]
pub struct CertificateOfAnalysisPayload {
    /// The certificate as it now stands; null when nothing was done.
    pub certificate_of_analysis: Option<CertificateOfAnalysis>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of a treatment-package mutation.
#[derive(SimpleObject)]
pub struct TreatmentPackagePayload {
    /// The package as it now stands; null when nothing was done.
    pub treatment_package: Option<TreatmentPackage>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of a treatment mutation.
#[derive(SimpleObject)]
pub struct TreatmentPayload {
    /// The treatment as it now stands; null when nothing was done.
    pub treatment: Option<Treatment>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of creating an API client: the only time its secret is shown.
#[derive(SimpleObject)]
pub struct ApiClientSecretPayload {
    /// The new client; null when nothing was done.
    pub client: Option<ApiClient>,
    /// The client's secret, shown here once; only its Argon2id hash is stored.
    pub client_secret: Option<String>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of an API-client mutation.
#[derive(SimpleObject)]
pub struct ApiClientPayload {
    /// The client as it now stands; null when nothing was done.
    pub client: Option<ApiClient>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// The result of a partner mutation.
#[derive(SimpleObject)]
pub struct PartnerPayload {
    /// The partner as it now stands; null when nothing was done.
    pub partner: Option<Partner>,
    /// Why nothing was done.
    pub user_errors: Vec<UserError>,
}

/// One recorded change: who did what to which record, with the record before and after.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditRecord {
    /// Opaque global ID.
    pub id: ID,
    /// When the change was made.
    pub at: DateTime,
    /// The acting client's id.
    pub actor: String,
    /// The acting client's role.
    pub actor_role: Role,
    /// e.g. "clinic.update", "accreditation.verify", "client.revoke".
    pub action: String,
    /// e.g. "Clinic".
    pub entity_type: String,
    /// The changed record's global ID.
    pub entity_id: ID,
    /// The record before the change; null for a creation.
    pub before: Option<Json<serde_json::Value>>,
    /// The record after the change; null for a removal.
    pub after: Option<Json<serde_json::Value>>,
    /// The reviewer's note or the reason given.
    pub note: Option<String>,
}

impl AuditRecord {
    /// Converts a row.
    pub fn from_row(r: audit_records::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            id: encode(Kind::AuditRecord, r.id),
            at: DateTime(r.at),
            actor_role: Role::from_stored(&r.actor_role)?,
            actor: r.actor,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: ID(r.entity_id),
            before: r.before.map(Json),
            after: r.after.map(Json),
            note: r.note,
        })
    }
}

/// A partner organisation: the tenant of its agents and partner clients.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Partner {
    /// Opaque global ID.
    pub id: ID,
    /// The partner's unique name.
    pub name: String,
    /// SUSPENDED stops every client of the partner.
    pub status: PartnerStatus,
    /// When the partner was first seen.
    pub created_at: DateTime,
    #[graphql(skip)]
    pub row_id: i32,
}

impl Partner {
    /// Converts a row.
    pub fn from_row(p: partners::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            id: encode(Kind::Partner, p.id),
            status: PartnerStatus::from_stored(&p.status)?,
            name: p.name,
            created_at: DateTime(p.created_at),
            row_id: p.id,
        })
    }
}

#[ComplexObject]
impl Partner {
    /// The partner's clients, oldest first.
    async fn clients(&self, ctx: &Context<'_>) -> Result<Vec<ApiClient>> {
        let rows = ctx.data::<DataLoader<AdminLoader>>()?.load_one(ClientsOf(self.row_id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ApiClient::from_row).collect::<Result<_, _>>()?)
    }
}

/// An OAuth client of the API (never its secret).
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct ApiClient {
    /// Opaque global ID.
    pub id: ID,
    /// The OAuth client id.
    pub client_id: String,
    /// What kind of caller it is.
    pub role: Role,
    /// A note on who holds it.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime>,
    #[graphql(skip)]
    pub partner_id: Option<i32>,
    #[graphql(skip)]
    pub clinic_id: Option<i32>,
}

impl ApiClient {
    /// Converts a row.
    pub fn from_row(c: api_clients::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            id: encode(Kind::ApiClient, c.id),
            role: Role::from_stored(&c.role)?,
            client_id: c.client_id,
            label: c.label,
            created_at: DateTime(c.created_at),
            revoked_at: c.revoked_at.map(DateTime),
            partner_id: c.partner_id,
            clinic_id: c.clinic_id,
        })
    }
}

#[ComplexObject]
impl ApiClient {
    /// The partner of a PARTNER or AGENT client.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<Partner>> {
        let Some(id) = self.partner_id else { return Ok(None) };
        let row = ctx.data::<DataLoader<AdminLoader>>()?.load_one(PartnerById(id)).await?;
        Ok(row.map(Partner::from_row).transpose()?)
    }

    /// The clinic of a CLINIC client, whatever its status.
    async fn clinic(&self, ctx: &Context<'_>) -> Result<Option<Clinic>> {
        let Some(id) = self.clinic_id else { return Ok(None) };
        let row = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(ClinicOf(id)).await?;
        Ok(row.map(Clinic::from))
    }

    /// False once revoked, or while its partner is suspended.
    async fn active(&self, ctx: &Context<'_>) -> Result<bool> {
        if self.revoked_at.is_some() {
            return Ok(false);
        }
        let Some(id) = self.partner_id else { return Ok(true) };
        let row = ctx.data::<DataLoader<AdminLoader>>()?.load_one(PartnerById(id)).await?;
        Ok(row.is_none_or(|p| p.status == PARTNER_ACTIVE))
    }
}

macro_rules! connection {
    ($(#[$meta:meta])* $conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("An edge of the ", $what, " connection.")]
        #[derive(SimpleObject, Clone, Debug)]
        pub struct $edge {
            /// Where this edge is, for `after`.
            pub cursor: String,
            #[doc = concat!("The ", $what, ".")]
            pub node: $node,
        }

        $(#[$meta])*
        #[derive(SimpleObject, Clone, Debug)]
        #[graphql(complex)]
        pub struct $conn {
            /// This page's edges.
            pub edges: Vec<$edge>,
            /// Relay page information.
            pub page_info: PageInfo,
            #[graphql(skip)]
            pub total: Option<u64>,
        }

        #[ComplexObject]
        impl $conn {
            #[doc = concat!("How many ", $what, "s match, across all pages.")]
            async fn total_count(&self) -> i32 {
                self.total.map_or(0, |t| i32::try_from(t).unwrap_or(i32::MAX))
            }
        }

        impl $conn {
            /// A connection over a page whose edges are `edges`.
            pub fn new(edges: Vec<$edge>, next: bool, previous: bool, total: Option<u64>) -> Self {
                let cursors: Vec<&str> = edges.iter().map(|e| e.cursor.as_str()).collect();
                let page_info = PageInfo::new(next, previous, &cursors);
                Self { edges, page_info, total }
            }
        }
    };
}

connection!(
    /// A page of the audit log, newest first.
    AuditRecordConnection, AuditRecordEdge, AuditRecord, "audit record"
);
connection!(
    /// A page of partners.
    PartnerConnection, PartnerEdge, Partner, "partner"
);
connection!(
    /// A page of API clients.
    ApiClientConnection, ApiClientEdge, ApiClient, "API client"
);
