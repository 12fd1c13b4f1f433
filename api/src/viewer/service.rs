//! Who a caller is, beyond its token: the names of its partner and clinic.

use entity::{clinics, partners};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::auth::caller::Caller;
use crate::error::ServiceResult;

/// What the database says of a caller.
pub struct Identity {
    /// The name of the partner of a PARTNER or AGENT client.
    pub partner_name: Option<String>,
    /// The clinic of a CLINIC client.
    pub clinic: Option<clinics::Model>,
}

/// Looks up `caller`'s partner and clinic.
pub async fn identity(db: &DatabaseConnection, caller: &Caller) -> ServiceResult<Identity> {
    let partner_name = match caller.partner_id {
        Some(id) => partners::Entity::find_by_id(id).one(db).await?.map(|p| p.name),
        None => None,
    };
    let clinic = match caller.clinic_id {
        Some(id) => clinics::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(Identity { partner_name, clinic })
}
