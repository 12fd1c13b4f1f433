//! What an administration service answers when it does not do what was asked: the user
//! errors of the payload (every validation problem at once, a stale version, a record out of
//! reach), or a fault of ours that becomes a GraphQL error.

use crate::error::ServiceError;
use crate::quotes::outcome::UserError;
use crate::quotes::vocab::UserErrorCode;

/// Why a write did not happen. Nothing was written in either case.
#[derive(Debug)]
pub enum Refused {
    /// The caller's input or the record's state: reported in the payload.
    Users(Vec<UserError>),
    /// A fault of ours or an unreachable database: a GraphQL error.
    Fault(ServiceError),
}

/// The result of an administration write.
pub type Written<T> = Result<T, Refused>;

impl From<ServiceError> for Refused {
    fn from(err: ServiceError) -> Self {
        let error = |code, field: Option<Vec<String>>, message: String| {
            Refused::Users(vec![UserError { field, message, code }])
        };
        match err {
            ServiceError::BadInput { field, message } => error(UserErrorCode::Invalid, Some(field), message),
            ServiceError::NotFound(message) => error(UserErrorCode::NotFound, None, message),
            ServiceError::Conflict(message) => error(UserErrorCode::Conflict, None, message),
            ServiceError::Forbidden(message) => error(UserErrorCode::Forbidden, None, message),
            fault => Refused::Fault(fault),
        }
    }
}

impl From<sea_orm::DbErr> for Refused {
    fn from(err: sea_orm::DbErr) -> Self {
        Refused::Fault(err.into())
    }
}

/// NOT_FOUND on `field` for a `what` that does not exist — and, in the very same words, for
/// one outside the caller's reach.
pub fn not_found(field: &str, what: &str) -> Refused {
    Refused::Users(vec![UserError::not_found(&[field], what)])
}

/// CONFLICT on `version`: the record changed since the caller read it.
pub fn stale(what: &str) -> Refused {
    Refused::Users(vec![UserError {
        field: Some(vec!["version".to_owned()]),
        message: format!("the {what} has changed since that version; read it again and retry"),
        code: UserErrorCode::Conflict,
    }])
}

/// INVALID_TRANSITION on `field`.
pub fn invalid_transition(field: &str, message: String) -> Refused {
    Refused::Users(vec![UserError {
        field: Some(vec![field.to_owned()]),
        message,
        code: UserErrorCode::InvalidTransition,
    }])
}

/// Splits a result into what a payload carries: the record, or the user errors; a fault
/// stays an error.
pub fn settle<T>(result: Written<T>) -> Result<(Option<T>, Vec<UserError>), ServiceError> {
    match result {
        Ok(record) => Ok((Some(record), Vec::new())),
        Err(Refused::Users(errors)) => Ok((None, errors)),
        Err(Refused::Fault(fault)) => Err(fault),
    }
}
