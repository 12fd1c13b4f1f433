//! The quote-event bus: committed quote events pushed to subscribers, on every replica.
//!
//! Within one process a broadcast channel fans events out. With PostgreSQL, the publisher
//! sends `NOTIFY medtour_quote_events, '<event id>'` instead, and every process (itself
//! included) LISTENs, loads the event and fans it out locally — so a subscriber connected to
//! one replica sees changes made through another. It knows rows, not GraphQL: the quotes area
//! decides what a subscriber may see.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::{quote_events, quotes};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement};
use tokio::sync::broadcast;

const CHANNEL: &str = "medtour_quote_events";

/// An event with the tenancy of its quote, so subscribers can be filtered.
#[derive(Clone, Debug)]
pub struct Published {
    pub event: quote_events::Model,
    pub partner_id: i32,
    pub clinic_id: i32,
}

/// Fans recorded events out to subscribers.
pub struct EventBus {
    sender: broadcast::Sender<Published>,
    postgres: bool,
    /// With PostgreSQL, whether the listener is LISTENing now (events notified while it is
    /// not are missed by this process's subscribers).
    listening: AtomicBool,
}

impl EventBus {
    /// A bus for a database of `backend`.
    pub fn new(backend: DbBackend) -> Arc<Self> {
        let (sender, _) = broadcast::channel(1024);
        Arc::new(Self { sender, postgres: backend == DbBackend::Postgres, listening: AtomicBool::new(false) })
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Published> {
        self.sender.subscribe()
    }

    /// How many subscribers are registered in this process (each open `quoteEvents` stream).
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// True when events published from now on reach this process's subscribers: always for
    /// SQLite, once the listener is LISTENing for PostgreSQL.
    pub fn is_delivering(&self) -> bool {
        !self.postgres || self.listening.load(Ordering::Acquire)
    }

    /// Announces a committed event.
    pub async fn publish(&self, db: &DatabaseConnection, event: quote_events::Model, quote: &quotes::Model) {
        if self.postgres {
            let notify = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), event.id.to_string().into()],
            );
            if let Err(e) = db.execute_raw(notify).await {
                tracing::warn!(error = %e, "could not notify other processes of a quote event");
            }
        } else {
            let _ = self.sender.send(Published { event, partner_id: quote.partner_id, clinic_id: quote.clinic_id });
        }
    }

    /// With PostgreSQL, listens for events from every process and fans them out here;
    /// reconnects after a lost connection. Returns at once for SQLite.
    pub fn spawn_listener(self: &Arc<Self>, database_url: String, db: DatabaseConnection) {
        if !self.postgres {
            return;
        }
        let bus = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let lost = bus.listen(&database_url, &db).await;
                bus.listening.store(false, Ordering::Release);
                if let Err(e) = lost {
                    tracing::warn!(error = %e, "quote event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self, url: &str, db: &DatabaseConnection) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        self.listening.store(true, Ordering::Release);
        loop {
            let notification = listener.recv().await?;
            let Ok(id) = notification.payload().parse::<i32>() else { continue };
            match load(db, id).await {
                Ok(Some(published)) => {
                    let _ = self.sender.send(published);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not load a notified quote event"),
            }
        }
    }
}

async fn load(db: &DatabaseConnection, id: i32) -> Result<Option<Published>, sea_orm::DbErr> {
    let Some(event) = quote_events::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let Some(quote) = quotes::Entity::find_by_id(event.quote_id).one(db).await? else { return Ok(None) };
    Ok(Some(Published { event, partner_id: quote.partner_id, clinic_id: quote.clinic_id }))
}
