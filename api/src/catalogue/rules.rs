//! The catalogue's rules, as pure functions: certificate-of-analysis release criteria (ISCT
//! minimal criteria for MSCs), the derived accreditation status, and the article's six-point
//! safety checklist. They take entity rows and "today", so they are tested without a database.

use chrono::{Months, NaiveDate};
use entity::{accreditations, certificates_of_analysis as coa, coa_markers, doctors, treatment_packages};

use super::vocab::{ChecklistKey, TestOutcome, VerificationStatus};

/// Markers that must be expressed: at least this percentage of cells positive.
const POSITIVE: [&str; 3] = ["CD73", "CD90", "CD105"];
const MIN_POSITIVE: f64 = 95.0;
/// Marker groups that must be absent: any one marker of each group measured, all at most
/// this percentage positive ("CD14 or CD11b", "CD19 or CD79a").
const NEGATIVE: [&[&str]; 5] = [&["CD34"], &["CD45"], &["CD14", "CD11b"], &["CD19", "CD79a"], &["HLA-DR"]];
const MAX_NEGATIVE: f64 = 2.0;
const MIN_VIABILITY: f64 = 70.0;

/// The ways a certificate of analysis falls short of the release criteria, in plain words;
/// empty when it meets them.
pub fn release_failures(certificate: &coa::Model, markers: &[coa_markers::Model]) -> Vec<String> {
    let mut failures = Vec::new();
    if certificate.viability_percent < MIN_VIABILITY {
        failures
            .push(format!("cell viability is {}%, below the required {MIN_VIABILITY}%", certificate.viability_percent));
    }
    for (test, outcome) in [
        ("sterility", &certificate.sterility),
        ("endotoxin", &certificate.endotoxin),
        ("mycoplasma", &certificate.mycoplasma),
    ] {
        if TestOutcome::parse(outcome) != Some(TestOutcome::Pass) {
            let result = if outcome == "FAIL" { "failed" } else { "was not tested" };
            failures.push(format!("the {test} test {result}"));
        }
    }
    let percent = |name: &str| markers.iter().find(|m| m.marker.eq_ignore_ascii_case(name)).map(|m| m.percent_positive);
    for marker in POSITIVE {
        match percent(marker) {
            None => failures.push(format!("{marker} was not measured")),
            Some(p) if p < MIN_POSITIVE => {
                failures.push(format!("only {p}% of cells are {marker}-positive (at least {MIN_POSITIVE}% required)"))
            }
            Some(_) => {}
        }
    }
    for group in NEGATIVE {
        let measured: Vec<(&str, f64)> = group.iter().filter_map(|m| percent(m).map(|p| (*m, p))).collect();
        if measured.is_empty() {
            failures.push(format!("{} was not measured", group.join(" or ")));
        }
        for (marker, p) in measured {
            if p > MAX_NEGATIVE {
                failures.push(format!("{p}% of cells are {marker}-positive (at most {MAX_NEGATIVE}% allowed)"));
            }
        }
    }
    failures
}

/// The status shown for an accreditation: EXPIRED once `expires_on` has passed, whatever is
/// stored; otherwise the stored verification.
pub fn accreditation_status(accreditation: &accreditations::Model, today: NaiveDate) -> VerificationStatus {
    if accreditation.expires_on.is_some_and(|expires| expires < today) {
        return VerificationStatus::Expired;
    }
    VerificationStatus::parse(&accreditation.status).unwrap_or(VerificationStatus::Unverified)
}

/// Everything the checklist looks at for one clinic.
pub struct ClinicEvidence<'a> {
    pub texts: Vec<&'a str>,
    pub doctors: &'a [doctors::Model],
    pub accreditations: &'a [accreditations::Model],
    pub certificates: &'a [(coa::Model, Vec<coa_markers::Model>)],
    /// Active packages only.
    pub packages: &'a [treatment_packages::Model],
}

/// One answered checklist question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    pub key: ChecklistKey,
    pub passed: bool,
    pub detail: String,
}

/// The checklist, and the first day on which its answers may change by the passing of time
/// alone (an accreditation expiring, a certificate turning twelve months old).
#[derive(Clone, Debug)]
pub struct Checklist {
    pub items: Vec<ChecklistItem>,
    pub changes_on: Option<NaiveDate>,
}

impl Checklist {
    /// Items passed, 0 to 6.
    pub fn score(&self) -> i32 {
        self.items.iter().filter(|i| i.passed).count() as i32
    }
}

fn item(key: ChecklistKey, passed: bool, detail: impl Into<String>) -> ChecklistItem {
    ChecklistItem { key, passed, detail: detail.into() }
}

/// Answers the six questions for a clinic as of `today`.
pub fn checklist(evidence: &ClinicEvidence<'_>, today: NaiveDate) -> Checklist {
    let mut changes_on: Option<NaiveDate> = None;
    let mut note_change = |day: NaiveDate| changes_on = Some(changes_on.map_or(day, |d| d.min(day)));

    let doctor = evidence.doctors.iter().find(|d| d.license_number.as_deref().is_some_and(|l| !l.trim().is_empty()));
    let doctors = match doctor {
        Some(d) => item(
            ChecklistKey::DoctorCredentials,
            true,
            format!("{} ({}) lists a medical licence number.", d.name, d.title),
        ),
        None if evidence.doctors.is_empty() => {
            item(ChecklistKey::DoctorCredentials, false, "The clinic names no doctors.")
        }
        None => {
            item(ChecklistKey::DoctorCredentials, false, "None of the clinic's doctors lists a medical licence number.")
        }
    };

    let sources = if evidence.packages.is_empty() {
        item(
            ChecklistKey::CellSourceDisclosed,
            false,
            "The clinic publishes no treatment packages, so no cell source is disclosed.",
        )
    } else {
        item(ChecklistKey::CellSourceDisclosed, true, "Every package names the source of its cells.")
    };

    // Certificates come newest first: when none qualifies, the newest one's problem is told.
    let mut coa_problem: Option<String> = None;
    let mut coa_pass = None;
    for (certificate, markers) in evidence.certificates {
        // A certificate dated in the future may start to count on its date.
        if certificate.issued_on > today {
            note_change(certificate.issued_on);
        }
        match coa_problem_of(certificate, markers, today) {
            None => {
                let ages_out = certificate.issued_on.checked_add_months(Months::new(12)).and_then(|d| d.succ_opt());
                if let Some(day) = ages_out {
                    note_change(day);
                }
                coa_pass.get_or_insert(certificate);
            }
            Some(problem) => {
                coa_problem.get_or_insert(problem);
            }
        }
    }
    let coa = match coa_pass {
        Some(c) => item(
            ChecklistKey::ThirdPartyCoa,
            true,
            format!(
                "Certificate {} from {} (issued {}) is verified and meets release criteria.",
                c.lot_number, c.laboratory_name, c.issued_on
            ),
        ),
        None => item(
            ChecklistKey::ThirdPartyCoa,
            false,
            coa_problem.unwrap_or_else(|| "The clinic has published no certificate of analysis.".to_owned()),
        ),
    };

    let undisclosed: Vec<String> = evidence
        .packages
        .iter()
        .filter_map(|p| {
            let mut missing = Vec::new();
            if p.cell_count_millions <= 0 {
                missing.push("cell count");
            }
            if p.administration_routes.as_array().is_none_or(|r| r.is_empty()) {
                missing.push("administration route");
            }
            if p.sessions <= 0 {
                missing.push("number of sessions");
            }
            (!missing.is_empty()).then(|| format!("\"{}\" does not state its {}", p.name, missing.join(", ")))
        })
        .collect();
    let protocol = if evidence.packages.is_empty() {
        item(
            ChecklistKey::ProtocolDisclosed,
            false,
            "The clinic publishes no treatment packages, so no protocol is disclosed.",
        )
    } else if undisclosed.is_empty() {
        item(
            ChecklistKey::ProtocolDisclosed,
            true,
            "Every package states its cell count, administration route and sessions.",
        )
    } else {
        item(ChecklistKey::ProtocolDisclosed, false, format!("Package {}.", undisclosed.join("; package ")))
    };

    let valid = evidence
        .accreditations
        .iter()
        .filter(|a| accreditation_status(a, today) == VerificationStatus::Verified)
        .inspect(|a| {
            if let Some(expires) = a.expires_on {
                note_change(expires.succ_opt().unwrap_or(expires));
            }
        })
        .min_by_key(|a| a.id);
    let licensed = match valid {
        Some(a) => item(
            ChecklistKey::Licensed,
            true,
            format!("{} accreditation {} is verified and current.", a.body_name, a.certificate_number),
        ),
        None if evidence.accreditations.is_empty() => {
            item(ChecklistKey::Licensed, false, "The clinic lists no accreditation or licence.")
        }
        None if evidence
            .accreditations
            .iter()
            .any(|a| accreditation_status(a, today) == VerificationStatus::Expired) =>
        {
            item(ChecklistKey::Licensed, false, "The clinic's accreditations have expired or are not verified.")
        }
        None => {
            item(ChecklistKey::Licensed, false, "None of the clinic's accreditations has been verified by Medtour.")
        }
    };

    let claims = unrealistic_claims(&evidence.texts);
    let realistic = if claims.is_empty() {
        item(ChecklistKey::RealisticClaims, true, "The clinic makes no promises of a cure or guaranteed results.")
    } else {
        item(
            ChecklistKey::RealisticClaims,
            false,
            format!(
                "The clinic's texts make unrealistic claims ({}); no stem cell treatment for migraine can promise that.",
                claims.join(", ")
            ),
        )
    };

    Checklist { items: vec![doctors, sources, coa, protocol, licensed, realistic], changes_on }
}

/// Why a certificate does not count as a recent, verified third-party certificate meeting
/// release criteria; `None` when it does.
fn coa_problem_of(certificate: &coa::Model, markers: &[coa_markers::Model], today: NaiveDate) -> Option<String> {
    let a_year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let lot = &certificate.lot_number;
    if VerificationStatus::parse(&certificate.status) != Some(VerificationStatus::Verified) {
        return Some(format!("Certificate {lot} has not been verified by Medtour."));
    }
    if certificate.laboratory_name.trim().is_empty() {
        return Some(format!("Certificate {lot} does not name its laboratory."));
    }
    if certificate.issued_on < a_year_ago {
        return Some(format!("Certificate {lot} was issued on {}, more than 12 months ago.", certificate.issued_on));
    }
    if certificate.issued_on > today {
        return Some(format!("Certificate {lot} is dated in the future ({}).", certificate.issued_on));
    }
    let failures = release_failures(certificate, markers);
    (!failures.is_empty()).then(|| format!("Certificate {lot} fails release criteria: {}.", failures.join("; ")))
}

/// The unrealistic claims found in `texts`: the words cure / guarantee in any form, and "100%".
pub fn unrealistic_claims(texts: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut add = |claim: &str| {
        if !found.iter().any(|f| f == claim) {
            found.push(claim.to_owned());
        }
    };
    for text in texts {
        let lower = text.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            if matches!(word, "cure" | "cures" | "cured" | "curing" | "curative") {
                add("\"cure\"");
            }
            if word.starts_with("guarantee") {
                add("\"guarantee\"");
            }
        }
        if lower.contains("100%") || lower.contains("100 %") || lower.contains("100 percent") {
            add("\"100%\"");
        }
    }
    found
}
