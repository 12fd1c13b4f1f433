//! The clinic's offer on a quote (at most one per quote).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quote_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub quote_id: i32,
    pub price_minor: i64,
    pub currency_code: String,
    pub cell_count_millions: i32,
    pub sessions: i32,
    pub stay_days: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub inclusions: Json,
    pub valid_until: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    /// The quote's `created_at`, copied (it never changes) so the dashboards read the
    /// offers of a range from their own index.
    pub quote_created_at: DateTimeUtc,
    /// The quote's clinic, copied for the same reason.
    pub clinic_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
