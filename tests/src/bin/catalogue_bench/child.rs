//! The server under measurement, in a process of its own: this benchmark binary run again
//! with [`SERVE`] set, serving as `medtour serve` does. Timing a server that shares its
//! process (and two cores) with the client decoding 190 kB responses would charge the
//! client's work to the server.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use medtour_tests::listening_port;

/// Set in the child's environment to make the binary serve instead of measuring.
pub const SERVE: &str = "CATALOGUE_BENCH_SERVE";

/// The child's `main`: the runtime, logging and `serve` of the `medtour` binary.
pub fn serve() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(async {
        medtour::telemetry::init(false);
        let serve = medtour::cli::Cli { command: Some(medtour::cli::Command::Serve) };
        medtour::cli::run(serve).await
    })
}

/// A server running in a child process; stopped when dropped.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts a server on the database at `url` with `env` and waits until it listens.
    pub fn start(url: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(SERVE, "1")
            .env("DATABASE_URL", url)
            .env("MEDTOUR_BIND", "127.0.0.1:0")
            .env("MEDTOUR_DEMO", "false")
            .env("MEDTOUR_LOG_JSON", "false")
            .env("RUST_LOG", "warn,medtour::startup=info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("the server process starts")?;
        let stderr = child.stderr.take().context("stderr is piped")?;
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut lines = BufReader::new(stderr).lines();
        let port = loop {
            let line = lines.next().context("the server process stopped before listening")??;
            if let Some(port) = listening_port(&line) {
                break port;
            }
            anyhow::ensure!(Instant::now() < deadline, "the server process did not listen in time");
        };
        // Keep reading so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self { child, address: format!("http://127.0.0.1:{port}") })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
