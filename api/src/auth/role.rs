//! Roles and the scopes each may be granted.

use crate::vocab::vocabulary;

vocabulary!(
    /// What kind of caller a client is (the JWT claim `role`).
    Role {
        /// A partner website's backend: reads the catalogue, runs eligibility pre-checks.
        Partner => "PARTNER",
        /// A facilitator at a partner: also submits and follows its partner's quotes.
        Agent => "AGENT",
        /// Staff of one clinic: reviews, offers on and rejects that clinic's quotes.
        Clinic => "CLINIC",
        /// Internal dashboards and staff: everything.
        Admin => "ADMIN",
    }
);

impl Role {
    /// Every scope this role may hold; a token gets these unless it asks for fewer.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Role::Partner => &["catalogue:read", "eligibility:check"],
            Role::Agent => &["catalogue:read", "eligibility:check", "quotes:read", "quotes:write"],
            Role::Clinic => &["catalogue:read", "quotes:read", "quotes:review"],
            Role::Admin => {
                &["catalogue:read", "eligibility:check", "quotes:read", "quotes:write", "quotes:review", "admin"]
            }
        }
    }
}
