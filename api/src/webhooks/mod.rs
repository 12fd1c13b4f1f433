//! Webhooks: quote events pushed to partners' and clinics' servers, signed, durable and
//! retried.
//!
//! A tour: [`api`] holds the GraphQL roots and [`types`] what they return; [`endpoints`]
//! registers, changes and re-keys endpoints within the caller's [`scope::Owner`] reach, and
//! [`deliveries`] reads deliveries and redelivers one, and [`loaders`] batch what is nested
//! under them; [`address`] is the URL and address
//! policy (checked at registration and on every attempt's resolved address); [`outbox`]
//! writes one delivery per subscribed endpoint in the quote change's own transaction;
//! [`worker`] claims, signs ([`signing`], Standard Webhooks), sends and records them, with
//! the backoff of [`schedule`]. The services take plain values and know nothing of GraphQL.

pub mod address;
pub mod api;
pub mod deliveries;
pub mod endpoints;
pub mod loaders;
pub mod outbox;
pub mod schedule;
pub mod scope;
pub mod signing;
pub mod types;
pub mod vocab;
pub mod worker;
