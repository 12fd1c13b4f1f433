//! Idempotent submission: a key belongs to a partner; replaying it with the same input gives
//! the original quote (no second row, no second event), with other input a CONFLICT — also
//! when the two requests race.

use medtour_tests::{Backend, Role, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;

fn conflict(body: &Value) {
    let payload = &body["data"]["r"];
    assert_eq!(payload["quote"], Value::Null, "{body:#}");
    assert_eq!(codes(payload), vec!["CONFLICT"], "{body:#}");
    assert_eq!(payload["userErrors"][0]["field"], json!(["input", "idempotencyKey"]), "{body:#}");
}

on_both_backends! {
    /// The same key and input return the same quote, stored once with one event.
    async fn replaying_a_request_returns_the_original_quote(backend: Backend) {
        let w = World::new(backend).await;
        let input = request(&w.baja.id, "replay-1");
        let (_, first) = submit(&w.app, &w.agent, input.clone()).await;
        let (_, again) = submit(&w.app, &w.agent, input.clone()).await;
        assert_eq!(again["data"]["r"]["userErrors"], json!([]), "{again:#}");
        assert_eq!(again["data"], first["data"], "the replay is answered with the original quote");
        // Another agent of the same partner replaying the key gets the same quote too.
        let colleague = Party::new(&w.app, Role::Agent, Some("Partner A"), None).await;
        let (_, third) = submit(&w.app, &colleague, input).await;
        assert_eq!(third["data"]["r"]["quote"]["id"], first["data"]["r"]["quote"]["id"]);
        let row = row_of(first["data"]["r"]["quote"]["id"].as_str().unwrap());
        assert_eq!(rows(&w.app, Some(row)).await, (1, 1, 0));
        assert_eq!(rows(&w.app, None).await, (1, 1, 0));
    }
}

on_both_backends! {
    /// The same key with any other input — including only other notes — is a CONFLICT.
    async fn reusing_a_key_with_other_input_is_a_conflict(backend: Backend) {
        let w = World::new(backend).await;
        let input = request(&w.baja.id, "replay-2");
        let id = submitted(&w.app, &w.agent, input.clone()).await;
        let mut older = input.clone();
        older["patient"]["ageYears"] = json!(42);
        let mut notes = input.clone();
        notes["patient"]["medicalNotes"] = json!("Different notes.");
        let mut no_notes = input.clone();
        no_notes["patient"]["medicalNotes"] = Value::Null;
        let mut cells = input.clone();
        cells["requestedCellCountMillions"] = json!(50);
        let mut invalid = input.clone();
        invalid["patient"]["ageYears"] = json!(17);
        let changes = [("age", older), ("notes", notes), ("no notes", no_notes), ("cells", cells), ("invalid", invalid)];
        for (why, changed) in changes {
            let (_, body) = submit(&w.app, &w.agent, changed).await;
            assert!(body.get("errors").is_none(), "{why}: {body:#}");
            conflict(&body);
        }
        assert_eq!(read(&w.app, &w.agent, &id).await["patient"], patient(), "the original is untouched");
        assert_eq!(rows(&w.app, None).await, (1, 1, 0));
    }
}

on_both_backends! {
    /// Two identical requests racing produce one quote, which both are answered with.
    async fn identical_requests_racing_store_one_quote(backend: Backend) {
        let w = World::new(backend).await;
        for round in 0..4 {
            let input = request(&w.baja.id, &format!("race-{round}"));
            let (a, b) = tokio::join!(submit(&w.app, &w.agent, input.clone()), submit(&w.app, &w.agent, input.clone()));
            for (status, body) in [&a, &b] {
                assert_eq!(*status, 200, "{body:#}");
                assert_eq!(body["data"]["r"]["userErrors"], json!([]), "round {round}: {body:#}");
            }
            let id = a.1["data"]["r"]["quote"]["id"].as_str().unwrap();
            assert_eq!(b.1["data"]["r"]["quote"]["id"], id, "round {round}");
            assert_eq!(rows(&w.app, Some(row_of(id))).await, (1, 1, 0), "round {round}");
        }
        assert_eq!(rows(&w.app, None).await, (4, 4, 0));
        // Racing with different input on one key: one is stored, the other is a CONFLICT.
        let input = request(&w.baja.id, "race-diff");
        let mut other = input.clone();
        other["patient"]["ageYears"] = json!(60);
        let (a, b) = tokio::join!(submit(&w.app, &w.agent, input), submit(&w.app, &w.agent, other));
        let winners = [&a.1, &b.1].iter().filter(|body| body["data"]["r"]["userErrors"] == json!([])).count();
        assert_eq!(winners, 1, "{a:#?} {b:#?}");
        let loser = if a.1["data"]["r"]["userErrors"] == json!([]) { &b.1 } else { &a.1 };
        conflict(loser);
        assert_eq!(rows(&w.app, None).await, (5, 5, 0));
    }
}

on_both_backends! {
    /// Keys are per partner: another partner's agent using the same key gets its own quote.
    async fn another_partner_using_the_same_key_is_independent(backend: Backend) {
        let w = World::new(backend).await;
        let other = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        let input = request(&w.baja.id, "shared-key");
        let mine = submitted(&w.app, &w.agent, input.clone()).await;
        let theirs = submitted(&w.app, &other, input.clone()).await;
        assert_ne!(mine, theirs);
        let mut changed = input;
        changed["patient"]["ageYears"] = json!(70);
        let (_, body) = submit(&w.app, &other, changed).await;
        conflict(&body);
        assert_eq!(read(&w.app, &other, &mine).await, Value::Null, "the other partner's replay reveals nothing");
        assert_eq!(rows(&w.app, None).await, (2, 2, 0));
    }
}
