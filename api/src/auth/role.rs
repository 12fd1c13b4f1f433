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

/// What a token may be used for (its `scope` claim). Every operation requires one, checked
/// by [`ScopeGuard`](super::caller::ScopeGuard).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The published catalogue: clinics, treatments, cost comparison, `node` on catalogue IDs.
    CatalogueRead,
    /// `checkEligibility`.
    EligibilityCheck,
    /// Reading quotes and their events (`quote`, `quotes`, `quoteEvents`, `node` on a quote).
    QuotesRead,
    /// Submitting quotes and answering offers.
    QuotesWrite,
    /// Reviewing, offering on and rejecting quotes.
    QuotesReview,
    /// A clinic's self-service on its own catalogue records (descriptive fields, doctors,
    /// packages, new evidence); ADMIN holds it too.
    CatalogueWrite,
    /// Catalogue administration and the internal dashboards.
    Admin,
}

impl Scope {
    /// The scope's name in tokens and in `viewer.scopes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogueRead => "catalogue:read",
            Scope::EligibilityCheck => "eligibility:check",
            Scope::QuotesRead => "quotes:read",
            Scope::QuotesWrite => "quotes:write",
            Scope::QuotesReview => "quotes:review",
            Scope::CatalogueWrite => "catalogue:write",
            Scope::Admin => "admin",
        }
    }
}

impl Role {
    /// Every scope this role may hold; a token gets these unless it asks for fewer.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Role::Partner => &["catalogue:read", "eligibility:check"],
            Role::Agent => &["catalogue:read", "eligibility:check", "quotes:read", "quotes:write"],
            Role::Clinic => &["catalogue:read", "quotes:read", "quotes:review", "catalogue:write"],
            Role::Admin => &[
                "catalogue:read",
                "eligibility:check",
                "quotes:read",
                "quotes:write",
                "quotes:review",
                "catalogue:write",
                "admin",
            ],
        }
    }
}
