//! Who is calling: the verified identity every service receives, and the guard that checks
//! a caller's role before a resolver runs.

use async_graphql::{Context, Guard, Result};

use super::role::{Role, Scope};
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
    /// True when the caller's token carries `scope`. A token only ever carries scopes its
    /// role may hold, so a scope also stands for the roles allowed it.
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|s| s == scope.as_str())
    }
}

/// The caller of the current GraphQL request. The HTTP and websocket layers refuse
/// unauthenticated operations before execution, so its absence is a fault of ours.
pub fn caller<'a>(ctx: &Context<'a>) -> Result<&'a Caller, ServiceError> {
    ctx.data_opt::<Caller>().ok_or(ServiceError::Unauthenticated)
}

/// Admits callers whose token carries the scope; everyone else gets FORBIDDEN. This is where
/// every scope is enforced: each root field names the scope it needs.
pub struct ScopeGuard(pub Scope);

impl Guard for ScopeGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        if caller(ctx)?.has_scope(self.0) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!("this needs a token with the {} scope", self.0.as_str())).into())
        }
    }
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
