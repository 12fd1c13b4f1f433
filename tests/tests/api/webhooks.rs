//! Webhook delivery end to end: a local receiver, the server's worker asked for passes, the
//! clock moved instead of waiting out the backoff.

use std::collections::BTreeSet;
use std::time::Duration;

use entity::{quote_events, webhook_deliveries};
use medtour_tests::webhooks::{Receiver, Reply, verify};
use medtour_tests::{Backend, on_both_backends, spawn_app_with};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Statement};
use serde_json::json;

use crate::quotes_support::*;
use crate::webhooks_support::*;

on_both_backends! {
    /// Each event arrives signed per Standard Webhooks, checked by the test's own
    /// implementation; after a rotation both secrets sign, and the old one stops after 24 h.
    async fn deliveries_are_signed_and_both_secrets_sign_during_rotation(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        let (id, secret) = endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        assert!(secret.starts_with("whsec_"), "{secret}");
        let quote = w.quote("hook-sign-1").await;
        settle(&w.app).await;
        let got = receiver.received();
        assert_eq!(got.len(), 1);
        assert!(verify(&secret, &got[0]), "signed with the endpoint's secret: {:?}", got[0]);
        assert!(!verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &got[0]));
        let body = got[0].json();
        assert_eq!(body["type"], "quote.submitted");
        assert_eq!(body["data"]["quoteId"], quote);
        assert_eq!(body["data"]["clinicId"], w.baja.id);
        assert_eq!(body["data"]["treatment"], MIGRAINE);
        assert_eq!((body["data"]["status"].as_str(), body["data"]["from"].as_str()), (Some("SUBMITTED"), None));

        let rotate = "mutation($id: ID!) { r: rotateWebhookSecret(id: $id) { secret userErrors { code } } }";
        let rotated = w.app.data_as(&w.agent.token, rotate, json!({ "id": id })).await;
        let new_secret = rotated["r"]["secret"].as_str().unwrap().to_owned();
        assert_ne!(new_secret, secret);
        done(&w.app, &w.clinic, &quote, Act::Review).await;
        settle(&w.app).await;
        let second = receiver.received()[1].clone();
        assert_eq!(second.signature.split(' ').count(), 2, "two v1 entries: {}", second.signature);
        assert!(verify(&new_secret, &second) && verify(&secret, &second), "both secrets sign");

        w.app.state.clock.advance(Duration::from_secs(25 * 3600));
        let agent = Party::new(&w.app, medtour_tests::Role::Agent, Some("Partner A"), None).await;
        let clinic = Party::new(&w.app, medtour_tests::Role::Clinic, None, Some(BAJA)).await;
        done(&w.app, &clinic, &quote, Act::Reject("not a candidate")).await;
        settle(&w.app).await;
        let third = receiver.received()[2].clone();
        assert!(verify(&new_secret, &third) && !verify(&secret, &third), "the old secret retired after 24 h");
        assert_eq!(deliveries(&w.app, &agent, &id).await.len(), 3);
    }
}

on_both_backends! {
    /// The deliveries are written in the transition's transaction: present as soon as the
    /// mutation answers, and absent (with the event) when the transaction rolls back.
    async fn the_outbox_is_written_with_the_transition_and_absent_after_a_rollback(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        let (second, _) = endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        let second_row = medtour::graphql::ids::decode_as(medtour::graphql::ids::Kind::WebhookEndpoint, &second).unwrap().unwrap();
        let quote = w.quote("hook-outbox-1").await;
        let db = &w.app.state.db;
        let outbox = webhook_deliveries::Entity::find().all(db).await.unwrap();
        assert_eq!(outbox.len(), 2, "one delivery per endpoint, written with the submission");
        let events = quote_events::Entity::find().all(db).await.unwrap();
        assert!(outbox.iter().all(|d| events.iter().any(|e| e.id == d.quote_event_id)));

        // The second endpoint's row is refused: the whole transition must roll back.
        let (install, remove) = match backend {
            Backend::Sqlite => (
                vec![format!("CREATE TRIGGER refuse_delivery BEFORE INSERT ON webhook_deliveries WHEN NEW.endpoint_id = {second_row} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")],
                "DROP TRIGGER refuse_delivery",
            ),
            Backend::Postgres => (
                vec![
                    "CREATE FUNCTION refuse_delivery() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql".to_owned(),
                    format!("CREATE TRIGGER refuse_delivery BEFORE INSERT ON webhook_deliveries FOR EACH ROW WHEN (NEW.endpoint_id = {second_row}) EXECUTE FUNCTION refuse_delivery()"),
                ],
                "DROP TRIGGER refuse_delivery ON webhook_deliveries",
            ),
        };
        for sql in &install {
            db.execute_raw(Statement::from_string(db.get_database_backend(), sql.clone())).await.unwrap();
        }
        let before = (quote_events::Entity::find().count(db).await.unwrap(), webhook_deliveries::Entity::find().count(db).await.unwrap());
        let (_, body) = act(&w.app, &w.clinic, &quote, Act::Review).await;
        assert!(body.get("errors").is_some(), "the failed transaction is an error: {body:#}");
        let after = (quote_events::Entity::find().count(db).await.unwrap(), webhook_deliveries::Entity::find().count(db).await.unwrap());
        assert_eq!(after, before, "no event and no delivery survive the rollback");
        assert_eq!(read(&w.app, &w.agent, &quote).await["status"], "SUBMITTED");

        db.execute_raw(Statement::from_string(db.get_database_backend(), remove.to_owned())).await.unwrap();
        done(&w.app, &w.clinic, &quote, Act::Review).await;
        assert_eq!(webhook_deliveries::Entity::find().count(db).await.unwrap(), 4);
        settle(&w.app).await;
        let types: Vec<String> = receiver.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
        assert_eq!(types.iter().filter(|t| *t == "quote.in_review").count(), 2, "{types:?}");
    }
}

on_both_backends! {
    /// A receiver that fails twice then succeeds gets three attempts of the same event, 5 s
    /// and then 30 s apart by the application clock; nothing is retried before its time.
    async fn failed_deliveries_are_retried_with_backoff_until_they_succeed(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        receiver.plan([Reply::Status(500), Reply::Status(503)]);
        let (id, secret) = endpoint(&w.app, &w.agent, &receiver.url, &["QUOTE_SUBMITTED"]).await;
        w.quote("hook-retry-1").await;
        settle(&w.app).await;
        let first = deliveries(&w.app, &w.agent, &id).await[0].clone();
        assert_eq!((first["status"].as_str(), first["attempts"].as_i64(), first["lastResponseStatus"].as_i64()), (Some("PENDING"), Some(1), Some(500)));
        let last: chrono::DateTime<chrono::Utc> = first["lastAttemptAt"].as_str().unwrap().parse().unwrap();
        let next: chrono::DateTime<chrono::Utc> = first["nextAttemptAt"].as_str().unwrap().parse().unwrap();
        let wait = (next - last).num_milliseconds();
        assert!((4_500..=5_500).contains(&wait), "about 5 s with jitter: {wait} ms");

        settle(&w.app).await;
        assert_eq!(receiver.count(), 1, "not retried before its time");
        w.app.state.clock.advance(Duration::from_secs(6));
        settle(&w.app).await;
        assert_eq!(receiver.count(), 2);
        let second = deliveries(&w.app, &w.agent, &id).await[0].clone();
        let last: chrono::DateTime<chrono::Utc> = second["lastAttemptAt"].as_str().unwrap().parse().unwrap();
        let next: chrono::DateTime<chrono::Utc> = second["nextAttemptAt"].as_str().unwrap().parse().unwrap();
        let wait = (next - last).num_milliseconds();
        assert!((27_000..=33_000).contains(&wait), "about 30 s with jitter: {wait} ms");
        w.app.state.clock.advance(Duration::from_secs(34));
        settle(&w.app).await;

        let got = receiver.received();
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|r| r.id == got[0].id && r.body == got[0].body), "the same event every time");
        assert!(got.iter().all(|r| verify(&secret, r)));
        let done = deliveries(&w.app, &w.agent, &id).await[0].clone();
        assert_eq!((done["status"].as_str(), done["attempts"].as_i64(), &done["nextAttemptAt"]), (Some("SUCCEEDED"), Some(3), &json!(null)));
        let codes: Vec<i64> = done["attemptLog"].as_array().unwrap().iter().map(|a| a["responseStatus"].as_i64().unwrap()).collect();
        assert_eq!(codes, [500, 503, 200]);
        assert_eq!(done["eventId"], got[0].id.as_str());
        let metrics = w.app.client.get(format!("{}/metrics", w.app.address)).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("medtour_webhook_deliveries_total{outcome=\"retrying\"} 2"), "{metrics}");
        assert!(metrics.contains("medtour_webhook_deliveries_total{outcome=\"succeeded\"} 1"));
        assert!(metrics.contains("medtour_webhook_queue_depth 0"));
    }
}

on_both_backends! {
    /// A later event of a quote waits while an earlier one is retrying; other quotes do not.
    async fn events_of_one_quote_arrive_in_order(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        receiver.plan([Reply::Status(500)]);
        endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        let first = w.quote("hook-order-1").await;
        settle(&w.app).await;
        done(&w.app, &w.clinic, &first, Act::Review).await;
        done(&w.app, &w.clinic, &first, Act::Reject("not a candidate")).await;
        let other = w.quote("hook-order-2").await;
        settle(&w.app).await;
        let seen = |r: &medtour_tests::webhooks::Received| {
            let body = r.json();
            (body["data"]["quoteId"].as_str().unwrap().to_owned(), body["data"]["status"].as_str().unwrap().to_owned())
        };
        let got: Vec<(String, String)> = receiver.received().iter().map(seen).collect();
        assert_eq!(got, [(first.clone(), "SUBMITTED".into()), (other.clone(), "SUBMITTED".into())], "the first quote's later events wait");
        w.app.state.clock.advance(Duration::from_secs(6));
        settle(&w.app).await;
        let got: Vec<(String, String)> = receiver.received().iter().map(seen).filter(|(q, _)| *q == first).collect();
        let statuses: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(statuses, ["SUBMITTED", "SUBMITTED", "IN_REVIEW", "REJECTED"]);
    }
}

on_both_backends! {
    /// A receiver that never answers costs one attempt per timeout, recorded as such, and a
    /// redirect is an answer, not a place to go.
    async fn a_receiver_that_never_answers_times_out_and_redirects_are_not_followed(backend: Backend) {
        let app = spawn_app_with(backend, &[("MEDTOUR_WEBHOOK_TIMEOUT_SECS", "1")]).await;
        let w = World::from_app(app).await;
        let silent = Receiver::start().await;
        silent.hang();
        let (id, _) = endpoint(&w.app, &w.agent, &silent.url, &["QUOTE_SUBMITTED"]).await;
        let elsewhere = Receiver::start().await;
        let moving = Receiver::start().await;
        moving.plan([Reply::Redirect(elsewhere.url.clone())]);
        let (moved, _) = endpoint(&w.app, &w.agent, &moving.url, &["QUOTE_SUBMITTED"]).await;
        w.quote("hook-silent-1").await;
        settle(&w.app).await;
        let d = deliveries(&w.app, &w.agent, &id).await[0].clone();
        assert_eq!((d["status"].as_str(), d["attempts"].as_i64(), &d["lastResponseStatus"]), (Some("PENDING"), Some(1), &json!(null)));
        assert_eq!(d["attemptLog"][0]["error"], "timed out");
        assert!(d["attemptLog"][0]["latencyMs"].as_i64().unwrap() >= 900);
        let r = deliveries(&w.app, &w.agent, &moved).await[0].clone();
        assert_eq!((r["status"].as_str(), r["lastResponseStatus"].as_i64()), (Some("PENDING"), Some(302)));
        assert_eq!(elsewhere.count(), 0, "the redirect was not followed");
    }
}

on_both_backends! {
    /// Bodies carry IDs and statuses only: never the patient, the notes or a reason.
    async fn no_patient_data_or_free_text_reaches_a_body(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        endpoint(&w.app, &w.clinic, &receiver.url, &ALL_TYPES).await;
        let quote = w.quote_offered("hook-private-1").await;
        done(&w.app, &w.agent, &quote, Act::Decline(Some("the patient chose another clinic"))).await;
        settle(&w.app).await;
        let got = receiver.received();
        assert_eq!(got.len(), 8, "four events to two endpoints");
        let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
        for r in &got {
            for secret in ["case-0042", "penicillin", "Aura", "another clinic", "follow-up", "\"US\""] {
                assert!(!r.body.contains(secret), "{secret} in {}", r.body);
            }
            let body = r.json();
            assert_eq!(keys(&body), ["data", "timestamp", "type"].map(String::from).into());
            assert_eq!(keys(&body["data"]), ["at", "clinicId", "from", "quoteId", "status", "treatment"].map(String::from).into());
        }
    }
}

on_both_backends! {
    /// A delivery retried for 24 hours without success is FAILED; an endpoint failing for 3
    /// days without a single success is deactivated and hears nothing more.
    async fn deliveries_give_up_after_a_day_and_endpoints_after_three(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        receiver.plan(std::iter::repeat_n(Reply::Status(500), 200));
        let (id, _) = endpoint(&w.app, &w.agent, &receiver.url, &["QUOTE_SUBMITTED"]).await;
        w.quote("hook-give-up-1").await;
        settle(&w.app).await;
        // An hour at a time, past the day the delivery is retried for.
        for _ in 0..26 {
            w.app.state.clock.advance(Duration::from_secs(3600));
            settle(&w.app).await;
        }
        let agent = Party::new(&w.app, medtour_tests::Role::Agent, Some("Partner A"), None).await;
        let d = deliveries(&w.app, &agent, &id).await[0].clone();
        assert_eq!((d["status"].as_str(), &d["nextAttemptAt"]), (Some("FAILED"), &json!(null)), "{d:#}");
        let attempts = d["attempts"].as_i64().unwrap();
        // Hourly with up to 10 % jitter: an hour of the clock sometimes passes without a retry.
        assert!((14..=30).contains(&attempts), "5 s, 30 s, 2 min, 10 min, 1 h, then hourly: {attempts}");

        w.app.state.clock.advance(Duration::from_secs(2 * 24 * 3600));
        let agent = Party::new(&w.app, medtour_tests::Role::Agent, Some("Partner A"), None).await;
        submitted(&w.app, &agent, request(&w.baja.id, "hook-give-up-2")).await;
        settle(&w.app).await;
        let endpoints = w.app.data_as(&agent.token, "{ webhookEndpoints { edges { node { id active } } } }", json!({})).await;
        assert_eq!(endpoints["webhookEndpoints"]["edges"][0]["node"]["active"], false, "deactivated after 3 days of failures");
        let admin = Party::new(&w.app, medtour_tests::Role::Admin, None, None).await;
        let log = w
            .app
            .data_as(
                &admin.token,
                "query($f: AuditFilter) { auditLog(filter: $f) { edges { node { actor actorRole action entityType before after note } } } }",
                json!({ "f": { "entityId": id, "actions": ["webhook_endpoint.deactivate"] } }),
            )
            .await;
        let records = log["auditLog"]["edges"].as_array().unwrap();
        assert_eq!(records.len(), 1, "one audit record says the endpoint was deactivated: {log:#}");
        let record = &records[0]["node"];
        assert_eq!((record["actor"].as_str(), record["actorRole"].as_str()), (Some("medtour-system"), Some("ADMIN")));
        assert_eq!((&record["before"]["active"], &record["after"]["active"]), (&json!(true), &json!(false)));
        assert!(record["after"]["deactivatedAt"].is_string() && record["note"].is_string(), "{record:#}");
        assert!(!record.to_string().contains("whsec_"), "no secret in the audit log: {record:#}");
        let before = receiver.count();
        submitted(&w.app, &agent, request(&w.baja.id, "hook-give-up-3")).await;
        settle(&w.app).await;
        assert_eq!(receiver.count(), before, "an inactive endpoint hears nothing");
    }
}
