//! Decoding result rows by column position, straight through sqlx.
//!
//! sea-orm's derived `FromQueryResult` finds every column by name (two hash lookups per
//! value: one to check the type, one to decode) and, for every NULL in an `Option` column,
//! formats an error message that it then discards. On the partner read path (some five
//! hundred rows per catalogue page) that machinery was a tenth of the server's samples under
//! load (perf). sea-orm offers no positional decoder for a whole model, so the hot reads
//! decode with [`Columns`]: each value by its index, through sqlx's own `Decode` for the
//! backend, with no error built unless a value is really wrong. Each decoder reads the
//! columns in the order its statement selects them; `tests/tests/api/catalogue_rows.rs` holds
//! every decoder to the derived one on both backends.

use sea_orm::sqlx::postgres::PgRow;
use sea_orm::sqlx::sqlite::SqliteRow;
use sea_orm::sqlx::{Decode, Postgres, Row, Sqlite, Type};
use sea_orm::{DbErr, QueryResult};

/// A value sqlx decodes on both backends.
pub trait Column: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> {}

impl<T> Column for T where T: for<'r> Decode<'r, Postgres> + Type<Postgres> + for<'r> Decode<'r, Sqlite> + Type<Sqlite> {}

/// The columns of one row, read left to right.
pub struct Columns<'a> {
    row: Backend<'a>,
    next: usize,
}

enum Backend<'a> {
    Postgres(&'a PgRow),
    Sqlite(&'a SqliteRow),
}

impl<'a> Columns<'a> {
    /// The row behind `result`, from its first column.
    pub fn of(result: &'a QueryResult) -> Result<Self, DbErr> {
        let row = if let Some(row) = result.try_as_pg_row() {
            Backend::Postgres(row)
        } else if let Some(row) = result.try_as_sqlite_row() {
            Backend::Sqlite(row)
        } else {
            return Err(DbErr::Type("a row of an unsupported backend".into()));
        };
        Ok(Self { row, next: 0 })
    }

    /// The next column's value.
    pub fn take<T: Column>(&mut self) -> Result<T, DbErr> {
        let index = self.next;
        self.next += 1;
        let value = match self.row {
            Backend::Postgres(row) => row.try_get(index),
            Backend::Sqlite(row) => row.try_get(index),
        };
        value.map_err(|e| DbErr::Type(format!("column {index}: {e}")))
    }
}

/// A row type decoded by [`Columns`], in the order its statement selects them.
pub trait Positional: Sized {
    /// The value of one row.
    fn decode(columns: &mut Columns<'_>) -> Result<Self, DbErr>;
}

/// Lets sea-orm's `into_model` decode a [`Positional`] row type.
pub struct ByPosition<M>(pub M);

impl<M: Positional> sea_orm::FromQueryResult for ByPosition<M> {
    fn from_query_result(result: &QueryResult, prefix: &str) -> Result<Self, DbErr> {
        // A prefix means a nested model in a join, which is selected by name.
        if !prefix.is_empty() {
            return Err(DbErr::Type("a positional row cannot be nested".into()));
        }
        M::decode(&mut Columns::of(result)?).map(Self)
    }
}
