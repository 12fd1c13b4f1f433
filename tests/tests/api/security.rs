//! Hostile documents and what standard tools need: nesting refused before any parser runs
//! (on every transport), graphql-js introspection answered while deeper introspection is
//! not, responses in selection order, scopes enforced, and a cost that counts what is read.

use std::time::Duration;

use futures::SinkExt;
use medtour_tests::{Backend, Role, TestApp, TestClient, error_codes, on_both_backends, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use sha2::Digest;
use tokio_tungstenite::tungstenite::Message;

use crate::subscriptions::{connect, next_json};

/// graphql-js 16's `getIntrospectionQuery` with every option on (descriptions,
/// specifiedByUrl, directiveIsRepeatable, schemaDescription, inputValueDeprecation).
const INTROSPECTION: &str = include_str!("introspection.graphql");

/// The four nesting attacks, each about 14 KB: a list value, an object value, a list type
/// and a selection set, 7,000 deep.
fn nesting_attacks() -> Vec<(&'static str, String)> {
    let n = 7_000;
    vec![
        ("list value", format!("{{ clinics(first: {}1{}) {{ totalCount }} }}", "[".repeat(n), "]".repeat(n))),
        (
            "object value",
            format!("{{ clinics(filter: {}) {{ totalCount }} }}", "{a:".repeat(n / 2) + "1" + &"}".repeat(n / 2)),
        ),
        ("list type", format!("query($v: {}Int{}) {{ treatments {{ slug }} }}", "[".repeat(n), "]".repeat(n))),
        ("selection set", format!("{}{}", "{a ".repeat(n / 2), "}".repeat(n / 2))),
    ]
}

async fn healthy(app: &TestApp) {
    let status = app.client.get(format!("{}/healthz", app.address)).send().await.expect("the server answers").status();
    assert_eq!(status, 200, "the server keeps serving");
}

async fn get(app: &TestApp, params: &[(&str, &str)]) -> Value {
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(params)
        .bearer_auth(&app.token)
        .header("accept", "application/json")
        .send()
        .await
        .expect("the server answers");
    response.json().await.expect("a JSON body")
}

on_both_backends! {
    /// Each nesting attack is refused with NESTING_LIMIT_EXCEEDED over POST, GET, a persisted
    /// query and a websocket, and the server keeps serving.
    async fn deeply_nested_documents_are_refused_on_every_transport(backend: Backend) {
        let app = spawn_app(backend).await;
        let agent = app.login(Role::Agent, Some("Nesting Partner"), None).await;
        let mut socket = connect(&app, json!({ "Authorization": format!("Bearer {agent}") })).await;
        assert_eq!(next_json(&mut socket, Duration::from_secs(5)).await.expect("an ack")["type"], "connection_ack");
        for (what, query) in nesting_attacks() {
            assert!(query.len() < 15_000, "{what} stays under the size limit");
            let started = std::time::Instant::now();
            let post = app.graphql(&query, json!({})).await;
            assert_eq!(error_codes(&post), ["NESTING_LIMIT_EXCEEDED"], "POST {what}: {post}");
            assert!(started.elapsed() < Duration::from_secs(1), "{what} is refused at once");
            let by_get = get(&app, &[("query", &query)]).await;
            assert_eq!(error_codes(&by_get), ["NESTING_LIMIT_EXCEEDED"], "GET {what}");
            let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
            let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
            let body = json!({ "query": query, "extensions": ext });
            let persisted: Value = app.client.post(format!("{}/graphql", app.address)).bearer_auth(&app.token)
                .json(&body).send().await.unwrap().json().await.unwrap();
            assert_eq!(error_codes(&persisted), ["NESTING_LIMIT_EXCEEDED"], "persisted {what}");
            let by_hash = get(&app, &[("extensions", &ext.to_string())]).await;
            assert_eq!(error_codes(&by_hash), ["PERSISTED_QUERY_NOT_FOUND"], "a refused query is not stored ({what})");
            let message = json!({ "id": what, "type": "subscribe", "payload": { "query": query } });
            socket.send(Message::text(message.to_string())).await.unwrap();
            let reply = next_json(&mut socket, Duration::from_secs(5)).await.expect("an answer on the socket");
            assert_eq!(reply["payload"]["errors"][0]["extensions"]["code"], "NESTING_LIMIT_EXCEEDED", "ws {what}");
            let done = next_json(&mut socket, Duration::from_secs(5)).await.expect("complete");
            assert_eq!(done["type"], "complete");
            healthy(&app).await;
        }
        let data = app.data("{ treatments { slug } }", json!({})).await;
        assert!(!data["treatments"].as_array().unwrap().is_empty());
    }
}

on_both_backends! {
    /// Variables nested past the bound are refused with NESTING_LIMIT_EXCEEDED; past
    /// serde_json's own ceiling of 128 the body is refused as unreadable; the server lives.
    async fn deeply_nested_variables_are_refused(backend: Backend) {
        let app = spawn_app(backend).await;
        let query = "query($v: ClinicFilter) { clinics(filter: $v) { totalCount } }";
        let deep = |n: usize| (0..n).fold(json!(1), |inner, _| json!([inner]));
        let body = app.graphql(query, json!({ "v": deep(100) })).await;
        assert_eq!(error_codes(&body), ["NESTING_LIMIT_EXCEEDED"], "{body}");
        let text = format!(r#"{{"query":"{{ treatments {{ slug }} }}","variables":{{"v":{}1{}}}}}"#, "[".repeat(5_000), "]".repeat(5_000));
        let response = app.client.post(format!("{}/graphql", app.address)).bearer_auth(&app.token)
            .header("content-type", "application/json").body(text).send().await.unwrap();
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_codes(&body), ["BAD_REQUEST"], "{body}");
        healthy(&app).await;
    }
}

on_both_backends! {
    /// The query GraphiQL, codegen and Rover send is answered; 30 levels of `ofType` are not;
    /// introspection can be switched off.
    async fn standard_introspection_is_answered_and_deeper_is_refused(backend: Backend) {
        let app = spawn_app(backend).await;
        let data = app.data(INTROSPECTION, json!({})).await;
        assert_eq!(data["__schema"]["queryType"]["name"], "Query");
        let types = data["__schema"]["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "Clinic"), "the schema's types are listed");
        let deep = format!("{{ __type(name: \"Clinic\") {{ {} name {} }} }}", "ofType { ".repeat(30), "}".repeat(30));
        assert_eq!(error_codes(&app.graphql(&deep, json!({})).await), ["DEPTH_LIMIT_EXCEEDED"]);
        let too_deep = "{ clinics { edges { node { packages { treatment { packages { treatment { packages { treatment { packages { name } } } } } } } } } } }";
        assert_eq!(error_codes(&app.graphql(too_deep, json!({})).await), ["DEPTH_LIMIT_EXCEEDED"], "partner queries keep their limit");

        let closed = spawn_app_with(backend, &[("MEDTOUR_INTROSPECTION", "no")]).await;
        let refused = closed.graphql(INTROSPECTION, json!({})).await;
        assert_eq!(error_codes(&refused), ["INTROSPECTION_DISABLED"], "{refused}");
        assert!(refused.get("data").is_none_or(Value::is_null), "{refused}");
        closed.data("{ __typename treatments { slug } }", json!({})).await;
    }
}

/// The keys of a JSON object, in order.
fn keys(value: &Value) -> Vec<&str> {
    value.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
}

on_both_backends! {
    /// Every object follows its selection order, request after request, over HTTP and the
    /// websocket alike.
    async fn responses_follow_the_selection_order(backend: Backend) {
        let app = spawn_app(backend).await;
        let query = "{ viewer { role scopes clientId } treatments { slug name id } clinics(first: 2) { totalCount edges { node { slug id name } cursor } } }";
        let agent = app.login(Role::Agent, Some("Order Partner"), None).await;
        let mut socket = connect(&app, json!({ "Authorization": format!("Bearer {agent}") })).await;
        assert_eq!(next_json(&mut socket, Duration::from_secs(5)).await.expect("an ack")["type"], "connection_ack");
        for run in 0..30 {
            let data = app.data(query, json!({})).await;
            let message = json!({ "id": run.to_string(), "type": "subscribe", "payload": { "query": query } });
            socket.send(Message::text(message.to_string())).await.unwrap();
            let reply = next_json(&mut socket, Duration::from_secs(5)).await.expect("an answer");
            next_json(&mut socket, Duration::from_secs(5)).await.expect("complete");
            for data in [&data, &reply["payload"]["data"]] {
                assert_eq!(keys(data), ["viewer", "treatments", "clinics"], "run {run}");
                assert_eq!(keys(&data["viewer"]), ["role", "scopes", "clientId"]);
                assert_eq!(keys(&data["treatments"][0]), ["slug", "name", "id"]);
                assert_eq!(keys(&data["clinics"]), ["totalCount", "edges"]);
                assert_eq!(keys(&data["clinics"]["edges"][0]), ["node", "cursor"]);
                assert_eq!(keys(&data["clinics"]["edges"][0]["node"]), ["slug", "id", "name"]);
            }
        }
    }
}

/// A token for `client` limited to `scope`.
async fn scoped(app: &TestApp, client: &TestClient, scope: &str) -> String {
    let form = [("grant_type", "client_credentials"), ("scope", scope)];
    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .basic_auth(&client.id, Some(&client.secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned()
}

on_both_backends! {
    /// Each operation needs its scope; `viewer.scopes` says what the token holds.
    async fn every_operation_requires_its_scope(backend: Backend) {
        let app = spawn_app(backend).await;
        let agent = app.create_client(Role::Agent, Some("Scope Partner"), None).await;
        let catalogue_only = scoped(&app, &agent, "catalogue:read").await;
        let viewer = app.data_as(&catalogue_only, "{ viewer { scopes } }", json!({})).await;
        assert_eq!(viewer["viewer"]["scopes"], json!(["catalogue:read"]));
        app.data_as(&catalogue_only, "{ clinics(first: 1) { totalCount } treatments { slug } }", json!({})).await;
        let patient = r#"{ ageYears: 40, countryOfResidence: "US", chronicMigraineDiagnosis: true, headacheDaysPerMonth: 20, treatmentsTried: [TRIPTANS], contraindications: [] }"#;
        let forbidden = [
            "{ quotes { totalCount } }".to_owned(),
            "{ quote(id: \"UXVvdGU6MQ\") { id } }".to_owned(),
            format!("{{ checkEligibility(treatment: \"msc-chronic-migraine\", patient: {patient}) {{ outcome }} }}"),
            "mutation { withdrawQuoteRequest(id: \"UXVvdGU6MQ\") { userErrors { code } } }".to_owned(),
        ];
        for query in &forbidden {
            let (_, body) = app.graphql_as(Some(&catalogue_only), query, json!({})).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
        }
        let quotes_only = scoped(&app, &agent, "quotes:read").await;
        let (_, body) = app.graphql_as(Some(&quotes_only), "{ clinics(first: 1) { totalCount } }", json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
        app.data_as(&quotes_only, "{ quotes { totalCount } }", json!({})).await;
        let (_, body) = app.graphql_as(Some(&quotes_only), "{ node(id: \"Q2xpbmljOjE\") { id } }", json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "catalogue IDs need catalogue:read: {body}");
        let partner = app.login(Role::Partner, Some("Scope Partner"), None).await;
        let (_, body) = app.graphql_as(Some(&partner), "{ quotes { totalCount } }", json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "a PARTNER holds no quotes:read: {body}");
    }
}

/// The requested cost `query` is priced at.
async fn requested(app: &TestApp, query: &str, variables: Value) -> u64 {
    let body = app.graphql(query, variables).await;
    body["extensions"]["cost"]["requestedQueryCost"].as_u64().unwrap_or_else(|| panic!("no cost: {body}"))
}

on_both_backends! {
    /// Lists of scalar-only items, `node` and variable defaults are priced by what they can
    /// read, and `nodes` reads its IDs in batches, not one by one.
    async fn the_cost_counts_what_a_query_can_read(backend: Backend) {
        let app = spawn_app(backend).await;
        assert_eq!(requested(&app, "{ clinics(first: 100) { edges { node { name } } } }", json!({})).await, 101);
        assert_eq!(requested(&app, "query($n: Int = 100) { clinics(first: $n) { edges { node { name } } } }", json!({})).await, 101);
        assert_eq!(requested(&app, "{ node(id: \"Q2xpbmljOjE\") { id } }", json!({})).await, 1);

        let page = app.data("{ clinics(first: 15) { edges { node { id doctors { id } packages { id } } } } }", json!({})).await;
        let mut ids: Vec<Value> = Vec::new();
        for edge in page["clinics"]["edges"].as_array().unwrap() {
            ids.push(edge["node"]["id"].clone());
            ids.extend(edge["node"]["doctors"].as_array().unwrap().iter().map(|d| d["id"].clone()));
            ids.extend(edge["node"]["packages"].as_array().unwrap().iter().map(|p| p["id"].clone()));
        }
        ids.truncate(100);
        assert!(ids.len() > 30, "enough IDs to tell batching from one-by-one: {}", ids.len());
        let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
        let statements = |app: &TestApp| app.statements();
        let before = statements(&app);
        let few = app.data(query, json!({ "ids": ids[..3] })).await;
        let for_few = statements(&app) - before;
        let before = statements(&app);
        let many = app.graphql(query, json!({ "ids": ids })).await;
        let for_many = statements(&app) - before;
        assert_eq!(many["data"]["nodes"].as_array().unwrap().len(), ids.len());
        assert_eq!(few["nodes"][0]["id"], ids[0], "in the order asked");
        assert!(many["data"]["nodes"].as_array().unwrap().iter().zip(&ids).all(|(n, id)| &n["id"] == id));
        assert!(for_many <= for_few + 3, "{} IDs took {for_many} statements, 3 took {for_few}", ids.len());
        assert_eq!(many["extensions"]["cost"]["requestedQueryCost"], ids.len() as u64 + 1);
    }
}

on_both_backends! {
    /// A request refused by a limit still costs its client something.
    async fn refused_requests_cost_points(backend: Backend) {
        let app = spawn_app_with(backend, &[("MEDTOUR_RATE_PARTNER", "30/0.001")]).await;
        let deep = format!("{{ treatments(x: {}1{}) {{ slug }} }}", "[".repeat(100), "]".repeat(100));
        for _ in 0..3 {
            assert_eq!(error_codes(&app.graphql(&deep, json!({})).await), ["NESTING_LIMIT_EXCEEDED"]);
        }
        let (status, body) = app.graphql_raw("{ treatments { slug } }", json!({})).await;
        assert_eq!((status, error_codes(&body)), (429, vec!["THROTTLED".to_owned()]), "{body}");
    }
}

on_both_backends! {
    /// New quote IDs are not a sequence: an agent cannot read the platform's quote volume
    /// off its own IDs.
    async fn new_quote_ids_reveal_nothing_about_other_quotes(backend: Backend) {
        let app = spawn_app(backend).await;
        let agent = app.login(Role::Agent, Some("Volume Partner"), None).await;
        let mut rows = Vec::new();
        for key in ["vol-1", "vol-2", "vol-3"] {
            let id = crate::subscriptions::submit(&app, &agent, key).await;
            let (kind, row) = medtour::graphql::ids::decode(&id).expect("a quote ID");
            assert_eq!(kind, medtour::graphql::ids::Kind::Quote);
            let found = app.data_as(&agent, "query($id: ID!) { quote(id: $id) { id } }", json!({ "id": id })).await;
            assert_eq!(found["quote"]["id"], id.as_str(), "the ID resolves");
            rows.push(row);
        }
        assert!(rows.windows(2).any(|w| (w[1] - w[0]).abs() > 1_000), "not sequential: {rows:?}");
    }
}
