//! One recorded change: who did what to which record, with snapshots before and after.
//! Append-only: the API has no path that updates or deletes a row.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_records")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// The acting client's id.
    pub actor: String,
    pub actor_role: String,
    /// e.g. "clinic.update".
    pub action: String,
    /// e.g. "Clinic".
    pub entity_type: String,
    /// The record's global ID.
    pub entity_id: String,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub before: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub after: Option<Json>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
