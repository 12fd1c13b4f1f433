//! The access log's GraphQL types, converted explicitly from rows.

use async_graphql::{ComplexObject, Context, ID, InputObject, Result, SimpleObject};
use entity::patient_data_access;

use crate::auth::role::Role;
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::{Kind, encode};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::DateTime;
use crate::quotes::types::Quote;
use crate::state::AppState;

/// One read of a quote's patient data (profile or eligibility), recorded before the data was
/// returned.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct PatientDataAccess {
    /// Opaque global ID.
    pub id: ID,
    /// When the data was read.
    pub at: DateTime,
    /// The reading client's id.
    pub actor: String,
    /// The reading client's role.
    pub actor_role: Role,
    /// The GraphQL operation name, when given.
    pub operation: Option<String>,
    #[graphql(skip)]
    pub quote_id: i32,
}

#[ComplexObject]
impl PatientDataAccess {
    /// The quote whose patient data was read.
    async fn quote(&self, ctx: &Context<'_>) -> Result<Quote> {
        let state = ctx.data::<AppState>()?;
        let row = crate::quotes::read::by_row(&state.db, crate::quotes::scope::Tenancy::All, self.quote_id).await?;
        Ok(row.map(Quote::from).ok_or_else(|| ServiceError::NotFound("quote".into()))?)
    }
}

impl PatientDataAccess {
    /// Converts a row.
    pub fn from_row(r: patient_data_access::Model) -> ServiceResult<Self> {
        Ok(Self {
            id: encode(Kind::PatientDataAccess, r.id),
            at: DateTime(r.at),
            actor_role: Role::from_stored(&r.actor_role)?,
            actor: r.actor,
            operation: r.operation,
            quote_id: r.quote_id,
        })
    }
}

/// Narrows the access log; every given field must match (AND).
#[derive(InputObject, Clone, Debug, Default)]
pub struct PatientDataAccessFilter {
    /// Reads of this quote (`Quote.id`).
    pub quote_id: Option<ID>,
    /// Reads by this client id.
    pub actor: Option<String>,
    /// Reads strictly after this instant.
    pub after: Option<DateTime>,
    /// Reads strictly before this instant.
    pub before: Option<DateTime>,
}

/// An edge of the access log.
#[derive(SimpleObject, Clone, Debug)]
pub struct PatientDataAccessEdge {
    /// Where this edge is, for `after`.
    pub cursor: String,
    /// The read.
    pub node: PatientDataAccess,
}

/// A page of the access log, newest first.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct PatientDataAccessConnection {
    /// This page's edges.
    pub edges: Vec<PatientDataAccessEdge>,
    /// Relay page information.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Option<u64>,
}

#[ComplexObject]
impl PatientDataAccessConnection {
    /// How many reads match, across all pages.
    async fn total_count(&self) -> i32 {
        self.total.map_or(0, |t| i32::try_from(t).unwrap_or(i32::MAX))
    }
}
