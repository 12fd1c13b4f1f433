//! Who may see and manage which endpoint and delivery, and which URLs are accepted.

use entity::webhook_endpoints;
use medtour_tests::webhooks::Receiver;
use medtour_tests::{Backend, Role, error_codes, on_both_backends, spawn_app_with};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::quotes_support::*;
use crate::webhooks_support::*;

const OWN_SIGNING_KEY: &str = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const OWN_DATA_KEY: &str = "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";

/// Every webhook mutation, as (name, operation, variables) with `$id` standing for `id`.
fn mutations(endpoint: &str, delivery: &str) -> Vec<(&'static str, &'static str, Value)> {
    let input = json!({ "url": "http://127.0.0.1:9/x", "eventTypes": ["QUOTE_SUBMITTED"] });
    vec![
        (
            "createWebhookEndpoint",
            "mutation($input: WebhookEndpointInput!) { r: createWebhookEndpoint(input: $input) { endpoint { id } userErrors { code field } } }",
            json!({ "input": input }),
        ),
        (
            "updateWebhookEndpoint",
            "mutation($id: ID!, $input: WebhookEndpointInput!) { r: updateWebhookEndpoint(id: $id, input: $input, active: false) { endpoint { id } userErrors { code field } } }",
            json!({ "id": endpoint, "input": input }),
        ),
        (
            "rotateWebhookSecret",
            "mutation($id: ID!) { r: rotateWebhookSecret(id: $id) { endpoint { id } secret userErrors { code field } } }",
            json!({ "id": endpoint }),
        ),
        (
            "redeliverWebhook",
            "mutation($id: ID!) { r: redeliverWebhook(deliveryId: $id) { delivery { id } userErrors { code field } } }",
            json!({ "id": delivery }),
        ),
        (
            "deleteWebhookEndpoint",
            "mutation($id: ID!) { r: deleteWebhookEndpoint(id: $id) { endpoint { id } userErrors { code field } } }",
            json!({ "id": endpoint }),
        ),
    ]
}

async fn listed(app: &medtour_tests::TestApp, who: &Party) -> Vec<String> {
    let data = app
        .data_as(&who.token, "{ webhookEndpoints(first: 50) { totalCount edges { node { id } } } }", json!({}))
        .await;
    data["webhookEndpoints"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn node(app: &medtour_tests::TestApp, who: &Party, id: &str) -> Value {
    app.data_as(&who.token, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await["node"].clone()
}

on_both_backends! {
    /// AGENT sees its partner's endpoints, CLINIC its clinic's, ADMIN all; another tenant's
    /// endpoint or delivery answers like one that does not exist, on every field and
    /// mutation; a PARTNER client may use none of them.
    async fn endpoints_and_deliveries_are_seen_and_managed_within_the_tenancy_only(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        let stranger = Party::new(&w.app, Role::Agent, Some("Partner B"), None).await;
        let other_clinic = Party::new(&w.app, Role::Clinic, None, Some(RHEIN)).await;
        let (agents, _) = endpoint(&w.app, &w.agent, &receiver.url, &ALL_TYPES).await;
        let (clinics, _) = endpoint(&w.app, &w.clinic, &receiver.url, &ALL_TYPES).await;
        let (admins, _) = endpoint(&w.app, &w.admin, &receiver.url, &["QUOTE_SUBMITTED"]).await;
        let (strangers, _) = endpoint(&w.app, &stranger, &receiver.url, &ALL_TYPES).await;
        w.quote("hook-tenancy-1").await;
        settle(&w.app).await;
        assert_eq!(receiver.count(), 3, "the partner's, the clinic's and the admin's endpoints hear it; Partner B's does not");
        assert!(deliveries(&w.app, &stranger, &strangers).await.is_empty());
        let delivery = deliveries(&w.app, &w.agent, &agents).await[0]["id"].as_str().unwrap().to_owned();
        assert!(deliveries(&w.app, &w.admin, &agents).await[0]["quote"]["id"].is_string(), "the admin sees every delivery");

        assert_eq!(listed(&w.app, &w.agent).await, std::slice::from_ref(&agents));
        assert_eq!(listed(&w.app, &w.clinic).await, std::slice::from_ref(&clinics));
        assert_eq!(listed(&w.app, &stranger).await, std::slice::from_ref(&strangers));
        assert!(listed(&w.app, &other_clinic).await.is_empty());
        assert_eq!(listed(&w.app, &w.admin).await.len(), 4);
        assert!(listed(&w.app, &w.admin).await.contains(&admins));

        for outsider in [&stranger, &other_clinic] {
            assert_eq!(node(&w.app, outsider, &agents).await, Value::Null, "an endpoint outside the tenancy is not found");
            assert_eq!(node(&w.app, outsider, &delivery).await, Value::Null, "nor is its delivery");
            for (name, query, vars) in mutations(&agents, &delivery).into_iter().skip(1) {
                let data = w.app.data_as(&outsider.token, query, vars).await;
                assert_eq!(data["r"]["userErrors"][0]["code"], "NOT_FOUND", "{name}: {data:#}");
            }
        }
        let ghost = medtour::graphql::ids::encode(medtour::graphql::ids::Kind::WebhookEndpoint, 987_654).0;
        let ghost_delivery = medtour::graphql::ids::encode(medtour::graphql::ids::Kind::WebhookDelivery, 987_654).0;
        for (name, query, vars) in mutations(&ghost, &ghost_delivery).into_iter().skip(1) {
            let data = w.app.data_as(&w.agent.token, query, vars).await;
            assert_eq!(data["r"]["userErrors"][0]["code"], "NOT_FOUND", "{name}: a nonexistent one answers the same");
        }

        let partner = Party::new(&w.app, Role::Partner, Some("Partner A"), None).await;
        let (_, body) = w.app.graphql_as(Some(&partner.token), "{ webhookEndpoints { totalCount } }", json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"]);
        assert_eq!(node(&w.app, &partner, &agents).await, Value::Null);
        for (name, query, vars) in mutations(&agents, &delivery) {
            let (_, body) = w.app.graphql_as(Some(&partner.token), query, vars).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{name}: {body:#}");
        }

        // The owners themselves may do everything.
        for (name, query, vars) in mutations(&agents, &delivery) {
            let data = w.app.data_as(&w.agent.token, query, vars).await;
            assert_eq!(data["r"]["userErrors"], json!([]), "{name}: {data:#}");
        }
        assert_eq!(listed(&w.app, &w.agent).await.len(), 1, "created one, deleted one");
    }
}

on_both_backends! {
    /// A delivery can be sent again: one more attempt with the same webhook-id.
    async fn a_delivery_can_be_redelivered_with_the_same_event_id(backend: Backend) {
        let w = World::new(backend).await;
        let receiver = Receiver::start().await;
        let (id, _) = endpoint(&w.app, &w.clinic, &receiver.url, &["QUOTE_SUBMITTED"]).await;
        w.quote("hook-redeliver-1").await;
        settle(&w.app).await;
        let delivery = deliveries(&w.app, &w.clinic, &id).await[0]["id"].as_str().unwrap().to_owned();
        let query = "mutation($id: ID!) { r: redeliverWebhook(deliveryId: $id) { delivery { status } userErrors { code } } }";
        let data = w.app.data_as(&w.clinic.token, query, json!({ "id": delivery })).await;
        assert_eq!(data["r"]["delivery"]["status"], "PENDING");
        settle(&w.app).await;
        let got = receiver.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, got[1].id);
        let d = deliveries(&w.app, &w.clinic, &id).await[0].clone();
        assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("SUCCEEDED"), Some(2)));
    }
}

on_both_backends! {
    /// In production only public https URLs are accepted: no http, loopback (also behind a
    /// name such as localhost), private, link-local or metadata address.
    async fn production_accepts_only_public_https_urls(backend: Backend) {
        let production = [
            ("MEDTOUR_ENV", "production"),
            ("MEDTOUR_DEMO", "false"),
            ("MEDTOUR_DEMO_CLIENTS", "false"),
            ("MEDTOUR_JWT_SIGNING_KEY", OWN_SIGNING_KEY),
            ("MEDTOUR_DATA_KEY", OWN_DATA_KEY),
        ];
        let app = spawn_app_with(backend, &production).await;
        let agent = Party::new(&app, Role::Agent, Some("Production Partner"), None).await;
        let cases = [
            ("https://93.184.216.34/hooks", true),
            ("https://[2606:2800:220:1:248:1893:25c8:1946]/hooks", true),
            ("http://93.184.216.34/hooks", false),
            ("https://127.0.0.1/hooks", false),
            ("https://localhost/hooks", false),
            ("https://[::1]/hooks", false),
            ("https://10.0.0.7/hooks", false),
            ("https://172.20.1.1/hooks", false),
            ("https://192.168.1.20/hooks", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("https://169.254.10.10/hooks", false),
            ("https://[fe80::1]/hooks", false),
            ("https://[fc00::1]/hooks", false),
            ("https://user:secret@93.184.216.34/hooks", false),
            ("ftp://93.184.216.34/hooks", false),
        ];
        for (url, accepted) in cases {
            let payload = create(&app, &agent, url, &["QUOTE_SUBMITTED"]).await;
            if accepted {
                assert_eq!(payload["userErrors"], json!([]), "{url}: {payload:#}");
            } else {
                assert_eq!(payload["userErrors"][0]["field"], json!(["input", "url"]), "{url}: {payload:#}");
                assert_eq!(payload["endpoint"], Value::Null);
            }
        }
    }
}

on_both_backends! {
    /// A name is checked again on every attempt, on the address it resolves to then: an
    /// endpoint whose name now points at a loopback address gets no request.
    async fn each_attempt_checks_the_address_a_name_resolves_to(backend: Backend) {
        let app = spawn_app_with(backend, &[("MEDTOUR_WEBHOOK_ALLOW_INSECURE", "false")]).await;
        let w = World::from_app(app).await;
        let receiver = Receiver::start().await;
        let refused = create(&w.app, &w.agent, &receiver.url, &["QUOTE_SUBMITTED"]).await;
        assert_eq!(refused["userErrors"][0]["field"], json!(["input", "url"]), "http is refused: {refused:#}");
        let (id, _) = endpoint(&w.app, &w.agent, "https://93.184.216.34/hooks", &["QUOTE_SUBMITTED"]).await;
        // The name "rebinds" to this machine after registration.
        let row = medtour::graphql::ids::decode_as(medtour::graphql::ids::Kind::WebhookEndpoint, &id).unwrap().unwrap();
        let rebound = format!("https://localhost:{}/hooks", receiver.port());
        webhook_endpoints::ActiveModel { id: Set(row), url: Set(rebound), ..Default::default() }.update(&w.app.state.db).await.unwrap();
        w.quote("hook-rebind-1").await;
        settle(&w.app).await;
        let d = deliveries(&w.app, &w.agent, &id).await[0].clone();
        let error = d["attemptLog"][0]["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.starts_with("refused: localhost resolves to"), "{d:#}");
        assert_eq!(receiver.count(), 0);
    }
}
