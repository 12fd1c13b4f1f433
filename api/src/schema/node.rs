//! Relay object identification: `node(id)` and `nodes(ids)` for every type with an ID.

use std::collections::HashMap;

use async_graphql::{Context, ID, Interface, Object, Result};

use crate::admin::partners as admin_partners;
use crate::admin::types::{ApiClient, AuditRecord, Partner};
use crate::auth::caller::{Caller, caller};
use crate::auth::role::Scope;
use crate::catalogue::clinic::Clinic;
use crate::catalogue::service::{self, RecordIds};
use crate::catalogue::types::{Accreditation, CertificateOfAnalysis, Doctor, Treatment, TreatmentPackage};
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::{Kind, decode};
use crate::quotes::health::access as health_access;
use crate::quotes::health::types::PatientDataAccess;
use crate::quotes::read;
use crate::quotes::scope::Tenancy;
use crate::quotes::types::Quote;
use crate::state::AppState;
use crate::webhooks::scope::Owner;
use crate::webhooks::types::{WebhookDelivery, WebhookEndpoint};
use crate::webhooks::{deliveries, endpoints};

/// An object reachable by its opaque global ID.
// Built once per resolved ID and handed straight to async-graphql: boxing the larger variants
// would add an allocation per node and save nothing that lives long.
#[allow(clippy::large_enum_variant)]
#[derive(Interface, Clone)]
#[graphql(field(
    name = "id",
    ty = "&ID",
    desc = "Opaque global ID: pass it to `node` or `nodes` to read the object again."
))]
pub enum Node {
    Treatment(Treatment),
    Clinic(Clinic),
    Doctor(Doctor),
    Accreditation(Accreditation),
    CertificateOfAnalysis(CertificateOfAnalysis),
    TreatmentPackage(TreatmentPackage),
    Quote(Quote),
    AuditRecord(AuditRecord),
    Partner(Partner),
    ApiClient(ApiClient),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    PatientDataAccess(PatientDataAccess),
}

/// The most IDs one `nodes` call may ask for.
const MAX_NODES: usize = 100;

/// Resolves global IDs in a constant number of statements: each kind's rows in one read.
/// The answer keeps the order of `ids`, with `None` for each one not visible to the caller.
async fn resolve(state: &AppState, caller: &Caller, ids: &[ID]) -> ServiceResult<Vec<Option<Node>>> {
    let mut decoded = Vec::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let Some((kind, row)) = decode(id) else {
            let field = if ids.len() == 1 { "id".to_owned() } else { index.to_string() };
            return Err(ServiceError::BadInput {
                field: vec![field],
                message: format!("\"{}\" is not a valid ID", id.0),
            });
        };
        // Each kind needs the scope its own root field needs: a quote without `quotes:read`
        // is not visible (as though it did not exist); the catalogue without
        // `catalogue:read` is forbidden outright, as `clinic` would be.
        let administered =
            matches!(kind, Kind::AuditRecord | Kind::Partner | Kind::ApiClient | Kind::PatientDataAccess);
        let hooked = matches!(kind, Kind::WebhookEndpoint | Kind::WebhookDelivery);
        if kind != Kind::Quote && !administered && !hooked && !caller.has_scope(Scope::CatalogueRead) {
            return Err(ServiceError::Forbidden("this needs a token with the catalogue:read scope".into()));
        }
        decoded.push((kind, row));
    }
    let rows_of = |wanted: Kind| -> Vec<i32> {
        decoded.iter().filter(|(kind, _)| *kind == wanted).map(|(_, row)| *row).collect()
    };
    let wanted = RecordIds {
        treatments: rows_of(Kind::Treatment),
        clinics: rows_of(Kind::Clinic),
        doctors: rows_of(Kind::Doctor),
        accreditations: rows_of(Kind::Accreditation),
        certificates: rows_of(Kind::CertificateOfAnalysis),
        packages: rows_of(Kind::TreatmentPackage),
    };
    let quote_rows = if caller.has_scope(Scope::QuotesRead) { rows_of(Kind::Quote) } else { Vec::new() };
    // Partners, clients and the audit log are staff's: invisible to anyone else.
    let admin = caller.has_scope(Scope::Admin);
    let admin_rows = |kind: Kind| if admin { rows_of(kind) } else { Vec::new() };
    let (partner_rows, client_rows, audit_rows) =
        (admin_rows(Kind::Partner), admin_rows(Kind::ApiClient), admin_rows(Kind::AuditRecord));
    // Webhooks are visible within the caller's endpoint reach, with the scope their roots need.
    let (endpoint_rows, delivery_rows) = (rows_of(Kind::WebhookEndpoint), rows_of(Kind::WebhookDelivery));
    let owner = if caller.has_scope(Scope::QuotesRead) { Owner::of(caller) } else { Owner::Nothing };
    let access_rows = admin_rows(Kind::PatientDataAccess);
    let (records, quotes, (partners, clients, audits), hooks, sent, reads) = futures::try_join!(
        service::records(&state.db, &wanted),
        read::by_rows(&state.db, Tenancy::of(caller), &quote_rows),
        admin_partners::by_ids(&state.db, &partner_rows, &client_rows, &audit_rows),
        endpoints::by_rows(&state.db, owner, &endpoint_rows),
        deliveries::by_rows(&state.db, owner, &delivery_rows),
        health_access::by_rows(&state.db, &access_rows),
    )?;
    let today = state.clock.now().date_naive();
    let mut found: HashMap<(Kind, i32), Node> = HashMap::new();
    for t in records.treatments {
        found.insert((Kind::Treatment, t.id), Node::Treatment((&t).into()));
    }
    for c in records.clinics {
        found.insert((Kind::Clinic, c.id), Node::Clinic(c.into()));
    }
    for d in records.doctors {
        found.insert((Kind::Doctor, d.id), Node::Doctor((&d).into()));
    }
    for a in records.accreditations {
        found.insert((Kind::Accreditation, a.id), Node::Accreditation(Accreditation::from_row(&a, today)?));
    }
    for (c, markers) in records.certificates {
        let key = (Kind::CertificateOfAnalysis, c.id);
        found.insert(key, Node::CertificateOfAnalysis(CertificateOfAnalysis::from_rows(&c, &markers)?));
    }
    for p in records.packages {
        found.insert((Kind::TreatmentPackage, p.id), Node::TreatmentPackage(TreatmentPackage::from_row(&p)?));
    }
    for q in quotes {
        found.insert((Kind::Quote, q.id), Node::Quote(q.into()));
    }
    for p in partners {
        found.insert((Kind::Partner, p.id), Node::Partner(Partner::from_row(p)?));
    }
    for c in clients {
        found.insert((Kind::ApiClient, c.id), Node::ApiClient(ApiClient::from_row(c)?));
    }
    for a in audits {
        found.insert((Kind::AuditRecord, a.id), Node::AuditRecord(AuditRecord::from_row(a)?));
    }
    for e in hooks {
        found.insert((Kind::WebhookEndpoint, e.id), Node::WebhookEndpoint(e.into()));
    }
    for d in sent {
        found.insert((Kind::WebhookDelivery, d.id), Node::WebhookDelivery(d.into()));
    }
    for r in reads {
        found.insert((Kind::PatientDataAccess, r.id), Node::PatientDataAccess(PatientDataAccess::from_row(r)?));
    }
    // The same ID asked for twice is answered twice.
    Ok(decoded.iter().map(|key| found.get(key).cloned()).collect())
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global ID, or null when none is visible to the caller. Catalogue
    /// IDs need the `catalogue:read` scope; a quote is visible with `quotes:read`, within
    /// the caller's tenancy.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID, as an object's `id` gave it; a malformed one is BAD_USER_INPUT.")] id: ID,
    ) -> Result<Option<Node>> {
        let state = ctx.data::<AppState>()?;
        Ok(resolve(state, caller(ctx)?, std::slice::from_ref(&id)).await?.pop().flatten())
    }

    /// The objects with these global IDs (at most 100), in the same order; null for each one
    /// not visible. Read in one batch per kind of object, however many IDs are given.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Up to 100 global IDs; the same ID may appear more than once. A malformed one is BAD_USER_INPUT."
        )]
        ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ServiceError::bad_input(&["ids"], format!("at most {MAX_NODES} IDs per call")).into());
        }
        let state = ctx.data::<AppState>()?;
        Ok(resolve(state, caller(ctx)?, &ids).await?)
    }
}
