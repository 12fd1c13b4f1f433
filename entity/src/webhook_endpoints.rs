//! An endpoint a partner (AGENT clients), a clinic or Medtour staff registered to hear
//! quote events; the secret signs every delivery (the previous one too, for a while).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partner_id: Option<i32>,
    pub clinic_id: Option<i32>,
    pub url: String,
    pub event_types: Json,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    pub active: bool,
    pub failing_since: Option<DateTimeUtc>,
    pub deactivated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
