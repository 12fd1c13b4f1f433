//! The audit log: one append-only row per administration write, written on the writer's own
//! transaction so that the change and its record commit together or not at all; and its
//! listing, newest first, with keyset pages. Nothing here updates or deletes a row.
//!
//! Snapshots are built field by field ([`snapshot`]), never by serialising a row, so a secret
//! hash or a ciphertext added to a table can never reach the log.

pub mod snapshot;

use chrono::{DateTime, Utc};
use entity::audit_records;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use crate::auth::caller::Caller;
use crate::auth::role::Role;
use crate::error::{ServiceError, ServiceResult};
use crate::graphql::ids::{Kind, encode};
use crate::paging::{Page, page_request};

/// One change to record.
pub struct Entry {
    /// e.g. "clinic.update".
    pub action: &'static str,
    pub kind: Kind,
    pub row: i32,
    /// `None` for a creation.
    pub before: Option<Value>,
    /// `None` for a removal.
    pub after: Option<Value>,
    pub note: Option<String>,
}

/// Who made a change: a client, or Medtour itself.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The acting client's id, or [`SYSTEM_ACTOR`].
    pub id: &'a str,
    pub role: Role,
}

/// The actor of changes no client asked for (a background task deciding on its own), recorded
/// with the role of the staff who answer for them.
pub const SYSTEM_ACTOR: &str = "medtour-system";

impl Actor<'static> {
    /// Medtour's own background tasks.
    pub const SYSTEM: Self = Actor { id: SYSTEM_ACTOR, role: Role::Admin };
}

impl<'a> From<&'a Caller> for Actor<'a> {
    fn from(caller: &'a Caller) -> Self {
        Actor { id: &caller.client_id, role: caller.role }
    }
}

/// Appends `entry`, made by `caller` at `at`, on `conn` (the writer's transaction).
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    at: DateTime<Utc>,
    entry: Entry,
) -> ServiceResult<()> {
    record_as(conn, caller.into(), at, entry).await
}

/// Appends `entry`, made by `actor` at `at`, on `conn` (the writer's transaction).
pub async fn record_as(
    conn: &impl ConnectionTrait,
    actor: Actor<'_>,
    at: DateTime<Utc>,
    entry: Entry,
) -> ServiceResult<()> {
    audit_records::ActiveModel {
        at: Set(at),
        actor: Set(actor.id.to_owned()),
        actor_role: Set(actor.role.as_str().to_owned()),
        action: Set(entry.action.to_owned()),
        entity_type: Set(entry.kind.name().to_owned()),
        entity_id: Set(encode(entry.kind, entry.row).0),
        before: Set(entry.before),
        after: Set(entry.after),
        note: Set(entry.note),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Narrows the audit log; every given field must match.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// The record's global ID, as stored.
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub actions: Option<Vec<String>>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

/// The cursor tag of the audit log's one ordering.
const ORDERING: &str = "AUDIT_NEWEST";

/// One page of the log, newest first (by row id, which grows with every append), and the
/// number of matching records when asked for.
pub async fn list(
    db: &DatabaseConnection,
    query: &AuditQuery,
    first: Option<i32>,
    after: Option<&str>,
    want_total: bool,
) -> ServiceResult<(Page<audit_records::Model>, Option<u64>)> {
    let request = page_request::<i32>(ORDERING, first, after, None, None)?;
    let mut cond = Condition::all();
    if let Some(id) = &query.entity_id {
        cond = cond.add(audit_records::Column::EntityId.eq(id.as_str()));
    }
    if let Some(actor) = &query.actor {
        cond = cond.add(audit_records::Column::Actor.eq(actor.as_str()));
    }
    if let Some(actions) = &query.actions {
        if actions.len() > 50 {
            return Err(ServiceError::bad_input(&["filter", "actions"], "at most 50 actions"));
        }
        cond = cond.add(audit_records::Column::Action.is_in(actions.iter().map(String::as_str)));
    }
    if let Some(at) = query.after {
        cond = cond.add(audit_records::Column::At.gt(at));
    }
    if let Some(at) = query.before {
        cond = cond.add(audit_records::Column::At.lt(at));
    }
    let total =
        if want_total { Some(audit_records::Entity::find().filter(cond.clone()).count(db).await?) } else { None };
    let mut select = audit_records::Entity::find().filter(cond);
    if let Some(id) = request.cursor {
        select = select.filter(audit_records::Column::Id.lt(id));
    }
    let rows = select.order_by_desc(audit_records::Column::Id).limit(request.limit + 1).all(db).await?;
    Ok((Page::from_fetched(rows, &request), total))
}

/// The cursor of a log entry.
pub fn cursor(row: &audit_records::Model) -> String {
    crate::paging::encode_cursor(ORDERING, &row.id)
}
