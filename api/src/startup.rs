//! Building and running the application: connect, migrate, seed in development, bind, serve
//! until SIGINT/SIGTERM, then finish in-flight requests.

use std::sync::Arc;

use futures::FutureExt;
use sea_orm::{EntityTrait, PaginatorTrait};
use tokio::net::TcpListener;

use crate::auth::{self, Auth};
use crate::bus::EventBus;
use crate::cache::Caching;
use crate::config::{Mode, Settings};
use crate::crypto::DataKeys;
use crate::db::{self, StatementCounter};
use crate::demo;
use crate::gateway::Gateway;
use crate::http::{self, Http};
use crate::limits::rate::RateLimiter;
use crate::limits::token_rate::TokenRateLimiter;
use crate::observability::Metrics;
use crate::schema::build_schema;
use crate::state::AppState;

/// A built application, bound to its port (and its metrics port, if any) and ready to serve.
pub struct Application {
    listener: TcpListener,
    /// `MEDTOUR_METRICS_BIND`'s listener, serving `/metrics` only.
    metrics_listener: Option<TcpListener>,
    http: Http,
}

impl Application {
    /// Refuses settings that are unsafe in production, then connects to the database,
    /// applies migrations, loads demo data into an empty development database, and binds the
    /// listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.refuse_unsafe()?;
        let statements = StatementCounter::default();
        let conn = db::connect(&settings.database_url, settings.db_pool_size, &statements).await?;
        db::migrate(&conn).await?;
        // One clock for the whole application: everything that reads the time shares it.
        let clock = crate::time::Clock::default();
        let auth = Arc::new(Auth::new(&settings.jwt, clock.clone())?);
        if settings.load_demo_data && entity::clinics::Entity::find().count(&conn).await? == 0 {
            demo::refuse_in_production(settings.mode)?;
            let loaded = demo::load(&conn, clock.now()).await?;
            tracing::info!(clinics = loaded.clinics, treatments = loaded.treatments, "loaded demo data");
            if settings.demo_clients {
                demo::print_demo_clients(&conn, settings.bind.port(), clock.now()).await?;
            }
        }
        db::refresh_statistics(&conn).await?;
        auth::clients::warm_up();
        let data_keys = Arc::new(DataKeys::from_settings(&settings.data_keys)?);
        let sealed = crate::quotes::health::legacy::seal_all(&conn, &data_keys).await?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed the patient data of quotes stored before envelope encryption");
        }
        let quote_events = EventBus::new(conn.get_database_backend());
        quote_events.spawn_listener(settings.database_url.clone(), conn.clone());
        let state = AppState {
            db: conn,
            settings: Arc::new(settings.clone()),
            statements,
            auth,
            data_keys,
            quote_events,
            metrics: Metrics::new(),
            sessions: crate::limits::sessions::Sessions::new(
                settings.limits.ws_max_sockets,
                settings.limits.ws_max_subscriptions,
            ),
            limits: Arc::new(settings.limits.clone()),
            rate: Arc::new(RateLimiter::new(settings.rate.clone(), clock.clone())),
            token_rate: Arc::new(TokenRateLimiter::new(settings.token_rate, clock.clone())),
            clock,
            webhook_worker: Default::default(),
            cache: Arc::new(Caching::new(settings.cache.response_bytes)),
            retention: Default::default(),
            documents: Default::default(),
        };
        if state.cache.answers.is_some() {
            state.cache.version.refresh(&state.db).await?;
            state.cache.version.spawn(settings.database_url.clone(), state.db.clone(), settings.cache.version_poll);
        }
        crate::webhooks::worker::spawn(state.clone())?;
        crate::quotes::health::retention::spawn(state.clone());
        let schema = build_schema(&settings.limits, settings.mode == Mode::Production).data(state.clone()).finish();
        let listener = TcpListener::bind(settings.bind).await?;
        let metrics_listener = match settings.server.metrics_bind {
            Some(address) => Some(TcpListener::bind(address).await?),
            None => None,
        };
        let gateway = Gateway::new(schema, state.clone());
        Ok(Self { listener, metrics_listener, http: Http { state, gateway, persisted: Default::default() } })
    }

    /// The port actually bound (useful when configured with port 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The metrics listener's port, when `MEDTOUR_METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    }

    /// The shared state, for tests and tools that run beside the server.
    pub fn state(&self) -> &AppState {
        &self.http.state
    }

    /// Serves until SIGINT or SIGTERM, then lets in-flight requests finish, on the main
    /// listener and the metrics listener alike.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(address = %self.listener.local_addr()?, "medtour listening");
        let settings = self.http.state.settings.clone();
        let stop = shutdown_signal().shared();
        let main = http::server::serve(self.listener, http::router(self.http.clone()), &settings.server, stop.clone());
        match self.metrics_listener {
            Some(listener) => {
                tracing::info!(address = %listener.local_addr()?, "metrics listening");
                let metrics = http::metrics_router(self.http);
                tokio::join!(main, http::server::serve(listener, metrics, &settings.server, stop));
            }
            None => main.await,
        }
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
