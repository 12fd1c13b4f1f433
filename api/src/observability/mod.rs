//! Observability: what an operator sees of a running server.
//!
//! - [`metrics`]: the Prometheus registry behind `GET /metrics` — requests and latency per
//!   GraphQL operation (or route) and outcome, database pool usage, SQL statements, and
//!   rate-limit rejections. One [`Metrics`] handle lives in the
//!   [`AppState`](crate::state::AppState); the rate limiters call
//!   [`Metrics::record_throttled`] and [`Metrics::record_token_throttled`].
//! - [`http`]: the outermost HTTP layers — request ids (`x-request-id`, client-sent when
//!   safe, a UUID otherwise, echoed on the response), the request span every log line of
//!   the request carries, and the request counter.
//! - [`graphql`]: the operation's span and metrics, recorded by the GraphQL gateway, and the
//!   schema extension opening a `debug` span per resolver.
//!
//! The log format itself (JSON or text, `RUST_LOG`) is set up by
//! [`telemetry`](crate::telemetry). Nothing here records headers, bodies, query strings,
//! GraphQL arguments or variables, so tokens, client secrets and medical notes never reach
//! a log line.

pub mod graphql;
pub mod http;
pub mod metrics;

pub use http::{REQUEST_ID, instrument};
pub use metrics::Metrics;
