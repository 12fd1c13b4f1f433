//! The closed vocabularies of the domain, as stored in text columns and enforced by CHECK
//! constraints. They mirror the GraphQL enums of the partner contract one to one.

pub const CELL_SOURCES: [&str; 3] = ["UMBILICAL_CORD_MSC", "ADIPOSE_MSC", "BONE_MARROW_MSC"];
pub const ACCREDITATION_BODIES: [&str; 9] =
    ["JCI", "COFEPRIS", "NATIONAL_HEALTH_AUTHORITY", "ISO_9001", "AABB", "FACT", "TEMOS", "MTQUA", "OTHER"];
/// EXPIRED is derived from `expires_on` at read time and therefore never stored.
pub const STORED_VERIFICATION: [&str; 3] = ["UNVERIFIED", "VERIFIED", "REJECTED"];
pub const TEST_OUTCOMES: [&str; 3] = ["PASS", "FAIL", "NOT_TESTED"];
pub const ROLES: [&str; 4] = ["PARTNER", "AGENT", "CLINIC", "ADMIN"];
pub const QUOTE_STATUSES: [&str; 8] =
    ["SUBMITTED", "IN_REVIEW", "OFFERED", "ACCEPTED", "DECLINED", "REJECTED", "WITHDRAWN", "EXPIRED"];
pub const ELIGIBILITY_OUTCOMES: [&str; 3] = ["LIKELY_CANDIDATE", "NEEDS_REVIEW", "NOT_A_CANDIDATE"];
