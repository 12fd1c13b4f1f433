//! Health data at rest: every patient value sealed under the quote's own data key (nothing
//! in plaintext in any column of any table), bound to its quote, and master keys that rotate
//! with `medtour keys rewrap`; and patient fields that fail closed when their read cannot be
//! put on record.

use entity::patient_data;
use medtour_tests::{Backend, error_codes, on_both_backends, spawn_app_with, spawn_on};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};
use serde_json::{Value, json};

use crate::health_support::*;
use crate::quotes_support::*;

on_both_backends! {
    /// After a submission, an offer with notes and a decline with a reason, none of the
    /// patient's distinctive values is in any column of any table; the scan does see plain
    /// values (the clinic's slug), so it would see them.
    async fn no_patient_value_is_stored_in_plaintext_in_any_table(backend: Backend) {
        let w = World::new(backend).await;
        let (id, reasons) = declined_quote(&w, "scan-1").await;
        let quote = read(&w.app, &w.agent, &id).await;
        assert_eq!(quote["patient"]["reference"], REFERENCE, "the API still reads it: {quote:#}");
        assert_eq!(quote["offer"]["notes"], OFFER_NOTES);
        assert_eq!(quote["events"][3]["note"], DECLINE_REASON);
        assert!(!reasons.is_empty());
        let values = every_value(&w.app).await;
        assert!(!found_in(&values, BAJA).is_empty(), "the scan reads plain values");
        for needle in distinctive(&reasons) {
            assert_eq!(found_in(&values, &needle), Vec::<(String, String)>::new(), "{needle:?} is stored in plaintext");
        }
        let sealed = patient_data::Entity::find_by_id(row_of(&id)).one(&w.app.state.db).await.unwrap().unwrap();
        assert_eq!(sealed.master_key_id.as_deref(), Some("dev-1"), "the master key's id is beside the wrapped key");
        assert!(sealed.wrapped_key.as_ref().is_some_and(|k| k.len() == 12 + 32 + 16), "nonce, key and tag");
    }
}

on_both_backends! {
    /// A sealed profile copied onto another quote's row fails to open there: that quote's
    /// `patient` is an INTERNAL error (no detail, no data), its other fields still read.
    async fn a_sealed_profile_copied_to_another_quote_does_not_open(backend: Backend) {
        let w = World::new(backend).await;
        let source = submitted(&w.app, &w.agent, distinctive_request(&w, "copy-src")).await;
        let target = w.quote("copy-dst").await;
        let db = &w.app.state.db;
        let from = patient_data::Entity::find_by_id(row_of(&source)).one(db).await.unwrap().unwrap();
        let mut to = patient_data::Entity::find_by_id(row_of(&target)).one(db).await.unwrap().unwrap().into_active_model();
        to.profile = Set(from.profile.clone());
        to.update(db).await.unwrap();

        let query = "query($id: ID!) { quote(id: $id) { status patient { reference medicalNotes } eligibility { outcome } } }";
        let (status, body) = w.app.graphql_as(Some(&w.admin.token), query, json!({ "id": target })).await;
        assert_eq!(status, 200);
        assert_eq!(error_codes(&body), ["INTERNAL"], "{body:#}");
        assert_eq!(body["errors"][0]["message"], "internal error", "{body:#}");
        assert_eq!(body["errors"][0]["path"], json!(["quote", "patient"]), "{body:#}");
        assert!(!body.to_string().contains(REFERENCE) && !body.to_string().contains(NOTES), "{body:#}");
        assert_eq!(body["data"]["quote"]["patient"], Value::Null);
        assert_eq!(body["data"]["quote"]["status"], "SUBMITTED", "the rest of the quote reads: {body:#}");
        assert_eq!(body["data"]["quote"]["eligibility"]["outcome"], "LIKELY_CANDIDATE");
        assert_eq!(read(&w.app, &w.agent, &source).await["patient"]["reference"], REFERENCE, "the original opens");
    }
}

on_both_backends! {
    /// Rotation: a server with the new master key and the old one kept reads every quote;
    /// `rewrap` moves every data key under the new key without touching the sealed data, and
    /// then a server with the new key alone reads them too (which it could not before).
    async fn rewrap_moves_every_data_key_under_the_new_master_key_so_the_old_one_can_go(backend: Backend) {
        let old = medtour::crypto::generate_data_key("old-1");
        let new = medtour::crypto::generate_data_key("new-2");
        let w = World::from_app(spawn_app_with(backend, &[("MEDTOUR_DATA_KEY", &old)]).await).await;
        let ids = [w.quote("rot-1").await, w.quote("rot-2").await, w.quote("rot-3").await];
        let db_url = w.app.database_url.clone();
        let both = spawn_on(backend, &db_url, None, &[("MEDTOUR_DATA_KEY", &new), ("MEDTOUR_DATA_KEYS_OLD", &old)]).await;
        let only_new = spawn_on(backend, &db_url, None, &[("MEDTOUR_DATA_KEY", &new)]).await;
        let query = "query($id: ID!) { quote(id: $id) { patient { reference } } }";
        let reference = |app: &medtour_tests::TestApp, id: &str| {
            let (app, id) = (app.address.clone(), id.to_owned());
            let (token, client) = (w.agent.token.clone(), w.app.client.clone());
            async move {
                let body: Value = client
                    .post(format!("{app}/graphql"))
                    .bearer_auth(token)
                    .json(&json!({ "query": query, "variables": { "id": id } }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body
            }
        };
        let early = reference(&only_new, &ids[0]).await;
        assert_eq!(error_codes(&early), ["INTERNAL"], "the old key is still needed: {early:#}");
        assert_eq!(reference(&both, &ids[0]).await["data"]["quote"]["patient"]["reference"], "case-0042");

        let db = &w.app.state.db;
        let sorted = || async { patient_data::Entity::find().order_by_asc(patient_data::Column::QuoteId).all(db).await.unwrap() };
        let before = sorted().await;
        let moved = medtour::quotes::health::rewrap::rewrap(db, &both.state.data_keys, 2).await.unwrap();
        assert_eq!(moved, 3, "every data key, in batches of two");
        assert_eq!(medtour::quotes::health::rewrap::remaining(db, &both.state.data_keys).await.unwrap(), 0);
        assert_eq!(medtour::quotes::health::rewrap::rewrap(db, &both.state.data_keys, 2).await.unwrap(), 0, "resumable: nothing left");
        let after = sorted().await;
        for (b, a) in before.iter().zip(&after) {
            assert_eq!((b.quote_id, &b.profile, &b.eligibility), (a.quote_id, &a.profile, &a.eligibility), "sealed data untouched");
            assert_eq!(a.master_key_id.as_deref(), Some("new-2"));
            assert_ne!(a.wrapped_key, b.wrapped_key);
        }
        for id in &ids {
            let body = reference(&only_new, id).await;
            assert_eq!(body["data"]["quote"]["patient"]["reference"], "case-0042", "{body:#}");
        }
    }
}

on_both_backends! {
    /// When the access log cannot be written, patient fields fail with INTERNAL and return
    /// nothing of the patient; fields without patient data still answer; once the log is
    /// writable again, so are the fields.
    async fn patient_fields_fail_closed_when_the_access_log_cannot_be_written(backend: Backend) {
        let w = World::new(backend).await;
        let id = submitted(&w.app, &w.agent, distinctive_request(&w, "closed-1")).await;
        let db = &w.app.state.db;
        db.execute_unprepared("ALTER TABLE patient_data_access RENAME TO patient_data_access_off").await.unwrap();
        let query = "query($id: ID!) { quote(id: $id) { status patient { reference medicalNotes } eligibility { reasons } } }";
        let (status, body) = w.app.graphql_as(Some(&w.clinic.token), query, json!({ "id": id })).await;
        assert_eq!(status, 200);
        assert_eq!(error_codes(&body), ["INTERNAL", "INTERNAL"], "{body:#}");
        let text = body.to_string();
        assert!(!text.contains(REFERENCE) && !text.contains(NOTES) && !text.contains("headache"), "{body:#}");
        assert_eq!(body["data"]["quote"]["status"], "SUBMITTED");
        assert_eq!(body["data"]["quote"]["patient"], Value::Null);
        assert_eq!(body["data"]["quote"]["eligibility"], Value::Null);
        let list = w.app.data_as(&w.clinic.token, "{ quotes { edges { node { status clinic { slug } } } } }", json!({})).await;
        assert_eq!(list["quotes"]["edges"][0]["node"]["clinic"]["slug"], BAJA, "non-patient reads need no record");

        db.execute_unprepared("ALTER TABLE patient_data_access_off RENAME TO patient_data_access").await.unwrap();
        let (_, body) = w.app.graphql_as(Some(&w.clinic.token), query, json!({ "id": id })).await;
        assert_eq!(body["data"]["quote"]["patient"]["reference"], REFERENCE, "{body:#}");
        assert_eq!(accesses(&w.app, row_of(&id)).await.len(), 2, "the submission's payload and this read");
    }
}

on_both_backends! {
    /// A quote stored before envelope encryption (plaintext profile, notes sealed directly
    /// under the master key, a plaintext event note) is sealed when a server starts: it reads
    /// as before, and its plaintext is gone from every table.
    async fn quotes_stored_before_envelopes_are_sealed_at_start_up(backend: Backend) {
        use entity::{api_clients, clinics, quote_events, quotes, treatments};
        use sea_orm::{ColumnTrait, QueryFilter};
        let w = World::new(backend).await;
        let db = &w.app.state.db;
        let agent = api_clients::Entity::find().filter(api_clients::Column::ClientId.eq(&w.agent.client_id)).one(db).await.unwrap().unwrap();
        let clinic = clinics::Entity::find().filter(clinics::Column::Slug.eq(BAJA)).one(db).await.unwrap().unwrap();
        let treatment = treatments::Entity::find().filter(treatments::Column::Slug.eq(MIGRAINE)).one(db).await.unwrap().unwrap();
        let (id, now) = (424_242, chrono::Utc::now());
        let (kid, sealed) = w.app.state.data_keys.encrypt(id, NOTES).unwrap();
        quotes::ActiveModel {
            id: Set(id), partner_id: Set(agent.partner_id.unwrap()), submitted_by: Set(agent.id), clinic_id: Set(clinic.id),
            treatment_id: Set(treatment.id), idempotency_key: Set("legacy-1".into()), request_fingerprint: Set("old".into()),
            status: Set("SUBMITTED".into()), version: Set(0), patient_reference: Set(Some(REFERENCE.into())),
            patient_age_years: Set(Some(52)), patient_country: Set(Some("MX".into())), chronic_migraine_diagnosis: Set(Some(true)),
            headache_days_per_month: Set(Some(22)), treatments_tried: Set(Some(json!(["TRIPTANS", "BOTULINUM_TOXIN"]))),
            contraindications: Set(Some(json!([]))), medical_notes_ciphertext: Set(Some(sealed)), medical_notes_key_id: Set(Some(kid)),
            eligibility_outcome: Set(Some("NEEDS_REVIEW".into())), eligibility_reasons: Set(Some(json!([OFFER_NOTES]))),
            created_at: Set(now), updated_at: Set(now), ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        quote_events::ActiveModel {
            quote_id: Set(id), at: Set(now), to_status: Set("SUBMITTED".into()), actor_client_id: Set(w.agent.client_id.clone()),
            actor_role: Set("AGENT".into()), note: Set(Some(DECLINE_REASON.into())), ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();

        let restarted = spawn_on(backend, &w.app.database_url, None, &[]).await;
        let gid = medtour::graphql::ids::encode(medtour::graphql::ids::Kind::Quote, id).0;
        let query = "query($id: ID!) { quote(id: $id) { patient { reference ageYears treatmentsTried medicalNotes } eligibility { outcome reasons } events { note } } }";
        let (_, body) = restarted.graphql_as(Some(&w.agent.token), query, json!({ "id": gid })).await;
        let quote = &body["data"]["quote"];
        assert_eq!((&quote["patient"]["reference"], &quote["patient"]["ageYears"], &quote["patient"]["medicalNotes"]), (&json!(REFERENCE), &json!(52), &json!(NOTES)), "{body:#}");
        assert_eq!((&quote["eligibility"]["outcome"], &quote["eligibility"]["reasons"]), (&json!("NEEDS_REVIEW"), &json!([OFFER_NOTES])));
        assert_eq!(quote["events"][0]["note"], DECLINE_REASON);
        let values = every_value(&restarted).await;
        for needle in [REFERENCE, NOTES, OFFER_NOTES, DECLINE_REASON, "BOTULINUM_TOXIN"] {
            assert_eq!(found_in(&values, needle), Vec::<(String, String)>::new(), "{needle:?} is still in plaintext");
        }
        let row = quotes::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
        assert_eq!((row.patient_age_years, row.medical_notes_ciphertext), (None, None), "the old columns are emptied");
    }
}
