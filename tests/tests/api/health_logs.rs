//! The log scan: a server in a child process at debug level, taken through a submission
//! with distinctive patient values, reads on every path, an offer with notes, a decline with
//! a reason, a read that cannot be opened and an erasure, never writes any of those values.

use std::time::Duration;

use medtour::auth::role::Role;
use medtour_tests::{Backend, fresh_database, on_both_backends};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::child_server::ChildServer;
use crate::health_support::*;

async fn client(url: &str, role: Role, partner: Option<&str>, clinic: Option<&str>) -> (String, String) {
    let conn = medtour::db::connect(url, 2, &medtour::db::StatementCounter::default()).await.unwrap();
    medtour::db::migrate(&conn).await.unwrap();
    let c = medtour::auth::clients::create(&conn, role, partner, clinic, None, medtour::time::now()).await.unwrap();
    conn.close().await.ok();
    (c.client_id, c.client_secret)
}

on_both_backends! {
    /// No distinctive patient value reaches the server's log at debug level, on any path.
    async fn no_patient_value_reaches_the_logs_at_debug_level(backend: Backend) {
        let (url, _dir) = fresh_database(backend).await;
        let agent = client(&url, Role::Agent, Some("Log Partner"), None).await;
        let admin = client(&url, Role::Admin, None, None).await;
        let server = ChildServer::start(&url, &[("RUST_LOG", "debug")]);
        let clinic = client(&url, Role::Clinic, None, Some("baja-regenerative-institute")).await;
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let base = server.address.clone();
        let token = |(id, secret): (String, String)| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                let r = http
                    .post(format!("{base}/oauth/token"))
                    .basic_auth(id, Some(secret))
                    .form(&[("grant_type", "client_credentials")]);
                r.send().await.unwrap().json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
            }
        };
        let (agent, admin, clinic) = (token(agent).await, token(admin).await, token(clinic).await);
        let gql = |bearer: &str, query: &str, variables: Value| {
            let request = http
                .post(format!("{base}/graphql"))
                .bearer_auth(bearer)
                .json(&json!({ "query": query, "variables": variables }));
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let baja = gql(&agent, r#"{ clinic(slug: "baja-regenerative-institute") { id } }"#, json!({})).await;
        let input = json!({
            "idempotencyKey": "log-scan-1", "clinicId": baja["data"]["clinic"]["id"], "treatment": "msc-chronic-migraine",
            "patient": { "reference": REFERENCE, "ageYears": 41, "countryOfResidence": "US", "chronicMigraineDiagnosis": true,
                "headacheDaysPerMonth": 20, "treatmentsTried": ["TRIPTANS", "BOTULINUM_TOXIN"], "contraindications": [], "medicalNotes": NOTES },
        });
        let submitted = gql(
            &agent,
            "mutation Submit($input: SubmitQuoteRequestInput!) { submitQuoteRequest(input: $input) {
            quote { id eligibility { reasons } } } }",
            json!({ "input": input }),
        )
        .await;
        let quote = &submitted["data"]["submitQuoteRequest"]["quote"];
        let id = quote["id"].as_str().unwrap_or_else(|| panic!("{submitted:#}")).to_owned();
        let reasons: Vec<String> =
            quote["eligibility"]["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
        let all =
            "patient { reference medicalNotes treatmentsTried } eligibility { reasons } offer { notes } events { note }";
        gql(&clinic, &format!("query($id: ID!) {{ quote(id: $id) {{ {all} }} }}"), json!({ "id": id })).await;
        gql(&clinic, "mutation($id: ID!) { startQuoteReview(id: $id) { quote { id } } }", json!({ "id": id })).await;
        let offer = json!({ "price": "4500.00", "currencyCode": "USD", "cellCountMillions": 25, "sessions": 1, "stayDays": 4,
            "inclusions": [], "validUntil": (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339(), "notes": OFFER_NOTES });
        gql(
            &clinic,
            "mutation($id: ID!, $o: QuoteOfferInput!) { makeQuoteOffer(id: $id, input: $o) { quote { offer { notes } } } }",
            json!({ "id": id, "o": offer }),
        )
        .await;
        let declined = gql(
            &agent,
            "mutation($id: ID!, $r: String) { declineQuoteOffer(id: $id, reason: $r) { quote { events { note } } } }",
            json!({ "id": id, "r": DECLINE_REASON }),
        )
        .await;
        assert!(declined.to_string().contains(DECLINE_REASON), "{declined:#}");
        gql(&admin, &format!("{{ quotes {{ edges {{ node {{ {all} }} }} }} }}"), json!({})).await;
        gql(
            &admin,
            &format!("query($id: ID!) {{ nodes(ids: [$id]) {{ ... on Quote {{ {all} }} }} }}"),
            json!({ "id": id }),
        )
        .await;
        // A profile that cannot be opened is logged by quote and key id, not by content.
        let conn = medtour::db::connect(&url, 1, &medtour::db::StatementCounter::default()).await.unwrap();
        conn.execute_unprepared("UPDATE patient_data SET eligibility = profile").await.unwrap();
        let broken = gql(&admin, &format!("query($id: ID!) {{ quote(id: $id) {{ {all} }} }}"), json!({ "id": id })).await;
        assert_eq!(medtour_tests::error_codes(&broken), ["INTERNAL"], "{broken:#}");
        conn.close().await.ok();
        gql(
            &admin,
            "mutation($id: ID!) { erasePatientData(quoteId: $id, reason: \"request 12\") { quote { status } } }",
            json!({ "id": id }),
        )
        .await;

        assert!(server.wait_for_line("patient data could not be opened", Duration::from_secs(10)), "the failure is logged");
        let logs = server.stop();
        assert!(logs.contains("DEBUG"), "the server logged at debug level:\n{logs}");
        for value in distinctive(&reasons) {
            assert!(!logs.contains(&value), "{value:?} reached the logs:\n{logs}");
        }
    }
}
