//! An accreditation or licence a clinic claims, with its verification status
//! (UNVERIFIED, VERIFIED or REJECTED; EXPIRED is derived from `expires_on` when read).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accreditations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub body: String,
    pub body_name: String,
    pub certificate_number: String,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub status: String,
    pub version: i32,
    /// When staff last set VERIFIED or REJECTED.
    pub verified_at: Option<DateTimeUtc>,
    /// The client id of the reviewer.
    pub verified_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::clinics::Entity", from = "Column::ClinicId", to = "super::clinics::Column::Id")]
    Clinic,
}

impl ActiveModelBehavior for ActiveModel {}
