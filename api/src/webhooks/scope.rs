//! Whose endpoints a caller sees: built into every query on endpoints (and, through them,
//! deliveries), so another tenant's endpoint is simply not found.

use entity::webhook_endpoints;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};

use crate::auth::caller::Caller;
use crate::auth::role::Role;

/// The endpoints a caller may see and manage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// ADMIN: every endpoint; the ones it creates hear every quote.
    All,
    /// AGENT: its partner's.
    Partner(i32),
    /// CLINIC: its clinic's.
    Clinic(i32),
    /// Anyone else: none.
    Nothing,
}

impl Owner {
    /// The reach of `caller`.
    pub fn of(caller: &Caller) -> Self {
        match (caller.role, caller.partner_id, caller.clinic_id) {
            (Role::Admin, _, _) => Owner::All,
            (Role::Agent, Some(partner), _) => Owner::Partner(partner),
            (Role::Clinic, _, Some(clinic)) => Owner::Clinic(clinic),
            _ => Owner::Nothing,
        }
    }

    /// The SQL condition on `webhook_endpoints`.
    pub fn condition(self) -> Condition {
        use webhook_endpoints::Column;
        match self {
            Owner::All => Condition::all(),
            Owner::Partner(id) => Condition::all().add(Column::PartnerId.eq(id)),
            Owner::Clinic(id) => Condition::all().add(Column::ClinicId.eq(id)),
            Owner::Nothing => Condition::all().add(Column::Id.lt(0)),
        }
    }

    /// The endpoints in reach: the only way services start a query on endpoints.
    pub fn find(self) -> Select<webhook_endpoints::Entity> {
        webhook_endpoints::Entity::find().filter(self.condition())
    }

    /// The (partner, clinic) columns of an endpoint this caller creates.
    pub fn columns(self) -> Option<(Option<i32>, Option<i32>)> {
        match self {
            Owner::All => Some((None, None)),
            Owner::Partner(id) => Some((Some(id), None)),
            Owner::Clinic(id) => Some((None, Some(id))),
            Owner::Nothing => None,
        }
    }
}
