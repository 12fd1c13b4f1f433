//! The schema, assembled above the areas: each area's roots merged into one `Query`,
//! `Mutation` and `Subscription`, and the Relay `node` resolver ([`node`]), which reaches
//! into every area that has IDs.

mod node;

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, MergedSubscription, Request, Schema};
use sea_orm::DatabaseConnection;

use self::node::NodeQuery;
use crate::catalogue::loaders::CatalogueLoader;
use crate::catalogue::query::CatalogueQuery;
use crate::limits::QueryLimits;
use crate::quotes::api::{QuoteMutation, QuoteQuery, QuoteSubscription};
use crate::quotes::loaders::QuoteLoader;
use crate::viewer::ViewerQuery;
use crate::webhooks::api::{WebhookMutation, WebhookQuery};

/// Every query, one root per area.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(ViewerQuery, NodeQuery, CatalogueQuery, QuoteQuery, WebhookQuery);

/// Every mutation.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(QuoteMutation, WebhookMutation);

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

/// Gives one operation fresh batch loaders, one per area that batches its reads: what they
/// cache lives exactly as long as the operation.
pub fn with_loaders(request: Request, db: &DatabaseConnection) -> Request {
    request
        .data(DataLoader::new(CatalogueLoader::new(db.clone()), tokio::spawn))
        .data(DataLoader::new(QuoteLoader::new(db.clone()), tokio::spawn))
}
