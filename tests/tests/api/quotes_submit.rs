//! Pre-screening and submission: `checkEligibility` gives each outcome with its reasons, and
//! `submitQuoteRequest` stores a valid request (with the same screening) or reports every
//! problem with the input path it is about — storing nothing.

use medtour::graphql::ids::{Kind, encode};
use medtour_tests::{Backend, Role, error_codes, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;

const SCREEN: &str =
    "query($t: String!, $p: PatientProfileInput!) { checkEligibility(treatment: $t, patient: $p) { outcome reasons } }";

fn with(mut value: Value, path: &[&str], new: Value) -> Value {
    let mut at = &mut value;
    for key in &path[..path.len() - 1] {
        at = &mut at[*key];
    }
    at[path[path.len() - 1]] = new;
    value
}

on_both_backends! {
    /// Each pre-screening outcome comes with reasons that say why, step by step.
    async fn check_eligibility_explains_each_outcome(backend: Backend) {
        let w = World::new(backend).await;
        let cases: Vec<(&str, &[&str], Value, &str, &str)> = vec![
            ("a likely candidate", &["headacheDaysPerMonth"], json!(20), "LIKELY_CANDIDATE", "3 conventional treatments"),
            ("no diagnosis", &["chronicMigraineDiagnosis"], json!(false), "NEEDS_REVIEW", "no chronic-migraine diagnosis"),
            ("episodic migraine", &["headacheDaysPerMonth"], json!(14), "NEEDS_REVIEW", "14 headache days a month is below"),
            ("one conventional treatment", &["treatmentsTried"], json!(["TRIPTANS", "LIFESTYLE_CHANGES", "OTHER"]), "NEEDS_REVIEW", "Only 1 conventional"),
            ("a contraindication", &["contraindications"], json!(["ACTIVE_CANCER"]), "NOT_A_CANDIDATE", "active cancer"),
        ];
        for (why, path, value, outcome, reason) in cases {
            let data = w.app.data(SCREEN, json!({ "t": MIGRAINE, "p": with(patient(), path, value) })).await;
            let result = &data["checkEligibility"];
            assert_eq!(result["outcome"], outcome, "{why}: {result:#}");
            let reasons: Vec<&str> = result["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            assert!(reasons.iter().any(|r| r.contains(reason)), "{why}: {reasons:?}");
            assert!(reasons.iter().any(|r| r.contains("not medical advice")), "{why}: {reasons:?}");
        }
        let agent = w.app.data_as(&w.agent.token, SCREEN, json!({ "t": MIGRAINE, "p": patient() })).await;
        assert_eq!(agent["checkEligibility"]["outcome"], "LIKELY_CANDIDATE", "agents screen too");
    }
}

on_both_backends! {
    /// Bad patient data is BAD_USER_INPUT naming the field; CLINIC clients may not screen.
    async fn check_eligibility_refuses_bad_input_and_clinic_callers(backend: Backend) {
        let w = World::new(backend).await;
        let cases: Vec<(&str, Value, Value)> = vec![
            ("age 17", with(patient(), &["ageYears"], json!(17)), json!(["patient", "ageYears"])),
            ("country XX", with(patient(), &["countryOfResidence"], json!("XX")), json!(["patient", "countryOfResidence"])),
            ("32 headache days", with(patient(), &["headacheDaysPerMonth"], json!(32)), json!(["patient", "headacheDaysPerMonth"])),
        ];
        for (why, p, field) in cases {
            let (_, body) = w.app.graphql_as(Some(&w.app.token), SCREEN, json!({ "t": MIGRAINE, "p": p })).await;
            assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{why}: {body:#}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{why}: {body:#}");
        }
        let (_, body) = w.app.graphql_as(Some(&w.app.token), SCREEN, json!({ "t": "msc-unknown", "p": patient() })).await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "unknown treatment: {body:#}");
        let (_, body) = w.app.graphql_as(Some(&w.clinic.token), SCREEN, json!({ "t": MIGRAINE, "p": patient() })).await;
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body:#}");
        assert!(body["data"].is_null() || body["data"]["checkEligibility"].is_null(), "{body:#}");
    }
}

on_both_backends! {
    /// A valid request is SUBMITTED with its screening, its first event and the patient echoed.
    async fn an_agent_submits_a_quote_request(backend: Backend) {
        let w = World::new(backend).await;
        let input = with(request(&w.baja.id, "k-1"), &["packageId"], json!(w.baja.package(25)));
        let (status, body) = submit(&w.app, &w.agent, input).await;
        assert_eq!(status, 200);
        let payload = &body["data"]["r"];
        assert_eq!(payload["userErrors"], json!([]), "{body:#}");
        let quote = &payload["quote"];
        assert_eq!(quote["status"], "SUBMITTED");
        assert_eq!(quote["clinic"]["slug"], BAJA);
        assert_eq!(quote["treatment"]["slug"], MIGRAINE);
        assert_eq!(quote["package"]["id"], w.baja.package(25));
        assert_eq!(quote["requestedCellCountMillions"], 25);
        assert_eq!((quote["travelEarliest"].as_str(), quote["travelLatest"].as_str()), (Some(&*day(30)), Some(&*day(45))));
        assert_eq!(quote["patient"], patient(), "the patient is echoed, notes decrypted for the agent");
        assert_eq!(quote["eligibility"]["outcome"], "LIKELY_CANDIDATE");
        assert!(quote["eligibility"]["reasons"].as_array().unwrap().len() >= 4);
        assert_eq!(quote["offer"], Value::Null);
        let events = quote["events"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["from"], Value::Null);
        assert_eq!(events[0]["to"], "SUBMITTED");
        assert_eq!(events[0]["actor"], "Agent of the requesting partner");
        assert!(!quote.to_string().contains(&w.agent.client_id), "the agent's client id is not shown");
        assert_eq!(events[0]["actorRole"], "AGENT");
        assert_eq!(events[0]["at"], quote["createdAt"]);
        let id = quote["id"].as_str().unwrap();
        assert_eq!(&read(&w.app, &w.agent, id).await, quote, "quote(id) shows what the mutation returned");
        assert_eq!(rows(&w.app, None).await, (1, 1, 0));
    }
}

on_both_backends! {
    /// A doctor decides: a NOT_A_CANDIDATE patient can still be submitted, and the clinic sees why.
    async fn a_patient_who_is_not_a_candidate_can_still_be_submitted(backend: Backend) {
        let w = World::new(backend).await;
        let contra = json!(["PREGNANCY", "SEVERE_INFECTION"]);
        let input = with(request(&w.baja.id, "k-nc"), &["patient", "contraindications"], contra);
        let id = submitted(&w.app, &w.agent, input).await;
        let seen = read(&w.app, &w.clinic, &id).await;
        assert_eq!(seen["status"], "SUBMITTED");
        assert_eq!(seen["eligibility"]["outcome"], "NOT_A_CANDIDATE");
        let reasons = seen["eligibility"]["reasons"].to_string();
        assert!(reasons.contains("pregnancy") && reasons.contains("severe infection"), "{reasons}");
        assert_eq!(seen["patient"]["contraindications"], json!(["PREGNANCY", "SEVERE_INFECTION"]));
    }
}

on_both_backends! {
    /// Every invalid field is reported at its input path with its code, and nothing is stored.
    async fn invalid_requests_name_each_field_and_store_nothing(backend: Backend) {
        let w = World::new(backend).await;
        let rhein = clinic(&w.app, RHEIN).await;
        let hidden = hidden_clinic_id(&w.app, MIAMI).await;
        let base = request(&w.baja.id, "k-bad");
        let notes = "n".repeat(10_001);
        // (why, input path changed, new value, expected error path under "input", code)
        type Case<'a> = (&'a str, &'a [&'a str], Value, &'a [&'a str], &'a str);
        let cases: Vec<Case> = vec![
            ("unknown clinic", &["clinicId"], json!(encode(Kind::Clinic, 987_654).0), &["clinicId"], "NOT_FOUND"),
            ("a package ID as clinic", &["clinicId"], json!(w.baja.package(25)), &["clinicId"], "NOT_FOUND"),
            ("not an ID", &["clinicId"], json!("not-an-id"), &["clinicId"], "NOT_FOUND"),
            ("a number as clinic ID", &["clinicId"], json!(5), &["clinicId"], "NOT_FOUND"),
            ("unpublished clinic", &["clinicId"], json!(hidden), &["clinicId"], "NOT_FOUND"),
            ("unknown treatment", &["treatment"], json!("msc-unknown"), &["treatment"], "NOT_FOUND"),
            ("treatment not offered", &["treatment"], json!("msc-knee-osteoarthritis"), &["treatment"], "INVALID"),
            ("another clinic's package", &["packageId"], json!(rhein.package(50)), &["packageId"], "NOT_FOUND"),
            ("cell count not offered", &["requestedCellCountMillions"], json!(30), &["requestedCellCountMillions"], "INVALID"),
            ("travel in the past", &["travelEarliest"], json!(day(-1)), &["travelEarliest"], "INVALID"),
            ("travel today", &["travelEarliest"], json!(day(0)), &["travelEarliest"], "INVALID"),
            ("latest before earliest", &["travelLatest"], json!(day(20)), &["travelLatest"], "INVALID"),
            ("age 17", &["patient", "ageYears"], json!(17), &["patient", "ageYears"], "INVALID"),
            ("age 101", &["patient", "ageYears"], json!(101), &["patient", "ageYears"], "INVALID"),
            ("country XX", &["patient", "countryOfResidence"], json!("XX"), &["patient", "countryOfResidence"], "INVALID"),
            ("country usa", &["patient", "countryOfResidence"], json!("usa"), &["patient", "countryOfResidence"], "INVALID"),
            ("32 headache days", &["patient", "headacheDaysPerMonth"], json!(32), &["patient", "headacheDaysPerMonth"], "INVALID"),
            ("notes of 10,001 characters", &["patient", "medicalNotes"], json!(notes), &["patient", "medicalNotes"], "INVALID"),
            ("a name as reference", &["patient", "reference"], json!("Jane Doe"), &["patient", "reference"], "INVALID"),
            ("empty idempotency key", &["idempotencyKey"], json!(""), &["idempotencyKey"], "INVALID"),
            ("blank idempotency key", &["idempotencyKey"], json!("   "), &["idempotencyKey"], "INVALID"),
        ];
        for (why, path, value, field, code) in cases {
            let (status, body) = submit(&w.app, &w.agent, with(base.clone(), path, value)).await;
            assert_eq!(status, 200, "{why}: {body:#}");
            let payload = &body["data"]["r"];
            assert_eq!(payload["quote"], Value::Null, "{why}: {body:#}");
            let errors = payload["userErrors"].as_array().unwrap();
            let mut expected = vec!["input"];
            expected.extend_from_slice(field);
            assert_eq!(errors.len(), 1, "{why}: {body:#}");
            assert_eq!(errors[0]["field"], json!(expected), "{why}: {body:#}");
            assert_eq!(errors[0]["code"], code, "{why}: {body:#}");
            assert!(!errors[0]["message"].as_str().unwrap().is_empty(), "{why}");
        }
        let both = with(with(base.clone(), &["patient", "ageYears"], json!(17)), &["patient", "countryOfResidence"], json!("XX"));
        let (_, body) = submit(&w.app, &w.agent, both).await;
        let fields: Vec<Value> = body["data"]["r"]["userErrors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
        assert_eq!(fields, vec![json!(["input", "patient", "ageYears"]), json!(["input", "patient", "countryOfResidence"])]);
        let package_100 = with(base.clone(), &["packageId"], json!(w.baja.package(100)));
        let mismatch = with(package_100, &["requestedCellCountMillions"], json!(25));
        let (_, body) = submit(&w.app, &w.agent, mismatch).await;
        assert_eq!(body["data"]["r"]["userErrors"][0]["field"], json!(["input", "requestedCellCountMillions"]), "{body:#}");

        assert_eq!(rows(&w.app, None).await, (0, 0, 0), "a refused request stores nothing");
        let limit = with(base.clone(), &["patient", "medicalNotes"], json!("n".repeat(10_000)));
        let id = submitted(&w.app, &w.agent, limit).await;
        assert_eq!(read(&w.app, &w.agent, &id).await["patient"]["medicalNotes"].as_str().unwrap().len(), 10_000);
        assert_eq!(rows(&w.app, None).await, (1, 1, 0), "a refused key is not used up");
    }
}

on_both_backends! {
    /// Only agents submit: PARTNER and CLINIC clients are FORBIDDEN, and nothing is stored.
    async fn only_agents_submit_quote_requests(backend: Backend) {
        let w = World::new(backend).await;
        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        for who in [&partner, &w.clinic] {
            let (_, body) = submit(&w.app, who, request(&w.baja.id, "k-role")).await;
            assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body:#}");
            assert!(body["data"].is_null(), "{body:#}");
        }
        assert_eq!(rows(&w.app, None).await, (0, 0, 0));
    }
}
