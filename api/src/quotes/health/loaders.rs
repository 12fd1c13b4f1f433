//! Per-request batching for patient data: reading the sealed rows of the quotes in a
//! response ([`VaultLoader`]), and recording their reads ([`AccessRecorder`]) in one INSERT
//! for all the quotes whose patient fields a request resolves.
//!
//! A patient field awaits its quote's access row before it returns anything, so a response
//! never carries patient data whose read is not on record: when the INSERT fails, the fields
//! fail with it (INTERNAL), fail-closed. The recorder caches per quote, so a quote read through
//! several fields or paths in one request is recorded once.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Request;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{patient_data, patient_data_access};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::auth::caller::Caller;
use crate::error::ServiceError;
use crate::state::AppState;

/// Batch-loads `patient_data` rows.
pub struct VaultLoader {
    db: DatabaseConnection,
}

/// The sealed patient data of a quote (key: quote row id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VaultOf(pub i32);

impl Loader<VaultOf> for VaultLoader {
    type Value = patient_data::Model;
    type Error = ServiceError;

    async fn load(&self, keys: &[VaultOf]) -> Result<HashMap<VaultOf, Self::Value>, Self::Error> {
        let rows = patient_data::Entity::find()
            .filter(patient_data::Column::QuoteId.is_in(keys.iter().map(|k| k.0)))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (VaultOf(r.quote_id), r)).collect())
    }
}

/// Records the reads of one request: who, with which role, in which operation.
pub struct AccessRecorder {
    state: AppState,
    actor: String,
    role: &'static str,
    /// The operation name the request gave, else its document to find the one it holds.
    operation: Operation,
}

/// How the operation is named: given, or to be read from the document when first needed.
enum Operation {
    Named(Option<String>),
    Document(Arc<str>),
}

impl Operation {
    fn name(&self) -> Option<String> {
        match self {
            Operation::Named(name) => name.clone(),
            Operation::Document(query) => {
                let document = async_graphql::parser::parse_query(&**query).ok()?;
                match document.operations {
                    async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
                        ops.keys().next().map(|name| name.to_string())
                    }
                    _ => None,
                }
            }
        }
    }
}

/// A read of a quote's patient data (key: quote row id).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadOf(pub i32);

impl Loader<ReadOf> for AccessRecorder {
    type Value = ();
    type Error = ServiceError;

    async fn load(&self, keys: &[ReadOf]) -> Result<HashMap<ReadOf, Self::Value>, Self::Error> {
        let at = self.state.clock.now();
        let operation = self.operation.name();
        let rows = keys.iter().map(|k| patient_data_access::ActiveModel {
            at: Set(at),
            actor: Set(self.actor.clone()),
            actor_role: Set(self.role.to_owned()),
            quote_id: Set(k.0),
            operation: Set(operation.clone()),
            ..Default::default()
        });
        patient_data_access::Entity::insert_many(rows).exec_without_returning(&self.state.db).await?;
        Ok(keys.iter().map(|k| (*k, ())).collect())
    }
}

/// Gives one operation its own patient-data loaders.
pub fn attach(request: Request, state: &AppState, caller: &Caller) -> Request {
    let operation = match &request.operation_name {
        Some(name) => Operation::Named(Some(name.clone())),
        None => Operation::Document(Arc::from(request.query.as_str())),
    };
    let recorder =
        AccessRecorder { state: state.clone(), actor: caller.client_id.clone(), role: caller.role.as_str(), operation };
    request.data(DataLoader::new(VaultLoader { db: state.db.clone() }, tokio::spawn)).data(DataLoader::with_cache(
        recorder,
        tokio::spawn,
        HashMapCache::default(),
    ))
}
