//! Tenancy: which quotes a caller may see, built into every query on quotes.
//!
//! Services never load a quote and check afterwards; they start from [`Tenancy::find`], so
//! a quote outside the caller's tenancy is simply not found — indistinguishable from one
//! that does not exist.

use entity::quotes;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Select};

use crate::auth::caller::Caller;
use crate::auth::role::Role;

/// The quotes a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tenancy {
    /// ADMIN: every quote.
    All,
    /// AGENT: its partner's quotes.
    Partner(i32),
    /// CLINIC: quotes addressed to its clinic.
    Clinic(i32),
    /// PARTNER (and any client missing its tenant): none.
    Nothing,
}

impl Tenancy {
    /// The tenancy of `caller`.
    pub fn of(caller: &Caller) -> Self {
        match (caller.role, caller.partner_id, caller.clinic_id) {
            (Role::Admin, _, _) => Tenancy::All,
            (Role::Agent, Some(partner), _) => Tenancy::Partner(partner),
            (Role::Clinic, _, Some(clinic)) => Tenancy::Clinic(clinic),
            _ => Tenancy::Nothing,
        }
    }

    /// The SQL condition for this tenancy.
    pub fn condition(self) -> Condition {
        match self {
            Tenancy::All => Condition::all(),
            Tenancy::Partner(id) => Condition::all().add(quotes::Column::PartnerId.eq(id)),
            Tenancy::Clinic(id) => Condition::all().add(quotes::Column::ClinicId.eq(id)),
            Tenancy::Nothing => Condition::all().add(quotes::Column::Id.lt(0)),
        }
    }

    /// All quotes this tenancy may see: the only way services start a quote query.
    pub fn find(self) -> Select<quotes::Entity> {
        quotes::Entity::find().filter(self.condition())
    }

    /// True when a quote of `partner_id` to `clinic_id` is visible (for pushed events).
    pub fn admits(self, partner_id: i32, clinic_id: i32) -> bool {
        match self {
            Tenancy::All => true,
            Tenancy::Partner(id) => id == partner_id,
            Tenancy::Clinic(id) => id == clinic_id,
            Tenancy::Nothing => false,
        }
    }
}
