//! Partners and API clients over GraphQL: a created client's secret is shown once and works
//! at the token endpoint; revocation and partner suspension stop its tokens over HTTP at once
//! and on open websockets within the client-status cache's lifetime; reactivation brings
//! back the clients that were not revoked one by one.

use std::time::Duration;

use medtour::auth::revocation::CLIENT_STATUS_TTL;
use medtour_tests::{Backend, TestClient, error_codes, on_both_backends};
use serde_json::{Value, json};

use crate::admin_support::*;
use crate::subscriptions::{close_code, connect, next_json};

const CREATE: &str = "mutation($i: ApiClientInput!) { r: createApiClient(input: $i) { clientSecret userErrors { field message code } client { id clientId role active label partner { id name status } clinic { slug } } } }";
const REVOKE: &str =
    "mutation($id: ID!) { r: revokeApiClient(id: $id) { userErrors { field code } client { active revokedAt } } }";
const SUSPEND: &str = "mutation($id: ID!, $s: PartnerStatus!) { r: setPartnerStatus(id: $id, status: $s, reason: \"contract paused\") { userErrors { field code } partner { status clients { clientId active } } } }";
const WHO: &str = "{ viewer { clientId } }";

async fn create(s: &Staff, input: Value) -> (Value, TestClient) {
    let payload = s.done(&s.admin, CREATE, json!({ "i": input })).await;
    let client = TestClient {
        id: payload["client"]["clientId"].as_str().unwrap().to_owned(),
        secret: payload["clientSecret"].as_str().expect("the secret, once").to_owned(),
    };
    (payload, client)
}

on_both_backends! {
    /// A client created over GraphQL gets tokens; revoking it stops them at once on this
    /// server; the audit record holds neither its secret nor its hash; bad tenancy is refused
    /// field by field.
    async fn a_client_created_over_graphql_works_until_it_is_revoked(backend: Backend) {
        let s = Staff::new(backend).await;
        let (payload, client) =
            create(&s, json!({ "role": "AGENT", "partnerName": "Graph Partner", "label": "desk 4" })).await;
        assert_eq!(payload["client"]["role"], "AGENT");
        assert_eq!(payload["client"]["partner"]["name"], "Graph Partner");
        assert_eq!(payload["client"]["active"], true);
        let token = s.app.token_for(&client).await;
        assert_eq!(s.app.data_as(&token, WHO, json!({})).await["viewer"]["clientId"], client.id.as_str());

        let (own, _) = s.clinic(OWN).await;
        let (clinic_client, _) = create(&s, json!({ "role": "CLINIC", "clinicId": own })).await;
        assert_eq!(clinic_client["client"]["clinic"]["slug"], OWN);
        for (input, field) in [
            (json!({ "role": "AGENT" }), "input.partnerName"),
            (json!({ "role": "CLINIC", "partnerName": "X" }), "input.clinicId"),
            (json!({ "role": "ADMIN", "partnerName": "X" }), "input.role"),
        ] {
            let refused = s.payload(&s.admin, CREATE, json!({ "i": input })).await;
            assert_eq!(fields(&refused), [field], "{refused:#}");
            assert_eq!(refused["clientSecret"], Value::Null);
        }

        let revoked = s.done(&s.admin, REVOKE, json!({ "id": payload["client"]["id"] })).await;
        assert_eq!(revoked["client"]["active"], false);
        assert!(revoked["client"]["revokedAt"].is_string());
        let (status, body) = s.app.graphql_as(Some(&token), WHO, json!({})).await;
        assert_eq!((status, error_codes(&body)), (401, vec!["UNAUTHENTICATED".to_owned()]), "{body:#}");

        let log = "{ auditLog(filter: { actions: [\"client.create\", \"client.revoke\"] }) { edges { node { action before after } } } }";
        let text = s.run(&s.admin, log, json!({})).await.to_string();
        assert!(!text.contains(&client.secret) && !text.contains("argon2") && !text.contains("secret"), "{text}");
        let listed = s.run(&s.admin, "{ apiClients(first: 100, active: false) { edges { node { clientId } } } }", json!({})).await;
        assert!(listed.to_string().contains(&client.id), "{listed:#}");
    }
}

on_both_backends! {
    /// Suspending a partner stops every one of its clients, over HTTP at once and at the
    /// token endpoint; reactivating brings back those not revoked one by one.
    async fn suspending_a_partner_stops_its_clients_until_it_is_active_again(backend: Backend) {
        let s = Staff::new(backend).await;
        let (first, a) = create(&s, json!({ "role": "AGENT", "partnerName": "Paused Partner" })).await;
        let (_, b) = create(&s, json!({ "role": "PARTNER", "partnerName": "Paused Partner" })).await;
        let (token_a, token_b) = (s.app.token_for(&a).await, s.app.token_for(&b).await);
        s.done(&s.admin, REVOKE, json!({ "id": first["client"]["id"] })).await;
        let partner = first["client"]["partner"]["id"].clone();

        let suspended = s.done(&s.admin, SUSPEND, json!({ "id": partner, "s": "SUSPENDED" })).await;
        assert_eq!(suspended["partner"]["status"], "SUSPENDED");
        assert!(suspended["partner"]["clients"].as_array().unwrap().iter().all(|c| c["active"] == false));
        let (status, _) = s.app.graphql_as(Some(&token_b), WHO, json!({})).await;
        assert_eq!(status, 401, "a suspended partner's client is refused at once");
        let refused = s
            .app
            .client
            .post(format!("{}/oauth/token", s.app.address))
            .basic_auth(&b.id, Some(&b.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401, "and gets no new token");

        s.done(&s.admin, SUSPEND, json!({ "id": partner, "s": "ACTIVE" })).await;
        assert_eq!(s.app.data_as(&token_b, WHO, json!({})).await["viewer"]["clientId"], b.id.as_str());
        let (status, _) = s.app.graphql_as(Some(&token_a), WHO, json!({})).await;
        assert_eq!(status, 401, "a client revoked on its own stays revoked");
    }
}

on_both_backends! {
    /// An open websocket of a client whose partner is suspended elsewhere (another replica)
    /// closes with 4403 once the cache lifetime passes; one revoked through this server's API
    /// closes within the watcher's round.
    async fn suspension_and_revocation_close_open_websockets(backend: Backend) {
        let s = Staff::new(backend).await;
        let (first, a) = create(&s, json!({ "role": "AGENT", "partnerName": "Socket Partner" })).await;
        let (second, b) = create(&s, json!({ "role": "AGENT", "partnerName": "Other Socket Partner" })).await;
        let _ = second;
        let mut sockets = Vec::new();
        for client in [&a, &b] {
            let token = s.app.token_for(client).await;
            let mut socket = connect(&s.app, json!({ "Authorization": format!("Bearer {token}") })).await;
            let ack = next_json(&mut socket, Duration::from_secs(5)).await.expect("an acknowledgement");
            assert_eq!(ack["type"], "connection_ack", "{ack}");
            sockets.push(socket);
        }
        // Suspended in the database only, as another replica would.
        let partner_row = medtour::graphql::ids::decode(first["client"]["partner"]["id"].as_str().unwrap()).unwrap().1;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::partners::Entity::update_many()
            .col_expr(entity::partners::Column::Status, sea_orm::sea_query::Expr::value("SUSPENDED"))
            .filter(entity::partners::Column::Id.eq(partner_row))
            .exec(&s.app.state.db)
            .await
            .unwrap();
        s.app.state.clock.advance(CLIENT_STATUS_TTL);
        assert_eq!(close_code(&mut sockets[0], Duration::from_secs(2)).await, Some(4403));

        let listed = s.run(&s.admin, "{ apiClients(first: 100, active: true) { edges { node { id clientId } } } }", json!({})).await;
        let id = listed["data"]["apiClients"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["clientId"] == b.id.as_str())
            .map(|e| e["node"]["id"].clone())
            .expect("the second client is active");
        s.done(&s.admin, REVOKE, json!({ "id": id })).await;
        assert_eq!(close_code(&mut sockets[1], Duration::from_secs(2)).await, Some(4403));
    }
}
