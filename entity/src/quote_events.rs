//! One entry of a quote's append-only history: who moved it from which status to which.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quote_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub quote_id: i32,
    pub at: DateTimeUtc,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_client_id: String,
    pub actor_role: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
