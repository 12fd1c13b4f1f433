//! The `medtour` binary: parse the command line, set up logging, run.
#![forbid(unsafe_code)]

use clap::Parser;
use medtour::cli::{Cli, run};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let json = std::env::var("MEDTOUR_LOG_JSON").is_ok_and(|v| v == "true" || v == "1");
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
