//! The safety checklist, release criteria and accreditation status as partners see them, on
//! the demo clinics' deliberate failures (purpose-built clinics are in `catalogue_built`).

use chrono::{NaiveDate, Utc};
use medtour_tests::{Backend, TestApp, on_both_backends};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::catalogue_fixtures::catalogue_app;

/// A clinic's checklist, accreditation statuses and certificates' release criteria.
pub const CHECKLIST: &str = r#"query($slug: String) { clinic(slug: $slug) {
    safetyChecklist { score items { key passed detail } }
    accreditations { status expiresOn } certificatesOfAnalysis { lotNumber meetsReleaseCriteria markers { marker } } } }"#;

/// The failed items of a checklist, as (key, detail).
pub fn failures(checklist: &Value) -> Vec<(String, String)> {
    checklist["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["passed"] == false)
        .map(|i| (i["key"].as_str().unwrap().to_owned(), i["detail"].as_str().unwrap().to_owned()))
        .collect()
}

/// The checklist view of the clinic with `slug`.
pub async fn clinic_view(app: &TestApp, slug: &str) -> Value {
    app.data(CHECKLIST, json!({ "slug": slug })).await["clinic"].clone()
}

on_both_backends! {
    /// Each demo clinic fails exactly its deliberate checklist item, with a detail that says
    /// why; every other demo clinic passes all six.
    async fn demo_clinics_fail_exactly_their_deliberate_items(backend: Backend) {
        let app = catalogue_app(backend).await;
        let expected: [(&str, &str, &[&str]); 7] = [
            ("costa-pacifico-cell-clinic", "REALISTIC_CLAIMS", &["\"cure\"", "\"guarantee\"", "\"100%\""]),
            (
                "caribe-biomedica-cancun",
                "DOCTOR_CREDENTIALS",
                &["None of the clinic's doctors lists a medical licence number"],
            ),
            ("sabana-regenerative-bogota", "THIRD_PARTY_COA", &["SRM-UC-24-0930", "sterility test failed"]),
            ("chao-phraya-stem-cell-center", "THIRD_PARTY_COA", &["CPS-UC-23-0415", "more than 12 months ago"]),
            ("lumphini-cell-wellness", "THIRD_PARTY_COA", &["viability is 62%, below the required 70%"]),
            ("isar-regenerativ-klinik-muenchen", "LICENSED", &["expired"]),
            ("lone-star-cell-institute", "LICENSED", &["verified by Medtour"]),
        ];
        let query =
            "{ clinics(first: 100) { edges { node { slug safetyChecklist { score items { key passed detail } } } } } }";
        let data = app.data(query, json!({})).await;
        let all = data["clinics"]["edges"].as_array().unwrap();
        assert_eq!(all.len(), 14);
        for edge in all {
            let slug = edge["node"]["slug"].as_str().unwrap();
            let checklist = &edge["node"]["safetyChecklist"];
            let keys: Vec<&str> =
                checklist["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
            assert_eq!(
                keys,
                [
                    "DOCTOR_CREDENTIALS",
                    "CELL_SOURCE_DISCLOSED",
                    "THIRD_PARTY_COA",
                    "PROTOCOL_DISCLOSED",
                    "LICENSED",
                    "REALISTIC_CLAIMS"
                ]
            );
            assert!(
                checklist["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|i| i["detail"].as_str().is_some_and(|d| d.len() > 10)),
                "{slug}: every item explains itself"
            );
            let failed = failures(checklist);
            match expected.iter().find(|(s, _, _)| *s == slug) {
                Some((_, key, words)) => {
                    assert_eq!(failed.len(), 1, "{slug}: {failed:?}");
                    assert_eq!(failed[0].0, *key, "{slug}");
                    for w in *words {
                        assert!(failed[0].1.contains(w), "{slug}: {:?} should mention {w:?}", failed[0].1);
                    }
                    assert_eq!(checklist["score"], 5, "{slug}");
                }
                None => {
                    assert_eq!(failed, vec![], "{slug}");
                    assert_eq!(checklist["score"], 6, "{slug}");
                }
            }
        }
    }
}

on_both_backends! {
    /// An accreditation past its expiry shows EXPIRED although it was stored VERIFIED;
    /// rejected and unverified claims show as such.
    async fn accreditation_status_is_derived_from_expiry(backend: Backend) {
        let app = catalogue_app(backend).await;
        let munich = clinic_view(&app, "isar-regenerativ-klinik-muenchen").await;
        assert_eq!(munich["accreditations"][0]["status"], "EXPIRED");
        let expired_on: NaiveDate = munich["accreditations"][0]["expiresOn"].as_str().unwrap().parse().unwrap();
        assert!(expired_on < Utc::now().date_naive());
        let stored = entity::accreditations::Entity::find().all(&app.state.db).await.unwrap();
        assert!(
            stored.iter().any(|a| a.expires_on == Some(expired_on) && a.status == "VERIFIED"),
            "stored as VERIFIED"
        );

        let rhein = clinic_view(&app, "rhein-zelltherapie-duesseldorf").await;
        let statuses: Vec<&str> =
            rhein["accreditations"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["VERIFIED", "VERIFIED", "REJECTED"]);
        let lone_star = clinic_view(&app, "lone-star-cell-institute").await;
        assert_eq!(
            lone_star["accreditations"],
            json!([
                { "status": "UNVERIFIED", "expiresOn": lone_star["accreditations"][0]["expiresOn"] },
                { "status": "UNVERIFIED", "expiresOn": null }
            ])
        );
    }
}

on_both_backends! {
    /// `meetsReleaseCriteria` is false for a failed sterility test and for low viability, and
    /// true for lots that meet the criteria even when they are too old to count.
    async fn release_criteria_are_shown_per_certificate(backend: Backend) {
        let app = catalogue_app(backend).await;
        for (slug, expected) in [
            ("sabana-regenerative-bogota", vec![false]),
            ("lumphini-cell-wellness", vec![false]),
            ("chao-phraya-stem-cell-center", vec![true]),
            ("baja-regenerative-institute", vec![true, true]),
        ] {
            let view = clinic_view(&app, slug).await;
            let meets: Vec<bool> = view["certificatesOfAnalysis"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["meetsReleaseCriteria"].as_bool().unwrap())
                .collect();
            assert_eq!(meets, expected, "{slug}");
        }
    }
}
