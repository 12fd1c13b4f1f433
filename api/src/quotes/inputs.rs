//! What callers send to the quote workflow. The services treat these as plain data.

use async_graphql::{ID, InputObject};

use super::vocab::{Contraindication, PriorTreatment};
use crate::graphql::scalars::{Date, DateTime};
use crate::money::Decimal;

/// The patient as the agent describes them. Never a name: `reference` is the partner's own.
#[derive(InputObject, Clone, Debug, PartialEq)]
#[graphql(name = "PatientProfileInput")]
pub struct PatientProfileInput {
    /// The partner's own patient reference (letters, digits, `.`, `_`, `:`, `-`; at most 64).
    pub reference: Option<String>,
    /// 18 to 100.
    pub age_years: i32,
    /// ISO 3166-1 alpha-2.
    pub country_of_residence: String,
    pub chronic_migraine_diagnosis: bool,
    /// 0 to 31.
    pub headache_days_per_month: i32,
    pub treatments_tried: Vec<PriorTreatment>,
    pub contraindications: Vec<Contraindication>,
    /// Free-text health data, at most 10,000 characters; encrypted at rest.
    pub medical_notes: Option<String>,
}

/// A request for a quote.
#[derive(InputObject, Clone, Debug)]
pub struct SubmitQuoteRequestInput {
    /// The same key with the same input returns the same quote, never a second one.
    pub idempotency_key: String,
    pub clinic_id: ID,
    /// Treatment slug.
    pub treatment: String,
    pub package_id: Option<ID>,
    pub requested_cell_count_millions: Option<i32>,
    pub travel_earliest: Option<Date>,
    pub travel_latest: Option<Date>,
    pub patient: PatientProfileInput,
}

/// A clinic's offer.
#[derive(InputObject, Clone, Debug)]
pub struct QuoteOfferInput {
    pub price: Decimal,
    /// ISO 4217.
    pub currency_code: String,
    pub cell_count_millions: i32,
    pub sessions: i32,
    pub stay_days: i32,
    pub inclusions: Vec<String>,
    /// Must be in the future.
    pub valid_until: DateTime,
    pub notes: Option<String>,
}
