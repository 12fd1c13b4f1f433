//! Errors as GraphQL carries them: each with its [`Code`] in `extensions.code`.

use async_graphql::{ErrorExtensionValues, ServerError, Value};

use crate::error::Code;

/// An error with `code` and `message`, not tied to a field (a request refused before, or
/// instead of, execution).
pub fn coded(code: Code, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    error
}

/// Sets `extensions.code` of `error`.
pub fn set_code(error: &mut ServerError, code: Code) {
    set(error, "code", Value::from(code.as_str()));
}

/// Sets one entry of `error`'s extensions.
pub fn set(error: &mut ServerError, key: &str, value: Value) {
    error.extensions.get_or_insert_with(ErrorExtensionValues::default).set(key, value);
}

/// The `extensions.code` of `error`, once set.
pub fn code_of(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}
