//! Production fails closed: the server refuses to start, saying why, on settings that would
//! serve public keys or demo data in production, and without `MEDTOUR_ENV` anywhere but on a
//! loopback address. (That it starts with no set-up on 127.0.0.1 the child-server tests show:
//! they set no `MEDTOUR_ENV`.)

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use medtour::config::{DEV_DATA_KEY, DEV_JWT_SIGNING_KEY, Mode, development_public_key};
use medtour::startup::Application;
use medtour_tests::{Backend, fresh_database, spawn_app, test_settings};

use crate::child_server::exit_of_serve;

const OWN_SIGNING_KEY: &str = "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const OWN_DATA_KEY: &str = "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";

#[test]
fn the_server_refuses_to_start_on_unsafe_settings_and_says_why() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("refused.sqlite").display());
    let padded_seed = format!("{DEV_JWT_SIGNING_KEY}=");
    let dev_public = format!("old:{}", STANDARD.encode(development_public_key()));
    let (_, dev_data) = DEV_DATA_KEY.split_once(':').expect("kid:key");
    let dev_data_old = format!("d0:{dev_data}=");
    let production: Vec<(&str, &str)> = vec![
        ("MEDTOUR_ENV", "production"),
        ("DATABASE_URL", &url),
        ("MEDTOUR_BIND", "127.0.0.1:0"),
        ("MEDTOUR_JWT_SIGNING_KEY", OWN_SIGNING_KEY),
        ("MEDTOUR_DATA_KEY", OWN_DATA_KEY),
    ];
    // (why, settings beyond a valid production configuration, what the message must say)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        ("demo data in production", vec![("MEDTOUR_DEMO", "true")], "refuses MEDTOUR_DEMO=true"),
        ("demo clients in production", vec![("MEDTOUR_DEMO_CLIENTS", "true")], "refuses MEDTOUR_DEMO_CLIENTS=true"),
        (
            "the dev signing key with a trailing =",
            vec![("MEDTOUR_JWT_SIGNING_KEY", &padded_seed)],
            "MEDTOUR_JWT_SIGNING_KEY",
        ),
        (
            "the dev public key as a verify key",
            vec![("MEDTOUR_JWT_VERIFY_KEYS", &dev_public)],
            "MEDTOUR_JWT_VERIFY_KEYS",
        ),
        ("the dev data key as an old key", vec![("MEDTOUR_DATA_KEYS_OLD", &dev_data_old)], "MEDTOUR_DATA_KEYS_OLD"),
        ("no MEDTOUR_ENV on a public address", vec![("MEDTOUR_ENV", ""), ("MEDTOUR_BIND", "0.0.0.0:0")], "MEDTOUR_ENV"),
    ];
    for (why, extra, says) in &cases {
        let mut env = production.clone();
        env.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
        env.extend(extra.iter().filter(|(_, value)| !value.is_empty()).copied());
        let (status, log) = exit_of_serve(&env, Duration::from_secs(30))
            .unwrap_or_else(|| panic!("{why}: the server started instead of refusing"));
        assert!(!status.success(), "{why}: exits with a failure\n{log}");
        assert!(log.contains("medtour: configuration:") && log.contains(says), "{why}: says {says:?}\n{log}");
        assert!(!log.contains("medtour listening"), "{why}: never listens\n{log}");
    }
    assert!(!dir.path().join("refused.sqlite").exists(), "refused before touching the database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_build_refuses_production_settings_assembled_by_hand() {
    let (url, _dir) = fresh_database(Backend::Sqlite).await;
    let mut settings = test_settings(&url, &[("MEDTOUR_DEMO", "false")]);
    settings.mode = Mode::Production;
    let err = Application::build(settings).await.err().expect("refused").to_string();
    assert!(err.contains("production mode refuses the development signing key"), "{err}");

    let mut settings =
        test_settings(&url, &[("MEDTOUR_JWT_SIGNING_KEY", OWN_SIGNING_KEY), ("MEDTOUR_DATA_KEY", OWN_DATA_KEY)]);
    settings.mode = Mode::Production;
    let err = Application::build(settings).await.err().expect("refused").to_string();
    assert!(err.contains("MEDTOUR_DEMO=true"), "demo data in production: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_key_refused_in_production_is_the_one_development_servers_publish() {
    let app = spawn_app(Backend::Sqlite).await;
    let jwks: serde_json::Value =
        app.client.get(format!("{}/.well-known/jwks.json", app.address)).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks["keys"][0]["x"], URL_SAFE_NO_PAD.encode(development_public_key()));
}
