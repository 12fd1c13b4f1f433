//! The end-to-end harness: every test gets its own freshly migrated database (an SQLite file
//! in a temporary folder, or a new PostgreSQL database) and its own server on an ephemeral
//! port, and speaks HTTP to it.
//!
//! PostgreSQL tests run when `TEST_DATABASE_URL` points at a server (any database on it; a
//! fresh database is created per test). When it is set and the server cannot be reached the
//! test fails; when it was unset as the tests were built they are ignored (see `build.rs`),
//! and `cargo test` reports them so.
#![forbid(unsafe_code)]

pub mod webhooks;

use std::time::Duration;

pub use medtour::auth::role::Role;
use medtour::config::Settings;
use medtour::startup::Application;
use medtour::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    /// The metrics listener's port, when the test set `MEDTOUR_METRICS_BIND`.
    pub metrics_port: Option<u16>,
    pub backend: Backend,
    pub database_url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// A PARTNER token, used by [`TestApp::graphql`] and friends.
    pub token: String,
    _dir: Option<tempfile::TempDir>,
}

/// Credentials of a client created for a test.
#[derive(Clone, Debug)]
pub struct TestClient {
    pub id: String,
    pub secret: String,
}

/// The PostgreSQL server tests use, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// A fresh, empty database URL for `backend` (and the temp folder that holds an SQLite file).
pub async fn fresh_database(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary folder can be created");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("medtour.sqlite").display());
            (url, Some(dir))
        }
        Backend::Postgres => {
            let base = postgres_url().expect("fresh_database(Postgres) is only called with TEST_DATABASE_URL set");
            let admin = Database::connect(&base)
                .await
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {e}"));
            let name = format!("medtour_t_{}", uuid::Uuid::new_v4().simple());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("the test database can be created");
            admin.close().await.ok();
            (replace_database(&base, &name), None)
        }
    }
}

/// A fresh database for a benchmark: as [`fresh_database`], but with `BENCH_KEEP` set its URL
/// is printed and it outlives the run (the SQLite folder is not deleted), for EXPLAIN and
/// for timing it again.
pub async fn bench_database(backend: Backend) -> (String, Option<tempfile::TempDir>) {
    let (url, dir) = fresh_database(backend).await;
    if std::env::var("BENCH_KEEP").is_err() {
        return (url, dir);
    }
    println!("database kept: {url}");
    if let Some(dir) = dir {
        let _kept = dir.keep();
    }
    (url, None)
}

/// `url` with its database name replaced by `name`.
pub fn replace_database(url: &str, name: &str) -> String {
    let (without_query, query) = url.split_once('?').map_or((url, None), |(a, b)| (a, Some(b)));
    let base = match without_query.rfind('/') {
        Some(i) if without_query[..i].contains("//") && i > without_query.find("//").unwrap_or(0) + 1 => {
            &without_query[..i]
        }
        _ => without_query,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A PostgreSQL database migrated and loaded with the demo data, made once per test process
/// and copied for every PostgreSQL server started on demo data: `CREATE DATABASE … TEMPLATE`
/// copies files, where migrating and loading run hundreds of statements per test. The server
/// then finds a migrated database with its catalogue, exactly as after its own first start.
static POSTGRES_DEMO_TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// A fresh PostgreSQL database holding the demo data, copied from the template.
async fn postgres_with_demo_data() -> String {
    let base = postgres_url().expect("postgres_with_demo_data is only called with TEST_DATABASE_URL set");
    let template = POSTGRES_DEMO_TEMPLATE
        .get_or_init(|| async {
            let (url, _) = fresh_database(Backend::Postgres).await;
            let conn = medtour::db::connect(&url, 2, &Default::default()).await.expect("the template database opens");
            medtour::db::migrate(&conn).await.expect("the template database migrates");
            medtour::demo::load(&conn, medtour::time::now()).await.expect("the demo data loads into the template");
            conn.close().await.expect("the template's connections close");
            url.rsplit('/').next().and_then(|n| n.split('?').next()).expect("a database name").to_owned()
        })
        .await;
    let admin = Database::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {e}"));
    let name = format!("medtour_t_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await
        .expect("the test database can be copied from the template");
    admin.close().await.ok();
    replace_database(&base, &name)
}

/// Settings for a test server on an ephemeral port over `database_url`.
pub fn test_settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut pairs: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.into()),
        ("MEDTOUR_BIND".into(), "127.0.0.1:0".into()),
        ("MEDTOUR_DEMO".into(), "true".into()),
        ("MEDTOUR_DB_POOL".into(), "5".into()),
        ("MEDTOUR_DEMO_CLIENTS".into(), "false".into()),
        // Fixtures write the catalogue behind the server's back; the tests of the response
        // cache turn it on themselves.
        ("MEDTOUR_RESPONSE_CACHE_BYTES".into(), "0".into()),
    ];
    for (k, v) in extra {
        pairs.retain(|(key, _)| key != k);
        pairs.push(((*k).into(), (*v).into()));
    }
    Settings::from_lookup(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()))
        .expect("test settings are valid")
}

/// Starts a server with demo data on `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Starts a server on `backend` with extra settings.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let demo = !extra.iter().any(|(key, value)| *key == "MEDTOUR_DEMO" && *value != "true");
    let (database_url, dir) = match backend {
        Backend::Postgres if demo => (postgres_with_demo_data().await, None),
        _ => fresh_database(backend).await,
    };
    spawn_on(backend, &database_url, dir, extra).await
}

/// Starts a server over an existing database.
pub async fn spawn_on(
    backend: Backend,
    database_url: &str,
    dir: Option<tempfile::TempDir>,
    extra: &[(&str, &str)],
) -> TestApp {
    let app = Application::build(test_settings(database_url, extra)).await.expect("the application builds");
    let (port, metrics_port) = (app.port(), app.metrics_port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        metrics_port,
        backend,
        database_url: database_url.to_owned(),
        client: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client"),
        state,
        token: String::new(),
        _dir: dir,
    };
    if app.has_demo_data().await {
        app.token = app.login(Role::Partner, Some("Test Partner"), None).await;
    }
    app
}

impl TestApp {
    /// The same client, token and database, talking to the server at `address` instead (one
    /// started on this database in another process).
    pub fn with_address(&self, address: String) -> TestApp {
        let port = address.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(0);
        TestApp {
            address,
            port,
            metrics_port: None,
            backend: self.backend,
            database_url: self.database_url.clone(),
            client: self.client.clone(),
            state: self.state.clone(),
            token: self.token.clone(),
            _dir: None,
        }
    }

    async fn has_demo_data(&self) -> bool {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::clinics::Entity::find().count(&self.state.db).await.unwrap_or(0) > 0
    }

    /// Creates an API client of `role` directly through the service layer.
    pub async fn create_client(&self, role: Role, partner: Option<&str>, clinic: Option<&str>) -> TestClient {
        let created =
            medtour::auth::clients::create(&self.state.db, role, partner, clinic, Some("test"), self.state.clock.now())
                .await
                .expect("the client is created");
        TestClient { id: created.client_id, secret: created.client_secret }
    }

    /// Obtains an access token for `client` from `/oauth/token` over HTTP.
    pub async fn token_for(&self, client: &TestClient) -> String {
        let response = self
            .client
            .post(format!("{}/oauth/token", self.address))
            .basic_auth(&client.id, Some(&client.secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("the token endpoint answers");
        assert_eq!(response.status().as_u16(), 200, "token endpoint refused a valid client");
        let body: Value = response.json().await.expect("a JSON token response");
        body["access_token"].as_str().expect("an access token").to_owned()
    }

    /// A new client of `role` and a token for it.
    pub async fn login(&self, role: Role, partner: Option<&str>, clinic: Option<&str>) -> String {
        let client = self.create_client(role, partner, clinic).await;
        self.token_for(&client).await
    }

    /// POSTs a GraphQL operation with `token` (or none) and returns the status and JSON body.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Runs an operation as `token` that must succeed and returns its `data`.
    pub async fn data_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (_, body) = self.graphql_as(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// POSTs a GraphQL operation as the default PARTNER and returns the status and JSON body.
    pub async fn graphql_raw(&self, query: &str, variables: Value) -> (u16, Value) {
        self.graphql_as(Some(&self.token), query, variables).await
    }

    /// POSTs a GraphQL operation and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_raw(query, variables).await.1
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// SQL statements this server has run so far.
    pub fn statements(&self) -> u64 {
        self.state.statements.get()
    }
}

/// Waits until `condition` holds, looking every few milliseconds, for at most `within`: true
/// when it came to hold. For waiting on a state of the server (a subscription registered,
/// a listener connected) instead of sleeping for a time that is usually long enough.
pub async fn wait_until(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The `extensions.code` of each error in a GraphQL response.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Declares a scenario that runs once on SQLite and once on PostgreSQL, as two tests named
/// `<scenario>::on_sqlite` and `<scenario>::on_postgres`; the latter is ignored when the
/// tests were built without `TEST_DATABASE_URL`.
#[macro_export]
macro_rules! on_both_backends {
    ($(#[doc = $doc:literal])* async fn $name:ident($backend:ident: $ty:ty) $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($backend: $ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                scenario($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
            async fn on_postgres() {
                scenario($crate::Backend::Postgres).await;
            }
        }
    };
}

/// The port in the server's "medtour listening" log line, if `line` is it (for servers run
/// in a child process, which bind port 0).
pub fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("medtour listening") {
        return None;
    }
    let after = &line[line.find("127.0.0.1:")? + "127.0.0.1:".len()..];
    after.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(replace_database("postgres://u@h:5432/test", "x"), "postgres://u@h:5432/x");
        assert_eq!(replace_database("postgres://u@h/test?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
    }
}
