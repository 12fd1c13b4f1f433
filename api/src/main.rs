//! The `medtour` binary: parse the command line, set up logging, run.
#![forbid(unsafe_code)]

use clap::Parser;
use medtour::cli::{Cli, run};

/// glibc's allocator spends a third of a large catalogue page's time in malloc and free
/// (consolidating fragmented bins); mimalloc's per-thread heaps do the same work in a fraction.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The settings decide (JSON by default in production); a configuration error is
    // reported by `run` below, in plain text.
    let json = medtour::config::Settings::from_env().is_ok_and(|s| s.log_json);
    medtour::telemetry::init(json);
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("medtour: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
