//! The webhooks' enums, stored as their names.

use crate::vocab::vocabulary;

vocabulary!(
    /// What happened to a quote: one event type per status it can reach.
    WebhookEventType {
        /// An agent submitted a quote request.
        QuoteSubmitted => "QUOTE_SUBMITTED",
        /// The clinic started reviewing the request.
        QuoteInReview => "QUOTE_IN_REVIEW",
        /// The clinic made an offer.
        QuoteOffered => "QUOTE_OFFERED",
        /// The agent accepted the offer.
        QuoteAccepted => "QUOTE_ACCEPTED",
        /// The agent declined the offer.
        QuoteDeclined => "QUOTE_DECLINED",
        /// The clinic rejected the request.
        QuoteRejected => "QUOTE_REJECTED",
        /// The agent withdrew the request.
        QuoteWithdrawn => "QUOTE_WITHDRAWN",
        /// The offer's validity passed.
        QuoteExpired => "QUOTE_EXPIRED",
    }
);

vocabulary!(
    /// Where a delivery stands.
    WebhookDeliveryStatus {
        /// Not yet acknowledged: waiting for its first attempt, or for a retry.
        Pending => "PENDING",
        /// The endpoint answered 2xx.
        Succeeded => "SUCCEEDED",
        /// Retried for 24 hours (or redelivered once) without success.
        Failed => "FAILED",
    }
);

impl WebhookEventType {
    /// The event a quote reaching `status` (a stored quote status) raises.
    pub fn for_status(status: &str) -> Option<Self> {
        Self::parse(&format!("QUOTE_{status}"))
    }

    /// The `type` of the body: `quote.offered`, `quote.in_review`, …
    pub fn wire_name(self) -> String {
        self.as_str().to_ascii_lowercase().replacen('_', ".", 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quote_status_has_an_event_with_a_dotted_name() {
        assert_eq!(WebhookEventType::for_status("IN_REVIEW"), Some(WebhookEventType::QuoteInReview));
        assert_eq!(WebhookEventType::QuoteInReview.wire_name(), "quote.in_review");
        assert_eq!(WebhookEventType::QuoteOffered.wire_name(), "quote.offered");
        assert_eq!(WebhookEventType::for_status("NOPE"), None);
    }
}
