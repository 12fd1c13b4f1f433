//! The quote workflow's enums.

use crate::vocab::vocabulary;

vocabulary!(
    /// Where a quote is in its lifecycle.
    QuoteStatus {
        Submitted => "SUBMITTED",
        InReview => "IN_REVIEW",
        Offered => "OFFERED",
        Accepted => "ACCEPTED",
        Declined => "DECLINED",
        Rejected => "REJECTED",
        Withdrawn => "WITHDRAWN",
        Expired => "EXPIRED",
    }
);

vocabulary!(
    /// A migraine treatment the patient has already tried.
    PriorTreatment {
        Triptans => "TRIPTANS",
        CgrpInhibitors => "CGRP_INHIBITORS",
        BotulinumToxin => "BOTULINUM_TOXIN",
        BetaBlockers => "BETA_BLOCKERS",
        Anticonvulsants => "ANTICONVULSANTS",
        Antidepressants => "ANTIDEPRESSANTS",
        LifestyleChanges => "LIFESTYLE_CHANGES",
        Other => "OTHER",
    }
);

vocabulary!(
    /// A condition that rules MSC therapy out.
    Contraindication {
        ActiveCancer => "ACTIVE_CANCER",
        SevereInfection => "SEVERE_INFECTION",
        Pregnancy => "PREGNANCY",
        BleedingDisorder => "BLEEDING_DISORDER",
        Other => "OTHER",
    }
);

vocabulary!(
    /// The outcome of pre-screening (not medical advice).
    EligibilityOutcome {
        LikelyCandidate => "LIKELY_CANDIDATE",
        NeedsReview => "NEEDS_REVIEW",
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
