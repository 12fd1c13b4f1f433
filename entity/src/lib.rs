//! SeaORM models of the Medtour tables, in the shape sea-orm-cli generates: columns and
//! relations only. Rules live in the `api` crate's services; closed vocabularies (cell
//! sources, statuses, roles) are text here and parsed into domain enums there.
#![forbid(unsafe_code)]

pub mod accreditations;
pub mod api_clients;
pub mod audit_records;
pub mod catalogue_version;
pub mod certificates_of_analysis;
pub mod clinics;
pub mod coa_markers;
pub mod doctors;
pub mod partners;
pub mod patient_data;
pub mod patient_data_access;
pub mod quote_events;
pub mod quote_offers;
pub mod quotes;
pub mod treatment_packages;
pub mod treatments;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
