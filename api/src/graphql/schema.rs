//! The schema, merged from each area's roots, with its error mapping.

use async_graphql::{MergedObject, MergedSubscription, Schema};

use super::node::NodeQuery;
use crate::auth::viewer::ViewerQuery;
use crate::catalogue::query::CatalogueQuery;
use crate::error::ErrorCodes;
use crate::quotes::api::{QuoteMutation, QuoteQuery, QuoteSubscription};

/// Every query, one root per area.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(ViewerQuery, NodeQuery, CatalogueQuery, QuoteQuery);

/// Every mutation.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(QuoteMutation);

/// Every subscription.
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(QuoteSubscription);

/// The executable schema.
pub type ApiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema; request-independent data (the app state) is attached by the caller.
pub fn build_schema() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default()).extension(ErrorCodes)
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema().finish().sdl()
}
