//! What callers send to the quote workflow, as GraphQL inputs, and their conversion into the
//! plain [`request`](super::request) values the services take: IDs are decoded here, by the
//! one policy of [`named`].

use async_graphql::{ID, InputObject};

use super::request::{OfferTerms, PatientProfile, QuoteRequest};
use super::vocab::{Contraindication, PriorTreatment};
use crate::graphql::ids::{Kind, named};
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

impl From<PatientProfileInput> for PatientProfile {
    fn from(p: PatientProfileInput) -> Self {
        PatientProfile {
            reference: p.reference,
            age_years: p.age_years,
            country_of_residence: p.country_of_residence,
            chronic_migraine_diagnosis: p.chronic_migraine_diagnosis,
            headache_days_per_month: p.headache_days_per_month,
            treatments_tried: p.treatments_tried,
            contraindications: p.contraindications,
            medical_notes: p.medical_notes,
        }
    }
}

impl SubmitQuoteRequestInput {
    /// The request with its IDs decoded.
    pub fn into_request(self) -> QuoteRequest {
        QuoteRequest {
            clinic: named(Kind::Clinic, &self.clinic_id),
            package: self.package_id.map(|id| named(Kind::TreatmentPackage, &id)),
            idempotency_key: self.idempotency_key,
            treatment: self.treatment,
            requested_cell_count_millions: self.requested_cell_count_millions,
            travel_earliest: self.travel_earliest.map(|d| d.0),
            travel_latest: self.travel_latest.map(|d| d.0),
            patient: self.patient.into(),
        }
    }
}

impl From<QuoteOfferInput> for OfferTerms {
    fn from(o: QuoteOfferInput) -> Self {
        OfferTerms {
            price: o.price,
            currency_code: o.currency_code,
            cell_count_millions: o.cell_count_millions,
            sessions: o.sessions,
            stay_days: o.stay_days,
            inclusions: o.inclusions,
            valid_until: o.valid_until.0,
            notes: o.notes,
        }
    }
}
