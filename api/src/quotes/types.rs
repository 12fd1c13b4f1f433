//! The quote workflow's GraphQL output types, converted explicitly from rows. The patient's
//! data is opened only here (through [`health::fields`](crate::quotes::health::fields)), for callers
//! the tenancy already admitted, and every read of it is on record.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use entity::{quote_events, quote_offers, quotes};

use super::loaders::{ClinicOf, EventsOf, OfferOf, PackageOf, QuoteLoader};
use super::outcome;
use super::vocab::{Contraindication, EligibilityOutcome, PriorTreatment, QuoteStatus, UserErrorCode};
use crate::catalogue::clinic::Clinic;
use crate::catalogue::loaders::{CatalogueLoader, TreatmentById};
use crate::catalogue::types::{Treatment, TreatmentPackage, strings};
use crate::crypto::DataKey;
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::{Kind, encode};
use crate::graphql::pagination::PageInfo;
use crate::graphql::scalars::Money;
use crate::graphql::scalars::{Date, DateTime};
use crate::quotes::health::fields;
use crate::quotes::health::vault::{self, StoredProfile};
use crate::state::AppState;

/// The patient as submitted, opened for the quote's parties only.
#[derive(SimpleObject, Clone, Debug)]
pub struct PatientProfile {
    /// The partner's own patient reference, as submitted; null when none was given.
    pub reference: Option<String>,
    /// Age in whole years when the quote was submitted.
    pub age_years: i32,
    /// Where the patient lives (ISO 3166-1 alpha-2).
    pub country_of_residence: String,
    /// True when a doctor has diagnosed chronic migraine.
    pub chronic_migraine_diagnosis: bool,
    /// Days with headache in a typical month, 0 to 31.
    pub headache_days_per_month: i32,
    /// Migraine treatments already tried.
    pub treatments_tried: Vec<PriorTreatment>,
    /// Contraindications reported.
    pub contraindications: Vec<Contraindication>,
    /// The free-text health notes submitted with the request (quotes are visible only to the
    /// submitting partner's agents, the quoted clinic and admins); null when none were given.
    pub medical_notes: Option<String>,
}

impl PatientProfile {
    /// Converts the opened profile.
    fn from_stored(p: StoredProfile) -> ServiceResult<Self> {
        Ok(Self {
            treatments_tried: p
                .treatments_tried
                .iter()
                .map(|s| PriorTreatment::from_stored(s))
                .collect::<ServiceResult<_>>()?,
            contraindications: p
                .contraindications
                .iter()
                .map(|s| Contraindication::from_stored(s))
                .collect::<ServiceResult<_>>()?,
            reference: p.reference,
            age_years: p.age_years,
            country_of_residence: p.country_of_residence,
            chronic_migraine_diagnosis: p.chronic_migraine_diagnosis,
            headache_days_per_month: p.headache_days_per_month,
            medical_notes: p.medical_notes,
        })
    }
}

/// The pre-screening outcome (not medical advice) and the reasons for it.
#[derive(SimpleObject, Clone, Debug)]
pub struct EligibilityResult {
    /// What pre-screening concluded.
    pub outcome: EligibilityOutcome,
    /// Each step of the screening in plain words, passing or not, ending with the reminder
    /// that this is not medical advice when the patient is ruled out.
    pub reasons: Vec<String>,
}

/// A clinic's offer.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuoteOffer {
    /// The total price, in the currency the clinic chose.
    pub price: Money,
    /// Cells offered over the whole treatment, in millions.
    pub cell_count_millions: i32,
    /// Number of treatment sessions.
    pub sessions: i32,
    /// Days the patient should plan to stay.
    pub stay_days: i32,
    /// What the price includes besides the treatment, e.g. "hotel".
    pub inclusions: Vec<String>,
    /// Until when the agent may accept it; after this instant the quote is EXPIRED.
    pub valid_until: DateTime,
    /// The clinic's notes on the offer; null when none.
    pub notes: Option<String>,
}

impl QuoteOffer {
    /// Converts a row, opening its notes with the quote's data key (`None` once erased).
    pub fn from_row(o: quote_offers::Model, key: Option<&DataKey>) -> ServiceResult<Self> {
        let notes = match &o.notes {
            Some(stored) => vault::open_note(key, o.quote_id, vault::OFFER_NOTES, stored)?,
            None => None,
        };
        Ok(Self {
            price: Money::from_minor(o.price_minor, &o.currency_code),
            inclusions: strings(&o.inclusions),
            cell_count_millions: o.cell_count_millions,
            sessions: o.sessions,
            stay_days: o.stay_days,
            valid_until: DateTime(o.valid_until),
            notes,
        })
    }
}

/// One change of a quote's status.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuoteEvent {
    /// When the change was recorded.
    pub at: DateTime,
    /// The status before; null for the submission that created the quote.
    pub from: Option<QuoteStatus>,
    /// The status after.
    pub to: QuoteStatus,
    /// Who made the change, as a label of their role towards this quote ("Clinic staff",
    /// "Agent of the requesting partner", "Medtour staff", "Medtour (automatic)" when an offer
    /// lapsed). Never a client id: the other party of a quote is another tenant.
    pub actor: String,
    /// The actor's role (PARTNER, AGENT, CLINIC, ADMIN, or SYSTEM).
    pub actor_role: String,
    /// The reason given with a rejection or a decline, or the system's note on an expiry;
    /// null otherwise, and null once the patient's data has been erased.
    pub note: Option<String>,
    /// The quote this event belongs to.
    pub quote_id: ID,
}

/// The label shown for an event's actor, from the actor's stored role.
pub fn actor_label(role: &str) -> &'static str {
    match role {
        "AGENT" => "Agent of the requesting partner",
        "CLINIC" => "Clinic staff",
        "ADMIN" => "Medtour staff",
        "PARTNER" => "Partner",
        _ => "Medtour (automatic)",
    }
}

impl QuoteEvent {
    /// Converts a row, opening its note with the quote's data key (`None` once erased).
    pub fn from_row(e: quote_events::Model, key: Option<&DataKey>) -> Result<Self, ServiceError> {
        let status = QuoteStatus::from_stored;
        let note = match &e.note {
            Some(stored) => vault::open_note(key, e.quote_id, vault::EVENT_NOTE, stored)?,
            None => None,
        };
        Ok(Self {
            at: DateTime(e.at),
            from: e.from_status.as_deref().map(status).transpose()?,
            to: status(&e.to_status)?,
            quote_id: encode(Kind::Quote, e.quote_id),
            actor: actor_label(&e.actor_role).to_owned(),
            actor_role: e.actor_role,
            note,
        })
    }
}

/// A quote request and everything that happened to it.
// The type's description is on its `#[Object]` impl below, where async-graphql reads it.
#[derive(Clone, Debug)]
pub struct Quote {
    id: ID,
    row: quotes::Model,
}

impl From<quotes::Model> for Quote {
    fn from(row: quotes::Model) -> Self {
        Self { id: encode(Kind::Quote, row.id), row }
    }
}

/// An agent's request for a quote from one clinic, and everything that happened to it.
/// Visible only within the caller's tenancy: the submitting partner's agents, the quoted
/// clinic's staff, and admins.
#[Object]
impl Quote {
    /// Opaque global ID (usable with `quote`, `node` and the quote mutations).
    pub async fn id(&self) -> &ID {
        &self.id
    }

    /// Where the quote is in its lifecycle. EXPIRED as soon as an offer's `validUntil` has
    /// passed, even before the expiry is recorded.
    async fn status(&self, ctx: &Context<'_>) -> Result<QuoteStatus> {
        let stored = QuoteStatus::from_stored(&self.row.status)?;
        if stored == QuoteStatus::Offered
            && let Some(offer) = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(OfferOf(self.row.id)).await?
            && offer.valid_until <= ctx.data::<AppState>()?.clock.now()
        {
            return Ok(QuoteStatus::Expired);
        }
        Ok(stored)
    }

    /// The clinic asked.
    async fn clinic(&self, ctx: &Context<'_>) -> Result<Clinic> {
        let row = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(ClinicOf(self.row.clinic_id)).await?;
        Ok(row.map(Clinic::from).ok_or_else(|| ServiceError::NotFound("clinic".into()))?)
    }

    /// The treatment asked for.
    async fn treatment(&self, ctx: &Context<'_>) -> Result<Treatment> {
        let row = ctx.data::<DataLoader<CatalogueLoader>>()?.load_one(TreatmentById(self.row.treatment_id)).await?;
        Ok(row.as_ref().map(Treatment::from).ok_or_else(|| ServiceError::NotFound("treatment".into()))?)
    }

    /// The package asked for; null when the agent left the choice to the clinic.
    async fn package(&self, ctx: &Context<'_>) -> Result<Option<TreatmentPackage>> {
        let Some(id) = self.row.package_id else { return Ok(None) };
        let row = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(PackageOf(id)).await?;
        Ok(row.as_ref().map(TreatmentPackage::from_row).transpose()?)
    }

    /// The cell count asked for, in millions; null when not given.
    async fn requested_cell_count_millions(&self) -> Option<i32> {
        self.row.requested_cell_count_millions
    }

    /// The first day the patient can travel; null when not given.
    async fn travel_earliest(&self) -> Option<Date> {
        self.row.travel_earliest.map(Date)
    }

    /// The last day the patient can travel; null when not given.
    async fn travel_latest(&self) -> Option<Date> {
        self.row.travel_latest.map(Date)
    }

    /// The patient as the agent described them; null once the patient's data has been
    /// erased. Every read is recorded in the patient-data access log before it is returned:
    /// when it cannot be recorded (or the data cannot be opened), this field is an INTERNAL
    /// error and nothing of the patient is returned.
    async fn patient(&self, ctx: &Context<'_>) -> Result<Option<PatientProfile>> {
        let Some(stored) = fields::profile(ctx, self.row.id).await? else { return Ok(None) };
        Ok(Some(PatientProfile::from_stored(stored)?))
    }

    /// The pre-screening stored when the quote was submitted; null once the patient's data
    /// has been erased. Its reads are recorded as `patient`'s are.
    async fn eligibility(&self, ctx: &Context<'_>) -> Result<Option<EligibilityResult>> {
        let Some(stored) = fields::eligibility(ctx, self.row.id).await? else { return Ok(None) };
        Ok(Some(EligibilityResult {
            outcome: EligibilityOutcome::from_stored(&stored.outcome)?,
            reasons: stored.reasons,
        }))
    }

    /// When an admin (or the retention period) erased the patient's data; null while it is
    /// kept. The business record (status, clinic, offer terms, event times) stays.
    async fn patient_data_erased_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime>> {
        Ok(fields::erased_at(ctx, self.row.id).await?.map(DateTime))
    }

    /// The clinic's offer; null until one is made. It stays after the quote moves on
    /// (accepted, declined, expired, withdrawn).
    async fn offer(&self, ctx: &Context<'_>) -> Result<Option<QuoteOffer>> {
        let Some(row) = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(OfferOf(self.row.id)).await? else {
            return Ok(None);
        };
        let key = if row.notes.is_some() { fields::note_key(ctx, self.row.id).await? } else { None };
        Ok(Some(QuoteOffer::from_row(row, key.as_ref())?))
    }

    /// The complete history, oldest first.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<QuoteEvent>> {
        let rows = ctx.data::<DataLoader<QuoteLoader>>()?.load_one(EventsOf(self.row.id)).await?.unwrap_or_default();
        let key = if rows.iter().any(|e| e.note.is_some()) { fields::note_key(ctx, self.row.id).await? } else { None };
        Ok(rows.into_iter().map(|e| QuoteEvent::from_row(e, key.as_ref())).collect::<Result<_, _>>()?)
    }

    /// When the request was submitted.
    async fn created_at(&self) -> DateTime {
        DateTime(self.row.created_at)
    }

    /// When the quote last changed status (the submission, at first).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.row.updated_at)
    }
}

/// Why a mutation did not do what was asked.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// Path of the input concerned, e.g. ["input", "patient", "ageYears"]; null when the
    /// error is about no single input (a transition the status does not allow, say).
    pub field: Option<Vec<String>>,
    /// What is wrong, in English, for people (match on `code`, not on the text).
    pub message: String,
    /// The kind of problem, stable for programs to match on.
    pub code: UserErrorCode,
}

/// The result of a quote mutation: the quote, and what went wrong if anything did.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuotePayload {
    /// The quote as it stands after the mutation, or unchanged beside an INVALID_TRANSITION
    /// error; null when the mutation was refused for any other reason.
    pub quote: Option<Quote>,
    /// Why the mutation did not do what was asked; empty when it did.
    pub user_errors: Vec<UserError>,
}

impl From<outcome::Outcome> for QuotePayload {
    fn from(o: outcome::Outcome) -> Self {
        Self {
            quote: o.quote.map(Quote::from),
            user_errors: o
                .user_errors
                .into_iter()
                .map(|e| UserError { field: e.field, message: e.message, code: e.code })
                .collect(),
        }
    }
}

/// An edge of the quote connection.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuoteEdge {
    /// Opaque cursor of this quote, for `after`.
    pub cursor: String,
    /// The quote.
    pub node: Quote,
}

/// A page of quotes, newest first.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct QuoteConnection {
    /// The page's quotes, newest first.
    pub edges: Vec<QuoteEdge>,
    /// Whether more pages follow, and the cursor to reach them.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Option<u64>,
}

#[ComplexObject]
impl QuoteConnection {
    /// Quotes matching the filter within the caller's tenancy.
    async fn total_count(&self) -> i32 {
        self.total.map_or(0, |t| i32::try_from(t).unwrap_or(i32::MAX))
    }
}
