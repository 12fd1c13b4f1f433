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
    /// Age in whole years, 18 to 100.
    pub age_years: i32,
    /// Where the patient lives: an ISO 3166-1 alpha-2 code in capitals, e.g. "US".
    pub country_of_residence: String,
    /// True when a doctor has diagnosed chronic migraine.
    pub chronic_migraine_diagnosis: bool,
    /// Days with headache in a typical month, 0 to 31 (15 or more is chronic under ICHD-3).
    pub headache_days_per_month: i32,
    /// Migraine treatments already tried, at most 20 (duplicates count once).
    pub treatments_tried: Vec<PriorTreatment>,
    /// Conditions the patient reports that rule the therapy out, at most 20; empty when
    /// none.
    pub contraindications: Vec<Contraindication>,
    /// Free-text health data for the clinic, at most 10,000 characters (line breaks and tabs
    /// allowed, other control characters not). Encrypted at rest; readable only by the
    /// submitting partner's agents, the quoted clinic and admins. Not used by
    /// `checkEligibility`.
    pub medical_notes: Option<String>,
}

/// A request for a quote.
#[derive(InputObject, Clone, Debug)]
pub struct SubmitQuoteRequestInput {
    /// Chosen by the agent, 1 to 200 printable characters, unique per partner: the same key
    /// with the same input returns the same quote, never a second one; with different input
    /// it is a CONFLICT.
    pub idempotency_key: String,
    /// The published clinic asked (`Clinic.id`).
    pub clinic_id: ID,
    /// The treatment's slug, e.g. "msc-chronic-migraine"; the clinic must have an active
    /// package for it.
    pub treatment: String,
    /// One of the clinic's active packages for the treatment (`TreatmentPackage.id`); null
    /// to leave the choice to the clinic.
    pub package_id: Option<ID>,
    /// The cell count wanted, in millions (1 to 100000); it must be one the clinic offers
    /// for the treatment (in `packageId`, when given).
    pub requested_cell_count_millions: Option<i32>,
    /// The first day the patient can travel; after today (UTC).
    pub travel_earliest: Option<Date>,
    /// The last day the patient can travel; after today (UTC), and not before
    /// `travelEarliest`.
    pub travel_latest: Option<Date>,
    /// The patient, pre-screened on submission (the result is `Quote.eligibility`).
    pub patient: PatientProfileInput,
}

/// A clinic's offer.
#[derive(InputObject, Clone, Debug)]
pub struct QuoteOfferInput {
    /// The total price, not negative, with at most the currency's minor digits (2, or 0
    /// for JPY), e.g. "3750.00".
    pub price: Decimal,
    /// The price's currency: USD, EUR, GBP, CAD, MXN, COP, THB, CHF, AUD or JPY (ISO 4217).
    pub currency_code: String,
    /// Cells offered over the whole treatment, in millions (1 to 100000).
    pub cell_count_millions: i32,
    /// Number of treatment sessions, 1 to 100.
    pub sessions: i32,
    /// Days the patient should plan to stay, 0 to 365.
    pub stay_days: i32,
    /// What the price includes besides the treatment: at most 20 non-empty texts of at most
    /// 500 characters, e.g. "hotel".
    pub inclusions: Vec<String>,
    /// Until when the agent may accept the offer; must be in the future. After it the quote
    /// is EXPIRED.
    pub valid_until: DateTime,
    /// Anything the agent should know about the offer, at most 10,000 characters.
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
