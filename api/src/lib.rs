//! Medtour: the GraphQL API between medical-tourism partners and the clinic catalogue.
//!
//! **The rule:** a module imports only modules of its own tier or a tier below it, and never
//! one of the tiers above — transport → gateway → schema → areas → state → building blocks →
//! core → `entity`. Within a tier imports do not go round in a circle.
//!
//! A guided tour, tier by tier, in the order a request meets the code:
//! - **Edges.** [`startup`] builds the [`Application`](startup::Application) from typed
//!   [`config`]; [`cli`] is the `medtour` command line, [`telemetry`] its logging and [`demo`]
//!   the shipped demo catalogue, loaded through the catalogue's own write path.
//! - **Transport.** [`http`] accepts connections (bounding slow clients and how many are
//!   open) and routes requests: `/graphql` and its websocket, GraphiQL, `/oauth/token`,
//!   health checks and `/metrics`. Handlers take their part of the state through axum's
//!   `FromRef`.
//! - **Gateway.** [`gateway`] admits every operation, HTTP or websocket, through [`limits`]
//!   before the schema runs it (or answers a shared catalogue read from the [`cache`]), and
//!   hands the transport a typed outcome.
//! - **Schema.** [`schema`] merges each area's roots and resolves Relay's `node` across the
//!   areas.
//! - **Areas** of the domain, each with its GraphQL types, inputs, services and loaders side by
//!   side: [`catalogue`] (clinics, evidence, packages, checklist, cost table), [`quotes`]
//!   (pre-screening, the quote workflow, events), [`admin`] (catalogue administration, evidence
//!   verification, partners and clients, the audit log), [`webhooks`] (quote events pushed to
//!   partners' and clinics' servers, signed, from a durable outbox), [`dashboard`] (the
//!   business in figures for staff, computed by the database) and [`viewer`] (who is
//!   calling). Their
//!   services take plain domain values and know nothing of GraphQL.
//! - **State.** [`state`] is the API context every request shares.
//! - **Building blocks**, which know no area: [`auth`] (clients, tokens, the caller and its
//!   scope guard), [`limits`] (nesting, depth, size, cost, rate, sockets), [`observability`]
//!   (request ids, spans, metrics), [`graphql`] (scalars, global IDs, Relay connections),
//!   [`bus`] (committed quote events fanned out to every replica), [`cache`] (catalogue
//!   answers shared across callers, keyed by the catalogue version every replica follows),
//!   [`percentile`] (continuous percentiles in SQL, the same on both backends) and [`jobs`]
//!   (the doorbell that asks a background worker for a pass, and tells when it is done).
//! - **Core**: [`error`] (the one service error and its codes), [`config`] (every setting, and
//!   the only reader of the environment), [`db`] (connect, migrate, classify database
//!   failures, map named constraints to field errors), [`time`] (the clock tests turn),
//!   [`iso`] (country and language codes), [`money`] (currencies and exact decimals), [`paging`] (keyset pages), [`crypto`] (health
//!   data sealed at rest) and `vocab` (the closed vocabularies stored as text).
#![forbid(unsafe_code)]

pub mod admin;
pub mod auth;
pub mod bus;
pub mod cache;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod error;
pub mod gateway;
pub mod graphql;
pub mod http;
pub mod iso;
pub mod jobs;
pub mod limits;
pub mod money;
pub mod observability;
pub mod paging;
pub mod percentile;
pub mod quotes;
pub mod schema;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod time;
pub mod viewer;
mod vocab;
pub mod webhooks;
