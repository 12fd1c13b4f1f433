//! The schema, merged from each area's roots, with its error mapping.

use async_graphql::{MergedObject, MergedSubscription, Schema};

use super::node::NodeQuery;
use crate::auth::viewer::ViewerQuery;
use crate::catalogue::query::CatalogueQuery;
use crate::limits::QueryLimits;
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

/// Builds the schema with its limits; the app state is attached by the caller. Outside
/// development, "did you mean" suggestions are off so the schema is not leaked field by field.
pub fn build_schema(
    limits: &QueryLimits,
    production: bool,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        // Defence in depth behind the gateway's own limits, which refuse first and faster.
        .limit_depth(limits.max_depth.max(limits.max_introspection_depth) as usize + 1)
        .limit_complexity(limits.max_fields as usize + 1);
    // Per-resolver spans make every field pay for the extension chain: only when they are
    // wanted (the log filter is fixed at start-up).
    if tracing::enabled!(target: "medtour::graphql", tracing::Level::DEBUG) {
        builder = builder.extension(crate::observability::graphql::ResolverSpans);
    }
    if production {
        builder = builder.disable_suggestions();
    }
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema(&QueryLimits::default(), false).finish().sdl()
}
