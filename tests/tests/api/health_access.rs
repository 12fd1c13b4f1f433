//! Every read of patient data on record: one row per quote per request, whichever path
//! returned it (`quote`, `quotes`, `node`, `nodes`, a mutation payload), with actor, role and
//! operation name; none for selections without patient data; `patientDataAccessLog` for
//! staff only, newest first, filtered.

use medtour_tests::{Backend, Role, error_codes, on_both_backends};
use serde_json::json;

use crate::health_support::*;
use crate::quotes_support::*;

on_both_backends! {
    /// Each read path records one row per quote and request (a quote read twice in one
    /// request counts once); non-patient selections record nothing.
    async fn every_read_path_records_one_access_per_quote_and_request(backend: Backend) {
        let w = World::new(backend).await;
        let (a, b) = (w.quote("acc-a").await, w.quote("acc-b").await);
        let (ra, rb) = (row_of(&a), row_of(&b));
        assert_eq!((accesses(&w.app, ra).await.len(), accesses(&w.app, rb).await.len()), (1, 1), "the submit payloads");
        let run = |token: &str, query: &str, vars: serde_json::Value| {
            let (app, token, query) = (&w.app, token.to_owned(), query.to_owned());
            async move {
                let (status, body) = app.graphql_as(Some(&token), &query, vars).await;
                assert_eq!((status, body.get("errors")), (200, None), "{body:#}");
                body
            }
        };
        run(&w.agent.token, "query One($id: ID!) { quote(id: $id) { patient { reference } eligibility { outcome } again: patient { ageYears } } }", json!({ "id": a })).await;
        let one = accesses(&w.app, ra).await;
        assert_eq!(one.len(), 2, "patient and eligibility of one quote: one row");
        let last = one.last().unwrap();
        assert_eq!((last.actor.as_str(), last.actor_role.as_str(), last.operation.as_deref()), (w.agent.client_id.as_str(), "AGENT", Some("One")));

        run(&w.admin.token, "query List { quotes { edges { node { eligibility { reasons } } } } }", json!({})).await;
        run(&w.admin.token, "query Node($id: ID!) { node(id: $id) { ... on Quote { patient { reference } } } }", json!({ "id": b })).await;
        run(&w.admin.token, "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ... on Quote { patient { reference } } } }", json!({ "ids": [a, b, a] })).await;
        run(&w.clinic.token, "mutation Review($id: ID!) { startQuoteReview(id: $id) { quote { patient { medicalNotes } } } }", json!({ "id": a })).await;
        let ops = |rows: Vec<entity::patient_data_access::Model>| rows.into_iter().map(|r| (r.operation, r.actor_role)).collect::<Vec<_>>();
        let named = |op: &str, role: &str| (Some(op.to_owned()), role.to_owned());
        assert_eq!(ops(accesses(&w.app, ra).await)[2..], [named("List", "ADMIN"), named("Nodes", "ADMIN"), named("Review", "CLINIC")]);
        assert_eq!(ops(accesses(&w.app, rb).await)[1..], [named("List", "ADMIN"), named("Node", "ADMIN"), named("Nodes", "ADMIN")]);

        let (before_a, before_b) = (accesses(&w.app, ra).await.len(), accesses(&w.app, rb).await.len());
        run(&w.admin.token, "{ quotes { edges { node { status patientDataErasedAt clinic { slug } events { to } offer { price { amount } } } } } }", json!({})).await;
        run(&w.agent.token, "query($id: ID!) { quote(id: $id) { id status treatment { slug } createdAt } }", json!({ "id": a })).await;
        assert_eq!((accesses(&w.app, ra).await.len(), accesses(&w.app, rb).await.len()), (before_a, before_b), "no patient field, no record");
    }
}

on_both_backends! {
    /// The log pages newest first, filters by quote and actor, and is staff-only.
    async fn the_access_log_lists_reads_newest_first_for_admins_only(backend: Backend) {
        let w = World::new(backend).await;
        let (a, b) = (w.quote("log-a").await, w.quote("log-b").await);
        w.app.data_as(&w.clinic.token, "query Peek($id: ID!) { quote(id: $id) { patient { reference } } }", json!({ "id": a })).await;
        let query = "query($f: PatientDataAccessFilter, $after: String) { patientDataAccessLog(first: 1, after: $after, filter: $f) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id actor actorRole operation quote { id status } } } } }";
        let log = w.app.data_as(&w.admin.token, query, json!({ "f": { "quoteId": a } })).await["patientDataAccessLog"].clone();
        assert_eq!(log["totalCount"], 2, "{log:#}");
        let newest = &log["edges"][0]["node"];
        assert_eq!((&newest["actor"], &newest["actorRole"], &newest["operation"]), (&json!(w.clinic.client_id), &json!("CLINIC"), &json!("Peek")));
        assert_eq!(newest["quote"]["id"], json!(a));
        let next = w.app.data_as(&w.admin.token, query, json!({ "f": { "quoteId": a }, "after": log["pageInfo"]["endCursor"] })).await;
        let older = &next["patientDataAccessLog"]["edges"][0]["node"];
        assert_eq!(older["actorRole"], "AGENT", "the submission's payload, older: {next:#}");
        let node = w.app.data_as(&w.admin.token, "query($id: ID!) { node(id: $id) { ... on PatientDataAccess { actor } } }", json!({ "id": newest["id"] })).await;
        assert_eq!(node["node"]["actor"], json!(w.clinic.client_id));

        let by_actor = w.app.data_as(&w.admin.token, query, json!({ "f": { "actor": w.agent.client_id } })).await;
        assert_eq!(by_actor["patientDataAccessLog"]["totalCount"], 2, "both submissions: {by_actor:#}");
        let _ = b;
        for token in [&w.agent.token, &w.clinic.token] {
            let (_, body) = w.app.graphql_as(Some(token), query, json!({})).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body:#}");
        }
        let partner = Party::new(&w.app, Role::Agent, Some("Partner A"), None).await;
        let (_, body) = w.app.graphql_as(Some(&partner.token), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": newest["id"] })).await;
        assert_eq!(body["data"]["node"], serde_json::Value::Null, "an agent cannot reach an entry by ID: {body:#}");
    }
}

on_both_backends! {
    /// A request's access rows are written in one statement: reading the patient of four
    /// quotes takes as many statements as reading it of one (each read records its row).
    async fn one_request_writes_its_access_rows_in_one_statement(backend: Backend) {
        let app = medtour_tests::spawn_app_with(backend, &[("MEDTOUR_WEBHOOK_WORKER", "false")]).await;
        let w = World::from_app(app).await;
        let query = "{ quotes(first: 10) { edges { node { patient { reference } eligibility { outcome } } } } }";
        let cost = || async {
            let mut least = u64::MAX;
            for _ in 0..3 {
                let before = w.app.statements();
                let data = w.app.data_as(&w.admin.token, query, json!({})).await;
                assert!(data["quotes"]["edges"][0]["node"]["patient"].is_object(), "{data:#}");
                least = least.min(w.app.statements() - before);
            }
            least
        };
        let first = w.quote("stmt-1").await;
        let one = cost().await;
        for n in 2..=4 {
            w.quote(&format!("stmt-{n}")).await;
        }
        let four = cost().await;
        assert_eq!(one, four, "statements per request do not grow with the quotes read");
        assert_eq!(accesses(&w.app, row_of(&first)).await.len(), 1 + 6, "the submission and six reads");
    }
}
