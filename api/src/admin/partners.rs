//! Partners and their API clients, for staff: listings, creating a client (its secret is
//! shown once; only its Argon2id hash is stored), revoking one, and suspending or
//! reactivating a partner, which stops or restarts every client of the partner the way a
//! revocation does. The command line shares the same client code (`auth::clients`).
//!
//! A change takes effect on this replica at once (the client-status cache forgets the
//! clients concerned) and on the others within the cache's lifetime, websockets included.

use entity::{api_clients, clinics, partners};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::audit::{self, Entry, snapshot};
use super::outcome::{Written, not_found};
use super::request::{Named, NewClient};
use super::validate::{MAX_NAME, MAX_TEXT, Problems};
use crate::auth::caller::Caller;
use crate::auth::clients::{self, NewSecret};
use crate::auth::revocation::PARTNER_ACTIVE;
use crate::auth::role::Role;
use crate::error::ServiceResult;
use crate::graphql::ids::Kind;
use crate::paging::{Page, encode_cursor, page_request};
use crate::state::AppState;
use crate::vocab::vocabulary;

vocabulary!(
    /// Whether a partner's clients may use the API.
    PartnerStatus {
        /// Its clients work (unless revoked one by one).
        Active => "ACTIVE",
        /// Every client of the partner is refused, as though revoked.
        Suspended => "SUSPENDED",
    }
);

const PARTNERS: &str = "PARTNERS_BY_ID";
const CLIENTS: &str = "CLIENTS_BY_ID";

/// The cursor of a partner in the partner list.
pub fn partner_cursor(p: &partners::Model) -> String {
    encode_cursor(PARTNERS, &p.id)
}

/// The cursor of a client in the client list.
pub fn client_cursor(c: &api_clients::Model) -> String {
    encode_cursor(CLIENTS, &c.id)
}

/// Partners, oldest first, and how many there are when asked.
pub async fn list_partners(
    db: &DatabaseConnection,
    first: Option<i32>,
    after: Option<&str>,
    want_total: bool,
) -> ServiceResult<(Page<partners::Model>, Option<u64>)> {
    let request = page_request::<i32>(PARTNERS, first, after, None, None)?;
    let mut select = partners::Entity::find();
    if let Some(id) = request.cursor {
        select = select.filter(partners::Column::Id.gt(id));
    }
    let rows = select.order_by_asc(partners::Column::Id).limit(request.limit + 1).all(db).await?;
    let total = if want_total { Some(partners::Entity::find().count(db).await?) } else { None };
    Ok((Page::from_fetched(rows, &request), total))
}

/// Clients, oldest first, narrowed to `role` and to active (or inactive) ones.
pub async fn list_clients(
    db: &DatabaseConnection,
    role: Option<Role>,
    active: Option<bool>,
    (first, after): (Option<i32>, Option<&str>),
    want_total: bool,
) -> ServiceResult<(Page<api_clients::Model>, Option<u64>)> {
    let request = page_request::<i32>(CLIENTS, first, after, None, None)?;
    let mut cond = Condition::all();
    if let Some(role) = role {
        cond = cond.add(api_clients::Column::Role.eq(role.as_str()));
    }
    if let Some(active) = active {
        let active_partners = Query::select()
            .column(partners::Column::Id)
            .from(partners::Entity)
            .and_where(Expr::col(partners::Column::Status).eq(PARTNER_ACTIVE))
            .take();
        let is_active = Condition::all().add(api_clients::Column::RevokedAt.is_null()).add(
            Condition::any()
                .add(api_clients::Column::PartnerId.is_null())
                .add(api_clients::Column::PartnerId.in_subquery(active_partners)),
        );
        cond = cond.add(if active { is_active } else { is_active.not() });
    }
    let total = if want_total { Some(api_clients::Entity::find().filter(cond.clone()).count(db).await?) } else { None };
    let mut select = api_clients::Entity::find().filter(cond);
    if let Some(id) = request.cursor {
        select = select.filter(api_clients::Column::Id.gt(id));
    }
    let rows = select.order_by_asc(api_clients::Column::Id).limit(request.limit + 1).all(db).await?;
    Ok((Page::from_fetched(rows, &request), total))
}

/// ADMIN: creates a client; the secret is returned here and never again.
pub async fn create_client(state: &AppState, caller: &Caller, new: NewClient) -> Written<(api_clients::Model, String)> {
    let mut p = Problems::under(&["input"]);
    let partner = new.partner_name.as_deref().map(str::trim);
    match (new.role, partner, new.clinic) {
        (Role::Partner | Role::Agent, Some(name), None) => p.name("partnerName", name, MAX_NAME),
        (Role::Partner | Role::Agent, _, _) => {
            p.add(&["partnerName"], "PARTNER and AGENT clients belong to a partner: give partnerName and no clinicId")
        }
        (Role::Clinic, None, Some(_)) => {}
        (Role::Clinic, _, _) => {
            p.add(&["clinicId"], "CLINIC clients belong to a clinic: give clinicId and no partnerName")
        }
        (Role::Admin, None, None) => {}
        (Role::Admin, _, _) => p.add(&["role"], "ADMIN clients belong to no partner or clinic"),
    }
    p.optional_name("label", new.label.as_deref(), MAX_NAME);
    p.finish()?;
    let clinic_id = match new.clinic {
        Some(id) => {
            let found = match id {
                Some(id) => clinics::Entity::find_by_id(id).one(&state.db).await?,
                None => None,
            };
            Some(found.ok_or_else(|| not_found("clinicId", "clinic")).map(|c| c.id)?)
        }
        None => None,
    };
    let secret = NewSecret::generate().await?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = clients::insert(&txn, new.role, partner, clinic_id, new.label.as_deref(), &secret, now).await?;
    let entry = Entry {
        action: "client.create",
        kind: Kind::ApiClient,
        row: row.id,
        before: None,
        after: Some(snapshot::client(&row)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    Ok((row, secret.client_secret))
}

/// ADMIN: revokes a client; its tokens stop working here at once. Revoking a revoked client
/// changes nothing.
pub async fn revoke_client(state: &AppState, caller: &Caller, id: Named) -> Written<api_clients::Model> {
    let before = match id {
        Some(id) => api_clients::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    let Some(before) = before else { return Err(not_found("id", "API client")) };
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    clients::revoke(&txn, &before.client_id, now).await?;
    let after =
        api_clients::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "API client"))?;
    let entry = Entry {
        action: "client.revoke",
        kind: Kind::ApiClient,
        row: before.id,
        before: Some(snapshot::client(&before)),
        after: Some(snapshot::client(&after)),
        note: None,
    };
    audit::record(&txn, caller, now, entry).await?;
    txn.commit().await?;
    state.auth.clients.forget(&after.client_id);
    Ok(after)
}

/// ADMIN: suspends or reactivates a partner, noting `reason`. Suspension stops every client
/// of the partner; reactivation brings back those not revoked one by one.
pub async fn set_partner_status(
    state: &AppState,
    caller: &Caller,
    id: Named,
    status: PartnerStatus,
    reason: Option<String>,
) -> Written<partners::Model> {
    let before = match id {
        Some(id) => partners::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    let Some(before) = before else { return Err(not_found("id", "partner")) };
    let mut p = Problems::under(&[]);
    if let Some(reason) = &reason {
        p.text("reason", reason, MAX_TEXT);
    }
    p.finish()?;
    if before.status == status.as_str() {
        return Ok(before);
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    partners::Entity::update_many()
        .col_expr(partners::Column::Status, Expr::value(status.as_str()))
        .filter(partners::Column::Id.eq(before.id))
        .exec(&txn)
        .await?;
    let after = partners::Entity::find_by_id(before.id).one(&txn).await?.ok_or_else(|| not_found("id", "partner"))?;
    let action = match status {
        PartnerStatus::Active => "partner.activate",
        PartnerStatus::Suspended => "partner.suspend",
    };
    let entry = Entry {
        action,
        kind: Kind::Partner,
        row: before.id,
        before: Some(snapshot::partner(&before)),
        after: Some(snapshot::partner(&after)),
        note: reason,
    };
    audit::record(&txn, caller, now, entry).await?;
    let members: Vec<String> = api_clients::Entity::find()
        .select_only()
        .column(api_clients::Column::ClientId)
        .filter(api_clients::Column::PartnerId.eq(before.id))
        .into_tuple()
        .all(&txn)
        .await?;
    txn.commit().await?;
    state.auth.clients.forget_all(members.iter().map(String::as_str));
    Ok(after)
}

/// The partners, clients and audit records behind global IDs (for `node`, ADMIN only), one
/// statement per kind asked for.
pub async fn by_ids(
    db: &DatabaseConnection,
    partner_ids: &[i32],
    client_ids: &[i32],
    audit_ids: &[i32],
) -> ServiceResult<(Vec<partners::Model>, Vec<api_clients::Model>, Vec<entity::audit_records::Model>)> {
    use entity::audit_records;
    let partners = if partner_ids.is_empty() {
        Vec::new()
    } else {
        partners::Entity::find().filter(partners::Column::Id.is_in(partner_ids.iter().copied())).all(db).await?
    };
    let clients = if client_ids.is_empty() {
        Vec::new()
    } else {
        api_clients::Entity::find().filter(api_clients::Column::Id.is_in(client_ids.iter().copied())).all(db).await?
    };
    let audits = if audit_ids.is_empty() {
        Vec::new()
    } else {
        audit_records::Entity::find().filter(audit_records::Column::Id.is_in(audit_ids.iter().copied())).all(db).await?
    };
    Ok((partners, clients, audits))
}
