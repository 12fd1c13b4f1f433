//! The partner hot query — a filtered, ordered page of 20 clinics with every nested field —
//! timed over HTTP against a running server.

use std::time::Instant;

use medtour_tests::TestApp;
use serde_json::{Value, json};

/// Every field of a clinic and of everything nested under it.
const CLINIC_FIELDS: &str = r#"
    id slug name countryCode city description website languages
    doctors { id name title licenseNumber yearsOfExperience specialties }
    accreditations { id body bodyName certificateNumber issuedOn expiresOn status }
    certificatesOfAnalysis {
        id lotNumber laboratoryName laboratoryAccreditation issuedOn cellSource cellCountMillions
        viabilityPercent sterility endotoxin mycoplasma markers { marker percentPositive }
        documentUrl documentSha256 status meetsReleaseCriteria
    }
    packages {
        id name cellSource cellCountMillions administrationRoutes sessions stayDays
        price { amount currencyCode } inclusions
        treatment { id slug name }
    }
    priceRange(treatment: "msc-chronic-migraine") { min { amount currencyCode } max { amount currencyCode } }
    safetyChecklist { score items { key passed detail } }
"#;

/// The filter and ordering of the hot query.
const ARGUMENTS: &str = r#"filter: { treatment: "msc-chronic-migraine", countryCodes: ["MX", "CO", "TH"], verifiedOnly: true },
    orderBy: { field: LOWEST_PRICE, direction: ASC }"#;

/// The same relations as [`CLINIC_FIELDS`], each object reduced to its id: the database
/// does the same work, GraphQL resolves and serialises a fraction of the fields.
const LEAN_FIELDS: &str = r#"
    id slug name doctors { id } accreditations { id } certificatesOfAnalysis { id markers { marker } }
    packages { id treatment { id } } priceRange(treatment: "msc-chronic-migraine") { min { amount } }
    safetyChecklist { score }
"#;

/// The hot query, with or without `totalCount`.
pub fn hot_query(with_total: bool) -> String {
    query_with(with_total, CLINIC_FIELDS)
}

/// The hot query's page with [`LEAN_FIELDS`]: a diagnostic of where the time goes.
pub fn lean_query() -> String {
    query_with(false, LEAN_FIELDS)
}

fn query_with(with_total: bool, fields: &str) -> String {
    let total = if with_total { "totalCount" } else { "" };
    format!(
        "query($first: Int!, $after: String) {{ clinics(first: $first, after: $after, {ARGUMENTS}) {{ {total}
            pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {fields} }} }} }} }}"
    )
}

/// The cursor after which page `page` (1-based, `size` a page) starts, found by walking
/// cursors cheaply; `None` for the first page. Stops early at the last full page.
pub async fn cursor_before_page(app: &TestApp, page: usize, size: usize) -> (Option<String>, usize) {
    let query = format!(
        "query($first: Int!, $after: String) {{ clinics(first: $first, after: $after, {ARGUMENTS}) {{
            pageInfo {{ hasNextPage endCursor }} edges {{ cursor }} }} }}"
    );
    let mut cursors: Vec<String> = Vec::new();
    let mut after = Value::Null;
    let wanted = (page - 1) * size;
    while cursors.len() < wanted {
        let data = app.data(&query, json!({ "first": 100, "after": after })).await;
        let connection = &data["clinics"];
        cursors.extend(
            connection["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["cursor"].as_str().map(str::to_owned)),
        );
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    // The deepest page that is still full.
    let reachable = wanted.min(cursors.len().saturating_sub(size)) / size * size;
    let page = reachable / size + 1;
    (reachable.checked_sub(1).map(|i| cursors[i].clone()), page)
}

/// Latency statistics of one measured case, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub median: f64,
    pub p95: f64,
    pub rows: usize,
    /// Size of the JSON response, in kB.
    pub kb: f64,
}

/// A page of 20 from `after`, as variables of the hot query.
pub fn page_after(after: Option<&str>) -> Value {
    json!({ "first": 20, "after": after })
}

/// The floor under every request: HTTP, the bearer token, limits, one tiny query.
pub const TRIVIAL_QUERY: &str = "{ treatments { slug } }";

/// Runs `query` `runs` times (after `warmup` untimed runs) with `vars`.
pub async fn time(app: &TestApp, query: &str, vars: Value, warmup: usize, runs: usize) -> Stats {
    let (mut rows, mut kb) = (0, 0.0);
    for _ in 0..warmup {
        let data = app.data(query, vars.clone()).await;
        rows = data["clinics"]["edges"].as_array().or(data["treatments"].as_array()).map_or(0, Vec::len);
        kb = serde_json::to_vec(&data).map_or(0, |b| b.len()) as f64 / 1_000.0;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        // Until the whole response has arrived; decoding it is the client's work, not latency.
        let bytes = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&app.token)
            .json(&json!({ "query": query, "variables": vars }))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("the server answers");
        let bytes = bytes.bytes().await.expect("the response arrives");
        samples.push(started.elapsed().as_secs_f64() * 1_000.0);
        let body: Value = serde_json::from_slice(&bytes).expect("a JSON response");
        assert!(body.get("errors").is_none(), "the hot query failed: {body}");
    }
    if std::env::var("BENCH_SAMPLES").is_ok() {
        eprintln!("{:?}", samples.iter().map(|s| s.round() as i64).collect::<Vec<_>>());
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    Stats { median: at(0.5), p95: at(0.95), rows, kb }
}
