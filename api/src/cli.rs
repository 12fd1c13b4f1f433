//! The `medtour` command line.

use clap::{Parser, Subcommand};

use crate::auth::{self, clients, role::Role};
use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::startup::Application;
// The command line is the outermost edge: its commands act at the system time.
use crate::time::now;
use crate::{demo, schema};

async fn client(conn: &sea_orm::DatabaseConnection, action: ClientAction) -> anyhow::Result<()> {
    match action {
        ClientAction::Create { role, partner, clinic, label } => {
            let role = Role::parse(&role.to_ascii_uppercase())
                .ok_or_else(|| anyhow::anyhow!("--role must be PARTNER, AGENT, CLINIC or ADMIN"))?;
            let created =
                clients::create(conn, role, partner.as_deref(), clinic.as_deref(), label.as_deref(), now()).await?;
            println!("{}", serde_json::to_string_pretty(&created)?);
        }
        ClientAction::Revoke { client_id } => {
            if !clients::revoke(conn, &client_id, now()).await? {
                anyhow::bail!("no active client {client_id}");
            }
            println!(
                "revoked {client_id}; its tokens stop working within {} s",
                auth::revocation::CLIENT_STATUS_TTL.as_secs()
            );
        }
        ClientAction::List => println!("{}", serde_json::to_string_pretty(&clients::list(conn).await?)?),
    }
    Ok(())
}

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
    /// Manage API clients.
    Client {
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Generate fresh keys for production configuration (or, with `rewrap`, rotate the
    /// master data key).
    Keys {
        #[command(subcommand)]
        action: Option<KeysAction>,
    },
}

/// `medtour keys …`.
#[derive(Subcommand, Debug)]
pub enum KeysAction {
    /// Re-wrap every quote's data key under the current `MEDTOUR_DATA_KEY` (older master keys
    /// stay in `MEDTOUR_DATA_KEYS_OLD` until this reports none left), after sealing any quote
    /// stored before envelope encryption. Resumable; safe beside running servers.
    Rewrap {
        /// Data keys re-wrapped per round trip.
        #[arg(long, default_value_t = 500)]
        batch: u64,
    },
}

async fn keys(settings: &Settings, action: KeysAction) -> anyhow::Result<()> {
    let KeysAction::Rewrap { batch } = action;
    let conn = db::connect(&settings.database_url, 2, &StatementCounter::default()).await?;
    db::migrate(&conn).await?;
    let keys = crate::crypto::DataKeys::from_settings(&settings.data_keys)?;
    let sealed = crate::quotes::health::legacy::seal_all(&conn, &keys).await?;
    let rewrapped = crate::quotes::health::rewrap::rewrap(&conn, &keys, batch).await?;
    let left = crate::quotes::health::rewrap::remaining(&conn, &keys).await?;
    println!(
        "{}",
        serde_json::json!({
            "sealedLegacyQuotes": sealed,
            "rewrapped": rewrapped,
            "masterKey": keys.current_kid(),
            "remainingUnderOldKeys": left,
        })
    );
    Ok(())
}

/// `medtour client …`.
#[derive(Subcommand, Debug)]
pub enum ClientAction {
    /// Create a client and print its id and one-time secret as JSON.
    Create {
        /// PARTNER, AGENT, CLINIC or ADMIN.
        #[arg(long)]
        role: String,
        /// The partner of a PARTNER or AGENT client (created if new).
        #[arg(long)]
        partner: Option<String>,
        /// The clinic slug of a CLINIC client.
        #[arg(long)]
        clinic: Option<String>,
        /// A note on who holds it.
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a client: its tokens stop working.
    Revoke { client_id: String },
    /// List clients (never their secrets).
    List,
}

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", schema::sdl());
        return Ok(());
    }
    if let Command::Keys { action: None } = command {
        println!("MEDTOUR_JWT_SIGNING_KEY={}", auth::keys::generate_signing_key("k1"));
        println!("MEDTOUR_DATA_KEY={}", crate::crypto::generate_data_key("d1"));
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
            demo::refuse_in_production(settings.mode)?;
            let conn = db::connect(&settings.database_url, 2, &StatementCounter::default()).await?;
            db::migrate(&conn).await?;
            let loaded = demo::load(&conn, now()).await?;
            println!("demo data: {} treatments and {} clinics added", loaded.treatments, loaded.clinics);
        }
        Command::Client { action } => {
            let conn = db::connect(&settings.database_url, 2, &StatementCounter::default()).await?;
            db::migrate(&conn).await?;
            client(&conn, action).await?;
        }
        Command::Keys { action: Some(action) } => keys(&settings, action).await?,
        Command::Schema | Command::Keys { action: None } => {}
    }
    Ok(())
}
