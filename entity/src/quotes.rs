//! A quote request from an agent of a partner to one clinic. `version` guards concurrent
//! transitions. The patient columns are legacy: quotes stored before health-data protection
//! held them until sealed into `patient_data`; they are NULL for every sealed quote.
//! `reviewed_at`, `offered_at` and `response_seconds` feed the dashboards' funnel and response
//! times.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quotes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partner_id: i32,
    pub submitted_by: i32,
    pub clinic_id: i32,
    pub treatment_id: i32,
    pub package_id: Option<i32>,
    pub idempotency_key: String,
    pub request_fingerprint: String,
    pub status: String,
    pub version: i32,
    pub requested_cell_count_millions: Option<i32>,
    pub travel_earliest: Option<Date>,
    pub travel_latest: Option<Date>,
    pub patient_reference: Option<String>,
    pub patient_age_years: Option<i32>,
    pub patient_country: Option<String>,
    pub chronic_migraine_diagnosis: Option<bool>,
    pub headache_days_per_month: Option<i32>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub treatments_tried: Option<Json>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub contraindications: Option<Json>,
    pub medical_notes_ciphertext: Option<Vec<u8>>,
    pub medical_notes_key_id: Option<String>,
    pub eligibility_outcome: Option<String>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub eligibility_reasons: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the quote first reached IN_REVIEW (set by that transition, never changed).
    pub reviewed_at: Option<DateTimeUtc>,
    /// When the quote first reached OFFERED (set by that transition, never changed).
    pub offered_at: Option<DateTimeUtc>,
    /// Whole seconds from creation to the first offer (each instant truncated to its second),
    /// written with `offered_at`.
    pub response_seconds: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
