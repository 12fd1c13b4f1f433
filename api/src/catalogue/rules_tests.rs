//! Table-driven tests of the catalogue's rules: release criteria, the derived accreditation
//! status, each checklist question passing and failing, claim detection and `changes_on`.

use chrono::NaiveDate;
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages};
use serde_json::json;

use super::rules::{accreditation_status, release_failures, unrealistic_claims};
use super::vocab::VerificationStatus;

mod checklist;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
}

const TODAY: &str = "2026-06-15";

/// Markers of a textbook MSC lot: every threshold met with room to spare.
const GOOD_MARKERS: [(&str, f64); 8] = [
    ("CD73", 98.6),
    ("CD90", 99.1),
    ("CD105", 97.4),
    ("CD34", 0.4),
    ("CD45", 0.6),
    ("CD14", 0.3),
    ("CD19", 0.2),
    ("HLA-DR", 0.8),
];

fn certificate(lot: &str, issued_on: &str) -> coa::Model {
    coa::Model {
        id: 1,
        clinic_id: 1,
        lot_number: lot.to_owned(),
        laboratory_name: "Independent Cell Lab".to_owned(),
        laboratory_accreditation: Some("ISO/IEC 17025".to_owned()),
        issued_on: day(issued_on),
        cell_source: "UMBILICAL_CORD_MSC".to_owned(),
        cell_count_millions: 100,
        viability_percent: 92.0,
        sterility: "PASS".to_owned(),
        endotoxin: "PASS".to_owned(),
        mycoplasma: "PASS".to_owned(),
        document_url: None,
        document_sha256: None,
        status: "VERIFIED".to_owned(),
        version: 1,
        verified_at: None,
        verified_by: None,
    }
}

fn markers(values: &[(&str, f64)]) -> Vec<coa_markers::Model> {
    values
        .iter()
        .enumerate()
        .map(|(i, (marker, percent))| coa_markers::Model {
            id: i as i32 + 1,
            certificate_id: 1,
            marker: (*marker).to_owned(),
            percent_positive: *percent,
        })
        .collect()
}

/// The good markers with `marker` set to `percent`, or removed when `percent` is `None`.
fn good_markers_with(marker: &str, percent: Option<f64>) -> Vec<coa_markers::Model> {
    let values: Vec<(&str, f64)> = GOOD_MARKERS
        .iter()
        .filter_map(|(m, p)| if *m == marker { percent.map(|p| (*m, p)) } else { Some((*m, *p)) })
        .collect();
    markers(&values)
}

fn accreditation(status: &str, expires_on: Option<&str>) -> accreditations::Model {
    accreditations::Model {
        id: 1,
        clinic_id: 1,
        body: "JCI".to_owned(),
        body_name: "Joint Commission International".to_owned(),
        certificate_number: "JCI-1".to_owned(),
        issued_on: Some(day("2024-01-01")),
        expires_on: expires_on.map(day),
        status: status.to_owned(),
        version: 1,
        verified_at: None,
        verified_by: None,
    }
}

fn doctor(license: Option<&str>) -> doctors::Model {
    doctors::Model {
        id: 1,
        clinic_id: 1,
        name: "Dr. Ana Ruiz".to_owned(),
        title: "Neurologist".to_owned(),
        license_number: license.map(str::to_owned),
        years_of_experience: Some(12),
        specialties: json!(["Neurology"]),
        version: 1,
    }
}

fn package(name: &str, routes: serde_json::Value) -> treatment_packages::Model {
    treatment_packages::Model {
        id: 1,
        clinic_id: 1,
        treatment_id: 1,
        name: name.to_owned(),
        cell_source: "UMBILICAL_CORD_MSC".to_owned(),
        cell_count_millions: 100,
        administration_routes: routes,
        sessions: 1,
        stay_days: 3,
        price_minor: 950_000,
        currency_code: "USD".to_owned(),
        price_usd_minor: 950_000,
        inclusions: json!(["Hotel"]),
        active: true,
        version: 1,
    }
}

#[test]
fn a_textbook_certificate_meets_the_release_criteria() {
    let failures = release_failures(&certificate("L1", "2026-05-01"), &markers(&GOOD_MARKERS));
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn each_release_threshold_holds_at_its_boundary_and_fails_across_it() {
    // (what changes, viability, marker override, passes, words the failure must contain)
    type Case = (&'static str, f64, Option<(&'static str, Option<f64>)>, bool, &'static str);
    let cases: [Case; 20] = [
        ("viability at 70", 70.0, None, true, ""),
        ("viability just below 70", 69.9, None, false, "viability is 69.9%"),
        ("CD73 at 95", 92.0, Some(("CD73", Some(95.0))), true, ""),
        ("CD73 below 95", 92.0, Some(("CD73", Some(94.9))), false, "CD73-positive"),
        ("CD90 at 95", 92.0, Some(("CD90", Some(95.0))), true, ""),
        ("CD90 below 95", 92.0, Some(("CD90", Some(94.9))), false, "CD90-positive"),
        ("CD105 at 95", 92.0, Some(("CD105", Some(95.0))), true, ""),
        ("CD105 below 95", 92.0, Some(("CD105", Some(94.9))), false, "CD105-positive"),
        ("CD34 at 2", 92.0, Some(("CD34", Some(2.0))), true, ""),
        ("CD34 above 2", 92.0, Some(("CD34", Some(2.1))), false, "CD34-positive"),
        ("CD45 at 2", 92.0, Some(("CD45", Some(2.0))), true, ""),
        ("CD45 above 2", 92.0, Some(("CD45", Some(2.1))), false, "CD45-positive"),
        ("CD14 above 2", 92.0, Some(("CD14", Some(2.5))), false, "CD14-positive"),
        ("CD19 above 2", 92.0, Some(("CD19", Some(2.5))), false, "CD19-positive"),
        ("HLA-DR at 2", 92.0, Some(("HLA-DR", Some(2.0))), true, ""),
        ("HLA-DR above 2", 92.0, Some(("HLA-DR", Some(2.01))), false, "HLA-DR-positive"),
        ("CD73 missing", 92.0, Some(("CD73", None)), false, "CD73 was not measured"),
        ("CD34 missing", 92.0, Some(("CD34", None)), false, "CD34 was not measured"),
        ("neither CD14 nor CD11b", 92.0, Some(("CD14", None)), false, "CD14 or CD11b was not measured"),
        ("neither CD19 nor CD79a", 92.0, Some(("CD19", None)), false, "CD19 or CD79a was not measured"),
    ];
    for (what, viability, change, passes, words) in cases {
        let mut c = certificate("L1", "2026-05-01");
        c.viability_percent = viability;
        let m = match change {
            Some((marker, percent)) => good_markers_with(marker, percent),
            None => markers(&GOOD_MARKERS),
        };
        let failures = release_failures(&c, &m);
        assert_eq!(failures.is_empty(), passes, "{what}: {failures:?}");
        if !passes {
            assert_eq!(failures.len(), 1, "{what}: exactly one failure expected, got {failures:?}");
            assert!(failures[0].contains(words), "{what}: {failures:?} should mention {words:?}");
        }
    }
}

#[test]
fn either_marker_of_an_alternative_pair_is_enough() {
    for (missing, alternative) in [("CD14", "CD11b"), ("CD19", "CD79a")] {
        let mut m = good_markers_with(missing, None);
        m.push(coa_markers::Model { id: 99, certificate_id: 1, marker: alternative.to_owned(), percent_positive: 1.0 });
        assert!(release_failures(&certificate("L1", "2026-05-01"), &m).is_empty(), "{alternative} stands in");
        m.last_mut().expect("just pushed").percent_positive = 3.0;
        let failures = release_failures(&certificate("L1", "2026-05-01"), &m);
        assert!(failures.iter().any(|f| f.contains(&format!("{alternative}-positive"))), "{failures:?}");
    }
    // When both of a pair are measured, both must be low.
    let mut m = markers(&GOOD_MARKERS);
    m.push(coa_markers::Model { id: 99, certificate_id: 1, marker: "CD11b".to_owned(), percent_positive: 4.0 });
    assert!(!release_failures(&certificate("L1", "2026-05-01"), &m).is_empty());
}

#[test]
fn marker_names_match_whatever_their_case() {
    let lower: Vec<(String, f64)> = GOOD_MARKERS.iter().map(|(m, p)| (m.to_lowercase(), *p)).collect();
    let lower: Vec<(&str, f64)> = lower.iter().map(|(m, p)| (m.as_str(), *p)).collect();
    assert!(release_failures(&certificate("L1", "2026-05-01"), &markers(&lower)).is_empty());
}

#[test]
fn every_safety_test_must_pass() {
    for (outcome, words) in [("FAIL", "failed"), ("NOT_TESTED", "was not tested")] {
        for test in ["sterility", "endotoxin", "mycoplasma"] {
            let mut c = certificate("L1", "2026-05-01");
            match test {
                "sterility" => c.sterility = outcome.to_owned(),
                "endotoxin" => c.endotoxin = outcome.to_owned(),
                _ => c.mycoplasma = outcome.to_owned(),
            }
            let failures = release_failures(&c, &markers(&GOOD_MARKERS));
            assert_eq!(failures, vec![format!("the {test} test {words}")], "{test} {outcome}");
        }
    }
}

#[test]
fn accreditation_status_is_expired_once_the_expiry_date_has_passed() {
    let today = day(TODAY);
    let cases = [
        ("VERIFIED", Some("2026-06-14"), VerificationStatus::Expired),
        ("VERIFIED", Some("2026-06-15"), VerificationStatus::Verified),
        ("VERIFIED", Some("2027-01-01"), VerificationStatus::Verified),
        ("VERIFIED", None, VerificationStatus::Verified),
        ("UNVERIFIED", Some("2026-06-14"), VerificationStatus::Expired),
        ("UNVERIFIED", Some("2027-01-01"), VerificationStatus::Unverified),
        ("REJECTED", None, VerificationStatus::Rejected),
        ("REJECTED", Some("2020-01-01"), VerificationStatus::Expired),
    ];
    for (stored, expires, shown) in cases {
        assert_eq!(accreditation_status(&accreditation(stored, expires), today), shown, "{stored} {expires:?}");
    }
}

#[test]
fn claims_of_a_cure_a_guarantee_or_100_percent_are_flagged() {
    let cases: [(&str, &[&str]); 12] = [
        ("We CURE migraines", &["\"cure\""]),
        ("Patients were cured.", &["\"cure\""]),
        ("It cures headaches", &["\"cure\""]),
        ("A curative protocol", &["\"cure\""]),
        ("Guaranteed results", &["\"guarantee\""]),
        ("Our guarantee: results", &["\"guarantee\""]),
        ("100% success rate", &["\"100%\""]),
        ("100 percent satisfied", &["\"100%\""]),
        ("Cure guaranteed, 100%!", &["\"cure\"", "\"guarantee\"", "\"100%\""]),
        ("A secure, accurate lab", &[]),
        ("We procure cells from certified banks", &[]),
        ("Migraine is currently incurable; we aim to reduce attacks", &[]),
    ];
    for (text, expected) in cases {
        assert_eq!(unrealistic_claims(&[text]), expected.to_vec(), "{text:?}");
    }
    assert_eq!(unrealistic_claims(&["cure", "Cure again"]), vec!["\"cure\""], "each claim is told once");
}
