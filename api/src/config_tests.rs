//! Unit tests of [`Settings::from_lookup`](super::Settings::from_lookup): defaults, production's
//! refusals, and malformed values named in their errors.

use super::*;

fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Settings::from_lookup(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
}

#[test]
fn development_defaults_need_no_environment() {
    let s = settings(&[]).expect("defaults are valid");
    assert_eq!(s.mode, Mode::Development);
    assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
    assert!(s.load_demo_data);
}

#[test]
fn production_refuses_the_embedded_database_default() {
    assert!(settings(&[("MEDTOUR_ENV", "production")]).is_err());
}

#[test]
fn production_refuses_the_development_keys() {
    let db = ("DATABASE_URL", "postgres://db/medtour");
    let err = settings(&[("MEDTOUR_ENV", "production"), db]).unwrap_err();
    assert!(err.to_string().contains("MEDTOUR_JWT_SIGNING_KEY"), "{err}");
    let own_jwt = ("MEDTOUR_JWT_SIGNING_KEY", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let err = settings(&[("MEDTOUR_ENV", "production"), db, own_jwt]).unwrap_err();
    assert!(err.to_string().contains("MEDTOUR_DATA_KEY"), "{err}");
    let own_data = ("MEDTOUR_DATA_KEY", "d1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE");
    assert!(settings(&[("MEDTOUR_ENV", "production"), db, own_jwt, own_data]).is_ok());
}

#[test]
fn token_lifetimes_above_an_hour_are_refused() {
    assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "3601")]).is_err());
    assert!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "0")]).is_err());
    assert_eq!(settings(&[("MEDTOUR_TOKEN_TTL_SECS", "600")]).unwrap().jwt.ttl_secs, 600);
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
fn malformed_values_are_refused_with_their_name() {
    let err = settings(&[("MEDTOUR_BIND", "nowhere")]).unwrap_err();
    assert!(err.to_string().contains("MEDTOUR_BIND"));
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
