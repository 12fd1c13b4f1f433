//! Administration: staff (ADMIN) and clinic staff (CLINIC, for their own clinic) keep the
//! catalogue honest, and staff manage partners and their API clients.
//!
//! A tour: [`api`] holds the thin GraphQL roots, [`inputs`] the GraphQL inputs and their
//! conversion into the plain values of [`request`], [`types`] the payloads and the audit,
//! partner and client types (with [`loaders`] batching their nested reads). The services know
//! nothing of GraphQL: [`catalogue`] (treatments, clinics and their lifecycle), [`records`]
//! (doctors, packages), [`evidence`] (accreditations, certificates and their verification)
//! and [`partners`] (partners and clients). Each validates its whole input ([`validate`]),
//! writes through the catalogue's one write path, takes the record's version
//! ([`versioned`]) and appends its [`audit`] record, all in one transaction; what it refuses
//! is an [`outcome`].

pub mod api;
pub mod audit;
pub mod catalogue;
pub mod evidence;
pub mod inputs;
pub mod loaders;
pub mod outcome;
pub mod partners;
pub mod records;
pub mod request;
pub mod types;
pub mod validate;
pub mod versioned;
