//! The response cache of catalogue reads: answers shared across callers, never stale — every
//! kind of catalogue write shows on the next request, on this replica and on another —
//! never holding a per-caller field, bounded in bytes, and changing nothing but speed.

use std::time::Duration;

use medtour_tests::{Backend, Role, TestApp, on_both_backends, spawn_on};
use serde_json::{Value, json};

use crate::admin_support::*;
use crate::quotes_support::{Party, day, request, submitted};

/// The cache on, with room for every answer these tests ask for.
const CACHE_ON: (&str, &str) = ("MEDTOUR_RESPONSE_CACHE_BYTES", "8388608");

/// One read that shows every kind of catalogue write: treatments, the CLINIC's own clinic
/// with all its records, the cost table and the listing.
const WITNESS: &str = r#"query Witness($slug: String!) {
    treatments { slug name description version }
    clinic(slug: $slug) {
        name description version safetyChecklist { score }
        doctors { name title }
        accreditations { certificateNumber status expiresOn }
        certificatesOfAnalysis { lotNumber status meetsReleaseCriteria }
        packages { name active price { amount currencyCode } }
        priceRange { min { amount } max { amount } }
    }
    costComparison(treatment: "msc-chronic-migraine") { countryCode clinicCount min { amount } max { amount } }
    clinics(first: 100) { totalCount edges { node { slug } } }
}"#;

/// Hits and misses counted by `app` so far.
fn lookups(app: &TestApp) -> (u64, u64) {
    let text = app.state.metrics.render(&app.state.db, &app.state.statements).unwrap_or_default();
    let count = |result: &str| {
        let prefix = format!("medtour_response_cache_lookups_total{{result=\"{result}\"}} ");
        text.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|n| n.trim().parse().ok()).unwrap_or(0)
    };
    (count("hit"), count("miss"))
}

/// The whole body of `query` as `who`; fails on errors.
async fn data(app: &TestApp, who: &Party, query: &str, variables: Value) -> Value {
    let (status, body) = app.graphql_as(Some(&who.token), query, variables).await;
    assert_eq!(status, 200, "{body:#}");
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

async fn witness(app: &TestApp, who: &Party) -> Value {
    data(app, who, WITNESS, json!({ "slug": OWN })).await
}

/// A second server over `app`'s database with `extra` settings.
async fn replica(app: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    spawn_on(app.backend, &app.database_url, None, extra).await
}

on_both_backends! {
    /// After each kind of catalogue write, the next read shows it: the cached answer moves on
    /// and equals what a server without a cache answers over the same database.
    async fn every_kind_of_catalogue_write_shows_on_the_next_request(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON]).await;
        let plain = replica(&s.app, &[("MEDTOUR_RESPONSE_CACHE_BYTES", "0")]).await;
        let plain_partner = Party::new(&plain, Role::Partner, Some("Plain Partner"), None).await;
        let first = witness(&s.app, &s.partner).await;
        let (hits, misses) = lookups(&s.app);
        assert_eq!(witness(&s.app, &s.partner).await, first);
        assert_eq!(lookups(&s.app), (hits + 1, misses), "the second read is answered from the cache");

        let (own, version) = s.clinic(OWN).await;
        let treatment = s.run(&s.admin, "{ treatments { id slug version } }", json!({})).await["data"]["treatments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["slug"] == "msc-chronic-migraine")
            .cloned()
            .unwrap();
        let mut previous = first;
        let mut check = async |what: &str| {
            let now = witness(&s.app, &s.partner).await;
            assert_ne!(now, previous, "{what} shows on the next request");
            assert_eq!(now, witness(&plain, &plain_partner).await, "{what}: the same as without a cache");
            previous = now;
        };

        s.done(&s.admin, UPDATE_CLINIC, json!({ "id": own, "v": version, "p": { "name": "Baja Renamed" } })).await;
        check("a clinic's update").await;
        let doctor = s
            .done(&s.clinic, CREATE_DOCTOR, json!({ "c": own, "input": { "name": "Dr. Cache", "title": "Neurologist", "licenseNumber": "MX-77", "specialties": [] } }))
            .await["doctor"]["id"]
            .clone();
        check("a new doctor").await;
        s.done(&s.admin, "mutation($id: ID!) { r: removeDoctor(id: $id, version: 1) { userErrors { field message code } doctor { id } } }", json!({ "id": doctor })).await;
        check("a removed doctor").await;
        let accreditation = s
            .done(&s.admin, CREATE_ACCREDITATION, json!({ "c": own, "input": accreditation_input("CACHE-1") }))
            .await["accreditation"]["id"]
            .clone();
        check("a new accreditation").await;
        s.done(&s.admin, VERIFY_ACCREDITATION, json!({ "id": accreditation, "v": 1, "d": "VERIFY" })).await;
        check("a verified accreditation").await;
        let certificate = s
            .done(&s.admin, CREATE_CERTIFICATE, json!({ "c": own, "input": certificate_input("CACHE-LOT") }))
            .await["certificateOfAnalysis"]["id"]
            .clone();
        check("a new certificate").await;
        s.done(&s.admin, VERIFY_CERTIFICATE, json!({ "id": certificate, "v": 1, "d": "REJECT" })).await;
        check("a rejected certificate").await;
        let package = s
            .done(&s.admin, CREATE_PACKAGE, json!({ "c": own, "input": package_input("99.00") }))
            .await["treatmentPackage"]["id"]
            .clone();
        check("a new package (and the cost table's minimum)").await;
        s.done(&s.admin, ARCHIVE_PACKAGE, json!({ "id": package, "v": 1 })).await;
        check("an archived package").await;
        let update_treatment = "mutation($id: ID!, $v: Int!, $i: TreatmentInput!) { r: updateTreatment(id: $id, version: $v, input: $i) { userErrors { field code } treatment { id } } }";
        let input = json!({ "slug": "msc-chronic-migraine", "name": "MSC therapy for chronic migraine (renamed)", "condition": "Chronic migraine", "description": "Renamed for the cache test.", "regulatoryNote": "Not approved by the FDA." });
        s.done(&s.admin, update_treatment, json!({ "id": treatment["id"], "v": treatment["version"], "i": input })).await;
        check("a treatment's update").await;
        s.set_status(&own, "SUSPENDED").await;
        check("a clinic taken off the catalogue").await;
        assert_eq!(previous["clinic"], Value::Null);
    }
}

on_both_backends! {
    /// A write through one server shows on another over the same database within a second:
    /// on PostgreSQL by notification alone (the other server's periodic check is set to a
    /// minute), on SQLite by the periodic check.
    async fn another_replica_sees_a_write_within_a_second(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON]).await;
        let poll = if backend == Backend::Postgres { "60000" } else { "50" };
        let other = replica(&s.app, &[CACHE_ON, ("MEDTOUR_CATALOGUE_POLL_MS", poll)]).await;
        let partner = Party::new(&other, Role::Partner, Some("Other Partner"), None).await;
        let before = witness(&other, &partner).await;
        assert_eq!(witness(&other, &partner).await, before, "cached on the other server");
        let (own, version) = s.clinic(OWN).await;
        s.done(&s.admin, UPDATE_CLINIC, json!({ "id": own, "v": version, "p": { "description": "Seen everywhere." } })).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            let now = witness(&other, &partner).await;
            if now["clinic"]["description"] == "Seen everywhere." {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the other server still answers {now:#}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

on_both_backends! {
    /// `viewer`, `quotes` and `quote` are never answered from the cache, alone or beside a
    /// catalogue field, and neither is a clinic's response time (it reads quotes).
    async fn per_caller_fields_are_never_served_from_the_cache(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON]).await;
        let baja = s.clinic(OWN).await.0;
        let other = Party::new(&s.app, Role::Agent, Some("Another Partner"), None).await;
        let mixed = "{ viewer { clientId partnerName } treatments { slug } quotes(first: 10) { totalCount } }";
        let (hits, _) = lookups(&s.app);
        let mine = data(&s.app, &s.agent, mixed, json!({})).await;
        let theirs = data(&s.app, &other, mixed, json!({})).await;
        assert_eq!(mine["viewer"]["clientId"], s.agent.client_id.as_str());
        assert_eq!(theirs["viewer"]["clientId"], other.client_id.as_str());
        assert_eq!(theirs["viewer"]["partnerName"], "Another Partner");
        let quote = submitted(&s.app, &s.agent, request(&baja, "cache-per-caller-1")).await;
        let again = data(&s.app, &s.agent, mixed, json!({})).await;
        assert_eq!(again["quotes"]["totalCount"], mine["quotes"]["totalCount"].as_i64().unwrap() + 1, "{again:#}");
        let one = "query($id: ID!) { quote(id: $id) { id status } treatments { slug } }";
        assert_eq!(data(&s.app, &s.agent, one, json!({ "id": quote })).await["quote"]["id"], quote.as_str());
        assert_eq!(data(&s.app, &other, one, json!({ "id": quote })).await["quote"], Value::Null, "another tenant's quote");
        let viewer = "{ viewer { clientId } }";
        assert_eq!(data(&s.app, &other, viewer, json!({})).await["viewer"]["clientId"], other.client_id.as_str());
        assert_eq!(data(&s.app, &s.agent, viewer, json!({})).await["viewer"]["clientId"], s.agent.client_id.as_str());
        assert_eq!(lookups(&s.app).0, hits, "none of these came from the cache");
    }
}

on_both_backends! {
    /// A CLINIC and a PARTNER asking the same catalogue query get the same data, the second
    /// from the cache, each with its own cost report; a caller out of budget is refused
    /// before the cache.
    async fn callers_share_answers_but_are_charged_and_limited_each(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON, ("MEDTOUR_RATE_CLINIC", "2000/1")]).await;
        let query = "query($slug: String!) { clinic(slug: $slug) { name packages { name price { amount } } } treatments { slug } }";
        let vars = json!({ "slug": OTHER });
        let (_, partner) = s.app.graphql_as(Some(&s.partner.token), query, vars.clone()).await;
        let (hits, _) = lookups(&s.app);
        let (_, clinic) = s.app.graphql_as(Some(&s.clinic.token), query, vars.clone()).await;
        assert_eq!(lookups(&s.app).0, hits + 1, "the CLINIC's answer came from the cache");
        assert_eq!(partner["data"], clinic["data"]);
        let available = |body: &Value| body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"].clone();
        assert_ne!(available(&partner), available(&clinic), "each caller's own budget: {partner:#} {clinic:#}");
        assert!(clinic["extensions"]["cost"]["actualQueryCost"].as_u64().is_some_and(|c| c > 0), "{clinic:#}");

        let mut refused = None;
        for _ in 0..2000 {
            let (status, body) = s.app.graphql_as(Some(&s.clinic.token), query, vars.clone()).await;
            if status == 429 {
                refused = Some(body);
                break;
            }
        }
        let body = refused.expect("the CLINIC's budget runs out even on cached answers");
        assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED", "{body:#}");
    }
}

on_both_backends! {
    /// The cache never holds more bytes than it is given, however many answers it is asked
    /// to keep.
    async fn the_byte_bound_holds(backend: Backend) {
        let bound = 40_000;
        let s = Staff::with(backend, &[("MEDTOUR_RESPONSE_CACHE_BYTES", "40000")]).await;
        let clinics = s.run(&s.partner, "{ clinics(first: 100) { edges { node { slug } } } }", json!({})).await;
        let slugs: Vec<String> = clinics["data"]["clinics"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["slug"].as_str().unwrap().to_owned())
            .collect();
        let answers = s.app.state.cache.answers.as_ref().expect("the cache is on");
        for slug in &slugs {
            witness_of(&s, slug).await;
            assert!(answers.bytes() <= bound, "{} bytes held", answers.bytes());
        }
        assert!(answers.len() >= 2 && answers.len() < slugs.len(), "some answers kept, the oldest evicted: {}", answers.len());
        // The most recent answer is still there.
        let (hits, _) = lookups(&s.app);
        witness_of(&s, slugs.last().unwrap()).await;
        assert_eq!(lookups(&s.app).0, hits + 1);
    }
}

async fn witness_of(s: &Staff, slug: &str) -> Value {
    data(&s.app, &s.partner, WITNESS, json!({ "slug": slug })).await
}

on_both_backends! {
    /// Date-derived values move on with the day: a verified accreditation expiring today
    /// reads EXPIRED once the clock passes midnight, though nothing was written.
    async fn the_next_day_is_not_answered_from_yesterday(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON]).await;
        let (own, _) = s.clinic(OWN).await;
        let input = json!({ "body": "COFEPRIS", "bodyName": "COFEPRIS", "certificateNumber": "CACHE-DAY", "issuedOn": day(-300), "expiresOn": day(0) });
        let created = s.done(&s.admin, CREATE_ACCREDITATION, json!({ "c": own, "input": input })).await;
        s.done(&s.admin, VERIFY_ACCREDITATION, json!({ "id": created["accreditation"]["id"], "v": 1, "d": "VERIFY" })).await;
        let status = |w: &Value| {
            w["clinic"]["accreditations"].as_array().unwrap().iter().find(|a| a["certificateNumber"] == "CACHE-DAY").unwrap()["status"].clone()
        };
        assert_eq!(status(&witness(&s.app, &s.partner).await), "VERIFIED");
        assert_eq!(status(&witness(&s.app, &s.partner).await), "VERIFIED");
        s.app.state.clock.advance(Duration::from_secs(24 * 3600));
        // Yesterday's token has expired too.
        let partner = Party::new(&s.app, Role::Partner, Some("Next Day Partner"), None).await;
        assert_eq!(status(&witness(&s.app, &partner).await), "EXPIRED");
    }
}

/// Catalogue reads of every shape: filters, orders, pages after a cursor, the cost table,
/// fragments and aliases.
const BATTERY: &[&str] = &[
    "{ clinics(first: 5, orderBy: { field: LOWEST_PRICE, direction: ASC }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug priceRange { min { amount } } } } } }",
    "{ clinics(first: 3, orderBy: { field: SAFETY_SCORE, direction: DESC }, filter: { verifiedOnly: true }) { totalCount edges { node { slug safetyChecklist { score items { key passed detail } } } } } }",
    "{ clinics(filter: { countryCodes: [\"MX\", \"DE\"], cellSources: [UMBILICAL_CORD_MSC] }) { totalCount edges { node { slug countryCode } } } }",
    "{ clinics(filter: { search: \"stem\", maxPrice: \"20000\" }) { totalCount edges { node { name } } } }",
    "{ a: costComparison(treatment: \"msc-chronic-migraine\") { countryCode clinicCount min { amount currencyCode } max { amount } } b: treatments { id slug name } }",
    "query Q { ...Listing } fragment Listing on Query { clinics(last: 4) { edges { node { ...C } } pageInfo { hasPreviousPage startCursor } } } fragment C on Clinic { id slug accreditations { body status } certificatesOfAnalysis { lotNumber markers { marker percentPositive } } }",
];

on_both_backends! {
    /// The cache off changes nothing but speed: every read of the battery, asked twice of a
    /// server with the cache, answers what a server without one answers, pages after a
    /// cursor included.
    async fn the_cache_changes_nothing_but_speed(backend: Backend) {
        let s = Staff::with(backend, &[CACHE_ON]).await;
        let plain = replica(&s.app, &[("MEDTOUR_RESPONSE_CACHE_BYTES", "0")]).await;
        let plain_partner = Party::new(&plain, Role::Partner, Some("Plain Partner"), None).await;
        for query in BATTERY {
            let uncached = data(&plain, &plain_partner, query, json!({})).await;
            assert_eq!(data(&s.app, &s.partner, query, json!({})).await, uncached, "{query}");
            assert_eq!(data(&s.app, &s.clinic, query, json!({})).await, uncached, "{query}, from the cache");
        }
        let page = "query($after: String) { clinics(first: 4, after: $after) { edges { node { slug } } pageInfo { endCursor } } }";
        let first = data(&plain, &plain_partner, page, json!({})).await;
        let after = json!({ "after": first["clinics"]["pageInfo"]["endCursor"] });
        let next = data(&plain, &plain_partner, page, after.clone()).await;
        assert_ne!(next, first);
        assert_eq!(data(&s.app, &s.partner, page, json!({})).await, first);
        assert_eq!(data(&s.app, &s.partner, page, after.clone()).await, next, "variables are part of the key");
        assert_eq!(data(&s.app, &s.partner, page, after).await, next);
        assert!(lookups(&s.app).0 > BATTERY.len() as u64);
    }
}
