//! The `medtour` command line.

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::startup::Application;
use crate::{demo, graphql};

/// Medtour partner API.
#[derive(Parser, Debug)]
#[command(name = "medtour", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do (default: serve).
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo catalogue (idempotent) and exit.
    SeedDemo,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    let settings = Settings::from_env()?;
    match command {
        Command::Serve => Application::build(settings).await?.run_until_stopped().await?,
        Command::Migrate => {
            let conn = db::connect(&settings.database_url, 2, &StatementCounter::default()).await?;
            db::migrate(&conn).await?;
            println!("migrations applied");
        }
        Command::SeedDemo => {
            let conn = db::connect(&settings.database_url, 2, &StatementCounter::default()).await?;
            db::migrate(&conn).await?;
            let loaded = demo::load(&conn).await?;
            println!("demo data: {} treatments and {} clinics added", loaded.treatments, loaded.clinics);
        }
        Command::Schema => {}
    }
    Ok(())
}
