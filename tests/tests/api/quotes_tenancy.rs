//! Tenancy on every quote path: to an agent of another partner, the staff of another clinic
//! and a PARTNER client, partner A's quote is indistinguishable from one never issued —
//! through `quote`, `node`, `nodes`, `quotes` and every mutation.

use medtour_tests::{Backend, Role, TestApp, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;

/// The read paths, each taking `$id`.
const READS: [(&str, &str); 3] = [
    ("quote", "query($id: ID!) { quote(id: $id) { id status patient { medicalNotes } events { actor } } }"),
    ("node", "query($id: ID!) { node(id: $id) { id ... on Quote { status patient { medicalNotes } } } }"),
    ("nodes", "query($id: ID!) { nodes(ids: [$id]) { id ... on Quote { status clinic { slug } } } }"),
];

/// A response with the probed ID replaced, so answers for different IDs compare. The
/// caller's remaining rate-limit budget (which drops with every probe) is left out; the cost
/// of the query itself is kept, since it too must not tell the two apart.
fn normalised(status: u16, body: &Value, id: &str) -> String {
    let mut body = body.clone();
    if let Some(cost) = body.pointer_mut("/extensions/cost").and_then(Value::as_object_mut) {
        cost.remove("throttleStatus");
    }
    format!("{status} {}", body.to_string().replace(id, "<ID>"))
}

/// Runs every read path and every mutation on `id` as `who`; returns the normalised answers.
async fn probe(app: &TestApp, who: &Party, id: &str) -> Vec<(String, String)> {
    let mut answers = Vec::new();
    for (name, query) in READS {
        let (status, body) = app.graphql_as(Some(&who.token), query, json!({ "id": id })).await;
        answers.push((name.to_owned(), normalised(status, &body, id)));
    }
    for what in Act::all() {
        let name = what.name().to_owned();
        let (status, body) = act(app, who, id, what).await;
        answers.push((name, normalised(status, &body, id)));
    }
    answers
}

/// IDs listed by `quotes` for `who`.
async fn listed(app: &TestApp, who: &Party) -> (Vec<String>, i64) {
    let data = app.data_as(&who.token, "{ quotes(first: 100) { totalCount edges { node { id } } } }", json!({})).await;
    let ids = data["quotes"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned());
    (ids.collect(), data["quotes"]["totalCount"].as_i64().unwrap())
}

on_both_backends! {
    /// Outsiders get for partner A's quote exactly what they get for a never-issued ID.
    async fn a_foreign_quote_is_indistinguishable_from_a_missing_one(backend: Backend) {
        let w = World::new(backend).await;
        let submitted = w.quote("tenant-1").await;
        let offered = w.quote_offered("tenant-2").await;
        let agent_b = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        let rhein = Party::new(&w.app, Role::Clinic, None, Some(RHEIN)).await;
        let partner_a = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        // Partner B has a quote of its own, so its agent is not merely empty-handed.
        submitted_by_b(&w, &agent_b).await;
        let before = (read(&w.app, &w.admin, &submitted).await, read(&w.app, &w.admin, &offered).await);
        let ghost = ghost_quote_id();
        let outsiders = [("agent of partner B", &agent_b), ("clinic Rhein", &rhein), ("PARTNER of A", &partner_a)];
        for (who, party) in outsiders {
            let missing = probe(&w.app, party, &ghost).await;
            for (name, answer) in &missing {
                let hides = answer.contains("\"NOT_FOUND\"") || answer.contains("\"FORBIDDEN\"") || answer.contains("null");
                assert!(hides, "{who} {name}: {answer}");
                assert!(!answer.contains("SUBMITTED") && !answer.contains("OFFERED"), "{who} {name}: {answer}");
            }
            for id in [&submitted, &offered] {
                let foreign = probe(&w.app, party, id).await;
                assert_eq!(foreign, missing, "{who} probing a foreign quote");
            }
            if who == "PARTNER of A" {
                // A PARTNER token holds no quotes:read: the list is forbidden, whatever exists.
                let (_, body) = w.app.graphql_as(Some(&party.token), "{ quotes { totalCount } }", json!({})).await;
                assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "{who}: {body}");
                continue;
            }
            let (ids, total) = listed(&w.app, party).await;
            assert!(!ids.contains(&submitted) && !ids.contains(&offered), "{who}: {ids:?}");
            assert_eq!(total, ids.len() as i64, "{who}: the count hides them too");
        }
        let after = (read(&w.app, &w.admin, &submitted).await, read(&w.app, &w.admin, &offered).await);
        assert_eq!(after, before, "probing changed nothing");
        // The agent's own view, for contrast: the same paths reveal the quote.
        let (_, body) = w.app.graphql_as(Some(&w.agent.token), READS[1].1, json!({ "id": submitted })).await;
        assert_eq!(body["data"]["node"]["status"], "SUBMITTED");
    }
}

async fn submitted_by_b(w: &World, agent_b: &Party) -> String {
    submitted(&w.app, agent_b, request(&w.baja.id, "tenant-b")).await
}

on_both_backends! {
    /// The foreign agent gets the NOT_FOUND user error a missing quote gets, on every mutation it may call.
    async fn a_foreign_agent_gets_not_found_from_every_agent_mutation(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote_offered("tenant-3").await;
        let agent_b = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        for what in [Act::Withdraw, Act::Accept, Act::Decline(Some("no"))] {
            let name = what.name();
            let payload = refused(&w.app, &agent_b, &id, what).await;
            assert_eq!(payload["quote"], Value::Null, "{name}");
            let missing = json!([{ "field": ["id"], "message": "no quote with that ID", "code": "NOT_FOUND" }]);
            assert_eq!(payload["userErrors"], missing, "{name}");
        }
        let rhein = Party::new(&w.app, Role::Clinic, None, Some(RHEIN)).await;
        let reviewing = w.quote("tenant-4").await;
        for what in [Act::Review, Act::Offer(offer(chrono::Utc::now() + chrono::Duration::days(1))), Act::Reject("no")] {
            let name = what.name();
            let payload = refused(&w.app, &rhein, &reviewing, what).await;
            assert_eq!(codes(&payload), vec!["NOT_FOUND"], "{name}");
        }
        assert_eq!(read(&w.app, &w.agent, &id).await["status"], "OFFERED");
        assert_eq!(read(&w.app, &w.agent, &reviewing).await["status"], "SUBMITTED");
    }
}

on_both_backends! {
    /// Only agents submit and only clinics and admins review.
    async fn roles_are_checked_before_anything_else(backend: Backend) {
        let w = World::new(backend).await;
        let id = w.quote("tenant-5").await;
        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        for (who, party) in [("PARTNER", &partner), ("CLINIC", &w.clinic)] {
            let (_, body) = submit(&w.app, party, request(&w.baja.id, "tenant-role")).await;
            assert_eq!(medtour_tests::error_codes(&body), vec!["FORBIDDEN"], "{who} submitting: {body:#}");
        }
        let (_, body) = act(&w.app, &w.agent, &id, Act::Review).await;
        assert_eq!(medtour_tests::error_codes(&body), vec!["FORBIDDEN"], "AGENT reviewing: {body:#}");
        assert_eq!(rows(&w.app, None).await, (1, 1, 0));
    }
}
