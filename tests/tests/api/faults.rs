//! Faults: the database going away and coming back, and a stop in the middle of a request.
//!
//! The database test starts a throwaway PostgreSQL cluster of its own (never the shared
//! server, which other tests use), so it can stop the database hard and start it again.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use medtour_tests::{Backend, Role, TestApp, error_codes, spawn_app, spawn_on};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::child_server::{ChildServer, migrated_with_agent};

/// A PostgreSQL cluster in a temporary folder, on a free port, run by the `postgres` user
/// when the tests run as root (PostgreSQL refuses to run as root). Stopped when dropped.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn create() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL server binaries are installed under /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max_by_key(|bin| bin.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()))
            .expect("a PostgreSQL version with initdb");
        let dir = tempfile::Builder::new().prefix("medtour-pg-").tempdir().expect("a temporary folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let cluster = Cluster { bin, dir, port };
        if running_as_root() {
            let chown = Command::new("chown").args(["-R", "postgres:postgres"]).arg(cluster.dir.path()).status();
            assert!(chown.is_ok_and(|s| s.success()), "the cluster folder can be given to postgres");
        }
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "postgres", "--auth=trust", "--no-sync"]);
        cluster.start();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start(&self) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let log = self.dir.path().join("server.log").display().to_string();
        self.run("pg_ctl", &["-D", &self.data(), "-o", &options, "-l", &log, "-w", "start"]);
    }

    fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]);
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let program = self.bin.join(tool);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.args(args).current_dir(self.dir.path());
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self.command(tool, args).output().unwrap_or_else(|e| panic!("{tool} could not run: {e}"));
        assert!(output.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"]).output();
    }
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

const TREATMENTS: &str = "{ treatments { slug } }";

async fn readyz(app: &TestApp) -> u16 {
    app.client.get(format!("{}/readyz", app.address)).send().await.map_or(0, |r| r.status().as_u16())
}

/// Polls `probe` until it returns true, for at most `within`; the time it took.
async fn within<F: Future<Output = bool>>(within: Duration, mut probe: impl FnMut() -> F) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if probe().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

/// One GraphQL request as `token`: its status, body and how long it took.
async fn timed_query(app: &TestApp, token: &str) -> (u16, Value, Duration) {
    let started = Instant::now();
    let (status, body) = app.graphql_as(Some(token), TREATMENTS, json!({})).await;
    (status, body, started.elapsed())
}

/// What `stream` receives up to the end of a response head (an interim `100 Continue`).
async fn response_head(stream: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// PostgreSQL stops: readiness turns 503 and operations fail fast with UNAVAILABLE and 503.
/// PostgreSQL returns: both recover without a restart.
// Gated like every PostgreSQL test, although it runs a cluster of its own: with
// TEST_DATABASE_URL set, PostgreSQL is known to be installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_lost_database_fails_fast_and_the_server_recovers_when_it_returns() {
    let cluster = Cluster::create();
    let app = spawn_on(Backend::Postgres, &cluster.url(), None, &[]).await;
    // A caller whose client status is cached, and one the server has not seen yet.
    let known = app.token.clone();
    let unseen = app.login(Role::Partner, Some("Fault Partner"), None).await;
    assert_eq!(readyz(&app).await, 200);
    app.data(TREATMENTS, json!({})).await;

    cluster.stop();
    // At once, while the known caller is still cached: the failure comes from the resolvers'
    // queries. Then the unseen caller: it fails checking the token.
    let (down, cached) = tokio::join!(
        within(Duration::from_secs(3), || async { readyz(&app).await == 503 }),
        timed_query(&app, &known),
    );
    assert!(down.is_some(), "/readyz did not turn 503 within 3 s of the database stopping");
    for (status, body, took) in [cached, timed_query(&app, &unseen).await] {
        assert!(took < Duration::from_secs(3), "a request took {took:?} with the database down");
        assert_eq!(error_codes(&body), vec!["UNAVAILABLE"], "{body}");
        assert_eq!(status, 503, "{body}");
        let text = body.to_string();
        assert!(!text.contains("onnection") && !text.contains("pool"), "no internal detail: {body}");
    }

    cluster.start();
    let ready = within(Duration::from_secs(10), || async { readyz(&app).await == 200 }).await;
    assert!(ready.is_some(), "/readyz did not recover within 10 s of the database returning");
    let served = within(Duration::from_secs(10), || async {
        let (status, body, _) = timed_query(&app, &known).await;
        status == 200 && body.get("errors").is_none()
    })
    .await;
    assert!(served.is_some(), "operations did not recover within 10 s of the database returning");
    let (status, body, _) = timed_query(&app, &unseen).await;
    assert_eq!((status, body.get("errors")), (200, None), "{body}");
}

/// Readiness itself never hangs: with an unreachable database it answers 503 at once.
#[tokio::test]
async fn readiness_answers_503_quickly_when_the_database_is_unreachable() {
    let app = spawn_app(Backend::Sqlite).await;
    app.state.db.clone().close().await.expect("the pool closes");
    let started = Instant::now();
    assert_eq!(readyz(&app).await, 503);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

/// SIGTERM stops accepting connections but lets a request in flight finish and be answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_finishes_the_request_in_flight() {
    let (url, _dir) = medtour_tests::fresh_database(Backend::Sqlite).await;
    let (id, secret) = migrated_with_agent(&url).await;
    let mut server = ChildServer::start(&url, &[]);
    let address = server.address.trim_start_matches("http://").to_owned();
    let token = reqwest::Client::new()
        .post(format!("{}/oauth/token", server.address))
        .basic_auth(&id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("the token endpoint answers")
        .json::<Value>()
        .await
        .expect("a token response")["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    // A request whose body is still arriving when the signal comes. `Expect: 100-continue`
    // makes the server say when it has taken the request in and started reading its body.
    let body = json!({ "query": "{ __typename }" }).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("the server accepts");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let interim = tokio::time::timeout(Duration::from_secs(10), response_head(&mut stream)).await;
    let interim = interim.expect("the server answers the request head within 10 s");
    assert!(interim.starts_with("HTTP/1.1 100"), "the server reads the body: {interim}");
    stream.write_all(first.as_bytes()).await.unwrap();

    server.terminate();
    assert!(server.wait_for_line("finishing in-flight requests", Duration::from_secs(10)), "the server stops");
    let refused = within(Duration::from_secs(5), || async { tokio::net::TcpStream::connect(&address).await.is_err() });
    assert!(refused.await.is_some(), "new connections are refused after SIGTERM");
    assert!(server.is_running(), "the server waits for the request in flight");
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer)).await;
    assert!(read.is_ok_and(|r| r.is_ok()), "the answer arrives: {answer}");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""__typename":"Query""#), "the operation ran: {answer}");
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "the server exits cleanly after the last answer: {status:?}");
    let logs = server.stop();
    assert!(logs.contains("finishing in-flight requests"), "{logs}");
}
