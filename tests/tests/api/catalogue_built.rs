//! The safety checklist on purpose-built clinics: each spoils one thing about a clinic that
//! passes all six questions, and fails exactly that question; orderings by safety see them,
//! and a score the calendar has made stale is recomputed before ordering.

use chrono::{Duration, NaiveDate, Utc};
use medtour_tests::{Backend, on_both_backends};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;

use crate::catalogue_checklist::{clinic_view, failures};
use crate::catalogue_fixtures::{
    Certificate, GOOD_MARKERS, Package, accreditation, catalogue_app, clinic_with, days_from_today, doctor,
    exemplary_clinic, refresh, slugs,
};

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
        let weak_markers: Vec<(&str, f64)> =
            GOOD_MARKERS.iter().map(|(m, p)| (*m, if *m == "CD105" { 94.9 } else { *p })).collect();
        let cases: Vec<(&str, Parts, &[&str], &str)> = vec![
            ("model", e(), &[], ""),
            (
                "licence-ends-today",
                Parts { accreditation: Some(("VERIFIED", Some(days_from_today(0)))), ..e() },
                &[],
                "",
            ),
            (
                "coa-a-year-old",
                Parts {
                    certificate: Some(Certificate {
                        issued_on: Utc::now().date_naive() - chrono::Months::new(12),
                        ..Certificate::good("LOT-Y")
                    }),
                    ..e()
                },
                &[],
                "",
            ),
            ("no-licence", Parts { license: None, ..e() }, &["DOCTOR_CREDENTIALS"], "licence number"),
            (
                "no-packages",
                Parts { packages: vec![], ..e() },
                &["CELL_SOURCE_DISCLOSED", "PROTOCOL_DISCLOSED"],
                "no treatment packages",
            ),
            (
                "no-route",
                Parts { packages: vec![Package { routes: vec![], ..Package::priced(800_000) }], ..e() },
                &["PROTOCOL_DISCLOSED"],
                "administration route",
            ),
            ("no-coa", Parts { certificate: None, ..e() }, &["THIRD_PARTY_COA"], "no certificate of analysis"),
            (
                "unverified-coa",
                Parts { certificate: Some(Certificate { status: "UNVERIFIED", ..Certificate::good("LOT-U") }), ..e() },
                &["THIRD_PARTY_COA"],
                "LOT-U has not been verified",
            ),
            (
                "unnamed-lab",
                Parts { certificate: Some(Certificate { laboratory: "", ..Certificate::good("LOT-N") }), ..e() },
                &["THIRD_PARTY_COA"],
                "does not name its laboratory",
            ),
            (
                "old-coa",
                Parts {
                    certificate: Some(Certificate { issued_on: days_from_today(-400), ..Certificate::good("LOT-O") }),
                    ..e()
                },
                &["THIRD_PARTY_COA"],
                "more than 12 months ago",
            ),
            (
                "weak-coa",
                Parts { certificate: Some(Certificate { markers: weak_markers, ..Certificate::good("LOT-W") }), ..e() },
                &["THIRD_PARTY_COA"],
                "CD105",
            ),
            (
                // Read back through the markers' aggregate, which is NULL on PostgreSQL here.
                "unmarked-coa",
                Parts { certificate: Some(Certificate { markers: vec![], ..Certificate::good("LOT-U") }), ..e() },
                &["THIRD_PARTY_COA"],
                "CD73 was not measured",
            ),
            (
                "unsterile-coa",
                Parts {
                    certificate: Some(Certificate { sterility: "NOT_TESTED", ..Certificate::good("LOT-S") }),
                    ..e()
                },
                &["THIRD_PARTY_COA"],
                "sterility test was not tested",
            ),
            ("no-accreditation", Parts { accreditation: None, ..e() }, &["LICENSED"], "lists no accreditation"),
            (
                "expired-accreditation",
                Parts { accreditation: Some(("VERIFIED", Some(days_from_today(-1)))), ..e() },
                &["LICENSED"],
                "expired",
            ),
            (
                "unverified-accreditation",
                Parts { accreditation: Some(("UNVERIFIED", Some(days_from_today(100)))), ..e() },
                &["LICENSED"],
                "verified by Medtour",
            ),
            (
                "hype-description",
                Parts { description: "Guaranteed relief from migraine.", ..e() },
                &["REALISTIC_CLAIMS"],
                "\"guarantee\"",
            ),
            (
                "hype-inclusion",
                Parts {
                    packages: vec![Package {
                        inclusions: vec!["100% money-back promise".into()],
                        ..Package::priced(900_000)
                    }],
                    ..e()
                },
                &["REALISTIC_CLAIMS"],
                "\"100%\"",
            ),
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
                "unmarked-coa" => {
                    let certificate = &view["certificatesOfAnalysis"][0];
                    assert_eq!((&certificate["markers"], &certificate["meetsReleaseCriteria"]), (&json!([]), &json!(false)));
                }
                "model" => assert_eq!(view["certificatesOfAnalysis"][0]["meetsReleaseCriteria"], true),
                "expired-accreditation" => assert_eq!(view["accreditations"][0]["status"], "EXPIRED"),
                "licence-ends-today" => assert_eq!(view["accreditations"][0]["status"], "VERIFIED"),
                _ => {}
            }
        }

        refresh(&app, &ids).await;
        let data = app
            .data(
                r#"{ clinics(first: 100, filter: { countryCodes: ["PA"] },
            orderBy: { field: SAFETY_SCORE, direction: DESC }) {
            edges { node { slug safetyChecklist { score } } } } }"#,
                json!({}),
            )
            .await;
        let scores: Vec<i64> = data["clinics"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["safetyChecklist"]["score"].as_i64().unwrap())
            .collect();
        expected_scores.sort_by(|a, b| b.cmp(a));
        assert_eq!(scores, expected_scores, "{:?}", slugs(&data["clinics"]));
        assert_eq!(
            slugs(&data["clinics"])[..3],
            ["coa-a-year-old", "licence-ends-today", "model"],
            "ties by newest first in DESC"
        );
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
        let lapsing = Parts { accreditation: Some(("VERIFIED", Some(days_from_today(-1)))), ..Parts::exemplary() }
            .build(db, "lapsing")
            .await;
        // Computed three days ago, when the licence was still current.
        medtour::catalogue::write::refresh_derived(db, &[lapsing], Utc::now() - Duration::days(3)).await.unwrap();
        let stored = entity::clinics::Entity::find_by_id(lapsing).one(db).await.unwrap().unwrap();
        assert_eq!(stored.safety_score, 6, "the score as computed three days ago");

        let data = app
            .data(
                r#"{ clinics(filter: { countryCodes: ["PA"] }, orderBy: { field: SAFETY_SCORE, direction: DESC }) {
            edges { node { slug safetyChecklist { score } } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(slugs(&data["clinics"]), ["always-fine", "lapsing"]);
        let stored = entity::clinics::Entity::find_by_id(lapsing).one(db).await.unwrap().unwrap();
        assert_eq!(stored.safety_score, 5);
    }
}
