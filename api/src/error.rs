//! The one error type of the service layer, and the one place it becomes a GraphQL error.
//!
//! Services return [`ServiceError`]; its `Display` text is always safe to show a partner
//! (internal causes are kept as `source`, never in the message). [`classify`], which the
//! [gateway](crate::graphql::gateway) applies to every response — HTTP and websocket alike —
//! gives each error a stable `extensions.code`: from the `ServiceError` behind it, or, for errors raised by
//! async-graphql itself (parsing, validation, argument coercion), from their kind. Internal
//! errors are logged with their cause here and reach the client as a generic message.

use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, ServerError, Value};

/// The outcome of a service call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The caller presented no credentials, or credentials that are not valid.
    #[error("authentication required: send a valid bearer token")]
    Unauthenticated,
    /// The caller is known but its role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The input is malformed or out of range; `field` is the path of the offending input.
    #[error("{message}")]
    BadInput { field: Vec<String>, message: String },
    /// Nothing with that identity exists within the caller's reach.
    #[error("{0}")]
    NotFound(String),
    /// The request collides with the current state (a reused idempotency key, a lost race).
    #[error("{0}")]
    Conflict(String),
    /// The database (or another dependency) is unreachable.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable(#[source] Arc<dyn std::error::Error + Send + Sync>),
    /// A fault of ours; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// A bad-input error on the input at `field` (a path such as `["filter", "maxPrice"]`).
    pub fn bad_input(field: &[&str], message: impl Into<String>) -> Self {
        Self::BadInput { field: field.iter().map(|s| (*s).to_owned()).collect(), message: message.into() }
    }

    /// Wraps any unexpected failure.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Arc::new(err))
    }

    /// The stable machine-readable code partners branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl Clone for ServiceError {
    fn clone(&self) -> Self {
        match self {
            Self::Unauthenticated => Self::Unauthenticated,
            Self::Forbidden(m) => Self::Forbidden(m.clone()),
            Self::BadInput { field, message } => Self::BadInput { field: field.clone(), message: message.clone() },
            Self::NotFound(m) => Self::NotFound(m.clone()),
            Self::Conflict(m) => Self::Conflict(m.clone()),
            Self::Unavailable(e) => Self::Unavailable(e.clone()),
            Self::Internal(e) => Self::Internal(e.clone()),
        }
    }
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Unreachable or lost database (see `db::is_unavailable`): UNAVAILABLE, retryable.
        if crate::db::is_unavailable(&err) { Self::Unavailable(Arc::new(err)) } else { Self::Internal(Arc::new(err)) }
    }
}

/// Shorthand for service results.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// Sets `extensions.code` (and for internal errors, the message) of one error.
pub fn classify(error: &mut ServerError) {
    if let Some(service) = error.source::<ServiceError>().cloned() {
        match &service {
            ServiceError::Internal(cause) | ServiceError::Unavailable(cause) => {
                tracing::error!(error = %cause, path = ?error.path, "request failed");
            }
            _ => {}
        }
        error.message = service.to_string();
        set(error, "code", Value::from(service.code()));
        if let ServiceError::BadInput { field, .. } = &service
            && !field.is_empty()
        {
            set(error, "field", Value::List(field.iter().map(|f| Value::from(f.as_str())).collect()));
        }
        return;
    }
    let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let code = if error.path.is_empty() && error.locations.is_empty() {
        "GRAPHQL_PARSE_FAILED"
    } else if error.path.is_empty() {
        if error.message.starts_with("Invalid value for argument") || error.message.contains("variable") {
            "BAD_USER_INPUT"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        }
    } else if is_input_coercion(&error.message) {
        "BAD_USER_INPUT"
    } else {
        // An error without a known source inside execution: never show its text.
        tracing::error!(message = %error.message, path = ?error.path, "unclassified resolver error");
        error.message = "internal error".to_owned();
        "INTERNAL"
    };
    set(error, "code", Value::from(code));
}

/// async-graphql's messages for an argument that does not coerce to its type.
fn is_input_coercion(message: &str) -> bool {
    message.starts_with("Failed to parse")
        || message.starts_with("Invalid value")
        || message.starts_with("Expected input type")
        || message.contains("(occurred while parsing")
}

fn set(error: &mut ServerError, key: &str, value: Value) {
    error.extensions.get_or_insert_with(ErrorExtensionValues::default).set(key, value);
}
