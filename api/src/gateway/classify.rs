//! The one place an error becomes what the caller reads: every error of every response, HTTP
//! and websocket alike, gets its [`Code`] here, and internal causes are logged here and
//! replaced by a generic message.

use async_graphql::{ServerError, Value};

use crate::error::{Code, ServiceError};
use crate::graphql::errors::{code_of, set, set_code};

/// Sets `extensions.code` (and, for internal errors, the message) of one error.
pub fn classify(error: &mut ServerError) {
    if let Some(service) = error.source::<ServiceError>().cloned() {
        from_service(error, &service);
        return;
    }
    if let Some(service) = error.source::<std::sync::Arc<ServiceError>>().cloned() {
        // A batch loader's error, shared by every field that waited on the batch.
        from_service(error, &service);
        return;
    }
    if code_of(error).is_some() {
        // Refused by admission or the gateway, with its code already.
        return;
    }
    let code = if error.path.is_empty() { before_execution(error) } else { during_execution(error) };
    set_code(error, code);
}

fn from_service(error: &mut ServerError, service: &ServiceError) {
    if let ServiceError::Internal(cause) | ServiceError::Unavailable(cause) = service {
        tracing::error!(error = %cause, path = ?error.path, "request failed");
    }
    error.message = service.to_string();
    set_code(error, service.code());
    if let ServiceError::BadInput { field, .. } = service
        && !field.is_empty()
    {
        set(error, "field", Value::List(field.iter().map(|f| Value::from(f.as_str())).collect()));
    }
}

/// async-graphql's own refusals before anything ran. The document was parsed by admission,
/// so these come from validation; async-graphql gives them no kind, and its wording is the
/// only way to tell a variable or argument value that does not fit its type (the caller's
/// input, BAD_USER_INPUT) from a document that does not fit the schema.
fn before_execution(error: &ServerError) -> Code {
    let message = &error.message;
    if message.starts_with("Invalid value for argument") || message.contains("variable") {
        Code::BadUserInput
    } else {
        Code::GraphqlValidationFailed
    }
}

/// An error inside execution without a service error behind it: an argument that did not
/// coerce (async-graphql's own messages, as above), or a fault of ours whose text is never
/// shown.
fn during_execution(error: &mut ServerError) -> Code {
    let message = &error.message;
    let coercion = message.starts_with("Failed to parse")
        || message.starts_with("Invalid value")
        || message.starts_with("Expected input type")
        || message.contains("(occurred while parsing");
    if coercion {
        return Code::BadUserInput;
    }
    tracing::error!(message = %error.message, path = ?error.path, "unclassified resolver error");
    error.message = "internal error".to_owned();
    Code::Internal
}
