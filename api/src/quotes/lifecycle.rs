//! The quote lifecycle as a table: which action may move a quote from which status.
//!
//! SUBMITTED → IN_REVIEW → OFFERED → ACCEPTED | DECLINED; SUBMITTED or IN_REVIEW → REJECTED
//! (clinic); any open status → WITHDRAWN (agent); OFFERED → EXPIRED once `validUntil` passes.

use super::vocab::QuoteStatus::{self, *};

/// A transition someone asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    StartReview,
    MakeOffer,
    Reject,
    Withdraw,
    Accept,
    Decline,
    Expire,
}

impl Action {
    /// The status this action leads to from `from`, or `None` when not allowed.
    pub fn target(self, from: QuoteStatus) -> Option<QuoteStatus> {
        match (self, from) {
            (Action::StartReview, Submitted) => Some(InReview),
            (Action::MakeOffer, InReview) => Some(Offered),
            (Action::Reject, Submitted | InReview) => Some(Rejected),
            (Action::Withdraw, s) if s.is_open() => Some(Withdrawn),
            (Action::Accept, Offered) => Some(Accepted),
            (Action::Decline, Offered) => Some(Declined),
            (Action::Expire, Offered) => Some(Expired),
            _ => None,
        }
    }

    /// How the action reads in an error message.
    pub fn verb(self) -> &'static str {
        match self {
            Action::StartReview => "start reviewing",
            Action::MakeOffer => "make an offer on",
            Action::Reject => "reject",
            Action::Withdraw => "withdraw",
            Action::Accept => "accept the offer on",
            Action::Decline => "decline the offer on",
            Action::Expire => "expire",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lifecycles_transitions_are_allowed() {
        let actions = [
            Action::StartReview,
            Action::MakeOffer,
            Action::Reject,
            Action::Withdraw,
            Action::Accept,
            Action::Decline,
            Action::Expire,
        ];
        let allowed: Vec<(Action, QuoteStatus, QuoteStatus)> = actions
            .iter()
            .flat_map(|a| QuoteStatus::ALL.iter().filter_map(move |s| a.target(*s).map(|t| (*a, *s, t))))
            .collect();
        let expected = vec![
            (Action::StartReview, Submitted, InReview),
            (Action::MakeOffer, InReview, Offered),
            (Action::Reject, Submitted, Rejected),
            (Action::Reject, InReview, Rejected),
            (Action::Withdraw, Submitted, Withdrawn),
            (Action::Withdraw, InReview, Withdrawn),
            (Action::Withdraw, Offered, Withdrawn),
            (Action::Accept, Offered, Accepted),
            (Action::Decline, Offered, Declined),
            (Action::Expire, Offered, Expired),
        ];
        assert_eq!(allowed, expected);
    }
}
