//! Shared ground for the quote tests: the cast of callers, the demo clinics they quote,
//! request and offer inputs that pass validation, and one helper per GraphQL operation.
//!
//! Every helper speaks HTTP; only the counters ([`rows`]) and the raw-column checks of the
//! privacy tests read the database directly, to prove what the API cannot show.

use chrono::{DateTime, Days, Duration, SecondsFormat, Utc};
use entity::{clinics, quote_events, quote_offers, quotes};
use medtour::graphql::ids::{Kind, encode};
use medtour_tests::{Backend, Role, TestApp, spawn_app};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

pub const MIGRAINE: &str = "msc-chronic-migraine";
pub const BAJA: &str = "baja-regenerative-institute";
pub const RHEIN: &str = "rhein-zelltherapie-duesseldorf";
pub const MIAMI: &str = "biscayne-regenerative-miami";

/// Every quote field a test may look at.
pub const QUOTE: &str = "id status requestedCellCountMillions travelEarliest travelLatest
    clinic { slug } treatment { slug } package { id cellCountMillions }
    patient { reference ageYears countryOfResidence chronicMigraineDiagnosis headacheDaysPerMonth
              treatmentsTried contraindications medicalNotes }
    eligibility { outcome reasons }
    offer { price { amount currencyCode } cellCountMillions sessions stayDays inclusions validUntil notes }
    events { at from to actor actorRole note }
    createdAt updatedAt";

/// A caller: its bearer token and the client id its events are signed with.
#[derive(Clone, Debug)]
pub struct Party {
    pub token: String,
    pub client_id: String,
}

impl Party {
    pub async fn new(app: &TestApp, role: Role, partner: Option<&str>, clinic: Option<&str>) -> Self {
        let client = app.create_client(role, partner, clinic).await;
        Party { token: app.token_for(&client).await, client_id: client.id }
    }
}

/// A demo clinic: its global ID and its migraine packages as (ID, million cells).
#[derive(Clone, Debug)]
pub struct ClinicInfo {
    pub id: String,
    pub packages: Vec<(String, i64)>,
}

impl ClinicInfo {
    /// The ID of the clinic's package of `cells` million cells.
    pub fn package(&self, cells: i64) -> String {
        self.packages.iter().find(|(_, c)| *c == cells).map(|(id, _)| id.clone()).expect("the package exists")
    }
}

/// A published demo clinic as the catalogue shows it.
pub async fn clinic(app: &TestApp, slug: &str) -> ClinicInfo {
    let data = app
        .data(
            "query($slug: String!, $t: String!) { clinic(slug: $slug) { id packages(treatment: $t) { id cellCountMillions } } }",
            json!({ "slug": slug, "t": MIGRAINE }),
        )
        .await;
    let c = &data["clinic"];
    let packages = c["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p["cellCountMillions"].as_i64().unwrap()))
        .collect();
    ClinicInfo { id: c["id"].as_str().expect("a published clinic").to_owned(), packages }
}

/// The global ID of a clinic the catalogue does not show (unpublished).
pub async fn hidden_clinic_id(app: &TestApp, slug: &str) -> String {
    let row = clinics::Entity::find().filter(clinics::Column::Slug.eq(slug)).one(&app.state.db).await.unwrap();
    encode(Kind::Clinic, row.expect("the demo clinic exists").id).0
}

/// A quote ID that was never issued.
pub fn ghost_quote_id() -> String {
    encode(Kind::Quote, 987_654).0
}

/// The row id behind a quote's global ID.
pub fn row_of(quote_id: &str) -> i32 {
    medtour::graphql::ids::decode_as(Kind::Quote, quote_id).unwrap().expect("a quote ID")
}

/// A server with demo data, one agent of "Partner A", one CLINIC client of Baja and an admin.
pub struct World {
    pub app: TestApp,
    pub baja: ClinicInfo,
    pub agent: Party,
    pub clinic: Party,
    pub admin: Party,
}

impl World {
    pub async fn new(backend: Backend) -> Self {
        Self::from_app(spawn_app(backend).await).await
    }

    /// The same cast on a server the test started itself.
    pub async fn from_app(app: TestApp) -> Self {
        let baja = clinic(&app, BAJA).await;
        let agent = Party::new(&app, Role::Agent, Some("Partner A"), None).await;
        let clinic = Party::new(&app, Role::Clinic, None, Some(BAJA)).await;
        let admin = Party::new(&app, Role::Admin, None, None).await;
        World { app, baja, agent, clinic, admin }
    }

    /// Submits a valid request to Baja under `key` as the agent; returns the quote ID.
    pub async fn quote(&self, key: &str) -> String {
        submitted(&self.app, &self.agent, request(&self.baja.id, key)).await
    }

    /// A quote submitted by the agent and moved to IN_REVIEW by the clinic.
    pub async fn quote_in_review(&self, key: &str) -> String {
        let id = self.quote(key).await;
        done(&self.app, &self.clinic, &id, Act::Review).await;
        id
    }

    /// A quote with a live offer (valid for a day).
    pub async fn quote_offered(&self, key: &str) -> String {
        let id = self.quote_in_review(key).await;
        done(&self.app, &self.clinic, &id, Act::Offer(offer(Utc::now() + Duration::days(1)))).await;
        id
    }
}

/// A patient pre-screening would call a likely candidate.
pub fn patient() -> Value {
    json!({
        "reference": "case-0042",
        "ageYears": 41,
        "countryOfResidence": "US",
        "chronicMigraineDiagnosis": true,
        "headacheDaysPerMonth": 20,
        "treatmentsTried": ["TRIPTANS", "CGRP_INHIBITORS", "BOTULINUM_TOXIN"],
        "contraindications": [],
        "medicalNotes": "Aura before attacks; allergic to penicillin.",
    })
}

/// Today shifted by `days`, as an ISO date.
pub fn day(days: i64) -> String {
    let today = Utc::now().date_naive();
    let d = if days < 0 { today - Days::new(days.unsigned_abs()) } else { today + Days::new(days as u64) };
    d.to_string()
}

/// An instant as the API writes it.
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A valid request to `clinic_id` (25 million cells, travel in a month) under `key`.
pub fn request(clinic_id: &str, key: &str) -> Value {
    json!({
        "idempotencyKey": key,
        "clinicId": clinic_id,
        "treatment": MIGRAINE,
        "requestedCellCountMillions": 25,
        "travelEarliest": day(30),
        "travelLatest": day(45),
        "patient": patient(),
    })
}

/// A valid request to `clinic_id` for `cells` million cells (one the clinic offers).
pub fn request_for(clinic_id: &str, key: &str, cells: i64) -> Value {
    let mut input = request(clinic_id, key);
    input["requestedCellCountMillions"] = json!(cells);
    input
}

/// A valid offer in USD, valid until `until`.
pub fn offer(until: DateTime<Utc>) -> Value {
    json!({
        "price": "4500.00", "currencyCode": "USD", "cellCountMillions": 25, "sessions": 1, "stayDays": 4,
        "inclusions": ["hotel", "airport transfers"], "validUntil": instant(until), "notes": "Includes follow-up call.",
    })
}

const PAYLOAD: &str = "userErrors { field message code } quote {";

/// Runs `submitQuoteRequest` and returns the HTTP status and body.
pub async fn submit(app: &TestApp, who: &Party, input: Value) -> (u16, Value) {
    let query = format!(
        "mutation($input: SubmitQuoteRequestInput!) {{ r: submitQuoteRequest(input: $input) {{ {PAYLOAD} {QUOTE} }} }} }}"
    );
    app.graphql_as(Some(&who.token), &query, json!({ "input": input })).await
}

/// Submits a request that must be accepted; returns the quote ID.
pub async fn submitted(app: &TestApp, who: &Party, input: Value) -> String {
    let (_, body) = submit(app, who, input).await;
    let payload = &body["data"]["r"];
    assert_eq!(payload["userErrors"], json!([]), "{body:#}");
    payload["quote"]["id"].as_str().expect("a quote").to_owned()
}

/// A transition mutation and what it carries.
#[derive(Clone, Debug)]
pub enum Act {
    Review,
    Offer(Value),
    Reject(&'static str),
    Withdraw,
    Accept,
    Decline(Option<&'static str>),
}

impl Act {
    /// Every transition, with valid arguments.
    pub fn all() -> Vec<Act> {
        vec![
            Act::Withdraw,
            Act::Accept,
            Act::Decline(Some("too expensive")),
            Act::Review,
            Act::Offer(offer(Utc::now() + Duration::days(1))),
            Act::Reject("not a candidate"),
        ]
    }

    /// The mutation field name.
    pub fn name(&self) -> &'static str {
        match self {
            Act::Review => "startQuoteReview",
            Act::Offer(_) => "makeQuoteOffer",
            Act::Reject(_) => "rejectQuoteRequest",
            Act::Withdraw => "withdrawQuoteRequest",
            Act::Accept => "acceptQuoteOffer",
            Act::Decline(_) => "declineQuoteOffer",
        }
    }

    fn operation(&self, id: &str) -> (String, Value) {
        let (decl, args, mut vars) = match self {
            Act::Offer(input) => (", $input: QuoteOfferInput!", ", input: $input", json!({ "input": input })),
            Act::Reject(reason) => (", $reason: String!", ", reason: $reason", json!({ "reason": reason })),
            Act::Decline(reason) => (", $reason: String", ", reason: $reason", json!({ "reason": reason })),
            _ => ("", "", json!({})),
        };
        vars["id"] = json!(id);
        let name = self.name();
        (format!("mutation($id: ID!{decl}) {{ r: {name}(id: $id{args}) {{ {PAYLOAD} {QUOTE} }} }} }}"), vars)
    }
}

/// Runs a transition on quote `id` as `who`; returns the HTTP status and body.
pub async fn act(app: &TestApp, who: &Party, id: &str, what: Act) -> (u16, Value) {
    let (query, vars) = what.operation(id);
    app.graphql_as(Some(&who.token), &query, vars).await
}

/// Runs a transition that must succeed; returns the quote as it now stands.
pub async fn done(app: &TestApp, who: &Party, id: &str, what: Act) -> Value {
    let name = what.name();
    let (_, body) = act(app, who, id, what).await;
    let payload = &body["data"]["r"];
    assert_eq!(payload["userErrors"], json!([]), "{name}: {body:#}");
    payload["quote"].clone()
}

/// Runs a transition that must be refused with a user error; returns the payload.
pub async fn refused(app: &TestApp, who: &Party, id: &str, what: Act) -> Value {
    let name = what.name();
    let (status, body) = act(app, who, id, what).await;
    assert_eq!(status, 200, "{name}: {body:#}");
    assert!(body.get("errors").is_none(), "{name}: a user error, not a GraphQL error: {body:#}");
    let payload = body["data"]["r"].clone();
    assert!(!payload["userErrors"].as_array().unwrap().is_empty(), "{name} was refused: {body:#}");
    payload
}

/// The codes of a payload's user errors.
pub fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect()
}

/// A quote as `who` sees it through `quote(id)` (null when not visible).
pub async fn read(app: &TestApp, who: &Party, id: &str) -> Value {
    let query = format!("query($id: ID!) {{ quote(id: $id) {{ {QUOTE} }} }}");
    app.data_as(&who.token, &query, json!({ "id": id })).await["quote"].clone()
}

/// Rows stored: (quotes, events, offers), optionally for one quote.
pub async fn rows(app: &TestApp, quote_row: Option<i32>) -> (u64, u64, u64) {
    let db = &app.state.db;
    let mut q = quotes::Entity::find();
    let mut e = quote_events::Entity::find();
    let mut o = quote_offers::Entity::find();
    if let Some(row) = quote_row {
        q = q.filter(quotes::Column::Id.eq(row));
        e = e.filter(quote_events::Column::QuoteId.eq(row));
        o = o.filter(quote_offers::Column::QuoteId.eq(row));
    }
    (q.count(db).await.unwrap(), e.count(db).await.unwrap(), o.count(db).await.unwrap())
}
