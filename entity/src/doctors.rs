//! A doctor practising at a clinic.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "doctors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub name: String,
    pub title: String,
    pub license_number: Option<String>,
    pub years_of_experience: Option<i32>,
    #[sea_orm(column_type = "JsonBinary")]
    pub specialties: Json,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::clinics::Entity", from = "Column::ClinicId", to = "super::clinics::Column::Id")]
    Clinic,
}

impl ActiveModelBehavior for ActiveModel {}
