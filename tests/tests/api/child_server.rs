//! A server in a child process, for what an in-process server cannot show: the log lines the
//! process writes to stderr, and how it stops on SIGTERM.
//!
//! The child is this test binary run again with only [`serve_as_child`] selected (run through
//! `/proc/self/exe`, so it is always the code under test, never a stale `medtour` binary from an
//! earlier build). That entry point does what `medtour`'s `main` does — install the logging
//! from `MEDTOUR_LOG_JSON` and `RUST_LOG`, then `serve` from environment settings. It is an
//! ignored test, so the ordinary suite does not count it as passed; the parent selects it
//! with `--ignored --exact`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use medtour::auth::role::Role;
use medtour_tests::listening_port;

/// Set in the child's environment to make [`serve_as_child`] serve.
const CHILD: &str = "MEDTOUR_TEST_CHILD_SERVER";

/// The child's entry point: serves until SIGTERM when started by [`ChildServer::start`] or
/// [`exit_of_serve`]. Not a test of its own: run otherwise (`--ignored`), it fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child server's entry point, run by ChildServer in a process of its own"]
async fn serve_as_child() {
    assert!(std::env::var_os(CHILD).is_some(), "only a child server started by ChildServer runs this");
    medtour::telemetry::init(std::env::var("MEDTOUR_LOG_JSON").is_ok_and(|v| v == "true" || v == "1"));
    let serve = medtour::cli::Cli { command: Some(medtour::cli::Command::Serve) };
    if let Err(err) = medtour::cli::run(serve).await {
        eprintln!("medtour: {err:#}");
        std::process::exit(1);
    }
}

/// A running child server and everything it has written to stderr so far.
pub struct ChildServer {
    child: Child,
    pub address: String,
    reader: Option<JoinHandle<String>>,
    /// Its stderr, line by line, as written; disconnected once the child has closed it
    /// (that is, exited).
    lines: mpsc::Receiver<String>,
}

impl ChildServer {
    /// Starts `medtour serve` over `database_url` on a free port with demo data and `env`,
    /// and waits until it listens.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut child = child_command(false)
            .env("DATABASE_URL", database_url)
            .env("MEDTOUR_BIND", "127.0.0.1:0")
            .env("MEDTOUR_DEMO", "true")
            .env("MEDTOUR_DEMO_CLIENTS", "false")
            .env("MEDTOUR_DB_POOL", "5")
            .env("MEDTOUR_LOG_JSON", "false")
            .envs(env.iter().copied())
            .spawn()
            .unwrap_or_else(|e| panic!("the child server could not start: {e}"));
        let stderr = child.stderr.take().expect("stderr is piped");
        let (lines, received) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                all.push_str(&line);
                all.push('\n');
                let _ = lines.send(line);
            }
            all
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = listening_port(&line) {
                        break port;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = reader.join().unwrap_or_default();
                    panic!("the child server did not start listening:\n{log}");
                }
            }
        };
        Self { child, address: format!("http://127.0.0.1:{port}"), reader: Some(reader), lines: received }
    }

    /// Sends SIGTERM, as a process manager does to stop a server.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        assert!(status.is_ok_and(|s| s.success()), "SIGTERM could be sent");
    }

    /// Waits until the child writes a line containing `text` to stderr (lines read here
    /// are still part of what [`stop`](Self::stop) returns): false if it has not within
    /// `within`, or exits first.
    pub fn wait_for_line(&self, text: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) if line.contains(text) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    }

    /// The exit status once the child has exited, or `None` if it runs past `within`. Its
    /// stderr reaching its end says it has: that is waited for, not polled.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(_) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return self.child.wait().ok(),
                Err(mpsc::RecvTimeoutError::Timeout) => return None,
            }
        }
    }

    /// True while the child is running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the child (SIGTERM, then SIGKILL after 10 s) and returns all it wrote to stderr.
    pub fn stop(mut self) -> String {
        if self.is_running() {
            self.terminate();
            if self.wait_exit(Duration::from_secs(10)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
        self.reader.take().and_then(|r| r.join().ok()).unwrap_or_default()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `medtour serve` with exactly `env` (nothing inherited) and waits for it to exit:
/// its exit status and everything it wrote to stderr, or `None` if it is still running
/// after `within` (then it is killed).
pub fn exit_of_serve(env: &[(&str, &str)], within: Duration) -> Option<(std::process::ExitStatus, String)> {
    let mut child = child_command(true)
        .envs(env.iter().copied())
        .spawn()
        .unwrap_or_else(|e| panic!("the child server could not start: {e}"));
    let stderr = child.stderr.take().expect("stderr is piped");
    // Its stderr reaches its end when the child exits: wait for that, not on a timer.
    let (sent, log) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let _ = sent.send(std::io::read_to_string(stderr).unwrap_or_default());
    });
    match log.recv_timeout(within) {
        Ok(log) => child.wait().ok().map(|status| (status, log)),
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}

/// This binary run as a child server (`serve_as_child`), logging at info to a piped stderr;
/// with `clean`, nothing of this process's environment is inherited.
fn child_command(clean: bool) -> Command {
    let mut command = Command::new(own_executable());
    if clean {
        command.env_clear();
    }
    command
        .args(["--ignored", "--exact", "child_server::serve_as_child", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// This test binary. On Linux `/proc/self/exe`, which `exec` resolves to the running binary
/// even when a build has since replaced the file at its path; elsewhere that path.
fn own_executable() -> std::path::PathBuf {
    let proc_self = std::path::PathBuf::from("/proc/self/exe");
    if proc_self.exists() { proc_self } else { std::env::current_exe().expect("the test binary knows its own path") }
}

/// Migrates the database at `url` and creates an AGENT client there, before a child server
/// starts on it: the client's id and one-time secret.
pub async fn migrated_with_agent(url: &str) -> (String, String) {
    use medtour::db::{self, StatementCounter};
    let conn = db::connect(url, 2, &StatementCounter::default()).await.expect("the database opens");
    db::migrate(&conn).await.expect("migrations apply");
    let agent =
        medtour::auth::clients::create(&conn, Role::Agent, Some("Child Partner"), None, None, medtour::time::now())
            .await
            .expect("an agent client");
    conn.close().await.ok();
    (agent.client_id, agent.client_secret)
}
