//! One end-to-end test binary (one link, shared harness): each module covers an area.

mod auth;
mod catalogue;
mod catalogue_batching;
mod catalogue_checklist;
mod catalogue_filters;
mod catalogue_fixtures;
mod catalogue_paging;
mod child_server;
mod faults;
mod foundation;
mod fuzz;
mod limits;
mod observability;
mod quotes_idempotency;
mod quotes_lifecycle;
mod quotes_listing;
mod quotes_offers;
mod quotes_privacy;
mod quotes_submit;
mod quotes_support;
mod quotes_tenancy;
mod schema;
mod subscriptions;
mod transport;
