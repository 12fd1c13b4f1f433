//! API clients: creation with a one-time secret, revocation, listing, and authentication of
//! a client id and secret in constant time.
//!
//! Secrets are stored only as Argon2id hashes. An unknown client id is checked against a
//! dummy hash, so it costs the same time as a wrong secret and timing tells nothing.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{api_clients, clinics, partners};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Serialize;

use super::role::Role;
use crate::error::{ServiceError, ServiceResult};

/// A client just created: the only time its secret is seen.
#[derive(Debug, Serialize)]
pub struct CreatedClient {
    pub client_id: String,
    pub client_secret: String,
    #[serde(serialize_with = "role_name")]
    pub role: Role,
}

fn role_name<S: serde::Serializer>(role: &Role, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(role.as_str())
}

/// A client as listed (never its secret or hash).
#[derive(Debug, Serialize)]
pub struct ClientSummary {
    pub client_id: String,
    pub role: String,
    pub partner: Option<String>,
    pub clinic: Option<String>,
    pub label: Option<String>,
    pub created_at: chrono::DateTime<Utc>,
    pub revoked_at: Option<chrono::DateTime<Utc>>,
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn hash_secret(secret: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::internal(std::io::Error::other(e.to_string())))
}

/// Creates a client of `role`. Agents and partners belong to the partner named `partner`
/// (created on demand); clinic staff to the clinic with slug `clinic`. Stamped `now`.
pub async fn create(
    db: &DatabaseConnection,
    role: Role,
    partner: Option<&str>,
    clinic: Option<&str>,
    label: Option<&str>,
    now: DateTime<Utc>,
) -> ServiceResult<CreatedClient> {
    let (partner, clinic) = match role {
        Role::Partner | Role::Agent => match (partner.map(str::trim).filter(|p| !p.is_empty()), clinic) {
            (Some(p), None) => (Some(p), None),
            _ => {
                return Err(ServiceError::bad_input(
                    &["partner"],
                    "PARTNER and AGENT clients need --partner NAME and no --clinic",
                ));
            }
        },
        Role::Clinic => match (partner, clinic) {
            (None, Some(c)) => (None, Some(c)),
            _ => {
                return Err(ServiceError::bad_input(&["clinic"], "CLINIC clients need --clinic SLUG and no --partner"));
            }
        },
        Role::Admin => match (partner, clinic) {
            (None, None) => (None, None),
            _ => return Err(ServiceError::bad_input(&["role"], "ADMIN clients belong to no partner or clinic")),
        },
    };
    let secret = NewSecret::generate().await?;
    let txn = db.begin().await?;
    let clinic_id = match clinic {
        Some(slug) => Some(
            clinics::Entity::find()
                .filter(clinics::Column::Slug.eq(slug))
                .one(&txn)
                .await?
                .ok_or_else(|| ServiceError::bad_input(&["clinic"], format!("no clinic has the slug {slug:?}")))?
                .id,
        ),
        None => None,
    };
    insert(&txn, role, partner, clinic_id, label, &secret, now).await?;
    txn.commit().await?;
    Ok(CreatedClient { client_id: secret.client_id, client_secret: secret.client_secret, role })
}

/// A fresh client id and secret, and the secret's Argon2id hash (computed off the runtime's
/// threads: it is deliberately slow).
pub struct NewSecret {
    pub client_id: String,
    pub client_secret: String,
    secret_hash: String,
}

impl NewSecret {
    /// Generates the id and secret and hashes the secret.
    pub async fn generate() -> ServiceResult<Self> {
        let client_id = format!("mt_{}", random_token(12));
        let client_secret = random_token(32);
        let secret_for_hash = client_secret.clone();
        let secret_hash = tokio::task::spawn_blocking(move || hash_secret(&secret_for_hash))
            .await
            .map_err(ServiceError::internal)??;
        Ok(Self { client_id, client_secret, secret_hash })
    }
}

/// Writes the client `secret` stands for, of `role`, on `conn` (the caller's transaction):
/// agents and partners belong to the partner named `partner` (created on demand), clinic
/// staff to the clinic `clinic_id`. The tenancy must already fit the role (the database's
/// CHECK refuses anything else).
pub async fn insert(
    conn: &impl ConnectionTrait,
    role: Role,
    partner: Option<&str>,
    clinic_id: Option<i32>,
    label: Option<&str>,
    secret: &NewSecret,
    now: DateTime<Utc>,
) -> ServiceResult<api_clients::Model> {
    let partner_id = match partner {
        Some(name) => Some(match partners::Entity::find().filter(partners::Column::Name.eq(name)).one(conn).await? {
            Some(p) => p.id,
            None => {
                partners::ActiveModel {
                    name: Set(name.to_owned()),
                    created_at: Set(now),
                    status: Set(super::revocation::PARTNER_ACTIVE.to_owned()),
                    ..Default::default()
                }
                .insert(conn)
                .await?
                .id
            }
        }),
        None => None,
    };
    Ok(api_clients::ActiveModel {
        client_id: Set(secret.client_id.clone()),
        secret_hash: Set(secret.secret_hash.clone()),
        role: Set(role.as_str().to_owned()),
        partner_id: Set(partner_id),
        clinic_id: Set(clinic_id),
        label: Set(label.map(str::to_owned)),
        created_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// Revokes a client as of `now` on `conn`; its tokens stop working. `false` when no such
/// active client exists.
pub async fn revoke(conn: &impl ConnectionTrait, client_id: &str, now: DateTime<Utc>) -> ServiceResult<bool> {
    let result = api_clients::Entity::update_many()
        .col_expr(api_clients::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(now)))
        .filter(api_clients::Column::ClientId.eq(client_id))
        .filter(api_clients::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Every client, oldest first.
pub async fn list(db: &DatabaseConnection) -> ServiceResult<Vec<ClientSummary>> {
    let rows = api_clients::Entity::find().order_by_asc(api_clients::Column::Id).all(db).await?;
    let partners = partners::Entity::find().all(db).await?;
    let clinics = clinics::Entity::find().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|c| ClientSummary {
            partner: c.partner_id.and_then(|id| partners.iter().find(|p| p.id == id).map(|p| p.name.clone())),
            clinic: c.clinic_id.and_then(|id| clinics.iter().find(|k| k.id == id).map(|k| k.slug.clone())),
            client_id: c.client_id,
            role: c.role,
            label: c.label,
            created_at: c.created_at,
            revoked_at: c.revoked_at,
        })
        .collect())
}

/// A hash no secret matches, checked for unknown client ids so they cost a verification.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_secret(&random_token(32)).unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$AAAA".into())
});

fn verify_secret(hash: &str, secret: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// The active client with this id and secret; `None` for an unknown id, a wrong secret or a
/// revoked client alike, after the same amount of work.
pub async fn authenticate(
    db: &DatabaseConnection,
    client_id: &str,
    secret: &str,
) -> ServiceResult<Option<api_clients::Model>> {
    let row = if client_id.len() <= 128 {
        api_clients::Entity::find().filter(api_clients::Column::ClientId.eq(client_id)).one(db).await?
    } else {
        None
    };
    let hash = row.as_ref().map_or_else(|| DUMMY_HASH.clone(), |r| r.secret_hash.clone());
    let secret = secret.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || verify_secret(&hash, &secret)).await.map_err(ServiceError::internal)?;
    let Some(row) = row.filter(|r| matches && r.revoked_at.is_none()) else { return Ok(None) };
    // A suspended partner's clients get no new tokens either.
    Ok(super::revocation::client_is_active(db, &row.client_id).await?.then_some(row))
}

/// Warms the dummy hash so the first unknown-client check is not slower than the rest.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}
