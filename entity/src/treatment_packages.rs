//! A priced treatment package. Money is integer minor units plus an ISO 4217 code;
//! `price_usd_minor` is the same price in US cents, kept for comparison and filtering.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_packages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub treatment_id: i32,
    pub name: String,
    pub cell_source: String,
    pub cell_count_millions: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub administration_routes: Json,
    pub sessions: i32,
    pub stay_days: i32,
    pub price_minor: i64,
    pub currency_code: String,
    pub price_usd_minor: i64,
    #[sea_orm(column_type = "JsonBinary")]
    pub inclusions: Json,
    pub active: bool,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::clinics::Entity", from = "Column::ClinicId", to = "super::clinics::Column::Id")]
    Clinic,
    #[sea_orm(
        belongs_to = "super::treatments::Entity",
        from = "Column::TreatmentId",
        to = "super::treatments::Column::Id"
    )]
    Treatment,
}

impl Related<super::clinics::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Clinic.def()
    }
}

impl Related<super::treatments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Treatment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
