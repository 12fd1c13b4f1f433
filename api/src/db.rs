//! Database connection: one pool for SQLite or PostgreSQL, migrations, and a statement
//! counter (for `/metrics` and for the test that proves nested reads are batched).
//!
//! When the database goes away, nothing waits long for it: a request gets a connection
//! within [`ACQUIRE_TIMEOUT`] or fails with a [`DbErr`] that [`is_unavailable`] recognises
//! (and the service layer reports as UNAVAILABLE), and readiness answers within
//! [`READY_TIMEOUT`]. The pool tests each connection that has sat idle before handing it out
//! and opens new ones as needed, so the server recovers by itself when the database returns.

pub mod positional;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::postgres::PgSslMode;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr};

/// How long a request waits for a database connection before it fails as unavailable
/// (while the database is down, the pool keeps retrying to connect until then).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long readiness waits for the database to answer.
pub const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// Counts the SQL statements sent to the database by this process.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements executed since start-up.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// How much of an SQLite file each connection maps into memory: 2 GiB, SQLite's compiled
/// limit. This is address space, not memory: the mapped pages are the OS's page cache,
/// shared by every connection. With 256 MiB, the dashboard benchmark's 1.1 GB file was read
/// past the mapping with a `pread` per page (a fifth of the dashboard's time, measured with
/// perf), and its statements took 30 % longer.
const SQLITE_MMAP_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Opens the pool described by `url` with `max_connections`, and attaches `counter`.
pub async fn connect(url: &str, max_connections: u32, counter: &StatementCounter) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false)
        // SQLite: many readers beside one writer, and writers wait for each other instead of
        // failing with "database is locked". Each pooled connection has its own small page
        // cache, so a large catalogue page cost ~190 `pread` calls; mapping the file lets every
        // connection read the pages the OS already holds, without a system call each.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        });
    if url.starts_with("sqlite:") {
        // An SQLite connection cannot break between statements, and checking it would cost
        // every statement a thread hand-off.
        options.test_before_acquire(false);
    } else {
        // A PostgreSQL connection can break between statements (a restart, a dropped
        // socket), so one that has sat idle is checked before use. One used within the last
        // second is handed out as it is: checking it too cost a round trip per statement
        // (six per catalogue page) and a context switch on each side.
        options.test_before_acquire_if_idle_for(IDLE_BEFORE_CHECK);
        if !url.contains("sslmode=") {
            // TLS to a server on this host protects nothing (the bytes never leave the
            // kernel) and cost a share of every statement's CPU; any other host, or an explicit
            // `sslmode`, keeps sqlx's default (TLS when the server offers it).
            options.map_sqlx_postgres_opts(
                |o| {
                    if is_loopback(o.get_host()) { o.ssl_mode(PgSslMode::Disable) } else { o }
                },
            );
        }
    }
    let mut db = Database::connect(options).await?;
    let count = counter.0.clone();
    db.set_metric_callback(move |_| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// How long a PostgreSQL connection may sit idle in the pool before it is checked on the
/// way out.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(1);

/// True for a host name or address that reaches this machine only: `localhost`, 127.0.0.0/8,
/// `::1`, or a Unix socket directory.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.starts_with('/')
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Refreshes the query planner's statistics where the database will not do it itself.
/// SQLite plans the catalogue's filtered, ordered pages several times slower without them
/// (measured by the catalogue benchmark); `PRAGMA optimize` analyses only the tables whose
/// statistics are missing or stale, so it is cheap on every start. PostgreSQL's autovacuum
/// keeps its own statistics.
pub async fn refresh_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    Ok(())
}

/// True when the database answers a trivial query within [`READY_TIMEOUT`].
pub async fn is_ready(db: &DatabaseConnection) -> bool {
    matches!(tokio::time::timeout(READY_TIMEOUT, db.ping()).await, Ok(Ok(())))
}

/// True when `err` means the database could not be reached or dropped the connection, as
/// opposed to refusing a statement: no connection within [`ACQUIRE_TIMEOUT`] (the usual
/// form while PostgreSQL is down), a connection that failed or broke mid-statement (I/O,
/// TLS), or a PostgreSQL connection exception (SQLSTATE class 08), shutdown (57P01–57P03)
/// or too many connections (53300).
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => match &**e {
            Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
            Error::Database(db) => db
                .code()
                .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")),
            _ => false,
        },
        _ => false,
    }
}

/// The name of the constraint `err` violated, the same on both backends. PostgreSQL names it;
/// SQLite names a CHECK constraint but reports a unique violation by its columns
/// ("UNIQUE constraint failed: quotes.partner_id, quotes.idempotency_key"), which are looked
/// up among the named unique indexes of the migrations, and otherwise named the way
/// PostgreSQL names an unnamed unique constraint (`<table>_<columns>_key`).
pub fn violated_constraint(err: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx))) = err else {
        return None;
    };
    let database = sqlx.as_database_error()?;
    if let Some(name) = database.constraint() {
        return Some(name.to_owned());
    }
    let message = database.message();
    if let Some(name) = message.strip_prefix("CHECK constraint failed: ") {
        return Some(name.trim().to_owned());
    }
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let mut table = "";
    let mut names = Vec::new();
    for qualified in columns.split(',') {
        let (t, column) = qualified.trim().split_once('.')?;
        table = t;
        names.push(column);
    }
    let named = migration::UNIQUE_INDEXES
        .iter()
        .find(|(_, t, cols)| *t == table && cols.iter().copied().eq(names.iter().copied()));
    Some(match named {
        Some((name, _, _)) => (*name).to_owned(),
        None => format!("{table}_{}_key", names.join("_")),
    })
}

/// A constraint that guards one input field, and what to tell a caller who broke it.
pub struct Guarded {
    pub constraint: &'static str,
    pub field: &'static [&'static str],
    pub message: &'static str,
}

/// The field error for `err` when it violated one of `guarded` (a duplicate slug, say): the
/// database is the judge, so two racing writers cannot both pass a check made beforehand.
pub fn on_constraint(err: &DbErr, guarded: &[Guarded]) -> Option<crate::error::ServiceError> {
    let name = violated_constraint(err)?;
    let hit = guarded.iter().find(|g| g.constraint == name)?;
    Some(crate::error::ServiceError::bad_input(hit.field, hit.message))
}

/// A database failure as a service error: an unreachable or lost database (see
/// [`is_unavailable`]) is UNAVAILABLE and worth a retry; anything else is internal.
impl From<DbErr> for crate::error::ServiceError {
    fn from(err: DbErr) -> Self {
        // Unreachable or lost database (see `db::is_unavailable`): UNAVAILABLE, retryable.
        if is_unavailable(&err) { Self::Unavailable(Arc::new(err)) } else { Self::Internal(Arc::new(err)) }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_hosts_on_this_machine_count_as_loopback() {
        for host in ["localhost", "127.0.0.1", "127.8.0.1", "::1", "[::1]", "/var/run/postgresql"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["db.internal", "10.0.0.5", "localhost.example", "::2", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
