//! The one error type of the service layer, and the closed list of error codes.
//!
//! Services return [`ServiceError`]; its `Display` text is always safe to show a partner
//! (internal causes are kept as `source`, never in the message). Every error a caller can
//! get carries one [`Code`] as `extensions.code`; the [gateway](crate::gateway) is the one
//! place a `ServiceError` becomes a GraphQL error, and logs internal causes there.

use std::sync::Arc;

/// Every `extensions.code` the API answers with: the values partners branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// No credentials, or credentials that are not valid.
    Unauthenticated,
    /// The caller's role or scopes do not allow this.
    Forbidden,
    /// An argument or variable is malformed or out of range.
    BadUserInput,
    /// Nothing with that identity within the caller's reach.
    NotFound,
    /// The request collides with the current state.
    Conflict,
    /// A dependency (the database) is unreachable; retry.
    Unavailable,
    /// A fault of ours; the cause is logged, never shown.
    Internal,
    /// The request is not a GraphQL request (unreadable body, bad parameters).
    BadRequest,
    /// The body exceeds the size limit.
    RequestTooLarge,
    /// The body did not arrive in time.
    RequestTimeout,
    /// An automatic persisted query's hash is unknown (the client resends the text).
    PersistedQueryNotFound,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    /// Mutations are not accepted over GET.
    MethodNotAllowed,
    /// The client's query-cost budget is exhausted.
    Throttled,
    /// The operation ran past the request time-out.
    Timeout,
    /// The query text is longer than allowed.
    QueryTooLarge,
    /// Brackets nest deeper than allowed, in the document or its variables.
    NestingLimitExceeded,
    /// Selections nest deeper than allowed.
    DepthLimitExceeded,
    /// More aliases than allowed.
    AliasLimitExceeded,
    /// More fields than allowed once fragments are expanded.
    ComplexityLimitExceeded,
    /// The operation's cost exceeds the per-request maximum.
    CostLimitExceeded,
    /// More directives on one field than allowed.
    DirectiveLimitExceeded,
    /// Introspection is turned off on this server.
    IntrospectionDisabled,
    /// The client already runs as many subscriptions as allowed.
    SubscriptionLimitExceeded,
}

impl Code {
    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::Unavailable => "UNAVAILABLE",
            Code::Internal => "INTERNAL",
            Code::BadRequest => "BAD_REQUEST",
            Code::RequestTooLarge => "REQUEST_TOO_LARGE",
            Code::RequestTimeout => "REQUEST_TIMEOUT",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Code::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Code::Throttled => "THROTTLED",
            Code::Timeout => "TIMEOUT",
            Code::QueryTooLarge => "QUERY_TOO_LARGE",
            Code::NestingLimitExceeded => "NESTING_LIMIT_EXCEEDED",
            Code::DepthLimitExceeded => "DEPTH_LIMIT_EXCEEDED",
            Code::AliasLimitExceeded => "ALIAS_LIMIT_EXCEEDED",
            Code::ComplexityLimitExceeded => "COMPLEXITY_LIMIT_EXCEEDED",
            Code::CostLimitExceeded => "COST_LIMIT_EXCEEDED",
            Code::DirectiveLimitExceeded => "DIRECTIVE_LIMIT_EXCEEDED",
            Code::IntrospectionDisabled => "INTROSPECTION_DISABLED",
            Code::SubscriptionLimitExceeded => "SUBSCRIPTION_LIMIT_EXCEEDED",
        }
    }
}

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
    pub fn code(&self) -> Code {
        match self {
            Self::Unauthenticated => Code::Unauthenticated,
            Self::Forbidden(_) => Code::Forbidden,
            Self::BadInput { .. } => Code::BadUserInput,
            Self::NotFound(_) => Code::NotFound,
            Self::Conflict(_) => Code::Conflict,
            Self::Unavailable(_) => Code::Unavailable,
            Self::Internal(_) => Code::Internal,
        }
    }

    /// The one policy for a stored value outside its vocabulary (a status, a role, a kind
    /// the code does not know): a fault of ours, logged with what was found, never guessed at.
    pub fn unknown_stored(vocabulary: &'static str, value: &str) -> Self {
        tracing::error!(vocabulary, value, "a stored value is outside its vocabulary");
        Self::internal(std::io::Error::other(format!("stored {vocabulary} {value:?} is outside its vocabulary")))
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

/// Shorthand for service results.
pub type ServiceResult<T> = Result<T, ServiceError>;
