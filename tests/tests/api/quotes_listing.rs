//! The `quotes` connection: scoped by tenancy (AGENT: its partner's, CLINIC: its clinic's,
//! ADMIN: all, PARTNER: none), filtered by `QuoteFilter`, newest first, keyset-paginated.

use medtour::graphql::ids::{Kind, encode};
use medtour_tests::{Backend, Role, TestApp, error_codes, on_both_backends};
use serde_json::{Value, json};

use crate::quotes_support::*;

const LIST: &str = "query($first: Int, $after: String, $filter: QuoteFilter) {
    quotes(first: $first, after: $after, filter: $filter) {
        totalCount edges { cursor node { id status clinic { slug } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";

/// One page of `quotes` for `who`.
async fn page(app: &TestApp, who: &Party, first: Option<i64>, after: Option<&str>, filter: Value) -> Value {
    app.data_as(&who.token, LIST, json!({ "first": first, "after": after, "filter": filter })).await["quotes"].clone()
}

fn ids(connection: &Value) -> Vec<String> {
    connection["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect()
}

/// Every ID `who` sees with `filter`, on one page.
async fn all(app: &TestApp, who: &Party, filter: Value) -> Vec<String> {
    let connection = page(app, who, Some(100), None, filter).await;
    let found = ids(&connection);
    assert_eq!(connection["totalCount"].as_u64(), Some(found.len() as u64), "totalCount agrees: {connection:#}");
    found
}

fn newest_first(ids: &[&String]) -> Vec<String> {
    ids.iter().rev().map(|s| (*s).clone()).collect()
}

on_both_backends! {
    /// Each role sees its own tenancy's quotes, newest first, and filters narrow within it.
    async fn the_quote_list_is_scoped_and_filtered(backend: Backend) {
        let w = World::new(backend).await;
        let rhein = clinic(&w.app, RHEIN).await;
        let agent_b = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        let rhein_staff = Party::new(&w.app, Role::Clinic, None, Some(RHEIN)).await;
        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;

        let a1 = w.quote("list-1").await;
        let b1 = submitted(&w.app, &agent_b, request(&w.baja.id, "list-b1")).await;
        let a2 = submitted(&w.app, &w.agent, request_for(&rhein.id, "list-2", 50)).await;
        // Quotes are stamped by the server's clock: a minute on each side of `middle`.
        w.app.state.clock.advance(std::time::Duration::from_secs(60));
        let middle = instant(w.app.state.clock.now());
        w.app.state.clock.advance(std::time::Duration::from_secs(60));
        let a3 = w.quote("list-3").await;
        let a4 = submitted(&w.app, &w.agent, request_for(&rhein.id, "list-4", 50)).await;
        done(&w.app, &w.clinic, &a3, Act::Review).await;

        assert_eq!(all(&w.app, &w.agent, json!(null)).await, newest_first(&[&a1, &a2, &a3, &a4]), "agent: its partner's");
        assert_eq!(all(&w.app, &agent_b, json!(null)).await, vec![b1.clone()], "agent of B: its partner's");
        assert_eq!(all(&w.app, &w.clinic, json!(null)).await, newest_first(&[&a1, &b1, &a3]), "clinic: its clinic's");
        assert_eq!(all(&w.app, &rhein_staff, json!(null)).await, newest_first(&[&a2, &a4]));
        assert_eq!(all(&w.app, &w.admin, json!(null)).await, newest_first(&[&a1, &b1, &a2, &a3, &a4]), "admin: all");
        let (_, body) = w.app.graphql_as(Some(&partner.token), "{ quotes { totalCount } }", json!({})).await;
        assert_eq!(medtour_tests::error_codes(&body), ["FORBIDDEN"], "partner: no quotes:read scope, {body}");

        let filters: Vec<(&str, &Party, Value, Vec<&String>)> = vec![
            ("in review", &w.agent, json!({ "statuses": ["IN_REVIEW"] }), vec![&a3]),
            ("open", &w.agent, json!({ "statuses": ["SUBMITTED", "IN_REVIEW"] }), vec![&a1, &a2, &a3, &a4]),
            ("none offered", &w.agent, json!({ "statuses": ["OFFERED"] }), vec![]),
            ("at Rhein", &w.agent, json!({ "clinicId": rhein.id }), vec![&a2, &a4]),
            ("at Baja", &w.agent, json!({ "clinicId": w.baja.id }), vec![&a1, &a3]),
            ("another clinic's filter", &w.clinic, json!({ "clinicId": rhein.id }), vec![]),
            ("a clinic never quoted", &w.admin, json!({ "clinicId": encode(Kind::Clinic, 987_654).0 }), vec![]),
            ("created after", &w.admin, json!({ "createdAfter": middle }), vec![&a3, &a4]),
            ("created before", &w.admin, json!({ "createdBefore": middle }), vec![&a1, &b1, &a2]),
            ("combined", &w.agent, json!({ "createdAfter": middle, "clinicId": w.baja.id, "statuses": ["IN_REVIEW"] }), vec![&a3]),
            ("an empty window", &w.admin, json!({ "createdAfter": middle, "createdBefore": middle }), vec![]),
        ];
        for (why, who, filter, expected) in filters {
            assert_eq!(all(&w.app, who, filter).await, newest_first(&expected), "{why}");
        }
        let (_, body) = w.app.graphql_as(Some(&w.agent.token), LIST, json!({ "filter": { "clinicId": "not an id" } })).await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body:#}");
    }
}

on_both_backends! {
    /// `first: 2` walks five quotes newest first in three pages, without repeats or gaps.
    async fn quotes_page_by_cursor_newest_first(backend: Backend) {
        let w = World::new(backend).await;
        let mut made = Vec::new();
        for n in 0..5 {
            made.push(w.quote(&format!("page-{n}")).await);
        }
        let expected: Vec<String> = made.iter().rev().cloned().collect();
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let connection = page(&w.app, &w.agent, Some(2), after.as_deref(), json!(null)).await;
            pages += 1;
            let got = ids(&connection);
            assert!(got.len() <= 2);
            assert_eq!(connection["totalCount"], 5);
            let info = &connection["pageInfo"];
            assert_eq!(info["startCursor"], connection["edges"][0]["cursor"]);
            seen.extend(got);
            if info["hasNextPage"] != json!(true) {
                break;
            }
            after = Some(info["endCursor"].as_str().unwrap().to_owned());
            assert!(pages < 5, "paging terminates");
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, expected, "newest first, no duplicates, none missing");

        for (why, vars) in [
            ("first: 101", json!({ "first": 101 })),
            ("first: -1", json!({ "first": -1 })),
            ("a garbage cursor", json!({ "first": 2, "after": "garbage" })),
        ] {
            let (_, body) = w.app.graphql_as(Some(&w.agent.token), LIST, vars).await;
            assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{why}: {body:#}");
        }
        let hundred = page(&w.app, &w.agent, Some(100), None, json!(null)).await;
        assert_eq!(ids(&hundred).len(), 5, "first: 100 is allowed");
    }
}
