//! The six questions of the checklist, one spoiled at a time, and the day on which the
//! passing of time alone changes the answers.

use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages};
use serde_json::json;

use super::{GOOD_MARKERS, TODAY, accreditation, certificate, day, doctor, markers, package};
use crate::catalogue::rules::{Checklist, ChecklistItem, ClinicEvidence, checklist};
use crate::catalogue::vocab::ChecklistKey;

/// Evidence of a clinic that passes all six questions, built up by each test.
struct Clinic {
    texts: Vec<&'static str>,
    doctors: Vec<doctors::Model>,
    accreditations: Vec<accreditations::Model>,
    certificates: Vec<(coa::Model, Vec<coa_markers::Model>)>,
    packages: Vec<treatment_packages::Model>,
}

impl Clinic {
    fn exemplary() -> Self {
        Self {
            texts: vec!["Model Clinic", "A careful clinic that explains risks and expected results."],
            doctors: vec![doctor(Some("LIC-1"))],
            accreditations: vec![accreditation("VERIFIED", Some("2027-06-15"))],
            certificates: vec![(certificate("LOT-NEW", "2026-04-01"), markers(&GOOD_MARKERS))],
            packages: vec![package("Standard 100M", json!(["INTRAVENOUS"]))],
        }
    }

    fn items(&self) -> Vec<ChecklistItem> {
        self.answer().items
    }

    fn answer(&self) -> Checklist {
        checklist(
            &ClinicEvidence {
                texts: self.texts.clone(),
                doctors: &self.doctors,
                accreditations: &self.accreditations,
                certificates: &self.certificates,
                packages: &self.packages,
            },
            day(TODAY),
        )
    }

    fn item(&self, key: ChecklistKey) -> ChecklistItem {
        self.items().into_iter().find(|i| i.key == key).expect("every key is answered")
    }
}

#[test]
fn an_exemplary_clinic_passes_all_six_questions_in_order() {
    let answer = Clinic::exemplary().answer();
    let keys: Vec<ChecklistKey> = answer.items.iter().map(|i| i.key).collect();
    assert_eq!(keys, ChecklistKey::ALL.to_vec());
    assert!(answer.items.iter().all(|i| i.passed), "{:?}", answer.items);
    assert_eq!(answer.score(), 6);
    let coa = Clinic::exemplary().item(ChecklistKey::ThirdPartyCoa);
    assert!(coa.detail.contains("LOT-NEW") && coa.detail.contains("Independent Cell Lab"), "{}", coa.detail);
    let doctor = Clinic::exemplary().item(ChecklistKey::DoctorCredentials);
    assert_eq!(doctor.detail, "Dr. Ana Ruiz (Neurologist) lists a medical licence number.");
}

/// Each case spoils one thing about the exemplary clinic; exactly that question fails, and
/// its detail says why.
#[test]
fn each_question_fails_alone_with_a_detail_that_says_why() {
    type Spoil = fn(&mut Clinic);
    let cases: Vec<(&str, ChecklistKey, Spoil, &str)> = vec![
        ("no doctors", ChecklistKey::DoctorCredentials, |c| c.doctors.clear(), "names no doctors"),
        ("no licence", ChecklistKey::DoctorCredentials, |c| c.doctors = vec![doctor(None)], "lists a medical licence"),
        ("blank licence", ChecklistKey::DoctorCredentials, |c| c.doctors = vec![doctor(Some("  "))], "None of"),
        ("no certificate", ChecklistKey::ThirdPartyCoa, |c| c.certificates.clear(), "no certificate of analysis"),
        (
            "unverified certificate",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.status = "UNVERIFIED".to_owned(),
            "LOT-NEW has not been verified",
        ),
        (
            "no laboratory named",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.laboratory_name = " ".to_owned(),
            "does not name its laboratory",
        ),
        (
            "certificate a year and a day old",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.issued_on = day("2025-06-14"),
            "more than 12 months ago",
        ),
        (
            "certificate dated in the future",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.issued_on = day("2026-06-16"),
            "dated in the future",
        ),
        (
            "sterility failed",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.sterility = "FAIL".to_owned(),
            "fails release criteria: the sterility test failed",
        ),
        (
            "low viability",
            ChecklistKey::ThirdPartyCoa,
            |c| c.certificates[0].0.viability_percent = 62.0,
            "viability is 62%",
        ),
        ("no route", ChecklistKey::ProtocolDisclosed, |c| c.packages[0].administration_routes = json!([]), "route"),
        ("no accreditation", ChecklistKey::Licensed, |c| c.accreditations.clear(), "lists no accreditation"),
        (
            "expired accreditation",
            ChecklistKey::Licensed,
            |c| c.accreditations = vec![accreditation("VERIFIED", Some("2026-06-14"))],
            "have expired",
        ),
        (
            "unverified accreditation",
            ChecklistKey::Licensed,
            |c| c.accreditations = vec![accreditation("UNVERIFIED", Some("2027-01-01"))],
            "has been verified",
        ),
        (
            "rejected accreditation",
            ChecklistKey::Licensed,
            |c| c.accreditations = vec![accreditation("REJECTED", None)],
            "has been verified",
        ),
        ("a cure promised", ChecklistKey::RealisticClaims, |c| c.texts.push("We cure migraine."), "\"cure\""),
        ("guaranteed results", ChecklistKey::RealisticClaims, |c| c.texts.push("Results guaranteed."), "\"guarantee\""),
        ("100% success", ChecklistKey::RealisticClaims, |c| c.texts.push("100% success rate"), "\"100%\""),
    ];
    for (what, key, spoil, words) in cases {
        let mut clinic = Clinic::exemplary();
        spoil(&mut clinic);
        let items = clinic.items();
        let failed: Vec<&ChecklistItem> = items.iter().filter(|i| !i.passed).collect();
        assert_eq!(failed.len(), 1, "{what}: exactly one question fails, got {failed:?}");
        assert_eq!(failed[0].key, key, "{what}");
        assert!(failed[0].detail.contains(words), "{what}: {:?} should mention {words:?}", failed[0].detail);
    }
}

#[test]
fn a_clinic_without_packages_discloses_neither_cell_source_nor_protocol() {
    let mut clinic = Clinic::exemplary();
    clinic.packages.clear();
    let failed: Vec<ChecklistKey> = clinic.items().into_iter().filter(|i| !i.passed).map(|i| i.key).collect();
    assert_eq!(failed, vec![ChecklistKey::CellSourceDisclosed, ChecklistKey::ProtocolDisclosed]);
}

#[test]
fn an_undisclosed_protocol_names_the_package_and_what_it_omits() {
    let mut clinic = Clinic::exemplary();
    clinic.packages.push(package("Mystery Drip", json!([])));
    let detail = clinic.item(ChecklistKey::ProtocolDisclosed).detail;
    assert_eq!(detail, "Package \"Mystery Drip\" does not state its administration route.");
}

#[test]
fn certificate_and_accreditation_edges_of_the_validity_window_still_count() {
    let mut clinic = Clinic::exemplary();
    clinic.certificates[0].0.issued_on = day("2025-06-15");
    clinic.accreditations = vec![accreditation("VERIFIED", Some(TODAY))];
    assert_eq!(clinic.answer().score(), 6, "{:?}", clinic.items());
}

#[test]
fn one_good_certificate_is_enough_and_the_newest_problem_is_told_when_none_is() {
    let mut clinic = Clinic::exemplary();
    let mut failing = certificate("LOT-BAD", "2026-05-01");
    failing.sterility = "FAIL".to_owned();
    clinic.certificates.insert(0, (failing.clone(), markers(&GOOD_MARKERS)));
    assert!(clinic.item(ChecklistKey::ThirdPartyCoa).passed);

    clinic.certificates[1].0.issued_on = day("2024-01-01");
    let item = clinic.item(ChecklistKey::ThirdPartyCoa);
    assert!(!item.passed);
    assert!(item.detail.starts_with("Certificate LOT-BAD fails release criteria"), "{}", item.detail);
}

#[test]
fn the_checklist_says_when_time_alone_will_change_it() {
    // A passing certificate issued 2026-04-01 stops counting on 2027-04-02; an accreditation
    // expiring 2027-06-15 stops counting on 2027-06-16. The earlier day is told.
    assert_eq!(Clinic::exemplary().answer().changes_on, Some(day("2027-04-02")));

    let mut clinic = Clinic::exemplary();
    clinic.accreditations = vec![accreditation("VERIFIED", Some("2026-07-01"))];
    assert_eq!(clinic.answer().changes_on, Some(day("2026-07-02")));

    let mut timeless = Clinic::exemplary();
    timeless.certificates.clear();
    timeless.accreditations = vec![accreditation("VERIFIED", None), accreditation("UNVERIFIED", Some("2026-07-01"))];
    assert_eq!(timeless.answer().changes_on, None, "nothing here changes by the calendar");
}

#[test]
fn a_certificate_dated_in_the_future_makes_the_checklist_change_on_that_day() {
    let mut clinic = Clinic::exemplary();
    clinic.certificates = vec![(certificate("LOT-SOON", "2026-06-20"), markers(&GOOD_MARKERS))];
    clinic.accreditations = vec![accreditation("VERIFIED", None)];
    let answer = clinic.answer();
    assert_eq!(answer.score(), 5);
    assert_eq!(answer.changes_on, Some(day("2026-06-20")));
}
