//! The token endpoint's budgets over HTTP, with client addresses given by a trusted proxy's
//! `X-Forwarded-For` or `Forwarded` header (every test request comes from 127.0.0.1).

use medtour_tests::{Backend, Role, TestApp, TestClient, on_both_backends, spawn_app_with};
use serde_json::Value;

const TRUST_LOCALHOST: (&str, &str) = ("MEDTOUR_TRUSTED_PROXIES", "127.0.0.1");

/// What the token endpoint answered.
struct Answer {
    status: u16,
    error: Option<String>,
    retry_after: bool,
}

/// Asks for a token for `client` with `secret`, sending the forwarding header `forwarded`.
async fn ask(app: &TestApp, client: &TestClient, secret: &str, forwarded: (&str, &str)) -> Answer {
    let response = app
        .client
        .post(format!("{}/oauth/token", app.address))
        .basic_auth(&client.id, Some(secret))
        .header(forwarded.0, forwarded.1)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("the token endpoint answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    Answer { status, error: body["error"].as_str().map(str::to_owned), retry_after }
}

/// Asks with `secret` until the endpoint answers 429 (at most `bound` times); the statuses
/// seen before it.
async fn until_throttled(
    app: &TestApp,
    client: &TestClient,
    secret: &str,
    from: (&str, &str),
    bound: usize,
) -> Vec<u16> {
    let mut before = Vec::new();
    for _ in 0..bound {
        let answer = ask(app, client, secret, from).await;
        if answer.status == 429 {
            assert_eq!(answer.error.as_deref(), Some("slow_down"));
            assert!(answer.retry_after, "a 429 says when to come back");
            return before;
        }
        before.push(answer.status);
    }
    panic!("{from:?} was never throttled: {before:?}");
}

on_both_backends! {
    /// Wrong secrets for someone's client id lock out only the address sending them.
    async fn a_client_hammered_from_another_address_still_gets_its_token(backend: Backend) {
        let app = spawn_app_with(backend, &[TRUST_LOCALHOST, ("MEDTOUR_TOKEN_RATE_FAILURES", "3")]).await;
        let client = app.create_client(Role::Agent, Some("Hammered"), None).await;
        let guesser = ("x-forwarded-for", "203.0.113.66");
        let failures = until_throttled(&app, &client, "wrong-secret", guesser, 10).await;
        assert_eq!(failures, vec![401, 401, 401], "three failures, then slow_down");

        let own = ask(&app, &client, &client.secret, ("x-forwarded-for", "192.0.2.10")).await;
        assert_eq!(own.status, 200, "the real client gets its token from its own address");
        let guessed = ask(&app, &client, &client.secret, guesser).await;
        assert_eq!((guessed.status, guessed.error.as_deref()), (429, Some("slow_down")), "the guessing address waits");
    }
}

on_both_backends! {
    /// Behind a trusted proxy each forwarded address has its own budget; from anyone else
    /// `X-Forwarded-For` is ignored and every request counts against the peer.
    async fn only_a_trusted_proxy_gives_forwarded_addresses_their_own_budgets(backend: Backend) {
        let budget = ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "3");
        let proxied = spawn_app_with(backend, &[TRUST_LOCALHOST, budget]).await;
        let client = proxied.create_client(Role::Partner, Some("Proxied"), None).await;
        let first = ("x-forwarded-for", "192.0.2.1");
        let admitted = until_throttled(&proxied, &client, &client.secret, first, 10).await;
        assert_eq!(admitted, vec![200, 200, 200], "the first address spends its own budget");
        let second = ask(&proxied, &client, &client.secret, ("x-forwarded-for", "192.0.2.2")).await;
        assert_eq!(second.status, 200, "another forwarded address has a budget of its own");
        let chained = ask(&proxied, &client, &client.secret, ("x-forwarded-for", "192.0.2.2, 192.0.2.1")).await;
        assert_eq!(chained.status, 429, "the right-most hop is the client; what is left of it is not trusted");

        let direct = spawn_app_with(backend, &[budget]).await;
        let client = direct.create_client(Role::Partner, Some("Direct"), None).await;
        until_throttled(&direct, &client, &client.secret, first, 10).await;
        let other = ask(&direct, &client, &client.secret, ("x-forwarded-for", "192.0.2.2")).await;
        assert_eq!(other.status, 429, "without trusted proxies X-Forwarded-For is ignored: one budget");
    }
}

on_both_backends! {
    /// IPv6 clients are limited per /64, by `X-Forwarded-For` or RFC 7239 `Forwarded`.
    async fn ipv6_clients_share_a_budget_within_a_64_and_not_across(backend: Backend) {
        let app = spawn_app_with(backend, &[TRUST_LOCALHOST, ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "2")]).await;
        let client = app.create_client(Role::Partner, Some("Six"), None).await;
        until_throttled(&app, &client, &client.secret, ("x-forwarded-for", "2001:db8:1:2::1"), 10).await;
        let same = ask(&app, &client, &client.secret, ("forwarded", "for=\"[2001:db8:1:2:ffff::9]:4711\"")).await;
        assert_eq!(same.status, 429, "another address in the same /64 shares its budget");
        let other = ask(&app, &client, &client.secret, ("forwarded", "for=\"[2001:db8:1:3::1]:4711\"")).await;
        assert_eq!(other.status, 200, "an address in another /64 has its own");
    }
}
