//! Authentication: the token endpoint (RFC 6749 §4.4, §5.2), and every way a bearer token
//! can be wrong. Each bad token gets 401, an UNAUTHENTICATED error and a Bearer challenge.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use medtour::config::DEV_JWT_SIGNING_KEY;
use medtour_tests::{Backend, Role, TestApp, error_codes, on_both_backends, spawn_app, spawn_on};
use serde_json::{Value, json};

const VIEWER: &str = "{ viewer { clientId role partnerName scopes clinic { slug } } }";

fn dev_seed() -> [u8; 32] {
    let (_, seed) = DEV_JWT_SIGNING_KEY.split_once(':').unwrap();
    URL_SAFE_NO_PAD.decode(seed).unwrap().try_into().unwrap()
}

/// Signs arbitrary claims with the development key under `kid`.
fn forge(claims: &Value, kid: Option<&str>) -> String {
    let key = SigningKey::from_bytes(&dev_seed());
    let der = key.to_pkcs8_der().unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(sub: &str) -> Value {
    json!({
        "iss": "medtour", "aud": "medtour-partner-api", "sub": sub, "role": "PARTNER",
        "iat": now(), "nbf": now(), "exp": now() + 600, "jti": "j", "scope": "catalogue:read"
    })
}

async fn token_request(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app.client.post(format!("{}/oauth/token", app.address)).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

async fn assert_unauthenticated(app: &TestApp, token: Option<&str>, why: &str) {
    let mut request = app.client.post(format!("{}/graphql", app.address)).json(&json!({ "query": VIEWER }));
    if let Some(token) = token {
        request = request.header("authorization", token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401, "{why}");
    let challenge = response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(challenge.starts_with("Bearer"), "{why}: challenge {challenge:?}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"], "{why}: {body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{why}: no data without a token");
}

on_both_backends! {
    /// A client gets a Bearer token by Basic auth or by form fields, never cached.
    async fn clients_get_tokens_by_basic_auth_or_form_fields(backend: Backend) {
        let app = spawn_app(backend).await;
        let client = app.create_client(Role::Agent, Some("Acme Travel"), None).await;
        let (status, headers, body) =
            token_request(&app, Some((&client.id, &client.secret)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers.get("cache-control").unwrap(), "no-store");
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_u64().is_some_and(|s| s > 0 && s <= 3600));
        assert!(body["scope"].as_str().unwrap().contains("quotes:write"));
        let token = body["access_token"].as_str().unwrap();
        let viewer = app.data_as(token, VIEWER, json!({})).await;
        assert_eq!(viewer["viewer"]["clientId"], client.id.as_str());
        assert_eq!(viewer["viewer"]["role"], "AGENT");
        assert_eq!(viewer["viewer"]["partnerName"], "Acme Travel");

        let form = [("grant_type", "client_credentials"), ("client_id", client.id.as_str()), ("client_secret", client.secret.as_str()), ("scope", "catalogue:read")];
        let (status, _, body) = token_request(&app, None, &form).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["scope"], "catalogue:read", "a narrower scope can be asked for");

        let clinic_token = app.login(Role::Clinic, None, Some("baja-regenerative-institute")).await;
        let viewer = app.data_as(&clinic_token, VIEWER, json!({})).await;
        assert_eq!(viewer["viewer"]["clinic"]["slug"], "baja-regenerative-institute");
        assert_eq!(viewer["viewer"]["partnerName"], Value::Null);
    }
}

on_both_backends! {
    /// Each way of asking wrongly gets its RFC 6749 §5.2 error.
    async fn the_token_endpoint_answers_each_mistake_with_its_rfc_6749_error(backend: Backend) {
        let app = spawn_app(backend).await;
        let c = app.create_client(Role::Partner, Some("Acme Travel"), None).await;
        let basic = Some((c.id.as_str(), c.secret.as_str()));
        // (why, Basic credentials, form fields, status, RFC 6749 error)
        type Case<'a> = (&'a str, Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, u16, &'a str);
        let cases: Vec<Case<'_>> = vec![
            ("no grant_type", basic, vec![], 400, "invalid_request"),
            ("password grant", basic, vec![("grant_type", "password")], 400, "unsupported_grant_type"),
            ("no credentials", None, vec![("grant_type", "client_credentials")], 401, "invalid_client"),
            ("wrong secret", Some((c.id.as_str(), "wrong")), vec![("grant_type", "client_credentials")], 401, "invalid_client"),
            ("unknown client", Some(("mt_nobody", "x")), vec![("grant_type", "client_credentials")], 401, "invalid_client"),
            ("both methods", basic, vec![("grant_type", "client_credentials"), ("client_id", c.id.as_str()), ("client_secret", c.secret.as_str())], 400, "invalid_request"),
            ("a scope beyond the role", basic, vec![("grant_type", "client_credentials"), ("scope", "admin")], 400, "invalid_scope"),
        ];
        for (why, basic, form, status, error) in cases {
            let (got, headers, body) = token_request(&app, basic, &form).await;
            assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{why}: {body}");
            assert_eq!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{why}");
            if status == 401 {
                assert!(headers.get("www-authenticate").is_some(), "{why}: a 401 carries a challenge");
            }
        }
        let json_body = app.client.post(format!("{}/oauth/token", app.address)).json(&json!({"grant_type": "client_credentials"})).send().await.unwrap();
        assert_eq!(json_body.status().as_u16(), 400, "a JSON body is not a form");

        assert!(medtour::auth::clients::revoke(&app.state.db, &c.id, app.state.clock.now()).await.unwrap());
        let (got, _, body) = token_request(&app, basic, &[("grant_type", "client_credentials")]).await;
        assert_eq!((got, body["error"].as_str()), (401, Some("invalid_client")), "a revoked client gets no token");
    }
}

on_both_backends! {
    /// Forged, tampered, expired, mistyped and misaddressed tokens are all refused.
    async fn every_bad_bearer_token_is_refused(backend: Backend) {
        let app = spawn_app(backend).await;
        let c = app.create_client(Role::Partner, Some("Acme Travel"), None).await;
        let good = app.token_for(&c).await;
        app.data_as(&good, VIEWER, json!({})).await;

        let (head, rest) = good.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
        sig[0] ^= 0x55;
        let tampered_signature = format!("{head}.{payload}.{}", URL_SAFE_NO_PAD.encode(&sig));
        let mut body: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        body["role"] = json!("ADMIN");
        let tampered_claims = format!("{head}.{}.{signature}", URL_SAFE_NO_PAD.encode(body.to_string()));
        let alg_none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": "dev-1"}).to_string())
        );
        let public_x = {
            let jwks: Value = app.client.get(format!("{}/.well-known/jwks.json", app.address)).send().await.unwrap().json().await.unwrap();
            jwks["keys"][0]["x"].as_str().unwrap().to_owned()
        };
        let mut hs_header = Header::new(Algorithm::HS256);
        hs_header.kid = Some("dev-1".into());
        let hs256 = jsonwebtoken::encode(&hs_header, &claims(&c.id), &EncodingKey::from_secret(public_x.as_bytes())).unwrap();

        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = claims(&c.id);
            f(&mut v);
            forge(&v, Some("dev-1"))
        };
        let cases: Vec<(&str, String)> = vec![
            ("garbage", "Bearer not-a-jwt".into()),
            ("empty bearer", "Bearer ".into()),
            ("basic scheme", format!("Basic {}", URL_SAFE_NO_PAD.encode("a:b"))),
            ("tampered signature", format!("Bearer {tampered_signature}")),
            ("tampered claims", format!("Bearer {tampered_claims}")),
            ("alg none", format!("Bearer {alg_none}")),
            ("HS256 keyed with the public key", format!("Bearer {hs256}")),
            ("expired", format!("Bearer {}", with(&|v| { v["exp"] = json!(now() - 120); v["nbf"] = json!(now() - 600); }))),
            ("not yet valid", format!("Bearer {}", with(&|v| v["nbf"] = json!(now() + 600)))),
            ("exp as a string", format!("Bearer {}", with(&|v| v["exp"] = json!("never")))),
            ("wrong issuer", format!("Bearer {}", with(&|v| v["iss"] = json!("someone-else")))),
            ("wrong audience", format!("Bearer {}", with(&|v| v["aud"] = json!("another-api")))),
            ("no exp", format!("Bearer {}", with(&|v| { v.as_object_mut().unwrap().remove("exp"); }))),
            ("no sub", format!("Bearer {}", with(&|v| { v.as_object_mut().unwrap().remove("sub"); }))),
            ("no iss", format!("Bearer {}", with(&|v| { v.as_object_mut().unwrap().remove("iss"); }))),
            ("unknown role", format!("Bearer {}", with(&|v| v["role"] = json!("ROOT")))),
            ("unknown client", format!("Bearer {}", forge(&claims("mt_nobody"), Some("dev-1")))),
            ("unknown kid", format!("Bearer {}", forge(&claims(&c.id), Some("other")))),
            ("no kid", format!("Bearer {}", forge(&claims(&c.id), None))),
        ];
        for (why, header) in &cases {
            assert_unauthenticated(&app, Some(header), why).await;
        }
        assert_unauthenticated(&app, None, "no Authorization header").await;
        // Within the 30 s leeway a just-expired token still works.
        app.data_as(&with(&|v| { v["exp"] = json!(now() - 5); }), VIEWER, json!({})).await;
    }
}

on_both_backends! {
    /// Revoking a client stops its existing tokens at once.
    async fn a_revoked_clients_tokens_stop_working(backend: Backend) {
        let app = spawn_app(backend).await;
        let c = app.create_client(Role::Agent, Some("Acme Travel"), None).await;
        let token = app.token_for(&c).await;
        app.data_as(&token, VIEWER, json!({})).await;
        assert!(medtour::auth::clients::revoke(&app.state.db, &c.id, app.state.clock.now()).await.unwrap());
        app.state.auth.clients.forget(&c.id);
        assert_unauthenticated(&app, Some(&format!("Bearer {token}")), "token of a revoked client").await;
    }
}

on_both_backends! {
    /// A revocation made by another process is seen once the cache lifetime has passed.
    async fn a_revocation_elsewhere_is_seen_within_seconds(backend: Backend) {
        let app = spawn_app(backend).await;
        let c = app.create_client(Role::Agent, Some("Acme Travel"), None).await;
        let token = app.token_for(&c).await;
        app.data_as(&token, VIEWER, json!({})).await;
        assert!(medtour::auth::clients::revoke(&app.state.db, &c.id, app.state.clock.now()).await.unwrap());
        app.state.clock.advance(medtour::auth::revocation::CLIENT_STATUS_TTL);
        assert_unauthenticated(&app, Some(&format!("Bearer {token}")), "after the cache lifetime").await;
    }
}

on_both_backends! {
    /// Keys rotate without downtime: a server signing with a new key still accepts tokens
    /// signed with the old one while it is configured for verification.
    async fn tokens_signed_with_a_retired_key_stay_valid_during_rotation(backend: Backend) {
        let old = spawn_app(backend).await;
        let c = old.create_client(Role::Partner, Some("Acme Travel"), None).await;
        let old_token = old.token_for(&c).await;
        let jwks: Value = old.client.get(format!("{}/.well-known/jwks.json", old.address)).send().await.unwrap().json().await.unwrap();
        assert_eq!(jwks["keys"][0]["kty"], "OKP");
        assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
        let old_public = format!("dev-1:{}", jwks["keys"][0]["x"].as_str().unwrap());
        let new_key = medtour::auth::keys::generate_signing_key("k2");

        let rotated = spawn_on(backend, &old.database_url, None, &[("MEDTOUR_JWT_SIGNING_KEY", &new_key), ("MEDTOUR_JWT_VERIFY_KEYS", &old_public)]).await;
        rotated.data_as(&old_token, VIEWER, json!({})).await;
        let new_token = rotated.token_for(&c).await;
        let header = jsonwebtoken::decode_header(&new_token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("k2"));
        rotated.data_as(&new_token, VIEWER, json!({})).await;

        let retired = spawn_on(backend, &old.database_url, None, &[("MEDTOUR_JWT_SIGNING_KEY", &new_key)]).await;
        assert_unauthenticated(&retired, Some(&format!("Bearer {old_token}")), "once the old key is removed").await;
    }
}

on_both_backends! {
    /// GraphiQL and the health endpoints need no token; GraphQL over GET does.
    async fn graphiql_and_health_stay_open_while_operations_need_a_token(backend: Backend) {
        let app = spawn_app(backend).await;
        let page = app.client.get(format!("{}/graphql", app.address)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        assert!(page.text().await.unwrap().to_lowercase().contains("graphiql"));
        let get = app.client.get(format!("{}/graphql?query=%7Btreatments%7Bslug%7D%7D", app.address)).send().await.unwrap();
        assert_eq!(get.status().as_u16(), 401);
        let get = app.client.get(format!("{}/graphql?query=%7Btreatments%7Bslug%7D%7D", app.address)).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(get.status().as_u16(), 200);
    }
}
