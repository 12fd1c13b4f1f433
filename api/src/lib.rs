//! Medtour: the GraphQL API between medical-tourism partners and the clinic catalogue.
//!
//! A guided tour, in the order a request meets the code:
//! - [`startup`] builds the [`Application`](startup::Application) from typed [`config`];
//!   [`cli`] is the `medtour` command line and [`telemetry`] its logging.
//! - [`http`] accepts connections (bounding slow clients and how many are open) and routes
//!   requests: `/graphql`, GraphiQL, `/oauth/token`, health checks; [`auth`] turns a
//!   bearer token into a caller and holds the scope guard; [`observability`] gives each
//!   request an id, a span and its metrics (`/metrics`).
//! - [`graphql`]'s gateway admits every operation, HTTP or websocket, through [`limits`]
//!   (nesting, depth, size, cost, rate, sockets) before the merged schema runs it; it also
//!   holds what every area shares: scalars, global IDs, Relay pagination.
//! - Areas of the domain, each with its types, inputs, service and loaders side by side:
//!   [`catalogue`] (clinics, evidence, packages, checklist, cost table) and [`quotes`]
//!   (pre-screening, the quote workflow, events, sealed notes).
//! - [`time`] is the application's clock, which tests turn forward.
//! - [`error`] is the one service error type and the one place it becomes a GraphQL error.
//! - [`db`] connects and migrates; [`demo`] loads the shipped demo catalogue.
#![forbid(unsafe_code)]

pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod http;
pub mod limits;
pub mod money;
pub mod observability;
pub mod quotes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod time;
mod vocab;
