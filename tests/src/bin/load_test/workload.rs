//! What each worker sends: a fixed rotation of catalogue reads (filtered and ordered clinic
//! pages with nested fields, one clinic by slug, the cost table) and, for agents, quote
//! submissions with fresh idempotency keys plus occasional replays of an earlier key, which
//! must return the same quote. Every worker stops at the deadline by itself.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::report::{Kind, Tally};

const CLINICS: &str = "query Clinics($first: Int!, $after: String, $filter: ClinicFilter, $orderBy: ClinicOrder) {
  clinics(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id slug name countryCode city languages
      priceRange(treatment: \"msc-chronic-migraine\") { min { amount currencyCode } max { amount currencyCode } }
      safetyChecklist { score items { key passed } }
      accreditations { body status expiresOn }
      packages(treatment: \"msc-chronic-migraine\") { name cellSource cellCountMillions sessions price { amount currencyCode } }
    } }
  }
}";

const CLINIC: &str = "query Clinic($slug: String!) {
  clinic(slug: $slug) { id name description website
    doctors { name title licenseNumber specialties }
    certificatesOfAnalysis { lotNumber laboratoryName viabilityPercent meetsReleaseCriteria status markers { marker percentPositive } }
    packages { name administrationRoutes stayDays inclusions price { amount currencyCode } treatment { slug } }
    safetyChecklist { score items { key passed detail } }
  }
}";

const COST: &str = "query Cost($treatment: String!) {
  costComparison(treatment: $treatment) {
    countryCode clinicCount min { amount currencyCode } max { amount currencyCode } minCellCountMillions maxCellCountMillions
  }
}";

const SUBMIT: &str = "mutation Submit($input: SubmitQuoteRequestInput!) {
  submitQuoteRequest(input: $input) { quote { id status eligibility { outcome } } userErrors { field message code } }
}";

/// One caller of the load: a token, and whether it may submit quotes.
#[derive(Clone)]
pub struct Caller {
    pub token: String,
    pub agent: bool,
}

/// What every worker shares.
pub struct Plan {
    pub client: reqwest::Client,
    pub endpoint: String,
    pub deadline: Instant,
    /// Clinics with a package for the migraine treatment.
    pub clinics: Vec<Clinic>,
}

/// A clinic quotes are asked of.
pub struct Clinic {
    pub id: String,
    pub slug: String,
    /// Cell counts of its migraine packages (a request must ask for one of them).
    pub cell_counts: Vec<i64>,
}

/// A quote a worker asked for: its key, and the quote ID the server answered with (`None`
/// when the submission failed, so it may be missing but must not be there twice).
pub struct Submitted {
    pub key: String,
    /// The step the input was made from (a replay rebuilds the same input from it).
    pub n: usize,
    pub quote_id: Option<String>,
}

/// What one worker did.
#[derive(Default)]
pub struct WorkerResult {
    pub tally: Tally,
    pub submitted: Vec<Submitted>,
}

fn filter(variant: usize) -> Value {
    match variant % 7 {
        0 => json!({}),
        1 => json!({ "countryCodes": ["MX", "CO"] }),
        2 => json!({ "cellSources": ["UMBILICAL_CORD_MSC"], "minCellCountMillions": 50 }),
        3 => json!({ "verifiedOnly": true, "treatment": "msc-chronic-migraine" }),
        4 => json!({ "maxPrice": "15000" }),
        5 => json!({ "search": "regenerative" }),
        _ => json!({ "accreditationBodies": ["JCI", "COFEPRIS"], "countryCodes": ["MX", "TH", "DE"] }),
    }
}

fn order(variant: usize) -> Value {
    match variant % 5 {
        0 => json!({ "field": "NAME", "direction": "ASC" }),
        1 => json!({ "field": "LOWEST_PRICE", "direction": "ASC" }),
        2 => json!({ "field": "LOWEST_PRICE", "direction": "DESC" }),
        3 => json!({ "field": "SAFETY_SCORE", "direction": "DESC" }),
        _ => Value::Null,
    }
}

fn quote_input(key: &str, clinic: &Clinic, n: usize) -> Value {
    let tried =
        [["TRIPTANS", "CGRP_INHIBITORS"], ["BETA_BLOCKERS", "ANTICONVULSANTS"], ["TRIPTANS", "BOTULINUM_TOXIN"]];
    json!({
        "idempotencyKey": key,
        "clinicId": clinic.id,
        "treatment": "msc-chronic-migraine",
        // One of the clinic's package sizes, or none.
        "requestedCellCountMillions": clinic.cell_counts.get(n % (clinic.cell_counts.len() + 1)),
        "patient": {
            "reference": format!("load-patient-{n}"),
            "ageYears": 25 + (n % 50),
            "countryOfResidence": (["US", "CA", "GB", "AU"][n % 4]),
            "chronicMigraineDiagnosis": !n.is_multiple_of(5),
            "headacheDaysPerMonth": 10 + (n % 20),
            "treatmentsTried": tried[n % 3],
            "contraindications": [],
            "medicalNotes": n.is_multiple_of(2).then(|| format!("load test notes {n}")),
        }
    })
}

/// POSTs one operation; `Ok(body)` only for HTTP 200 with a JSON body without `errors`.
async fn send(plan: &Plan, token: &str, query: &str, variables: Value) -> Result<Value, String> {
    let response = plan
        .client
        .post(&plan.endpoint)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| format!("HTTP {status}, body unreadable: {e}"))?;
    let body: Value = serde_json::from_str(&text).map_err(|_| format!("HTTP {status}, not JSON: {text:.200}"))?;
    if status != 200 || body.get("errors").is_some() {
        return Err(format!("HTTP {status}: {text:.300}"));
    }
    Ok(body)
}

/// The quote ID of a successful submission, or why it was not one.
fn quote_id(body: &Value) -> Result<String, String> {
    let payload = &body["data"]["submitQuoteRequest"];
    match (payload["quote"]["id"].as_str(), payload["userErrors"].as_array()) {
        (Some(id), Some(errors)) if errors.is_empty() => Ok(id.to_owned()),
        _ => Err(format!("submission refused: {payload}")),
    }
}

/// Times one request, checks its body with `check` and records the outcome under `kind`.
async fn timed<T>(
    plan: &Plan,
    tally: &mut Tally,
    (kind, token): (Kind, &str),
    (query, vars): (&str, Value),
    check: impl FnOnce(Value) -> Result<T, String>,
) -> Option<T> {
    let started = Instant::now();
    let result = send(plan, token, query, vars).await;
    let elapsed = started.elapsed();
    let result = result.and_then(check);
    tally.record(kind, elapsed, result.as_ref().err());
    result.ok()
}

/// Runs worker `worker` as `caller` until the deadline.
pub async fn run(plan: &Plan, worker: usize, caller: Caller) -> WorkerResult {
    let mut out = WorkerResult::default();
    let clinics = &plan.clinics;
    let mut n = worker; // staggers the rotation so workers do not move in lockstep
    while Instant::now() < plan.deadline {
        n += 1;
        let step = n % 10;
        let token = caller.token.as_str();
        if caller.agent && (step == 3 || step == 7) {
            let key = format!("load-{worker}-{n}");
            let vars = json!({ "input": quote_input(&key, &clinics[n % clinics.len()], n) });
            let quote_id = timed(plan, &mut out.tally, (Kind::Submit, token), (SUBMIT, vars), |b| quote_id(&b)).await;
            out.submitted.push(Submitted { key, n, quote_id });
        } else if caller.agent && step == 5 && !out.submitted.is_empty() {
            // Replays an earlier submission: the same key and input must give the same quote.
            let earlier = &out.submitted[n % out.submitted.len()];
            let vars = json!({ "input": quote_input(&earlier.key, &clinics[earlier.n % clinics.len()], earlier.n) });
            let (key, original) = (earlier.key.clone(), earlier.quote_id.clone());
            let check = |body: Value| match (quote_id(&body)?, original) {
                (id, Some(original)) if id != original => Err(format!("replay of {key} gave {id}, not {original}")),
                _ => Ok(()),
            };
            timed(plan, &mut out.tally, (Kind::Replay, token), (SUBMIT, vars), check).await;
        } else {
            match step % 3 {
                0 => {
                    let vars =
                        json!({ "first": ([5, 10, 20][n % 3]), "filter": filter(n / 3), "orderBy": order(n / 7) });
                    let body = timed(plan, &mut out.tally, (Kind::Clinics, token), (CLINICS, vars.clone()), Ok).await;
                    // Every other page request follows its cursor to the next page.
                    let next = body.and_then(|b| {
                        let info = &b["data"]["clinics"]["pageInfo"];
                        (info["hasNextPage"] == true && n.is_multiple_of(2)).then(|| info["endCursor"].clone())
                    });
                    if let Some(cursor) = next {
                        let mut vars = vars;
                        vars["after"] = cursor;
                        timed(plan, &mut out.tally, (Kind::Clinics, token), (CLINICS, vars), Ok).await;
                    }
                }
                1 => {
                    let slug = &clinics[n % clinics.len()].slug;
                    let check = |b: Value| {
                        if b["data"]["clinic"].is_object() { Ok(()) } else { Err(format!("no clinic {slug}: {b}")) }
                    };
                    timed(plan, &mut out.tally, (Kind::Clinic, token), (CLINIC, json!({ "slug": slug })), check).await;
                }
                _ => {
                    let treatment =
                        if n.is_multiple_of(4) { "msc-knee-osteoarthritis" } else { "msc-chronic-migraine" };
                    let vars = json!({ "treatment": treatment });
                    timed(plan, &mut out.tally, (Kind::Cost, token), (COST, vars), Ok).await;
                }
            }
        }
    }
    out
}

/// The clinics the load submits quotes to: those offering the migraine treatment.
pub async fn clinics(client: &reqwest::Client, endpoint: &str, token: &str) -> anyhow::Result<Vec<Clinic>> {
    let plan =
        Plan { client: client.clone(), endpoint: endpoint.to_owned(), deadline: Instant::now(), clinics: vec![] };
    let query = "{ clinics(first: 100, filter: { treatment: \"msc-chronic-migraine\" }) {
        edges { node { id slug packages(treatment: \"msc-chronic-migraine\") { cellCountMillions } } } } }";
    let body = send(&plan, token, query, json!({})).await.map_err(anyhow::Error::msg)?;
    let edges = body["data"]["clinics"]["edges"].as_array().cloned().unwrap_or_default();
    let clinics: Vec<Clinic> = edges
        .iter()
        .filter_map(|edge| {
            let node = &edge["node"];
            let mut cell_counts: Vec<i64> =
                node["packages"].as_array()?.iter().filter_map(|p| p["cellCountMillions"].as_i64()).collect();
            cell_counts.sort_unstable();
            cell_counts.dedup();
            Some(Clinic { id: node["id"].as_str()?.to_owned(), slug: node["slug"].as_str()?.to_owned(), cell_counts })
        })
        .collect();
    anyhow::ensure!(!clinics.is_empty(), "the demo catalogue has no clinic for msc-chronic-migraine");
    Ok(clinics)
}

/// How long after the deadline a worker may still be finishing its last request.
pub const GRACE: Duration = Duration::from_secs(35);
