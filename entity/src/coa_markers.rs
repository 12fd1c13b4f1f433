//! One surface-marker result of a certificate of analysis (e.g. CD73 at 98.5 % positive).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "coa_markers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub certificate_id: i32,
    pub marker: String,
    pub percent_positive: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::certificates_of_analysis::Entity",
        from = "Column::CertificateId",
        to = "super::certificates_of_analysis::Column::Id"
    )]
    Certificate,
}

impl Related<super::certificates_of_analysis::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Certificate.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
