//! The safety checklist, release criteria and accreditation status as partners see them: on
//! the demo clinics' deliberate failures, and on purpose-built clinics that spoil one thing
//! at a time.

use chrono::{Duration, NaiveDate, Utc};
use medtour_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{
    Certificate, GOOD_MARKERS, Package, accreditation, catalogue_app, clinic_with, days_from_today, doctor,
    exemplary_clinic, refresh, slugs,
};

const CHECKLIST: &str = r#"query($slug: String) { clinic(slug: $slug) {
    safetyChecklist { score items { key passed detail } }
    accreditations { status expiresOn } certificatesOfAnalysis { lotNumber meetsReleaseCriteria } } }"#;

/// The failed items of a checklist, as (key, detail).
fn failures(checklist: &Value) -> Vec<(String, String)> {
    checklist["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["passed"] == false)
        .map(|i| (i["key"].as_str().unwrap().to_owned(), i["detail"].as_str().unwrap().to_owned()))
        .collect()
}

async fn clinic_view(app: &TestApp, slug: &str) -> Value {
    app.data(CHECKLIST, json!({ "slug": slug })).await["clinic"].clone()
}

on_both_backends! {
    /// Each demo clinic fails exactly its deliberate checklist item, with a detail that says
    /// why; every other demo clinic passes all six.
    async fn demo_clinics_fail_exactly_their_deliberate_items(backend: Backend) {
        let app = catalogue_app(backend).await;
        let expected: [(&str, &str, &[&str]); 7] = [
            ("costa-pacifico-cell-clinic", "REALISTIC_CLAIMS", &["\"cure\"", "\"guarantee\"", "\"100%\""]),
            ("caribe-biomedica-cancun", "DOCTOR_CREDENTIALS", &["None of the clinic's doctors lists a medical licence number"]),
            ("sabana-regenerative-bogota", "THIRD_PARTY_COA", &["SRM-UC-24-0930", "sterility test failed"]),
            ("chao-phraya-stem-cell-center", "THIRD_PARTY_COA", &["CPS-UC-23-0415", "more than 12 months ago"]),
            ("lumphini-cell-wellness", "THIRD_PARTY_COA", &["viability is 62%, below the required 70%"]),
            ("isar-regenerativ-klinik-muenchen", "LICENSED", &["expired"]),
            ("lone-star-cell-institute", "LICENSED", &["verified by Medtour"]),
        ];
        let data = app.data("{ clinics(first: 100) { edges { node { slug safetyChecklist { score items { key passed detail } } } } } }", json!({})).await;
        let all = data["clinics"]["edges"].as_array().unwrap();
        assert_eq!(all.len(), 14);
        for edge in all {
            let slug = edge["node"]["slug"].as_str().unwrap();
            let checklist = &edge["node"]["safetyChecklist"];
            let keys: Vec<&str> = checklist["items"].as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap()).collect();
            assert_eq!(keys, ["DOCTOR_CREDENTIALS", "CELL_SOURCE_DISCLOSED", "THIRD_PARTY_COA", "PROTOCOL_DISCLOSED", "LICENSED", "REALISTIC_CLAIMS"]);
            assert!(checklist["items"].as_array().unwrap().iter().all(|i| i["detail"].as_str().is_some_and(|d| d.len() > 10)), "{slug}: every item explains itself");
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
        assert!(stored.iter().any(|a| a.expires_on == Some(expired_on) && a.status == "VERIFIED"), "stored as VERIFIED");

        let rhein = clinic_view(&app, "rhein-zelltherapie-duesseldorf").await;
        let statuses: Vec<&str> = rhein["accreditations"].as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["VERIFIED", "VERIFIED", "REJECTED"]);
        let lone_star = clinic_view(&app, "lone-star-cell-institute").await;
        assert_eq!(lone_star["accreditations"], json!([{ "status": "UNVERIFIED", "expiresOn": lone_star["accreditations"][0]["expiresOn"] }, { "status": "UNVERIFIED", "expiresOn": null }]));
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
            let meets: Vec<bool> = view["certificatesOfAnalysis"].as_array().unwrap().iter().map(|c| c["meetsReleaseCriteria"].as_bool().unwrap()).collect();
            assert_eq!(meets, expected, "{slug}");
        }
    }
}

/// The parts of a purpose-built clinic; [`Parts::exemplary`] passes all six questions.
struct Parts {
    description: &'static str,
    license: Option<&'static str>,
    packages: Vec<Package>,
    certificate: Option<Certificate>,
    accreditation: Option<(&'static str, Option<NaiveDate>)>,
}

impl Parts {
    fn exemplary() -> Self {
        Self {
            description: "Treatment plans follow a neurologist's review; results vary between patients.",
            license: Some("PA-1234"),
            packages: vec![Package::priced(900_000)],
            certificate: Some(Certificate::good("LOT-1")),
            accreditation: Some(("VERIFIED", Some(days_from_today(365)))),
        }
    }

    async fn build(self, db: &DatabaseConnection, slug: &str) -> i32 {
        let id = clinic_with(db, slug, &format!("Fixture {slug}"), "PA", "Panama City", self.description, true).await;
        doctor(db, id, self.license).await;
        for package in self.packages {
            package.insert(db, id).await;
        }
        if let Some(certificate) = self.certificate {
            certificate.insert(db, id).await;
        }
        if let Some((status, expires)) = self.accreditation {
            accreditation(db, id, "NATIONAL_HEALTH_AUTHORITY", status, expires).await;
        }
        id
    }
}

on_both_backends! {
    /// Purpose-built clinics fail exactly the item they were built to fail, and pass it at
    /// the edge (a licence expiring today still counts); orderings by safety see them.
    async fn purpose_built_clinics_fail_exactly_what_they_lack(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        let e = Parts::exemplary;
        let weak_markers: Vec<(&str, f64)> = GOOD_MARKERS.iter().map(|(m, p)| (*m, if *m == "CD105" { 94.9 } else { *p })).collect();
        let cases: Vec<(&str, Parts, &[&str], &str)> = vec![
            ("model", e(), &[], ""),
            ("licence-ends-today", Parts { accreditation: Some(("VERIFIED", Some(days_from_today(0)))), ..e() }, &[], ""),
            ("coa-a-year-old", Parts { certificate: Some(Certificate { issued_on: Utc::now().date_naive() - chrono::Months::new(12), ..Certificate::good("LOT-Y") }), ..e() }, &[], ""),
            ("no-licence", Parts { license: None, ..e() }, &["DOCTOR_CREDENTIALS"], "licence number"),
            ("no-packages", Parts { packages: vec![], ..e() }, &["CELL_SOURCE_DISCLOSED", "PROTOCOL_DISCLOSED"], "no treatment packages"),
            ("no-route", Parts { packages: vec![Package { routes: json!([]), ..Package::priced(800_000) }], ..e() }, &["PROTOCOL_DISCLOSED"], "administration route"),
            ("no-coa", Parts { certificate: None, ..e() }, &["THIRD_PARTY_COA"], "no certificate of analysis"),
            ("unverified-coa", Parts { certificate: Some(Certificate { status: "UNVERIFIED", ..Certificate::good("LOT-U") }), ..e() }, &["THIRD_PARTY_COA"], "LOT-U has not been verified"),
            ("unnamed-lab", Parts { certificate: Some(Certificate { laboratory: "", ..Certificate::good("LOT-N") }), ..e() }, &["THIRD_PARTY_COA"], "does not name its laboratory"),
            ("old-coa", Parts { certificate: Some(Certificate { issued_on: days_from_today(-400), ..Certificate::good("LOT-O") }), ..e() }, &["THIRD_PARTY_COA"], "more than 12 months ago"),
            ("weak-coa", Parts { certificate: Some(Certificate { markers: weak_markers, ..Certificate::good("LOT-W") }), ..e() }, &["THIRD_PARTY_COA"], "CD105"),
            ("unsterile-coa", Parts { certificate: Some(Certificate { sterility: "NOT_TESTED", ..Certificate::good("LOT-S") }), ..e() }, &["THIRD_PARTY_COA"], "sterility test was not tested"),
            ("no-accreditation", Parts { accreditation: None, ..e() }, &["LICENSED"], "lists no accreditation"),
            ("expired-accreditation", Parts { accreditation: Some(("VERIFIED", Some(days_from_today(-1)))), ..e() }, &["LICENSED"], "expired"),
            ("unverified-accreditation", Parts { accreditation: Some(("UNVERIFIED", Some(days_from_today(100)))), ..e() }, &["LICENSED"], "verified by Medtour"),
            ("hype-description", Parts { description: "Guaranteed relief from migraine.", ..e() }, &["REALISTIC_CLAIMS"], "\"guarantee\""),
            ("hype-inclusion", Parts { packages: vec![Package { inclusions: json!(["100% money-back promise"]), ..Package::priced(900_000) }], ..e() }, &["REALISTIC_CLAIMS"], "\"100%\""),
        ];
        let mut ids = Vec::new();
        let mut expected_scores = Vec::new();
        for (slug, parts, failing, words) in cases {
            ids.push(parts.build(db, slug).await);
            let view = clinic_view(&app, slug).await;
            let failed = failures(&view["safetyChecklist"]);
            let keys: Vec<&str> = failed.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, failing, "{slug}: {failed:?}");
            assert!(failed.iter().all(|(_, d)| d.contains(words)), "{slug}: {failed:?} should mention {words:?}");
            assert_eq!(view["safetyChecklist"]["score"], 6 - failing.len(), "{slug}");
            expected_scores.push((6 - failing.len()) as i64);
            match slug {
                "weak-coa" => assert_eq!(view["certificatesOfAnalysis"][0]["meetsReleaseCriteria"], false),
                "model" => assert_eq!(view["certificatesOfAnalysis"][0]["meetsReleaseCriteria"], true),
                "expired-accreditation" => assert_eq!(view["accreditations"][0]["status"], "EXPIRED"),
                "licence-ends-today" => assert_eq!(view["accreditations"][0]["status"], "VERIFIED"),
                _ => {}
            }
        }

        refresh(&app, &ids).await;
        let data = app.data(r#"{ clinics(first: 100, filter: { countryCodes: ["PA"] }, orderBy: { field: SAFETY_SCORE, direction: DESC }) {
            edges { node { slug safetyChecklist { score } } } } }"#, json!({})).await;
        let scores: Vec<i64> = data["clinics"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["safetyChecklist"]["score"].as_i64().unwrap()).collect();
        expected_scores.sort_by(|a, b| b.cmp(a));
        assert_eq!(scores, expected_scores, "{:?}", slugs(&data["clinics"]));
        assert_eq!(slugs(&data["clinics"])[..3], ["coa-a-year-old", "licence-ends-today", "model"], "ties by newest first in DESC");
    }
}

on_both_backends! {
    /// A score that the calendar has made stale (a licence expired since it was computed) is
    /// recomputed before clinics are ordered by safety.
    async fn a_stale_safety_score_is_recomputed_before_ordering(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        let fresh = exemplary_clinic(db, "always-fine", "Always Fine Clinic", 900_000).await;
        refresh(&app, &[fresh]).await;
        let lapsing = Parts { accreditation: Some(("VERIFIED", Some(days_from_today(-1)))), ..Parts::exemplary() }.build(db, "lapsing").await;
        // Computed three days ago, when the licence was still current.
        medtour::catalogue::rollups::refresh(db, &[lapsing], Utc::now() - Duration::days(3)).await.unwrap();
        let stored = entity::clinics::Entity::find_by_id(lapsing).one(db).await.unwrap().unwrap();
        assert_eq!(stored.safety_score, 6, "the score as computed three days ago");

        let data = app.data(r#"{ clinics(filter: { countryCodes: ["PA"] }, orderBy: { field: SAFETY_SCORE, direction: DESC }) {
            edges { node { slug safetyChecklist { score } } } } }"#, json!({})).await;
        assert_eq!(slugs(&data["clinics"]), ["always-fine", "lapsing"]);
        let stored = entity::clinics::Entity::find_by_id(lapsing).one(db).await.unwrap().unwrap();
        assert_eq!(stored.safety_score, 5);
    }
}
