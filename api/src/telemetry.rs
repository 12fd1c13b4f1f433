//! Logging set-up: human-readable lines in development, one JSON object per line in
//! production (`MEDTOUR_LOG_JSON`).
//!
//! Every line logged while a request is served carries the request's span — its `request_id`
//! (also returned in the `x-request-id` header), method, path and GraphQL operation — in
//! `span` and `spans`, so a partner's request id finds all of its lines. At `debug` each
//! resolver adds a span of its own (see [`observability`](crate::observability)). What is
//! recorded is chosen so that tokens, client secrets and medical notes never appear: no
//! headers, bodies, query strings, GraphQL arguments or variables, and no SQL.

use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is unset.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// Installs the global subscriber once; `RUST_LOG` overrides the default level.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ =
        if json { builder.json().with_current_span(true).with_span_list(true).try_init() } else { builder.try_init() };
}
