//! What every administration write shares: whose records a caller may touch, and the
//! version-guarded update that lets exactly one of two racing writers win.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::outcome::{Refused, stale};
use crate::auth::caller::Caller;
use crate::auth::role::Role;
use crate::db::{Guarded, on_constraint};

/// True when `caller` may change the records of clinic `clinic_id`: ADMIN any clinic's,
/// CLINIC its own only. Everything else is answered as though it did not exist.
pub fn reaches(caller: &Caller, clinic_id: i32) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Clinic => caller.clinic_id == Some(clinic_id),
        Role::Partner | Role::Agent => false,
    }
}

/// Writes `changes` to row `id` of `E` and bumps its version, if the version is still
/// `version`; a CONFLICT on `version` otherwise, and the field error of a `guarded`
/// constraint the change would break. Meant as the first statement of the
/// writer's transaction: on SQLite it then takes the write lock before anything is read, and
/// on PostgreSQL the second of two racers waits for the first and then finds the version
/// moved on, so exactly one of them wins.
pub async fn bump<E>(
    conn: &impl ConnectionTrait,
    changes: E::ActiveModel,
    (id_col, version_col): (E::Column, E::Column),
    (id, version): (i32, i32),
    guarded: &[Guarded],
) -> Result<(), Refused>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let updated = E::update_many()
        .set(changes)
        .col_expr(version_col, Expr::col(version_col).add(1))
        .filter(id_col.eq(id))
        .filter(version_col.eq(version))
        .exec(conn)
        .await
        .map_err(|e| refused(e, guarded))?;
    if updated.rows_affected == 1 { Ok(()) } else { Err(stale("record")) }
}

/// The refusal for a failed write: the field error of a guarded constraint (a duplicate
/// slug, say), or a fault.
pub fn refused(err: DbErr, guarded: &[Guarded]) -> Refused {
    match on_constraint(&err, guarded) {
        Some(field_error) => field_error.into(),
        None => err.into(),
    }
}
