//! Abuse limits: how deeply a text may nest before any parser sees it ([`nesting`]), what a
//! single request may ask for ([`analysis`] measures it before execution, [`guard`] admits
//! it), how much a client may ask for over time ([`rate`]), how many websockets and
//! subscriptions it may hold ([`sessions`]), and how often the token endpoint may be tried
//! ([`token_rate`]). Parsed documents are remembered by their text ([`documents`]).

pub mod analysis;
pub mod documents;
pub mod guard;
pub mod nesting;
pub mod rate;
pub mod sessions;
pub mod token_rate;

pub use crate::config::QueryLimits;
