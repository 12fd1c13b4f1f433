//! Settings from a lookup table: the mode, what production refuses, malformed values.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

use super::*;

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::from_lookup(|k| pairs.iter().rev().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
}

/// A valid production configuration with `overrides` applied (later pairs win).
fn production(overrides: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let mut pairs = vec![
        ("MEDTOUR_ENV", "production"),
        ("DATABASE_URL", "postgres://db/medtour"),
        ("MEDTOUR_BIND", "0.0.0.0:8080"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("MEDTOUR_DATA_KEY", "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"),
    ];
    pairs.extend_from_slice(overrides);
    settings(&pairs)
}

fn dev_bytes(constant: &str) -> [u8; 32] {
    parse_key("test", constant).expect("a valid constant").1
}

#[test]
fn development_defaults_need_no_environment() {
    let s = settings(&[]).expect("defaults are valid");
    assert_eq!(s.mode, Mode::Development);
    assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
    assert!(s.load_demo_data);
}

#[test]
fn the_mode_is_development_without_medtour_env_only_on_loopback() {
    // (MEDTOUR_ENV, MEDTOUR_BIND, the mode, or a fragment of the refusal)
    let cases: [(Option<&str>, &str, Result<Mode, &str>); 13] = [
        (None, "127.0.0.1:8080", Ok(Mode::Development)),
        (None, "127.1.2.3:0", Ok(Mode::Development)),
        (None, "[::1]:8080", Ok(Mode::Development)),
        (None, "[::ffff:127.0.0.1]:8080", Ok(Mode::Development)),
        (None, "0.0.0.0:8080", Err("MEDTOUR_ENV is not set")),
        (None, "[::]:8080", Err("MEDTOUR_ENV is not set")),
        (None, "192.0.2.1:8080", Err("MEDTOUR_ENV is not set")),
        (Some("development"), "0.0.0.0:8080", Ok(Mode::Development)),
        (Some("production"), "127.0.0.1:8080", Ok(Mode::Production)),
        (Some("production"), "0.0.0.0:8080", Ok(Mode::Production)),
        (Some("prod"), "127.0.0.1:8080", Err("MEDTOUR_ENV=prod")),
        (Some("Production"), "127.0.0.1:8080", Err("MEDTOUR_ENV=Production")),
        (Some(""), "127.0.0.1:8080", Err("MEDTOUR_ENV=")),
    ];
    for (env, bind, expected) in cases {
        let mut pairs = vec![("MEDTOUR_BIND", bind)];
        if let Some(env) = env {
            // Production keys and database, so only the mode decides.
            pairs.extend([("MEDTOUR_ENV", env), ("DATABASE_URL", "postgres://db/m")]);
            pairs.push(("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
            pairs.push(("MEDTOUR_DATA_KEY", "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"));
        }
        let got = settings(&pairs).map(|s| s.mode).map_err(|e| e.to_string());
        match (got, expected) {
            (Ok(mode), Ok(want)) => assert_eq!(mode, want, "{env:?} on {bind}"),
            (Err(err), Err(fragment)) => assert!(err.contains(fragment), "{env:?} on {bind}: {err}"),
            (got, want) => panic!("{env:?} on {bind}: got {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn a_public_bind_without_medtour_env_is_refused_naming_it() {
    let err = settings(&[("MEDTOUR_BIND", "0.0.0.0:8080")]).expect_err("refused").to_string();
    assert!(err.contains("MEDTOUR_ENV=production") && err.contains("0.0.0.0:8080"), "{err}");
}

#[test]
fn production_refuses_the_embedded_database_default() {
    let err = settings(&[("MEDTOUR_ENV", "production")]).expect_err("refused").to_string();
    assert!(err.contains("DATABASE_URL"), "{err}");
}

#[test]
fn production_accepts_its_own_keys_and_no_demo() {
    let s = production(&[]).expect("a valid production configuration");
    assert_eq!(s.mode, Mode::Production);
    assert!(!s.load_demo_data && !s.demo_clients, "no demo data by default in production");
    let s = production(&[("MEDTOUR_DEMO", "false"), ("MEDTOUR_DEMO_CLIENTS", "false")]).expect("demo off is fine");
    assert!(!s.load_demo_data);
}

#[test]
fn production_refuses_development_keys_however_encoded_and_demo_data() {
    let seed = dev_bytes(DEV_JWT_SIGNING_KEY);
    let data = dev_bytes(DEV_DATA_KEY);
    let public = development_public_key();
    let other_public = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
    let seed_padded = format!("{DEV_JWT_SIGNING_KEY}=");
    let seed_other_kid = format!("prod-7:{}", URL_SAFE_NO_PAD.encode(seed));
    let seed_standard = format!("k9:{}", STANDARD.encode(seed));
    let seed_spaced = format!(" k9 : {} ", URL_SAFE.encode(seed));
    let public_plain = format!("dev-1:{}", URL_SAFE_NO_PAD.encode(public));
    let public_padded = format!("old:{}", URL_SAFE.encode(public));
    let public_standard = format!("old:{}", STANDARD.encode(public));
    let public_among = format!("k0:{},k00:{}", URL_SAFE_NO_PAD.encode(other_public), URL_SAFE.encode(public));
    let data_padded = format!("{DEV_DATA_KEY}=");
    let data_standard = format!("d9:{}", STANDARD.encode(data));
    let data_old = format!("d0:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI,dev-1:{}", URL_SAFE.encode(data));
    // (why, the settings that differ from a valid production configuration, what the error names)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "the development signing key",
            vec![("MEDTOUR_JWT_SIGNING_KEY", DEV_JWT_SIGNING_KEY)],
            "MEDTOUR_JWT_SIGNING_KEY",
        ),
        ("the signing key padded with =", vec![("MEDTOUR_JWT_SIGNING_KEY", &seed_padded)], "MEDTOUR_JWT_SIGNING_KEY"),
        (
            "the signing key under another kid",
            vec![("MEDTOUR_JWT_SIGNING_KEY", &seed_other_kid)],
            "MEDTOUR_JWT_SIGNING_KEY",
        ),
        (
            "the signing key in standard base64",
            vec![("MEDTOUR_JWT_SIGNING_KEY", &seed_standard)],
            "MEDTOUR_JWT_SIGNING_KEY",
        ),
        ("the signing key with spaces", vec![("MEDTOUR_JWT_SIGNING_KEY", &seed_spaced)], "MEDTOUR_JWT_SIGNING_KEY"),
        ("the development public key", vec![("MEDTOUR_JWT_VERIFY_KEYS", &public_plain)], "MEDTOUR_JWT_VERIFY_KEYS"),
        ("the public key padded", vec![("MEDTOUR_JWT_VERIFY_KEYS", &public_padded)], "MEDTOUR_JWT_VERIFY_KEYS"),
        (
            "the public key in standard base64",
            vec![("MEDTOUR_JWT_VERIFY_KEYS", &public_standard)],
            "MEDTOUR_JWT_VERIFY_KEYS",
        ),
        ("the public key among others", vec![("MEDTOUR_JWT_VERIFY_KEYS", &public_among)], "MEDTOUR_JWT_VERIFY_KEYS"),
        ("the development data key", vec![("MEDTOUR_DATA_KEY", DEV_DATA_KEY)], "MEDTOUR_DATA_KEY"),
        ("the data key padded with =", vec![("MEDTOUR_DATA_KEY", &data_padded)], "MEDTOUR_DATA_KEY"),
        ("the data key in standard base64", vec![("MEDTOUR_DATA_KEY", &data_standard)], "MEDTOUR_DATA_KEY"),
        ("the data key as an old key", vec![("MEDTOUR_DATA_KEYS_OLD", &data_old)], "MEDTOUR_DATA_KEYS_OLD"),
        ("demo data", vec![("MEDTOUR_DEMO", "true")], "MEDTOUR_DEMO=true"),
        ("demo clients", vec![("MEDTOUR_DEMO_CLIENTS", "true")], "MEDTOUR_DEMO_CLIENTS=true"),
        (
            "demo data without clients",
            vec![("MEDTOUR_DEMO", "1"), ("MEDTOUR_DEMO_CLIENTS", "false")],
            "MEDTOUR_DEMO=true",
        ),
    ];
    for (why, overrides, named) in &cases {
        let err = production(overrides).map(|_| ()).expect_err(why).to_string();
        assert!(err.contains("production mode refuses") && err.contains(named), "{why}: {err}");
        let mut development = overrides.clone();
        development.push(("MEDTOUR_ENV", "development"));
        assert!(production(&development).is_ok(), "{why} is fine in development");
    }
}

#[test]
fn keys_are_decoded_once_into_the_same_bytes_however_encoded() {
    let seed = dev_bytes(DEV_JWT_SIGNING_KEY);
    for encoded in [URL_SAFE_NO_PAD.encode(seed), URL_SAFE.encode(seed), STANDARD.encode(seed)] {
        let s = settings(&[("MEDTOUR_JWT_SIGNING_KEY", &format!("k:{encoded}"))]).expect(&encoded);
        assert_eq!(*s.jwt.signing_seed.expose(), seed, "{encoded}");
    }
    let s = settings(&[]).expect("defaults");
    assert!(!format!("{:?}", s.jwt.signing_seed).contains(&format!("{:?}", &seed[..4])), "Debug hides key bytes");
}

#[test]
fn token_lifetimes_above_an_hour_are_refused() {
    assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "3601")]).is_err());
    assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "0")]).is_err());
    assert_eq!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "600")]).unwrap().jwt.ttl_secs, 600);
}

#[test]
fn malformed_values_are_refused_with_their_name() {
    let cases = [
        ("MEDTOUR_BIND", "nowhere"),
        ("MEDTOUR_JWT_SIGNING_KEY", "no-kid"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:not*base64"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAA"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==="),
        ("MEDTOUR_JWT_VERIFY_KEYS", "old:short"),
        ("MEDTOUR_DATA_KEY", "d1:AQEB"),
        ("MEDTOUR_DATA_KEYS_OLD", "d0:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE,broken"),
        ("MEDTOUR_TRUSTED_PROXIES", "10.0.0.1,proxy.internal"),
        ("MEDTOUR_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "0"),
        ("MEDTOUR_TOKEN_RATE_FAILURES", "-5"),
        ("MEDTOUR_TOKEN_RATE_FAILURES_PER_CLIENT", "lots"),
        ("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "inf"),
    ];
    for (key, value) in cases {
        let err = settings(&[(key, value)]).expect_err(value);
        assert!(err.to_string().contains(key), "{key}={value}: {err}");
    }
}

#[test]
fn trusted_proxies_are_addresses_or_networks_of_either_family() {
    let s = settings(&[("MEDTOUR_TRUSTED_PROXIES", " 127.0.0.1, 10.1.2.3/8 ,2001:db8::/64,::1,")]).unwrap();
    let expected: Vec<IpNet> =
        ["127.0.0.1/32", "10.0.0.0/8", "2001:db8::/64", "::1/128"].iter().map(|n| n.parse().unwrap()).collect();
    assert_eq!(s.trusted_proxies, expected);
    assert!(settings(&[]).unwrap().trusted_proxies.is_empty(), "none by default");
}

#[test]
fn token_endpoint_budgets_can_be_sized() {
    assert_eq!(settings(&[]).unwrap().token_rate, TokenRateSettings::default());
    let s = settings(&[("MEDTOUR_TOKEN_RATE_PER_ADDRESS", "5"), ("MEDTOUR_TOKEN_RATE_FAILURES", "2")]).unwrap();
    assert_eq!((s.token_rate.per_address, s.token_rate.failures_per_address), (5.0, 2.0));
}

#[test]
fn graphiql_is_on_in_development_and_off_in_production_unless_set() {
    let production = [
        ("MEDTOUR_ENV", "production"),
        ("DATABASE_URL", "postgres://db/medtour"),
        ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ("MEDTOUR_DATA_KEY", "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE"),
    ];
    assert!(settings(&[]).unwrap().graphiql);
    assert!(!settings(&production).unwrap().graphiql);
    assert!(!settings(&[("MEDTOUR_GRAPHIQL", "false")]).unwrap().graphiql);
    assert!(settings(&[&production[..], &[("MEDTOUR_GRAPHIQL", "true")]].concat()).unwrap().graphiql);
    assert!(settings(&[("MEDTOUR_GRAPHIQL", "maybe")]).unwrap_err().to_string().contains("MEDTOUR_GRAPHIQL"));
}

#[test]
fn metrics_get_a_listener_of_their_own_only_when_asked() {
    assert_eq!(settings(&[]).unwrap().server.metrics_bind, None);
    let own = settings(&[("MEDTOUR_METRICS_BIND", "127.0.0.1:9100")]).unwrap();
    assert_eq!(own.server.metrics_bind, Some("127.0.0.1:9100".parse().unwrap()));
    let same = settings(&[("MEDTOUR_BIND", "127.0.0.1:9100"), ("MEDTOUR_METRICS_BIND", "127.0.0.1:9100")]);
    assert!(same.unwrap_err().to_string().contains("MEDTOUR_METRICS_BIND"));
    assert!(settings(&[("MEDTOUR_METRICS_BIND", "9100")]).unwrap_err().to_string().contains("MEDTOUR_METRICS_BIND"));
}

#[test]
fn slow_clients_and_connection_counts_are_bounded_by_default() {
    let s = settings(&[]).unwrap().server;
    assert_eq!(s.header_timeout, std::time::Duration::from_secs(10));
    assert_eq!(s.body_timeout, std::time::Duration::from_secs(20));
    assert_eq!(s.max_connections, 1024);
    let set =
        [("MEDTOUR_HEADER_TIMEOUT_SECS", "2"), ("MEDTOUR_BODY_TIMEOUT_SECS", "3"), ("MEDTOUR_MAX_CONNECTIONS", "5")];
    let s = settings(&set).unwrap().server;
    assert_eq!((s.header_timeout.as_secs(), s.body_timeout.as_secs(), s.max_connections), (2, 3, 5));
}

#[test]
fn bounds_that_would_disable_themselves_are_refused() {
    for (key, value) in [
        ("MEDTOUR_HEADER_TIMEOUT_SECS", "0"),
        ("MEDTOUR_BODY_TIMEOUT_SECS", "-1"),
        ("MEDTOUR_BODY_TIMEOUT_SECS", "86401"),
        ("MEDTOUR_MAX_CONNECTIONS", "0"),
        ("MEDTOUR_MAX_CONNECTIONS", "many"),
    ] {
        let err = settings(&[(key, value)]).unwrap_err();
        assert!(err.to_string().contains(key), "{key}={value}: {err}");
    }
}
