//! The quote lifecycle over HTTP: every legal transition, recorded as an event with its actor,
//! and a sample of illegal ones, each an INVALID_TRANSITION naming the current status.

use medtour::quotes::types::actor_label;
use medtour_tests::{Backend, Role, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;

/// One expected event: (from, to, actor, actor role, note).
type Step<'a> = (Option<&'a str>, &'a str, &'a Party, &'a str, Option<&'a str>);

/// Asserts `quote`'s history, oldest first, times in order.
fn assert_history(quote: &Value, expected: &[Step<'_>]) {
    let events = quote["events"].as_array().unwrap();
    let got: Vec<(Value, Value, Value, Value, Value)> = events
        .iter()
        .map(|e| (e["from"].clone(), e["to"].clone(), e["actor"].clone(), e["actorRole"].clone(), e["note"].clone()))
        .collect();
    let want: Vec<(Value, Value, Value, Value, Value)> = expected
        .iter()
        .map(|(from, to, _, role, note)| (json!(from), json!(to), json!(actor_label(role)), json!(role), json!(note)))
        .collect();
    assert_eq!(got, want, "{quote:#}");
    for (_, _, who, _, _) in expected {
        assert!(!quote.to_string().contains(&who.client_id), "no client id is shown: {quote:#}");
    }
    let times: Vec<&str> = events.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> = times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
    assert_eq!(quote["updatedAt"], events.last().unwrap()["at"], "updatedAt is the last change");
}

on_both_backends! {
    /// SUBMITTED → IN_REVIEW → OFFERED → ACCEPTED, each step an event by the right party.
    async fn a_quote_goes_from_submission_to_an_accepted_offer(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote("life-1").await;
        let reviewing = done(&w.app, &w.clinic, &id, Act::Review).await;
        assert_eq!(reviewing["status"], "IN_REVIEW");
        let until = chrono::Utc::now() + chrono::Duration::days(7);
        let offered = done(&w.app, &w.clinic, &id, Act::Offer(offer(until))).await;
        assert_eq!(offered["status"], "OFFERED");
        let o = &offered["offer"];
        assert_eq!(o["price"], json!({ "amount": "4500.00", "currencyCode": "USD" }));
        let protocol = (o["cellCountMillions"].as_i64(), o["sessions"].as_i64(), o["stayDays"].as_i64());
        assert_eq!(protocol, (Some(25), Some(1), Some(4)));
        assert_eq!(o["inclusions"], json!(["hotel", "airport transfers"]));
        assert_eq!(o["notes"], "Includes follow-up call.");
        let valid: chrono::DateTime<chrono::Utc> = o["validUntil"].as_str().unwrap().parse().unwrap();
        assert!((valid - until).num_milliseconds().abs() < 1, "{o}");
        let accepted = done(&w.app, &w.agent, &id, Act::Accept).await;
        assert_eq!(accepted["status"], "ACCEPTED");
        let a = (&w.agent, "AGENT");
        let c = (&w.clinic, "CLINIC");
        assert_history(&accepted, &[
            (None, "SUBMITTED", a.0, a.1, None),
            (Some("SUBMITTED"), "IN_REVIEW", c.0, c.1, None),
            (Some("IN_REVIEW"), "OFFERED", c.0, c.1, None),
            (Some("OFFERED"), "ACCEPTED", a.0, a.1, None),
        ]);
        assert_eq!(read(&w.app, &w.admin, &id).await, accepted, "everyone reads the same history");
        assert_eq!(rows(&w.app, Some(row_of(&id))).await, (1, 4, 1));
    }
}

on_both_backends! {
    /// An offer can be declined with a reason, which the event keeps.
    async fn an_agent_declines_an_offer_with_a_reason(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_offered("life-2").await;
        let declined = done(&w.app, &w.agent, &id, Act::Decline(Some("  the patient chose another clinic  "))).await;
        assert_eq!(declined["status"], "DECLINED");
        let last = declined["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["from"].as_str(), last["note"].as_str()), (Some("OFFERED"), Some("the patient chose another clinic")));
        let quiet = w.quote_offered("life-2b").await;
        let declined = done(&w.app, &w.agent, &quiet, Act::Decline(None)).await;
        assert_eq!(declined["events"][3]["note"], Value::Null, "a reason is optional");
    }
}

on_both_backends! {
    /// The clinic (or an admin) rejects from SUBMITTED or IN_REVIEW, always with a reason.
    async fn a_clinic_rejects_a_request_saying_why(backend: Backend) {
        let w = World::new(backend).await;
        let fresh = w.quote("life-3").await;
        let rejected = done(&w.app, &w.clinic, &fresh, Act::Reject("no capacity before spring")).await;
        assert_eq!(rejected["status"], "REJECTED");
        assert_history(&rejected, &[
            (None, "SUBMITTED", &w.agent, "AGENT", None),
            (Some("SUBMITTED"), "REJECTED", &w.clinic, "CLINIC", Some("no capacity before spring")),
        ]);
        let reviewed = w.quote_in_review("life-4").await;
        let rejected = done(&w.app, &w.admin, &reviewed, Act::Reject("contraindicated")).await;
        assert_history(&rejected, &[
            (None, "SUBMITTED", &w.agent, "AGENT", None),
            (Some("SUBMITTED"), "IN_REVIEW", &w.clinic, "CLINIC", None),
            (Some("IN_REVIEW"), "REJECTED", &w.admin, "ADMIN", Some("contraindicated")),
        ]);
        let open = w.quote("life-5").await;
        for blank in ["", "   "] {
            let payload = refused(&w.app, &w.clinic, &open, Act::Reject(blank)).await;
            assert_eq!(payload["userErrors"][0]["code"], "INVALID");
            assert_eq!(payload["userErrors"][0]["field"], json!(["reason"]));
        }
        assert_eq!(read(&w.app, &w.clinic, &open).await["status"], "SUBMITTED");
    }
}

on_both_backends! {
    /// The agent withdraws from any open status: SUBMITTED, IN_REVIEW and OFFERED.
    async fn an_agent_withdraws_an_open_quote(backend: Backend) {
        let w = World::new(backend).await;
        let submitted = w.quote("wd-1").await;
        let reviewing = w.quote_in_review("wd-2").await;
        let offered = w.quote_offered("wd-3").await;
        for (id, from, steps) in [(&submitted, "SUBMITTED", 2), (&reviewing, "IN_REVIEW", 3), (&offered, "OFFERED", 4)] {
            let quote = done(&w.app, &w.agent, id, Act::Withdraw).await;
            assert_eq!(quote["status"], "WITHDRAWN", "from {from}");
            let events = quote["events"].as_array().unwrap();
            assert_eq!(events.len(), steps, "from {from}");
            let last = events.last().unwrap();
            assert_eq!((last["from"].as_str(), last["to"].as_str()), (Some(from), Some("WITHDRAWN")));
            assert_eq!((last["actor"].as_str(), last["actorRole"].as_str()), (Some(actor_label("AGENT")), Some("AGENT")));
        }
    }
}

on_both_backends! {
    /// Moves the lifecycle does not allow are INVALID_TRANSITION errors naming the status, and
    /// change nothing.
    async fn illegal_transitions_are_refused_and_name_the_current_status(backend: Backend) {
        let w = World::new(backend).await;
        let submitted = w.quote("bad-1").await;
        let reviewing = w.quote_in_review("bad-2").await;
        let offered = w.quote_offered("bad-3").await;
        let withdrawn = w.quote("bad-4").await;
        done(&w.app, &w.agent, &withdrawn, Act::Withdraw).await;
        let later = || offer(chrono::Utc::now() + chrono::Duration::days(2));
        let mut cases: Vec<(&str, &Party, &String, Act, &str)> = vec![
            ("accept from SUBMITTED", &w.agent, &submitted, Act::Accept, "SUBMITTED"),
            ("decline from SUBMITTED", &w.agent, &submitted, Act::Decline(None), "SUBMITTED"),
            ("offer from SUBMITTED", &w.clinic, &submitted, Act::Offer(later()), "SUBMITTED"),
            ("review twice", &w.clinic, &reviewing, Act::Review, "IN_REVIEW"),
            ("accept from IN_REVIEW", &w.agent, &reviewing, Act::Accept, "IN_REVIEW"),
            ("offer twice", &w.clinic, &offered, Act::Offer(later()), "OFFERED"),
            ("reject an offer", &w.clinic, &offered, Act::Reject("changed our mind"), "OFFERED"),
            ("review an offer", &w.admin, &offered, Act::Review, "OFFERED"),
        ];
        let clinic_acts = [Act::Review, Act::Offer(later()), Act::Reject("late")];
        let agent_acts = [Act::Withdraw, Act::Accept, Act::Decline(Some("late"))];
        for what in clinic_acts {
            cases.push(("after WITHDRAWN", &w.clinic, &withdrawn, what, "WITHDRAWN"));
        }
        for what in agent_acts {
            cases.push(("after WITHDRAWN", &w.agent, &withdrawn, what, "WITHDRAWN"));
        }
        let before: Vec<Value> = {
            let mut all = Vec::new();
            for id in [&submitted, &reviewing, &offered, &withdrawn] {
                all.push(read(&w.app, &w.admin, id).await);
            }
            all
        };
        for (why, who, id, what, status) in cases {
            let name = what.name();
            let payload = refused(&w.app, who, id, what).await;
            assert_eq!(codes(&payload), vec!["INVALID_TRANSITION"], "{why} ({name}): {payload:#}");
            let message = payload["userErrors"][0]["message"].as_str().unwrap();
            assert!(message.contains(status), "{why} ({name}): {message}");
            assert_eq!(payload["quote"]["status"], status, "{why} ({name}): the quote as it stands");
        }
        for (id, was) in [&submitted, &reviewing, &offered, &withdrawn].into_iter().zip(before) {
            assert_eq!(read(&w.app, &w.admin, id).await, was, "refused moves change nothing");
        }
        assert_eq!(rows(&w.app, None).await, (4, 1 + 2 + 3 + 2, 1));
    }
}

on_both_backends! {
    /// Roles hold per mutation: agents do not review, clinics do not accept or withdraw.
    async fn each_transition_belongs_to_its_role(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_offered("roles-1").await;
        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        for (who, what) in [
            (&w.agent, Act::Review),
            (&w.agent, Act::Offer(offer(chrono::Utc::now() + chrono::Duration::days(1)))),
            (&w.agent, Act::Reject("no")),
            (&w.clinic, Act::Accept),
            (&w.clinic, Act::Withdraw),
            (&w.clinic, Act::Decline(None)),
            (&partner, Act::Withdraw),
            (&partner, Act::Review),
        ] {
            let name = what.name();
            let (_, body) = act(&w.app, who, &id, what).await;
            assert_eq!(medtour_tests::error_codes(&body), vec!["FORBIDDEN"], "{name}: {body:#}");
            assert!(body["data"].is_null(), "{name}: {body:#}");
        }
        assert_eq!(read(&w.app, &w.agent, &id).await["status"], "OFFERED");
    }
}
