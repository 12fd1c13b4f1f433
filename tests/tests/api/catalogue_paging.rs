//! Ordering and keyset pagination of `clinics`: every ordering in both directions, walked
//! forward and backward with a small page size, with ties and a clinic without a price; page
//! size limits; cursors from another ordering and forged ones.

use medtour::graphql::ids;
use medtour_tests::{Backend, TestApp, on_both_backends};
use serde_json::{Value, json};

use crate::catalogue_fixtures::{Package, catalogue_app, clinic, refresh, the_error_code};

const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String, $order: ClinicOrder) {
    clinics(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id slug name priceRange { min { amount } } safetyChecklist { score } } } } }"#;

/// A clinic as one ordering sees it.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    slug: String,
    row: i32,
    name: String,
    /// Lowest active price in cents; `None` without packages.
    price: Option<i64>,
    score: i64,
    cursor: String,
}

fn seen(edge: &Value) -> Seen {
    let node = &edge["node"];
    let id = node["id"].as_str().expect("an id");
    let price = node["priceRange"]["min"]["amount"].as_str().map(|a| a.replace('.', "").parse::<i64>().expect("cents"));
    Seen {
        slug: node["slug"].as_str().expect("a slug").to_owned(),
        row: ids::decode(id).expect("a clinic ID").1,
        name: node["name"].as_str().expect("a name").to_owned(),
        price,
        score: node["safetyChecklist"]["score"].as_i64().expect("a score"),
        cursor: edge["cursor"].as_str().expect("a cursor").to_owned(),
    }
}

async fn page(app: &TestApp, order: &Value, vars: Value) -> Value {
    let mut vars = vars;
    vars["order"] = order.clone();
    app.data(PAGE, vars).await["clinics"].clone()
}

fn edges(page: &Value) -> Vec<Seen> {
    page["edges"].as_array().expect("edges").iter().map(seen).collect()
}

/// Checks the page's own bookkeeping: total, and start and end cursors matching its edges.
fn check_page(page: &Value, total: usize, what: &str) {
    assert_eq!(page["totalCount"], total, "{what}");
    let e = edges(page);
    assert!(!e.is_empty(), "{what}: an empty page");
    assert_eq!(page["pageInfo"]["startCursor"].as_str(), Some(e[0].cursor.as_str()), "{what}");
    assert_eq!(page["pageInfo"]["endCursor"].as_str(), e.last().map(|s| s.cursor.as_str()), "{what}");
}

/// Walks the whole list forward, `size` at a time.
async fn walk_forward(app: &TestApp, order: &Value, size: i32, total: usize) -> Vec<Seen> {
    let mut all = Vec::new();
    let mut after = Value::Null;
    loop {
        let p = page(app, order, json!({ "first": size, "after": after })).await;
        let what = format!("{order} forward page {}", all.len() / size as usize + 1);
        check_page(&p, total, &what);
        assert_eq!(p["pageInfo"]["hasPreviousPage"], !all.is_empty(), "{what}");
        all.extend(edges(&p));
        if p["pageInfo"]["hasNextPage"] == false {
            return all;
        }
        assert_eq!(edges(&p).len(), size as usize, "{what}: a full page before the last");
        after = p["pageInfo"]["endCursor"].clone();
    }
}

/// Walks the whole list backward from its end, `size` at a time.
async fn walk_backward(app: &TestApp, order: &Value, size: i32, total: usize) -> Vec<Seen> {
    let mut all: Vec<Seen> = Vec::new();
    let mut before = Value::Null;
    loop {
        let p = page(app, order, json!({ "last": size, "before": before })).await;
        let what = format!("{order} backward page {}", all.len() / size as usize + 1);
        check_page(&p, total, &what);
        assert_eq!(p["pageInfo"]["hasNextPage"], !all.is_empty(), "{what}");
        let mut batch = edges(&p);
        batch.append(&mut all);
        all = batch;
        if p["pageInfo"]["hasPreviousPage"] == false {
            return all;
        }
        before = p["pageInfo"]["startCursor"].clone();
    }
}

/// True when `a` may come before `b` under `field` and `direction`, ties broken by row id.
fn in_order(field: &str, ascending: bool, a: &Seen, b: &Seen) -> bool {
    let by_id = if ascending { a.row < b.row } else { a.row > b.row };
    let cmp = match field {
        "NAME" => a.name.cmp(&b.name),
        "SAFETY_SCORE" => a.score.cmp(&b.score),
        _ => match (a.price, b.price) {
            // Clinics without a price come last whichever the direction.
            (Some(_), None) => return true,
            (None, Some(_)) => return false,
            (None, None) => return by_id,
            (Some(x), Some(y)) => x.cmp(&y),
        },
    };
    let cmp = if ascending { cmp } else { cmp.reverse() };
    cmp.is_lt() || (cmp.is_eq() && by_id)
}

on_both_backends! {
    /// Every ordering, both directions: the order is right, ties are broken by a unique key,
    /// and walking forward or backward four at a time gives the same list as one big page —
    /// no duplicates, no gaps, correct page flags.
    async fn every_ordering_pages_forward_and_backward_without_gaps(backend: Backend) {
        let app = catalogue_app(backend).await;
        let db = &app.state.db;
        // A name shared with a demo clinic, a price shared with one, and a clinic with no
        // packages (so no price at all).
        let twin = clinic(db, "spree-twin", "Spree Zellmedizin", "DE", "Berlin").await;
        Package::priced(1_400_000).insert(db, twin).await;
        let cheap_twin = clinic(db, "baja-price-twin", "Border Cell Clinic", "MX", "Tijuana").await;
        Package::priced(375_000).insert(db, cheap_twin).await;
        let unpriced = clinic(db, "aaron-unpriced", "Aaron Cell Clinic", "PA", "Panama City").await;
        refresh(&app, &[twin, cheap_twin, unpriced]).await;
        let total = 17;

        let mut lists = std::collections::HashMap::new();
        for field in ["NAME", "LOWEST_PRICE", "SAFETY_SCORE"] {
            for direction in ["ASC", "DESC"] {
                let order = json!({ "field": field, "direction": direction });
                let whole = edges(&page(&app, &order, json!({ "first": 100 })).await);
                assert_eq!(whole.len(), total, "{order}");
                for pair in whole.windows(2) {
                    assert!(
                        in_order(field, direction == "ASC", &pair[0], &pair[1]),
                        "{order}: {} before {}",
                        pair[0].slug,
                        pair[1].slug
                    );
                }
                let slugs: Vec<&str> = whole.iter().map(|s| s.slug.as_str()).collect();
                let forward = walk_forward(&app, &order, 4, total).await;
                assert_eq!(forward.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), slugs, "{order} forward");
                let backward = walk_backward(&app, &order, 4, total).await;
                assert_eq!(backward.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(), slugs, "{order} backward");
                assert_eq!(
                    page(&app, &order, json!({ "first": 100 })).await["edges"]
                        .as_array()
                        .map(|e| e.iter().map(|e| e["node"]["slug"].clone()).collect::<Vec<_>>()),
                    Some(slugs.iter().map(|s| json!(s)).collect()),
                    "{order}: the same twice"
                );
                lists.insert((field, direction), slugs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
            }
        }
        let mut name_desc = lists[&("NAME", "DESC")].clone();
        name_desc.reverse();
        assert_eq!(name_desc, lists[&("NAME", "ASC")], "DESC is ASC reversed");
        for direction in ["ASC", "DESC"] {
            assert_eq!(
                lists[&("LOWEST_PRICE", direction)].last().map(String::as_str),
                Some("aaron-unpriced"),
                "no price comes last, {direction}"
            );
        }
        assert_eq!(
            lists[&("LOWEST_PRICE", "ASC")][..2],
            ["baja-regenerative-institute", "baja-price-twin"],
            "equal prices in a stable order"
        );
        assert_eq!(
            lists[&("SAFETY_SCORE", "ASC")][0],
            "aaron-unpriced",
            "no doctors, packages or evidence: the lowest score"
        );
    }
}

on_both_backends! {
    /// Reading backward from a page gives exactly the page before it.
    async fn paging_back_from_a_page_gives_the_one_before(backend: Backend) {
        let app = catalogue_app(backend).await;
        let order = json!({ "field": "LOWEST_PRICE", "direction": "DESC" });
        let first = page(&app, &order, json!({ "first": 5 })).await;
        let second = page(&app, &order, json!({ "first": 5, "after": first["pageInfo"]["endCursor"] })).await;
        assert_eq!(
            (second["pageInfo"]["hasPreviousPage"].as_bool(), second["pageInfo"]["hasNextPage"].as_bool()),
            (Some(true), Some(true))
        );
        let back = page(&app, &order, json!({ "last": 5, "before": second["pageInfo"]["startCursor"] })).await;
        assert_eq!(edges(&back), edges(&first));
        assert_eq!(
            (back["pageInfo"]["hasPreviousPage"].as_bool(), back["pageInfo"]["hasNextPage"].as_bool()),
            (Some(false), Some(true))
        );
    }
}

on_both_backends! {
    /// Pages hold 20 clinics unless told otherwise, at most 100; larger, negative or
    /// two-way requests are bad input.
    async fn page_sizes_default_to_20_and_may_not_exceed_100(backend: Backend) {
        let app = catalogue_app(backend).await;
        for i in 0..10 {
            let id = clinic(&app.state.db, &format!("extra-{i}"), &format!("Extra Clinic {i}"), "PA", "Colón").await;
            Package::priced(500_000 + i64::from(i)).insert(&app.state.db, id).await;
        }
        let order = json!({ "field": "NAME" });
        let default = page(&app, &order, json!({})).await;
        assert_eq!((edges(&default).len(), default["pageInfo"]["hasNextPage"].as_bool()), (20, Some(true)));
        let all = page(&app, &order, json!({ "first": 100 })).await;
        assert_eq!((edges(&all).len(), all["pageInfo"]["hasNextPage"].as_bool()), (24, Some(false)));
        let tail = page(&app, &order, json!({ "last": 3 })).await;
        assert_eq!(edges(&tail), edges(&all)[21..].to_vec(), "`last` alone reads the end");
        assert_eq!(
            (tail["pageInfo"]["hasPreviousPage"].as_bool(), tail["pageInfo"]["hasNextPage"].as_bool()),
            (Some(true), Some(false))
        );

        for (vars, what) in [
            (json!({ "first": 101 }), "first above 100"),
            (json!({ "last": 101 }), "last above 100"),
            (json!({ "first": -1 }), "negative first"),
            (json!({ "last": -5 }), "negative last"),
            (json!({ "first": 5, "last": 5 }), "both directions"),
        ] {
            let body = app.graphql(PAGE, vars).await;
            assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what}: {body}");
        }
        // A size beyond Int is priced by the query-cost guard before any argument is read,
        // and refused there; either way it is the caller's error, never an internal one.
        let body = app.graphql(PAGE, json!({ "first": 2_147_483_648_i64 })).await;
        assert!(["BAD_USER_INPUT", "COST_LIMIT_EXCEEDED"].contains(&the_error_code(&body).as_str()), "{body}");
        let body = app.graphql(PAGE, json!({ "first": 101 })).await;
        assert!(
            body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("100")),
            "the message names the limit: {body}"
        );
    }
}

fn forge(json: &str) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, json)
}

on_both_backends! {
    /// A cursor made under another ordering, or one that was never ours, is bad input in
    /// either direction; a well-formed one positions the page by its key.
    async fn foreign_and_forged_cursors_are_bad_input(backend: Backend) {
        let app = catalogue_app(backend).await;
        let by_name = page(&app, &json!({ "field": "NAME" }), json!({ "first": 3 })).await;
        let name_cursor = by_name["pageInfo"]["endCursor"].as_str().expect("a cursor").to_owned();
        let mut cases: Vec<(Value, String, &str)> = vec![
            (json!({ "field": "NAME", "direction": "DESC" }), name_cursor.clone(), "NAME ASC cursor under NAME DESC"),
            (json!({ "field": "LOWEST_PRICE" }), name_cursor.clone(), "NAME cursor under LOWEST_PRICE"),
            (json!({ "field": "SAFETY_SCORE" }), name_cursor.clone(), "NAME cursor under SAFETY_SCORE"),
        ];
        let name = json!({ "field": "NAME" });
        let price = json!({ "field": "LOWEST_PRICE" });
        let score = json!({ "field": "SAFETY_SCORE" });
        for (order, cursor, what) in [
            (&name, "garbage!".to_owned(), "not base64"),
            (&name, forge("not json"), "not JSON"),
            (&name, forge("{}"), "an empty object"),
            (&name, forge(r#"{"o":"NAME_ASC","k":[5,1]}"#), "a number for a name"),
            (&name, forge(r#"{"o":"NAME_ASC","k":[null,1]}"#), "no name"),
            (&name, forge(r#"{"o":"NAME_ASC","k":["Baja"]}"#), "no tie-breaker"),
            (&name, forge(r#"{"o":"NAME_ASC","k":["Baja","one"]}"#), "a text tie-breaker"),
            (&name, forge(r#"{"o":"NAME_ASC","k":["Baja",1e12]}"#), "an absurd tie-breaker"),
            (&name, forge(r#"{"o":"NAME_ASC","k":["Ba\u0000ja",1]}"#), "a NUL in a name"),
            (&price, forge(r#"{"o":"LOWEST_PRICE_ASC","k":["cheap",1]}"#), "text for a price"),
            (&price, forge(r#"{"o":"LOWEST_PRICE_ASC","k":[37.5,1]}"#), "a fractional price"),
            (&score, forge(r#"{"o":"SAFETY_SCORE_ASC","k":[null,1]}"#), "no score"),
            (&score, forge(r#"{"o":"SAFETY_SCORE_ASC","k":[{"a":1},1]}"#), "an object for a score"),
            (&name, "A".repeat(2000), "an overlong cursor"),
        ] {
            cases.push((order.clone(), cursor, what));
        }
        for (order, cursor, what) in cases {
            for (direction, vars) in
                [("after", json!({ "first": 3, "after": cursor })), ("before", json!({ "last": 3, "before": cursor }))]
            {
                let mut vars = vars;
                vars["order"] = order.clone();
                let body = app.graphql(PAGE, vars).await;
                assert_eq!(the_error_code(&body), "BAD_USER_INPUT", "{what} as {direction}: {body}");
            }
        }

        let from_5000 = forge(r#"{"o":"LOWEST_PRICE_ASC","k":[500000,0]}"#);
        let rest = edges(&page(&app, &price, json!({ "first": 100, "after": from_5000 })).await);
        assert!(!rest.is_empty() && rest.iter().all(|s| s.price.is_some_and(|p| p >= 500_000)), "{rest:?}");
        // Antioquia's and Caribe's cheapest packages (knee treatments) are below 5000.00.
        assert_eq!(rest[0].slug, "costa-pacifico-cell-clinic", "the first clinic from 5000.00 up");
    }
}
