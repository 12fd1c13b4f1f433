//! What the quote services are asked to do, as plain domain values: the resolvers decode
//! global IDs and convert GraphQL inputs into these before any service runs.

use chrono::{DateTime, NaiveDate, Utc};

use super::vocab::{Contraindication, PriorTreatment};
use crate::money::Decimal;

/// The row a global ID names, once decoded: `None` when the ID is well formed but names
/// nothing of the expected kind (which the services answer like an unknown row).
pub type Named = Option<i32>;

/// The patient as the agent describes them. Never a name: `reference` is the partner's own.
#[derive(Clone, Debug, PartialEq)]
pub struct PatientProfile {
    pub reference: Option<String>,
    pub age_years: i32,
    pub country_of_residence: String,
    pub chronic_migraine_diagnosis: bool,
    pub headache_days_per_month: i32,
    pub treatments_tried: Vec<PriorTreatment>,
    pub contraindications: Vec<Contraindication>,
    pub medical_notes: Option<String>,
}

/// A request for a quote.
#[derive(Clone, Debug)]
pub struct QuoteRequest {
    pub idempotency_key: String,
    pub clinic: Named,
    /// Treatment slug.
    pub treatment: String,
    /// `Some` when the agent named a package.
    pub package: Option<Named>,
    pub requested_cell_count_millions: Option<i32>,
    pub travel_earliest: Option<NaiveDate>,
    pub travel_latest: Option<NaiveDate>,
    pub patient: PatientProfile,
}

/// The terms of a clinic's offer.
#[derive(Clone, Debug)]
pub struct OfferTerms {
    pub price: Decimal,
    pub currency_code: String,
    pub cell_count_millions: i32,
    pub sessions: i32,
    pub stay_days: i32,
    pub inclusions: Vec<String>,
    pub valid_until: DateTime<Utc>,
    pub notes: Option<String>,
}

/// A narrower quote list.
#[derive(Clone, Debug, Default)]
pub struct QuoteFilter {
    pub statuses: Option<Vec<super::vocab::QuoteStatus>>,
    /// `Some` when the caller asked for one clinic's quotes.
    pub clinic: Option<Named>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
}
