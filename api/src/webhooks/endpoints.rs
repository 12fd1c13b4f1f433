//! Registering, changing, removing and re-keying endpoints, always within the caller's
//! [`Owner`] reach: another tenant's endpoint answers NOT_FOUND, like one that never was.

use chrono::{DateTime, Utc};
use entity::webhook_endpoints;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

use super::address::Policy;
use super::scope::Owner;
use super::signing;
use super::vocab::WebhookEventType;
use crate::error::ServiceResult;
use crate::paging::{Page, encode_cursor, page_request};
use crate::quotes::outcome::UserError;
use crate::state::AppState;

/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);
/// The most endpoints one tenant may register.
pub const MAX_ENDPOINTS: u64 = 20;
const ORDER: &str = "ID_ASC";

/// What an endpoint mutation returns: the endpoint, the secret when one was just made, or
/// the user errors saying why not.
#[derive(Debug, Default)]
pub struct EndpointOutcome {
    pub endpoint: Option<webhook_endpoints::Model>,
    pub secret: Option<String>,
    pub user_errors: Vec<UserError>,
}

impl EndpointOutcome {
    fn refused(errors: Vec<UserError>) -> Self {
        Self { user_errors: errors, ..Default::default() }
    }

    fn done(endpoint: webhook_endpoints::Model, secret: Option<String>) -> Self {
        Self { endpoint: Some(endpoint), secret, user_errors: Vec::new() }
    }
}

/// What a caller asks an endpoint to be.
pub struct EndpointInput {
    pub url: String,
    pub event_types: Vec<WebhookEventType>,
}

fn not_found() -> EndpointOutcome {
    EndpointOutcome::refused(vec![UserError::not_found(&["id"], "webhook endpoint")])
}

/// Validates the input into (url, event types), or user errors under `input`.
async fn validate(state: &AppState, input: &EndpointInput) -> Result<(String, serde_json::Value), Vec<UserError>> {
    let mut errors = Vec::new();
    let url = match Policy::of(&state.settings.webhooks).check_registration(&input.url).await {
        Ok(url) => Some(url.to_string()),
        Err(why) => {
            errors.push(UserError::invalid(vec!["input".into(), "url".into()], why));
            None
        }
    };
    let mut types: Vec<&str> = input.event_types.iter().map(|t| t.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    if types.is_empty() {
        errors
            .push(UserError::invalid(vec!["input".into(), "eventTypes".into()], "name at least one event type".into()));
    }
    match url {
        Some(url) if errors.is_empty() => Ok((url, json!(types))),
        _ => Err(errors),
    }
}

/// The endpoint `row` names within reach.
pub async fn visible(
    db: &DatabaseConnection,
    owner: Owner,
    row: Option<i32>,
) -> ServiceResult<Option<webhook_endpoints::Model>> {
    let Some(row) = row else { return Ok(None) };
    Ok(owner.find().filter(webhook_endpoints::Column::Id.eq(row)).one(db).await?)
}

/// The endpoints among `rows` within reach.
pub async fn by_rows(
    db: &DatabaseConnection,
    owner: Owner,
    rows: &[i32],
) -> ServiceResult<Vec<webhook_endpoints::Model>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(owner.find().filter(webhook_endpoints::Column::Id.is_in(rows.iter().copied())).all(db).await?)
}

/// The cursor of an endpoint's edge.
pub fn cursor(endpoint: &webhook_endpoints::Model) -> String {
    encode_cursor(ORDER, &endpoint.id)
}

/// A page of the endpoints in reach, oldest first, and how many there are.
pub async fn list(
    db: &DatabaseConnection,
    owner: Owner,
    first: Option<i32>,
    after: Option<&str>,
) -> ServiceResult<(Page<webhook_endpoints::Model>, u64)> {
    let request = page_request::<i32>(ORDER, first, after, None, None)?;
    let mut query = owner.find();
    if let Some(after) = request.cursor {
        query = query.filter(webhook_endpoints::Column::Id.gt(after));
    }
    let rows = query.order_by_asc(webhook_endpoints::Column::Id).limit(request.limit + 1).all(db).await?;
    let total = owner.find().count(db).await?;
    Ok((Page::from_fetched(rows, &request), total))
}

/// Registers an endpoint for the caller's tenant; its secret is in the outcome, once.
pub async fn create(state: &AppState, owner: Owner, input: EndpointInput) -> ServiceResult<EndpointOutcome> {
    let Some((partner_id, clinic_id)) = owner.columns() else { return Ok(not_found()) };
    let (url, event_types) = match validate(state, &input).await {
        Ok(valid) => valid,
        Err(errors) => return Ok(EndpointOutcome::refused(errors)),
    };
    if owner.find().count(&state.db).await? >= MAX_ENDPOINTS {
        return Ok(EndpointOutcome::refused(vec![UserError::invalid(
            vec!["input".into()],
            format!("at most {MAX_ENDPOINTS} endpoints; delete one first"),
        )]));
    }
    let now = state.clock.now();
    let secret = signing::new_secret();
    let endpoint = webhook_endpoints::ActiveModel {
        partner_id: Set(partner_id),
        clinic_id: Set(clinic_id),
        url: Set(url),
        event_types: Set(event_types),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        active: Set(true),
        failing_since: Set(None),
        deactivated_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok(EndpointOutcome::done(endpoint, Some(secret)))
}

/// Changes an endpoint's URL, event types and (when given) whether it is active.
pub async fn update(
    state: &AppState,
    owner: Owner,
    row: Option<i32>,
    input: EndpointInput,
    active: Option<bool>,
) -> ServiceResult<EndpointOutcome> {
    let Some(found) = visible(&state.db, owner, row).await? else { return Ok(not_found()) };
    let (url, event_types) = match validate(state, &input).await {
        Ok(valid) => valid,
        Err(errors) => return Ok(EndpointOutcome::refused(errors)),
    };
    let mut endpoint: webhook_endpoints::ActiveModel = found.into();
    endpoint.url = Set(url);
    endpoint.event_types = Set(event_types);
    if let Some(active) = active {
        endpoint.active = Set(active);
        if active {
            // Reactivated by its owner: its failure streak starts over.
            endpoint.failing_since = Set(None);
            endpoint.deactivated_at = Set(None);
        }
    }
    endpoint.updated_at = Set(state.clock.now());
    Ok(EndpointOutcome::done(endpoint.update(&state.db).await?, None))
}

/// Removes an endpoint and its deliveries; the outcome shows it as it was.
pub async fn delete(state: &AppState, owner: Owner, row: Option<i32>) -> ServiceResult<EndpointOutcome> {
    let Some(found) = visible(&state.db, owner, row).await? else { return Ok(not_found()) };
    webhook_endpoints::Entity::delete_by_id(found.id).exec(&state.db).await?;
    Ok(EndpointOutcome::done(found, None))
}

/// Gives an endpoint a new secret; the old one keeps signing beside it for
/// [`ROTATION_OVERLAP`].
pub async fn rotate(state: &AppState, owner: Owner, row: Option<i32>) -> ServiceResult<EndpointOutcome> {
    let Some(found) = visible(&state.db, owner, row).await? else { return Ok(not_found()) };
    let now = state.clock.now();
    let secret = signing::new_secret();
    let mut endpoint: webhook_endpoints::ActiveModel = found.clone().into();
    endpoint.previous_secret = Set(Some(found.secret));
    endpoint.previous_secret_until = Set(Some(now + ROTATION_OVERLAP));
    endpoint.secret = Set(secret.clone());
    endpoint.updated_at = Set(now);
    Ok(EndpointOutcome::done(endpoint.update(&state.db).await?, Some(secret)))
}

/// The secrets that sign a delivery to `endpoint` at `now`, newest first.
pub fn signing_secrets(endpoint: &webhook_endpoints::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut secrets = vec![endpoint.secret.as_str()];
    if let (Some(old), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_until)
        && now < until
    {
        secrets.push(old);
    }
    secrets
}
