//! Health data: `medicalNotes` is sealed at rest (AES-256-GCM, random nonce, the quote's id as
//! associated data, a key id beside it), readable by the quote's parties only, and a
//! ciphertext moved onto another quote never decrypts there.

use entity::quotes;
use medtour_tests::{Backend, Role, error_codes, on_both_backends};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::quotes_support::*;

const NOTES: &str = "Aura before attacks; allergic to penicillin.";

async fn stored(w: &World, id: &str) -> quotes::Model {
    quotes::Entity::find_by_id(row_of(id)).one(&w.app.state.db).await.unwrap().expect("the row exists")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

on_both_backends! {
    /// The raw column holds ciphertext and a key id, never the notes; every value gets its own nonce.
    async fn medical_notes_are_encrypted_at_rest(backend: Backend) {
        let w = World::new(backend).await;
        let first = w.quote("enc-1").await;
        let second = w.quote("enc-2").await;
        let (a, b) = (stored(&w, &first).await, stored(&w, &second).await);
        for row in [&a, &b] {
            let sealed = row.medical_notes_ciphertext.as_deref().expect("the notes are stored sealed");
            assert!(!contains(sealed, NOTES.as_bytes()), "no plaintext in the column");
            for word in ["Aura", "penicillin", "allergic"] {
                assert!(!contains(sealed, word.as_bytes()), "no {word:?} in the column");
            }
            assert!(sealed.len() >= NOTES.len() + 12 + 16, "nonce and tag are stored with the ciphertext");
            assert!(row.medical_notes_key_id.as_deref().is_some_and(|k| !k.is_empty()), "the key id is stored");
            let debug = format!("{row:?}");
            assert!(!debug.contains("penicillin"), "no plaintext anywhere in the row");
        }
        assert_ne!(a.medical_notes_ciphertext, b.medical_notes_ciphertext, "a random nonce per value");
        assert_ne!(a.medical_notes_ciphertext.as_ref().unwrap()[..12], b.medical_notes_ciphertext.as_ref().unwrap()[..12]);

        let mut input = request(&w.baja.id, "enc-none");
        input["patient"]["medicalNotes"] = Value::Null;
        let none = submitted(&w.app, &w.agent, input).await;
        let row = stored(&w, &none).await;
        assert_eq!((row.medical_notes_ciphertext, row.medical_notes_key_id), (None, None));
        assert_eq!(read(&w.app, &w.agent, &none).await["patient"]["medicalNotes"], Value::Null);
    }
}

on_both_backends! {
    /// The submitting partner's agents, the quoted clinic and admins read the notes.
    async fn the_quotes_parties_read_the_notes(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote("read-1").await;
        let colleague = Party::new(&w.app, Role::Agent, Some("Partner A"), None).await;
        let clinic_colleague = Party::new(&w.app, Role::Clinic, None, Some(BAJA)).await;
        let readers = [
            ("agent", &w.agent),
            ("same partner", &colleague),
            ("clinic", &w.clinic),
            ("other clinic staff", &clinic_colleague),
            ("admin", &w.admin),
        ];
        for (who, party) in readers {
            let quote = read(&w.app, party, &id).await;
            assert_eq!(quote["patient"]["medicalNotes"], NOTES, "{who}");
        }
        let stranger = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        let other_clinic = Party::new(&w.app, Role::Clinic, None, Some(RHEIN)).await;
        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        let query = "query($id: ID!) { quote(id: $id) { patient { medicalNotes } } }";
        let (_, body) = w.app.graphql_as(Some(&partner.token), query, json!({ "id": id })).await;
        assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "a PARTNER holds no quotes:read: {body:#}");
        assert!(!body.to_string().contains(NOTES));
        for (who, party) in [("agent of B", &stranger), ("other clinic", &other_clinic)] {
            let (_, body) = w.app.graphql_as(Some(&party.token), query, json!({ "id": id })).await;
            assert_eq!(body["data"], json!({ "quote": null }), "{who}");
            assert!(body.get("errors").is_none(), "{who}: {body:#}");
        }
    }
}

on_both_backends! {
    /// A sealed value copied onto another quote fails there: `medicalNotes` is null with an
    /// INTERNAL error, and neither note is shown.
    async fn a_ciphertext_copied_to_another_quote_does_not_decrypt(backend: Backend) {
        let w = World::new(backend).await;
        let source = w.quote("copy-src").await;
        let mut input = request(&w.baja.id, "copy-dst");
        input["patient"]["medicalNotes"] = json!("Nothing notable.");
        let target = submitted(&w.app, &w.agent, input).await;
        let from = stored(&w, &source).await;
        let mut to = stored(&w, &target).await.into_active_model();
        to.medical_notes_ciphertext = Set(from.medical_notes_ciphertext.clone());
        to.medical_notes_key_id = Set(from.medical_notes_key_id.clone());
        to.update(&w.app.state.db).await.unwrap();

        let query = "query($id: ID!) { quote(id: $id) { id status patient { ageYears medicalNotes } } }";
        for party in [&w.agent, &w.clinic, &w.admin] {
            let (status, body) = w.app.graphql_as(Some(&party.token), query, json!({ "id": target })).await;
            assert_eq!(status, 200);
            let text = body.to_string();
            assert!(!text.contains("penicillin") && !text.contains("Aura"), "no plaintext: {text}");
            assert!(!text.contains("Nothing notable"), "not the row's own notes either: {text}");
            assert_eq!(error_codes(&body), vec!["INTERNAL"], "{body:#}");
            assert_eq!(body["errors"][0]["message"], "internal error", "no detail: {body:#}");
            assert_eq!(body["errors"][0]["path"], json!(["quote", "patient", "medicalNotes"]), "{body:#}");
            let patient = &body["data"]["quote"]["patient"];
            assert_eq!(patient["medicalNotes"], Value::Null, "{body:#}");
            assert_eq!(patient["ageYears"], 41, "the rest of the profile still reads: {body:#}");
        }
        assert_eq!(read(&w.app, &w.agent, &source).await["patient"]["medicalNotes"], NOTES, "the original still reads");
        let list = w
            .app
            .data_as(&w.agent.token, "{ quotes { edges { node { id patient { ageYears } } } } }", json!({}))
            .await;
        assert_eq!(list["quotes"]["edges"].as_array().unwrap().len(), 2, "other fields of the quote still read");
    }
}
