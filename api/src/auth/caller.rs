//! Who is calling: the verified identity every service receives, and the guard that checks
//! a caller's role before a resolver runs.

use async_graphql::{Context, Guard, Result};

use super::role::Role;
use crate::error::ServiceError;

/// The authenticated caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub client_id: String,
    pub role: Role,
    /// The partner an AGENT or PARTNER client belongs to.
    pub partner_id: Option<i32>,
    /// The clinic a CLINIC client belongs to.
    pub clinic_id: Option<i32>,
    pub scopes: Vec<String>,
}

impl Caller {
    /// True when the caller holds `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The caller of the current GraphQL request. The HTTP and websocket layers refuse
/// unauthenticated operations before execution, so its absence is a fault of ours.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Caller, ServiceError> {
    ctx.data_opt::<Caller>().ok_or(ServiceError::Unauthenticated)
}

/// Admits callers of the listed roles; everyone else gets FORBIDDEN.
pub struct RoleGuard(pub &'static [Role]);

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let caller = caller(ctx)?;
        if self.0.contains(&caller.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = self.0.iter().map(|r| r.as_str()).collect();
            Err(ServiceError::Forbidden(format!(
                "a {} client may not do this (allowed: {})",
                caller.role.as_str(),
                allowed.join(", ")
            ))
            .into())
        }
    }
}
