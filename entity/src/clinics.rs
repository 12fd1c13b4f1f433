//! A clinic of the catalogue. `safety_score` and `lowest_price_usd_minor` are roll-ups kept
//! by the API so partners can order by them with an index; `safety_score_valid_until` is the
//! moment the score goes stale (an accreditation or certificate ages out). `search_text` and
//! `city_folded` are case-folded copies of the texts for the `search` and `city` filters.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clinics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub country_code: String,
    pub city: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Derived: name, city and description, Unicode lower-cased and joined by a newline, for
    /// the `search` filter. Written only through the API's `catalogue::folding::FoldedTexts`
    /// whenever any of the three changes.
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    /// Derived: the city, Unicode lower-cased, for the `city` filter. Written only through the
    /// API's `catalogue::folding::FoldedTexts` whenever the city changes.
    #[sea_orm(column_type = "Text")]
    pub city_folded: String,
    pub website: Option<String>,
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: Json,
    /// DRAFT, PUBLISHED, SUSPENDED or ARCHIVED; partners see PUBLISHED clinics only.
    pub status: String,
    /// Bumped by every update (optimistic concurrency).
    pub version: i32,
    pub safety_score: i32,
    pub safety_score_valid_until: Option<DateTimeUtc>,
    pub lowest_price_usd_minor: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::treatment_packages::Entity")]
    Packages,
}

impl Related<super::treatment_packages::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Packages.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
