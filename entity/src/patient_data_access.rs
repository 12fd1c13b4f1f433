//! One read of a quote's patient data: who, with which role, when, in which operation.
//! Append-only: the API has no path that updates or deletes a row.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_data_access")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// The reading client's id.
    pub actor: String,
    pub actor_role: String,
    pub quote_id: i32,
    /// The GraphQL operation name, when given.
    pub operation: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
