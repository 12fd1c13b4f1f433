//! The catalogue version this replica has seen: the number the database's one
//! `catalogue_version` row held when this process last looked, raised by PostgreSQL's
//! notification of every committed write, by a periodic read (a fallback for a notification
//! lost with its connection, and on SQLite the only news of another process's writes), and
//! by a read right after every mutation this process ran, so its own writes count at once.
//!
//! It only ever grows: an answer cached under version *v* was read after *v* committed, so
//! serving it while *v* is the newest version seen never serves data older than that.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use entity::catalogue_version;
use sea_orm::{DatabaseConnection, DbBackend, EntityTrait};

use crate::error::ServiceResult;

/// The channel the migration's trigger notifies with each new version.
const CHANNEL: &str = "medtour_catalogue";

/// The newest catalogue version this process knows of.
#[derive(Debug, Default)]
pub struct CatalogueVersion {
    seen: AtomicU64,
    listening: AtomicBool,
}

impl CatalogueVersion {
    /// The newest version seen so far (0 before the first read).
    pub fn seen(&self) -> u64 {
        self.seen.load(Ordering::Acquire)
    }

    /// True while a PostgreSQL listener is connected.
    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    fn saw(&self, version: u64) {
        self.seen.fetch_max(version, Ordering::AcqRel);
    }

    /// Reads the committed version (one statement), and returns it.
    pub async fn refresh(&self, db: &DatabaseConnection) -> ServiceResult<u64> {
        let row = catalogue_version::Entity::find_by_id(1).one(db).await?;
        let committed = row.map_or(0, |row| u64::try_from(row.version).unwrap_or(0));
        self.saw(committed);
        Ok(committed)
    }

    /// Keeps this version current in the background: a listener on PostgreSQL, and a read
    /// every `poll` on either backend.
    pub fn spawn(self: &Arc<Self>, database_url: String, db: DatabaseConnection, poll: Duration) {
        if db.get_database_backend() == DbBackend::Postgres {
            let version = Arc::clone(self);
            let db = db.clone();
            tokio::spawn(async move {
                loop {
                    let lost = version.listen(&database_url, &db).await;
                    version.listening.store(false, Ordering::Release);
                    if let Err(e) = lost {
                        tracing::warn!(error = %e, "catalogue version listener lost its connection; reconnecting");
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            });
        }
        let version = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(poll);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(e) = version.refresh(&db).await {
                    tracing::warn!(error = %e, "could not read the catalogue version");
                }
            }
        });
    }

    async fn listen(&self, url: &str, db: &DatabaseConnection) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        self.listening.store(true, Ordering::Release);
        // Whatever committed while no listener was connected.
        if let Err(e) = self.refresh(db).await {
            tracing::warn!(error = %e, "could not read the catalogue version");
        }
        loop {
            let notification = listener.recv().await?;
            if let Ok(version) = notification.payload().parse::<u64>() {
                self.saw(version);
            }
        }
    }
}
