//! Internal dashboards (ADMIN): the funnel from request to accepted offer, who answers
//! slowly, what treatments cost once offered, and which evidence is about to lapse.
//!
//! A tour: [`api`] holds the GraphQL root and the `Dashboard` object, [`types`] what it
//! returns. Every figure is computed by the database, one statement per section, over the
//! quotes created in a [`range`] of UTC days: [`figures`] counts (by status, the funnel,
//! per country, per partner, per day), [`clinics`] adds each clinic's response percentiles,
//! [`prices`] takes median offers per country and cell-count band, and [`evidence`] lists
//! lapsing accreditations and low safety scores. [`sql`] is what the statements share;
//! percentiles come from the [`percentile`](crate::percentile) building block, the same
//! figures on both backends. Dashboards read no patient data: no statement names a patient
//! column, so reading one writes no access-log entry either.

pub mod api;
pub mod clinics;
pub mod evidence;
pub mod figures;
pub mod prices;
pub mod range;
pub mod sql;
pub mod types;

#[cfg(test)]
mod plain_tests;
