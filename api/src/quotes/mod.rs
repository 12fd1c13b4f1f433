//! The quote workflow: agents ask clinics for quotes on a patient's behalf.
//!
//! A tour: [`api`] holds the GraphQL roots (thin resolvers); [`inputs`] and [`types`] are
//! what callers send and get, and [`request`] the plain values the services take instead;
//! [`prescreen`] answers `checkEligibility`; [`eligibility`] is the pre-screening rule and [`lifecycle`] the
//! transition table, both pure; [`validate`] checks input field by field into user errors
//! ([`outcome`]); [`submit`] stores a request idempotently, [`transition`] moves it with
//! optimistic concurrency, [`read`] lists and fetches; every query on quotes starts from the
//! caller's [`scope::Tenancy`]; [`events`] records history and pushes it to subscribers
//! (through the [`bus`](crate::bus)); [`health`] seals the patient's data under each quote's
//! own key (with [`crypto`](crate::crypto)), records every read of it and erases it.

pub mod api;
pub mod eligibility;
pub mod events;
pub mod health;
pub mod inputs;
pub mod lifecycle;
pub mod loaders;
pub mod outcome;
pub mod prescreen;
pub mod read;
pub mod replay;
pub mod request;
pub mod scope;
pub mod submit;
pub mod transition;
pub mod types;
pub mod validate;
pub mod vocab;
