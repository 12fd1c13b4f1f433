//! Candidacy pre-screening for MSC therapy for chronic migraine (not medical advice).
//!
//! Any contraindication: NOT_A_CANDIDATE. Otherwise NEEDS_REVIEW without a chronic-migraine
//! diagnosis, with fewer than 15 headache days a month (the ICHD-3 threshold for chronic
//! migraine), or with fewer than two conventional treatments tried; else LIKELY_CANDIDATE.
//! Every step is explained in `reasons`, passing or not.

use super::vocab::{Contraindication, EligibilityOutcome, PriorTreatment};

/// ICHD-3: chronic migraine is headache on 15 or more days a month.
pub const CHRONIC_DAYS: i32 = 15;
/// Conventional treatments that must have been tried first.
pub const MIN_CONVENTIONAL: usize = 2;

/// What pre-screening looks at.
#[derive(Clone, Debug)]
pub struct Screening<'a> {
    pub chronic_migraine_diagnosis: bool,
    pub headache_days_per_month: i32,
    pub treatments_tried: &'a [PriorTreatment],
    pub contraindications: &'a [Contraindication],
}

/// The outcome and the reasons behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Eligibility {
    pub outcome: EligibilityOutcome,
    pub reasons: Vec<String>,
}

fn conventional(t: PriorTreatment) -> bool {
    !matches!(t, PriorTreatment::LifestyleChanges | PriorTreatment::Other)
}

fn contraindication_text(c: Contraindication) -> &'static str {
    match c {
        Contraindication::ActiveCancer => "active cancer",
        Contraindication::SevereInfection => "a severe infection",
        Contraindication::Pregnancy => "pregnancy",
        Contraindication::BleedingDisorder => "a bleeding disorder",
        Contraindication::Other => "another contraindication",
    }
}

/// Pre-screens a patient.
pub fn screen(s: &Screening<'_>) -> Eligibility {
    let mut reasons = Vec::new();
    let mut contraindications: Vec<Contraindication> = s.contraindications.to_vec();
    contraindications.sort();
    contraindications.dedup();
    if !contraindications.is_empty() {
        for c in &contraindications {
            reasons
                .push(format!("The patient reports {}, which rules out stem cell therapy.", contraindication_text(*c)));
        }
        reasons.push("Pre-screening only, not medical advice: a doctor makes the final decision.".into());
        return Eligibility { outcome: EligibilityOutcome::NotACandidate, reasons };
    }
    reasons.push("No contraindication was reported.".into());
    let mut review = false;
    if s.chronic_migraine_diagnosis {
        reasons.push("The patient has a diagnosis of chronic migraine.".into());
    } else {
        review = true;
        reasons.push("There is no chronic-migraine diagnosis yet; a specialist should confirm one.".into());
    }
    if s.headache_days_per_month >= CHRONIC_DAYS {
        reasons.push(format!(
            "{} headache days a month meets the chronic threshold of {CHRONIC_DAYS} (ICHD-3).",
            s.headache_days_per_month
        ));
    } else {
        review = true;
        reasons.push(format!(
            "{} headache days a month is below the chronic threshold of {CHRONIC_DAYS} (ICHD-3).",
            s.headache_days_per_month
        ));
    }
    let mut tried: Vec<PriorTreatment> = s.treatments_tried.iter().copied().filter(|t| conventional(*t)).collect();
    tried.sort();
    tried.dedup();
    if tried.len() >= MIN_CONVENTIONAL {
        reasons.push(format!("{} conventional treatments have been tried.", tried.len()));
    } else {
        review = true;
        reasons.push(format!(
            "Only {} conventional treatment(s) tried (triptans, CGRP inhibitors or preventatives); at least {MIN_CONVENTIONAL} are expected first.",
            tried.len()
        ));
    }
    reasons.push("Pre-screening only, not medical advice: a doctor makes the final decision.".into());
    let outcome = if review { EligibilityOutcome::NeedsReview } else { EligibilityOutcome::LikelyCandidate };
    Eligibility { outcome, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PriorTreatment::*;

    fn run(diagnosis: bool, days: i32, tried: &[PriorTreatment], contra: &[Contraindication]) -> Eligibility {
        screen(&Screening {
            chronic_migraine_diagnosis: diagnosis,
            headache_days_per_month: days,
            treatments_tried: tried,
            contraindications: contra,
        })
    }

    #[test]
    fn each_rule_decides_the_outcome() {
        use EligibilityOutcome::*;
        type Case<'a> = (bool, i32, &'a [PriorTreatment], &'a [Contraindication], EligibilityOutcome);
        let cases: &[Case<'_>] = &[
            (true, 20, &[Triptans, CgrpInhibitors], &[], LikelyCandidate),
            (true, 15, &[Triptans, BetaBlockers], &[], LikelyCandidate),
            (true, 14, &[Triptans, CgrpInhibitors], &[], NeedsReview),
            (false, 20, &[Triptans, CgrpInhibitors], &[], NeedsReview),
            (true, 20, &[Triptans], &[], NeedsReview),
            (true, 20, &[Triptans, Triptans], &[], NeedsReview),
            (true, 20, &[Triptans, LifestyleChanges, Other], &[], NeedsReview),
            (true, 20, &[Triptans, CgrpInhibitors], &[Contraindication::Pregnancy], NotACandidate),
            (false, 2, &[], &[Contraindication::ActiveCancer], NotACandidate),
        ];
        for (diagnosis, days, tried, contra, expected) in cases {
            let result = run(*diagnosis, *days, tried, contra);
            assert_eq!(result.outcome, *expected, "{diagnosis} {days} {tried:?} {contra:?}: {:?}", result.reasons);
        }
    }

    #[test]
    fn reasons_explain_every_step() {
        let result = run(false, 10, &[Triptans], &[]);
        let text = result.reasons.join(" ");
        assert!(text.contains("no chronic-migraine diagnosis"), "{text}");
        assert!(text.contains("10 headache days"), "{text}");
        assert!(text.contains("Only 1 conventional"), "{text}");
        assert!(text.contains("not medical advice"), "{text}");
        let contra = run(true, 20, &[], &[Contraindication::ActiveCancer, Contraindication::SevereInfection]);
        assert!(contra.reasons.iter().any(|r| r.contains("active cancer")));
        assert!(contra.reasons.iter().any(|r| r.contains("severe infection")));
    }
}
