//! A quote's patient data, sealed: the quote's own data key wrapped by a master key (with
//! that key's id), and the profile and eligibility sealed under the data key. Erasure
//! destroys the key (crypto-shredding) and stamps `erased_at`.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_data")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub quote_id: i32,
    /// The id of the master key that wrapped `wrapped_key`; NULL once erased.
    pub master_key_id: Option<String>,
    /// The data key, AES-256-GCM-wrapped; NULL once erased.
    pub wrapped_key: Option<Vec<u8>>,
    /// The sealed patient profile (JSON); NULL once erased.
    pub profile: Option<Vec<u8>>,
    /// The sealed eligibility result (JSON); NULL once erased.
    pub eligibility: Option<Vec<u8>>,
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
