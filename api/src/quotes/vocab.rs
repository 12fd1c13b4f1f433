//! The quote workflow's enums.

use crate::graphql::eager::enum_leaves;
use crate::vocab::vocabulary;

vocabulary!(
    /// Where a quote is in its lifecycle: SUBMITTED → IN_REVIEW → OFFERED → ACCEPTED or
    /// DECLINED, with REJECTED, WITHDRAWN and EXPIRED as the other ends.
    QuoteStatus {
        /// Sent by the agent; the clinic has not started reviewing it.
        Submitted => "SUBMITTED",
        /// The clinic is reviewing it.
        InReview => "IN_REVIEW",
        /// The clinic has made an offer the agent may accept until its `validUntil`.
        Offered => "OFFERED",
        /// The agent accepted the offer (final).
        Accepted => "ACCEPTED",
        /// The agent declined the offer (final).
        Declined => "DECLINED",
        /// The clinic turned the request down, from SUBMITTED or IN_REVIEW (final).
        Rejected => "REJECTED",
        /// The agent withdrew the request while it was open (final).
        Withdrawn => "WITHDRAWN",
        /// The offer's `validUntil` passed before it was accepted or declined (final).
        Expired => "EXPIRED",
    }
);

vocabulary!(
    /// A migraine treatment the patient has already tried.
    PriorTreatment {
        /// Triptans (e.g. sumatriptan), taken for attacks. Conventional.
        Triptans => "TRIPTANS",
        /// CGRP inhibitors: monoclonal antibodies or gepants. Conventional.
        CgrpInhibitors => "CGRP_INHIBITORS",
        /// Botulinum toxin (Botox) injections. Conventional.
        BotulinumToxin => "BOTULINUM_TOXIN",
        /// Beta blockers as a preventative (e.g. propranolol). Conventional.
        BetaBlockers => "BETA_BLOCKERS",
        /// Anticonvulsants as a preventative (e.g. topiramate). Conventional.
        Anticonvulsants => "ANTICONVULSANTS",
        /// Antidepressants as a preventative (e.g. amitriptyline). Conventional.
        Antidepressants => "ANTIDEPRESSANTS",
        /// Changes of diet, sleep or exercise; not counted as a conventional treatment.
        LifestyleChanges => "LIFESTYLE_CHANGES",
        /// Anything else; not counted as a conventional treatment.
        Other => "OTHER",
    }
);

vocabulary!(
    /// A condition that rules MSC therapy out.
    Contraindication {
        /// A cancer under treatment or not in remission.
        ActiveCancer => "ACTIVE_CANCER",
        /// A severe infection now.
        SevereInfection => "SEVERE_INFECTION",
        /// The patient is pregnant.
        Pregnancy => "PREGNANCY",
        /// A bleeding or clotting disorder.
        BleedingDisorder => "BLEEDING_DISORDER",
        /// Another condition a doctor named as ruling the therapy out.
        Other => "OTHER",
    }
);

vocabulary!(
    /// The outcome of pre-screening (not medical advice): a doctor makes the decision.
    EligibilityOutcome {
        /// No contraindication, a chronic-migraine diagnosis, at least 15 headache days a
        /// month and at least two conventional treatments tried.
        LikelyCandidate => "LIKELY_CANDIDATE",
        /// No contraindication, but a diagnosis, the headache days or the conventional
        /// treatments tried fall short: a specialist should look at the case.
        NeedsReview => "NEEDS_REVIEW",
        /// At least one contraindication was reported.
        NotACandidate => "NOT_A_CANDIDATE",
    }
);

vocabulary!(
    /// Why a mutation did not do what was asked.
    UserErrorCode {
        /// The input is malformed or out of range.
        Invalid => "INVALID",
        /// Nothing with that ID exists within the caller's reach.
        NotFound => "NOT_FOUND",
        /// The quote's current status does not allow this.
        InvalidTransition => "INVALID_TRANSITION",
        /// A reused idempotency key with other input, or a concurrent change won.
        Conflict => "CONFLICT",
        /// The caller may not do this.
        Forbidden => "FORBIDDEN",
    }
);

impl QuoteStatus {
    /// Statuses from which the quote can still move.
    pub fn is_open(self) -> bool {
        matches!(self, QuoteStatus::Submitted | QuoteStatus::InReview | QuoteStatus::Offered)
    }
}

enum_leaves!(QuoteStatus);
