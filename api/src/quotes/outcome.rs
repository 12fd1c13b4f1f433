//! What a quote mutation returns to its resolver: the quote, or the user errors saying why
//! not (Shopify-style payloads), or — for faults of ours — a service error.

use entity::quotes;

use super::vocab::UserErrorCode;

/// One reason a mutation did not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// Path of the input concerned, e.g. `["input", "patient", "ageYears"]`.
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: UserErrorCode,
}

impl UserError {
    /// An INVALID error on `field`.
    pub fn invalid(field: Vec<String>, message: String) -> Self {
        Self { field: Some(field), message, code: UserErrorCode::Invalid }
    }

    /// A NOT_FOUND error on `field`: also what a quote outside the caller's tenancy gets.
    pub fn not_found(field: &[&str], what: &str) -> Self {
        Self {
            field: Some(field.iter().map(|s| (*s).to_owned()).collect()),
            message: format!("no {what} with that ID"),
            code: UserErrorCode::NotFound,
        }
    }

    /// An error with `code` and no field.
    pub fn new(code: UserErrorCode, message: impl Into<String>) -> Self {
        Self { field: None, message: message.into(), code }
    }
}

/// The result of a quote mutation.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub quote: Option<quotes::Model>,
    pub user_errors: Vec<UserError>,
}

impl Outcome {
    /// Success with `quote`.
    pub fn done(quote: quotes::Model) -> Self {
        Self { quote: Some(quote), user_errors: Vec::new() }
    }

    /// Refusal for these reasons.
    pub fn refused(user_errors: Vec<UserError>) -> Self {
        Self { quote: None, user_errors }
    }
}
