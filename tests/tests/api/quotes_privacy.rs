//! Health data is readable by the quote's parties only. How it is sealed at rest, and that a
//! ciphertext moved onto another quote never opens there, is in `health_data`.

use medtour_tests::{Backend, Role, on_both_backends};
use serde_json::json;

use crate::quotes_support::*;

const NOTES: &str = "Aura before attacks; allergic to penicillin.";

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
