//! The one set of migrations that builds the Medtour schema on SQLite and PostgreSQL.
//!
//! Each migration is written with sea-query's builder, so the same code renders the right
//! DDL for either backend. Constraints are named (`ck_*`, `uq_*`) so that the API can turn a
//! violation into a precise field error instead of a generic failure.
#![forbid(unsafe_code)]

pub use sea_orm_migration::prelude::*;

mod builders;
mod m20261127_000001_catalogue;
mod m20261127_000002_clients;
mod m20261127_000003_quotes;
mod m20261127_000004_clinic_folded_texts;
mod m20261127_000005_administration;
mod m20261202_000101_webhooks;
mod m20261202_000301_health_data;
mod m20261202_000401_catalogue_version;
mod m20261202_000402_published_mirror;
mod m20261202_000501_dashboards;
mod m20261202_000502_response_seconds;
mod m20261202_000503_offer_range;
mod vocab;

/// The unique indexes the migrations name, as (name, table, columns): SQLite reports a
/// violation by its columns, and the API turns it back into the name.
pub const UNIQUE_INDEXES: &[(&str, &str, &[&str])] = &[
    ("uq_coa_markers_marker", "coa_markers", &["certificate_id", "marker"]),
    ("uq_accreditations_number", "accreditations", &["body", "certificate_number"]),
    ("uq_coa_clinic_lot", "certificates_of_analysis", &["clinic_id", "lot_number"]),
    ("uq_quotes_partner_idempotency", "quotes", &["partner_id", "idempotency_key"]),
];

/// The ordered list of migrations the `medtour migrate` command and the server apply.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_catalogue::Migration),
            Box::new(m20261127_000002_clients::Migration),
            Box::new(m20261127_000003_quotes::Migration),
            Box::new(m20261127_000004_clinic_folded_texts::Migration),
            Box::new(m20261127_000005_administration::Migration),
            Box::new(m20261202_000101_webhooks::Migration),
            Box::new(m20261202_000301_health_data::Migration),
            Box::new(m20261202_000401_catalogue_version::Migration),
            Box::new(m20261202_000402_published_mirror::Migration),
            Box::new(m20261202_000501_dashboards::Migration),
            Box::new(m20261202_000502_response_seconds::Migration),
            Box::new(m20261202_000503_offer_range::Migration),
        ]
    }
}
