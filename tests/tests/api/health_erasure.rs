//! Erasure by crypto-shredding: `erasePatientData` (ADMIN) leaves no patient data on any
//! path and keeps the business record, is audited once with its reason and never the data,
//! withdraws an open quote first, and repeats as a no-op; the retention task does the same by
//! itself, once per quote even with two replicas.

use std::time::Duration;

use entity::{audit_records, patient_data};
use medtour_tests::{Backend, Role, error_codes, on_both_backends, spawn_app_with, spawn_on};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::health_support::*;
use crate::quotes_support::*;

const ERASE: &str = "mutation($id: ID!, $reason: String!) { r: erasePatientData(quoteId: $id, reason: $reason) {
    userErrors { field code } quote { id status patientDataErasedAt patient { reference } eligibility { outcome }
    clinic { slug } offer { price { amount } validUntil notes } events { at from to note } } } }";

async fn audits_of(w: &World, id: &str) -> Vec<audit_records::Model> {
    audit_records::Entity::find()
        .filter(audit_records::Column::EntityId.eq(id))
        .filter(audit_records::Column::Action.eq("quote.erase_patient_data"))
        .all(&w.app.state.db)
        .await
        .unwrap()
}

on_both_backends! {
    /// After erasure the patient, eligibility and every note are null on every path, the
    /// business record stays, the audit record names the actor and reason and no patient
    /// value; erasing again answers the same quote and records nothing more.
    async fn erasure_clears_patient_data_everywhere_keeps_the_record_and_is_audited_once(backend: Backend) {
        let w = World::new(backend).await;
        let (id, reasons) = declined_quote(&w, "erase-1").await;
        let before = read(&w.app, &w.admin, &id).await;
        let (_, body) = w.app.graphql_as(Some(&w.admin.token), ERASE, json!({ "id": id, "reason": "GDPR art. 17 request #88" })).await;
        let quote = body["data"]["r"]["quote"].clone();
        assert_eq!(body["data"]["r"]["userErrors"], json!([]), "{body:#}");
        assert_eq!((&quote["patient"], &quote["eligibility"], &quote["offer"]["notes"]), (&Value::Null, &Value::Null, &Value::Null), "{body:#}");
        assert!(quote["patientDataErasedAt"].is_string());
        assert_eq!(quote["status"], "DECLINED", "a closed quote keeps its status");
        assert_eq!(quote["clinic"]["slug"], BAJA);
        assert_eq!((&quote["offer"]["price"]["amount"], &quote["offer"]["validUntil"]), (&before["offer"]["price"]["amount"], &before["offer"]["validUntil"]));
        let events = quote["events"].as_array().unwrap();
        assert_eq!(events.len(), 4, "no event for a closed quote");
        for (after, was) in events.iter().zip(before["events"].as_array().unwrap()) {
            assert_eq!((&after["at"], &after["to"], &after["note"]), (&was["at"], &was["to"], &Value::Null));
        }
        let paths = [
            ("query($id: ID!) { quote(id: $id) { patient { reference } eligibility { reasons } } }", json!({ "id": id })),
            ("{ quotes { edges { node { patient { reference } eligibility { reasons } } } } }", json!({})),
            ("query($id: ID!) { node(id: $id) { ... on Quote { patient { reference } eligibility { outcome } } } }", json!({ "id": id })),
            ("query($id: ID!) { nodes(ids: [$id]) { ... on Quote { patient { medicalNotes } events { note } } } }", json!({ "id": id })),
        ];
        let reads = accesses(&w.app, row_of(&id)).await.len();
        for (query, vars) in paths {
            for party in [&w.agent, &w.clinic, &w.admin] {
                let (_, body) = w.app.graphql_as(Some(&party.token), query, vars.clone()).await;
                assert!(body.get("errors").is_none(), "{body:#}");
                for value in distinctive(&reasons) {
                    assert!(!body.to_string().contains(&value), "{value:?} after erasure: {body:#}");
                }
            }
        }
        assert_eq!(accesses(&w.app, row_of(&id)).await.len(), reads, "nothing read, nothing recorded");
        let sealed = patient_data::Entity::find_by_id(row_of(&id)).one(&w.app.state.db).await.unwrap().unwrap();
        assert_eq!((sealed.wrapped_key, sealed.master_key_id, sealed.profile), (None, None, None), "the key is destroyed");

        let audits = audits_of(&w, &id).await;
        assert_eq!(audits.len(), 1);
        assert_eq!((audits[0].actor.as_str(), audits[0].actor_role.as_str()), (w.admin.client_id.as_str(), "ADMIN"));
        assert_eq!(audits[0].note.as_deref(), Some("GDPR art. 17 request #88"));
        let snapshots = format!("{:?}{:?}", audits[0].before, audits[0].after);
        for value in distinctive(&reasons) {
            assert!(!snapshots.contains(&value), "{value:?} in the audit snapshots");
        }
        let (_, again) = w.app.graphql_as(Some(&w.admin.token), ERASE, json!({ "id": id, "reason": "again" })).await;
        assert_eq!(again["data"]["r"]["userErrors"], json!([]), "{again:#}");
        assert_eq!(again["data"]["r"]["quote"], quote, "a no-op answered with the same quote");
        assert_eq!(audits_of(&w, &id).await.len(), 1, "recorded once");
    }
}

on_both_backends! {
    /// An open quote is withdrawn by its erasure, with one event in the same transaction;
    /// only admins erase, with a reason, and an unknown quote is NOT_FOUND on `quoteId`.
    async fn erasing_an_open_quote_withdraws_it_and_only_admins_erase(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_in_review("erase-open").await;
        for party in [&w.agent, &w.clinic] {
            let (_, body) = w.app.graphql_as(Some(&party.token), ERASE, json!({ "id": id, "reason": "x" })).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body:#}");
        }
        let (_, body) = w.app.graphql_as(Some(&w.admin.token), ERASE, json!({ "id": id, "reason": "  " })).await;
        assert_eq!(body["data"]["r"]["userErrors"], json!([{ "field": ["reason"], "code": "INVALID" }]), "{body:#}");
        let (_, body) = w.app.graphql_as(Some(&w.admin.token), ERASE, json!({ "id": ghost_quote_id(), "reason": "r" })).await;
        assert_eq!(body["data"]["r"]["userErrors"], json!([{ "field": ["quoteId"], "code": "NOT_FOUND" }]), "{body:#}");

        let (_, body) = w.app.graphql_as(Some(&w.admin.token), ERASE, json!({ "id": id, "reason": "patient asked" })).await;
        let quote = &body["data"]["r"]["quote"];
        assert_eq!(quote["status"], "WITHDRAWN", "{body:#}");
        let events = quote["events"].as_array().unwrap();
        assert_eq!(events.len(), 3, "one event more: {body:#}");
        assert_eq!((&events[2]["from"], &events[2]["to"]), (&json!("IN_REVIEW"), &json!("WITHDRAWN")));
        assert_eq!(quote["patient"], Value::Null);
        assert_eq!(audits_of(&w, &id).await.len(), 1);
    }
}

on_both_backends! {
    /// Two replicas with a retention period of 30 days: every quote closed longer ago is
    /// erased exactly once (one audit record each, by the system); open quotes and quotes
    /// closed more recently keep their data.
    async fn retention_with_two_replicas_erases_each_closed_quote_exactly_once(backend: Backend) {
        let retention = [("MEDTOUR_PATIENT_DATA_RETENTION_DAYS", "30")];
        let w = World::from_app(spawn_app_with(backend, &retention).await).await;
        let other = spawn_on(backend, &w.app.database_url, None, &retention).await;
        let mut closed = Vec::new();
        for n in 0..6 {
            let id = w.quote(&format!("ret-{n}")).await;
            done(&w.app, &w.agent, &id, Act::Withdraw).await;
            closed.push(id);
        }
        let open = w.quote("ret-open").await;
        let month = Duration::from_secs(31 * 24 * 3600);
        w.app.state.clock.advance(month);
        other.state.clock.advance(month);
        let agent = Party::new(&w.app, Role::Agent, Some("Partner A"), None).await;
        let mut late = request(&w.baja.id, "ret-recent");
        (late["travelEarliest"], late["travelLatest"]) = (json!(day(60)), json!(day(75)));
        let recent = submitted(&w.app, &agent, late).await;
        done(&w.app, &agent, &recent, Act::Withdraw).await;

        let (a, b) = tokio::join!(w.app.state.retention.pass(Duration::from_secs(30)), other.state.retention.pass(Duration::from_secs(30)));
        assert!(a && b, "both replicas ran a pass");
        let db = &w.app.state.db;
        for id in &closed {
            let sealed = patient_data::Entity::find_by_id(row_of(id)).one(db).await.unwrap().unwrap();
            assert!(sealed.erased_at.is_some() && sealed.wrapped_key.is_none(), "{id} erased");
            let audits = audits_of(&w, id).await;
            assert_eq!(audits.len(), 1, "{id} erased exactly once");
            assert_eq!(audits[0].actor, "system:retention");
        }
        for id in [&open, &recent] {
            let sealed = patient_data::Entity::find_by_id(row_of(id)).one(db).await.unwrap().unwrap();
            assert!(sealed.erased_at.is_none() && sealed.wrapped_key.is_some(), "{id} kept");
        }
        let erased = audit_records::Entity::find().filter(audit_records::Column::Action.eq("quote.erase_patient_data")).count(db).await.unwrap();
        assert_eq!(erased, 6);
        let admin = Party::new(&w.app, Role::Admin, None, None).await;
        assert_eq!(read(&w.app, &admin, &closed[0]).await["patient"], Value::Null);
        assert_eq!(read(&w.app, &admin, &open).await["patient"]["reference"], "case-0042");
    }
}
