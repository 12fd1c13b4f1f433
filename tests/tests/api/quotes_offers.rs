//! Offers: validated field by field, expiring when `validUntil` passes, and exactly one of
//! two racing changes winning (optimistic concurrency on the version column).

use chrono::{Duration, Utc};
use entity::quote_events;
use medtour_tests::{Backend, Role, on_both_backends};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::quotes_support::*;

/// How many events of quote `row` lead to `status`.
async fn events_to(w: &World, row: i32, status: &str) -> u64 {
    quote_events::Entity::find()
        .filter(quote_events::Column::QuoteId.eq(row))
        .filter(quote_events::Column::ToStatus.eq(status))
        .count(&w.app.state.db)
        .await
        .unwrap()
}

/// The agent's quotes listed under `status`.
async fn statuses_listed(w: &World, status: &str) -> Vec<String> {
    let query = "query($s: [QuoteStatus!]) { quotes(filter: { statuses: $s }) { edges { node { id status } } } }";
    let data = w.app.data_as(&w.agent.token, query, json!({ "s": [status] })).await;
    let edges = data["quotes"]["edges"].as_array().unwrap().clone();
    assert!(edges.iter().all(|e| e["node"]["status"] == status), "{edges:?}");
    edges.iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
}

on_both_backends! {
    /// Each bad offer field is an INVALID user error at its path; the quote stays IN_REVIEW.
    async fn invalid_offers_name_each_field(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_in_review("offer-bad").await;
        let good = offer(Utc::now() + Duration::days(3));
        let change = |key: &str, value: Value| {
            let mut o = good.clone();
            o[key] = value;
            o
        };
        let yen = |price: &str| {
            let mut o = change("currencyCode", json!("JPY"));
            o["price"] = json!(price);
            o
        };
        let cases: Vec<(&str, Value, &str)> = vec![
            ("validUntil in the past", change("validUntil", json!(instant(Utc::now() - Duration::minutes(1)))), "validUntil"),
            ("negative price", change("price", json!("-1.00")), "price"),
            ("unknown currency", change("currencyCode", json!("XYZ")), "currencyCode"),
            ("lower-case currency", change("currencyCode", json!("usd")), "currencyCode"),
            ("more decimals than USD has", change("price", json!("10.001")), "price"),
            ("decimals in yen", yen("500000.5"), "price"),
            ("no sessions", change("sessions", json!(0)), "sessions"),
            ("no cells", change("cellCountMillions", json!(0)), "cellCountMillions"),
            ("a blank inclusion", change("inclusions", json!(["hotel", " "])), "inclusions"),
        ];
        for (why, input, field) in cases {
            let payload = refused(&w.app, &w.clinic, &id, Act::Offer(input)).await;
            assert_eq!(payload["quote"], Value::Null, "{why}");
            let errors = payload["userErrors"].as_array().unwrap();
            assert_eq!(errors.len(), 1, "{why}: {payload:#}");
            assert_eq!(errors[0]["code"], "INVALID", "{why}");
            assert_eq!(errors[0]["field"], json!(["input", field]), "{why}: {payload:#}");
        }
        assert_eq!(read(&w.app, &w.clinic, &id).await["status"], "IN_REVIEW");
        assert_eq!(rows(&w.app, Some(row_of(&id))).await, (1, 2, 0), "no offer, no event");
        let offered = done(&w.app, &w.clinic, &id, Act::Offer(yen("500000"))).await;
        assert_eq!(offered["offer"]["price"], json!({ "amount": "500000", "currencyCode": "JPY" }));
    }
}

on_both_backends! {
    /// An offer whose `validUntil` passes reads as EXPIRED; accepting it then records EXPIRED
    /// and says so instead of accepting.
    async fn an_offer_expires_when_its_time_passes(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_in_review("expiry").await;
        let until = w.app.state.clock.now() + Duration::seconds(2);
        let offered = done(&w.app, &w.clinic, &id, Act::Offer(offer(until))).await;
        assert_eq!(offered["status"], "OFFERED");
        w.app.state.clock.advance(std::time::Duration::from_secs(3));
        assert_eq!(read(&w.app, &w.agent, &id).await["status"], "EXPIRED");
        assert_eq!(read(&w.app, &w.clinic, &id).await["status"], "EXPIRED");
        // The list filter agrees with the status shown, before the expiry is recorded too.
        assert_eq!(statuses_listed(&w, "EXPIRED").await, vec![id.clone()]);
        assert_eq!(statuses_listed(&w, "OFFERED").await, Vec::<String>::new());

        let payload = refused(&w.app, &w.agent, &id, Act::Accept).await;
        assert_eq!(payload["quote"]["status"], "EXPIRED", "{payload:#}");
        assert_eq!(codes(&payload), vec!["INVALID_TRANSITION"]);
        let message = payload["userErrors"][0]["message"].as_str().unwrap();
        assert!(message.contains("expired") && message.contains("EXPIRED"), "{message}");
        let last = payload["quote"]["events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["from"].as_str(), last["to"].as_str()), (Some("OFFERED"), Some("EXPIRED")));
        assert_eq!((last["actor"].as_str(), last["actorRole"].as_str()), (Some("Medtour (automatic)"), Some("SYSTEM")));
        let row = row_of(&id);
        assert_eq!(events_to(&w, row, "EXPIRED").await, 1);

        // Nothing else moves it now, and the expiry is recorded once.
        for (who, what) in [(&w.agent, Act::Accept), (&w.agent, Act::Withdraw), (&w.agent, Act::Decline(None))] {
            let payload = refused(&w.app, who, &id, what).await;
            assert_eq!(codes(&payload), vec!["INVALID_TRANSITION"]);
        }
        assert_eq!(events_to(&w, row, "EXPIRED").await, 1);
        assert_eq!(events_to(&w, row, "ACCEPTED").await, 0);
        assert_eq!(statuses_listed(&w, "EXPIRED").await, vec![id.clone()], "and after it is");
    }
}

on_both_backends! {
    /// Two staff of the quoted clinic offering at once: exactly one offer is made.
    async fn two_clinic_staff_racing_to_offer_make_exactly_one_offer(backend: Backend) {
        let w = World::new(backend).await;
        let colleague = Party::new(&w.app, Role::Clinic, None, Some(BAJA)).await;
        for round in 0..4 {
            let id = w.quote_in_review(&format!("race-offer-{round}")).await;
            let mut cheaper = offer(Utc::now() + Duration::days(2));
            cheaper["price"] = json!("3999.00");
            let (a, b) = tokio::join!(
                act(&w.app, &w.clinic, &id, Act::Offer(offer(Utc::now() + Duration::days(2)))),
                act(&w.app, &colleague, &id, Act::Offer(cheaper)),
            );
            let payloads = [&a.1["data"]["r"], &b.1["data"]["r"]];
            let won: Vec<&&Value> = payloads.iter().filter(|p| p["userErrors"] == json!([])).collect();
            assert_eq!(won.len(), 1, "round {round}: {a:#?} {b:#?}");
            let lost = payloads.iter().find(|p| p["userErrors"] != json!([])).unwrap();
            let code = lost["userErrors"][0]["code"].as_str().unwrap();
            assert!(code == "CONFLICT" || code == "INVALID_TRANSITION", "round {round}: {lost:#}");
            let row = row_of(&id);
            assert_eq!(events_to(&w, row, "OFFERED").await, 1, "round {round}");
            assert_eq!(rows(&w.app, Some(row)).await, (1, 3, 1), "round {round}");
            let stored = read(&w.app, &w.agent, &id).await;
            assert_eq!(stored["offer"]["price"], won[0]["quote"]["offer"]["price"], "the winner's offer is the one kept");
        }
    }
}

on_both_backends! {
    /// An agent withdrawing while the clinic starts its review: one of them wins, never both.
    async fn a_withdrawal_racing_a_review_has_one_winner(backend: Backend) {
        let w = World::new(backend).await;
        for round in 0..4 {
            let id = w.quote(&format!("race-wd-{round}")).await;
            let (a, b) = tokio::join!(act(&w.app, &w.agent, &id, Act::Withdraw), act(&w.app, &w.clinic, &id, Act::Review));
            let ok = [&a.1, &b.1].iter().filter(|body| body["data"]["r"]["userErrors"] == json!([])).count();
            let events = read(&w.app, &w.admin, &id).await["events"].as_array().unwrap().len();
            // Either one won and the other lost, or the review won and the withdrawal
            // followed it (withdrawing from IN_REVIEW is legal): never a lost update.
            assert!(ok >= 1, "round {round}: {a:#?} {b:#?}");
            assert_eq!(events, 1 + ok, "round {round}: every success is one event");
            let status = read(&w.app, &w.admin, &id).await["status"].as_str().unwrap().to_owned();
            let withdrawn = a.1["data"]["r"]["userErrors"] == json!([]);
            let expected = if withdrawn { "WITHDRAWN" } else { "IN_REVIEW" };
            assert_eq!(status, expected, "round {round}");
        }
    }
}
