//! Small builders shared by the migrations: named CHECK constraints, owned foreign keys and
//! indexes, so each migration reads as the schema it creates.

use sea_orm_migration::prelude::*;

/// A named CHECK that the column holds one of `values`.
pub(crate) fn one_of(name: &str, col: impl IntoIden, values: &[&str]) -> (String, SimpleExpr) {
    (name.to_owned(), Expr::col(col).is_in(values.iter().copied()))
}

/// A named CHECK that an integer column lies in `lo..=hi`.
pub(crate) fn within(name: &str, col: impl IntoIden, lo: i64, hi: i64) -> (String, SimpleExpr) {
    (name.to_owned(), Expr::col(col).between(lo, hi))
}

/// A foreign key from `table.col` to `to.id`.
pub(crate) fn foreign(
    table: impl IntoIden,
    col: impl IntoIden,
    to: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from_tbl(table).from_col(col).to_tbl(to).to_col(Alias::new("id")).on_delete(on_delete).take()
}

/// A foreign key from `table.col` to `to.id` that removes children with their parent.
pub(crate) fn owned_by(table: impl IntoIden, col: impl IntoIden, to: impl IntoIden) -> ForeignKeyCreateStatement {
    foreign(table, col, to, ForeignKeyAction::Cascade)
}

pub(crate) fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for col in cols {
        stmt.col(Alias::new(*col));
    }
    stmt
}
