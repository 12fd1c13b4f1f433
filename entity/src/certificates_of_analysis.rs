//! A certificate of analysis for one cell lot, as issued by a laboratory.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates_of_analysis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub clinic_id: i32,
    pub lot_number: String,
    pub laboratory_name: String,
    pub laboratory_accreditation: Option<String>,
    pub issued_on: Date,
    pub cell_source: String,
    pub cell_count_millions: i32,
    pub viability_percent: f64,
    pub sterility: String,
    pub endotoxin: String,
    pub mycoplasma: String,
    pub document_url: Option<String>,
    pub document_sha256: Option<String>,
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
    #[sea_orm(has_many = "super::coa_markers::Entity")]
    Markers,
}

impl Related<super::coa_markers::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Markers.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
