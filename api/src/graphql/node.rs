//! Relay object identification: `node(id)` and `nodes(ids)` for every type with an ID.

use async_graphql::{Context, ID, Interface, Object, Result};

use crate::auth::caller::{Caller, caller};
use crate::catalogue::clinic::Clinic;
use crate::catalogue::service;
use crate::catalogue::types::{Accreditation, CertificateOfAnalysis, Doctor, Treatment, TreatmentPackage, today};
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::{Kind, decode};
use crate::quotes::read;
use crate::quotes::scope::Tenancy;
use crate::quotes::types::Quote;
use crate::state::AppState;

/// An object reachable by its opaque global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub enum Node {
    Treatment(Treatment),
    Clinic(Clinic),
    Doctor(Doctor),
    Accreditation(Accreditation),
    CertificateOfAnalysis(CertificateOfAnalysis),
    TreatmentPackage(TreatmentPackage),
    Quote(Quote),
}

/// The most IDs one `nodes` call may ask for.
const MAX_NODES: usize = 100;

async fn resolve(state: &AppState, caller: &Caller, id: &str) -> ServiceResult<Option<Node>> {
    let Some((kind, row)) = decode(id) else {
        return Err(ServiceError::bad_input(&["id"], format!("\"{id}\" is not a valid ID")));
    };
    let db = &state.db;
    Ok(match kind {
        Kind::Treatment => service::treatment_by_id(db, row).await?.map(|t| Node::Treatment(t.into())),
        Kind::Clinic => service::clinic_by_id(db, row).await?.map(|c| Node::Clinic(c.into())),
        Kind::Doctor => service::doctor_by_id(db, row).await?.map(|d| Node::Doctor(d.into())),
        Kind::Accreditation => match service::accreditation_by_id(db, row).await? {
            Some(a) => Some(Node::Accreditation(Accreditation::from_row(a, today())?)),
            None => None,
        },
        Kind::CertificateOfAnalysis => match service::certificate_by_id(db, row).await? {
            Some(c) => {
                let markers = service::markers_of(db, c.id).await?;
                Some(Node::CertificateOfAnalysis(CertificateOfAnalysis::from_rows(c, markers)?))
            }
            None => None,
        },
        Kind::TreatmentPackage => match service::package_by_id(db, row).await? {
            Some(p) => Some(Node::TreatmentPackage(TreatmentPackage::from_row(p)?)),
            None => None,
        },
        Kind::Quote => read::by_row(db, Tenancy::of(caller), row).await?.map(|q| Node::Quote(q.into())),
    })
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global ID, or null when none is visible to the caller.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let state = ctx.data::<AppState>()?;
        Ok(resolve(state, caller(ctx)?, &id).await?)
    }

    /// The objects with these global IDs, in the same order; null for each one not visible.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(ServiceError::bad_input(&["ids"], format!("at most {MAX_NODES} IDs per call")).into());
        }
        let state = ctx.data::<AppState>()?;
        let caller = caller(ctx)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(resolve(state, caller, id).await?);
        }
        Ok(out)
    }
}
