//! Health-data protection: what a quote says about the patient is sealed under the quote's
//! own data key, every read of it is on record, and it can be erased for good.
//!
//! A tour: [`vault`] seals and opens a quote's patient data (envelope encryption over
//! [`crypto`](crate::crypto)); [`fields`] is what the quote's GraphQL fields call, reading
//! through the per-request [`loaders`], whose [`AccessRecorder`](loaders::AccessRecorder)
//! writes one batched row per quote per request before any patient data is returned;
//! [`access`] lists that log; [`erase`] crypto-shreds one quote, [`retention`] does it in the
//! background when the retention period passes; [`rewrap`] re-wraps data keys under a new
//! master key and [`legacy`] seals quotes stored before all this; [`api`] and [`types`] are
//! the ADMIN roots and their output types.

pub mod access;
pub mod api;
pub mod erase;
pub mod fields;
pub mod legacy;
pub mod loaders;
pub mod retention;
pub mod rewrap;
pub mod types;
pub mod vault;
