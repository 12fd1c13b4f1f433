//! What the gateway hands a transport: the outcome of one operation as a value, so HTTP picks
//! its status from a type rather than from the codes written into the response.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::{Response, Value};

use crate::cache::Answer;
use crate::error::Code;
use crate::limits::guard::Refused;

/// How one operation ended.
pub enum Outcome {
    /// Refused before execution (a limit, the method, the rate limiter): nothing ran.
    Refused(Refused),
    /// async-graphql refused the document against the schema (validation, variable values):
    /// nothing ran.
    Invalid(Response),
    /// It ran; the response may carry field errors. `unavailable` when the database could not
    /// be reached and so no data came back at all.
    Executed { response: Response, unavailable: bool },
    /// It ran past the request time-out and was stopped.
    TimedOut,
    /// A catalogue answer shared across callers (from the cache, or just put there), with this
    /// request's own extensions (its cost).
    Shared { answer: Arc<Answer>, extensions: BTreeMap<String, Value> },
}

impl Outcome {
    /// The GraphQL response, as a websocket (or any transport without statuses) sends it.
    pub fn into_response(self) -> Response {
        match self {
            Outcome::Refused(refused) => refused.into_response(),
            Outcome::Invalid(response) | Outcome::Executed { response, .. } => response,
            Outcome::TimedOut => Refused::new(Code::Timeout, TIMED_OUT).into_response(),
            Outcome::Shared { answer, extensions } => {
                let data = serde_json::from_slice(&answer.data).unwrap_or(Value::Null);
                let mut response = Response::new(data);
                response.extensions = extensions;
                response
            }
        }
    }
}

/// What a caller is told when its operation ran out of time.
pub const TIMED_OUT: &str = "the request took too long and was stopped";
