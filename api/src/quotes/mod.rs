//! The quote workflow: pre-screening, submission, the lifecycle and its events, and the
//! protection of health data.

pub mod crypto;
