//! The catalogue: what partner websites read to compare clinics.
//!
//! A tour: [`query`] is the GraphQL entry (thin resolvers); [`clinic`] and [`types`] are the
//! output types, converted explicitly from rows, and `plain` answers everything under a
//! clinic in one synchronous walk of its selection; [`listing`] and [`filter`] page and filter
//! clinics with keyset pagination, comparing text with the case-folded copies [`folding`]
//! keeps in each clinic row; [`loaders`] batch every nested read ([`certificate_rows`]
//! and [`package_rows`] read certificates and packages aggregated per parent); [`rules`] holds the
//! domain rules (release criteria, derived accreditation status, the safety checklist) as
//! pure functions; [`evidence`] gathers what the checklist needs; [`rollups`] keeps the
//! sortable score and lowest price on each clinic row; [`response_time`] is how fast a
//! clinic answers quote requests, read a page at a time; [`service`] serves single lookups and
//! the cost table; [`write`] is the one write path, which keeps every derived value right.

mod certificate_rows;
pub mod clinic;
pub mod evidence;
pub mod filter;
pub mod folding;
pub mod listing;
pub mod loaders;
mod package_rows;
mod plain;
pub mod query;
pub mod response_time;
pub mod rollups;
mod rows;
pub mod rules;
pub mod service;
pub mod types;
pub mod vocab;
pub mod write;

#[cfg(test)]
mod plain_tests;
#[cfg(test)]
mod rules_tests;
