//! One end-to-end test binary (one link, shared harness): each module covers an area.

mod auth;
mod catalogue;
mod foundation;
mod schema;
mod subscriptions;
