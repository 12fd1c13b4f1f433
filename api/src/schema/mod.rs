//! The schema, assembled above the areas: each area's roots merged into one `Query`,
//! `Mutation` and `Subscription`, and the Relay `node` resolver ([`node`]), which reaches
//! into every area that has IDs.

mod node;

use async_graphql::dataloader::DataLoader;
use async_graphql::{MergedObject, MergedSubscription, Request, Schema};
use sea_orm::DatabaseConnection;

use self::node::NodeQuery;
use crate::admin::api::{AdminQuery, CatalogueAdminMutation, PartnerAdminMutation};
use crate::admin::loaders::AdminLoader;
use crate::catalogue::loaders::CatalogueLoader;
use crate::catalogue::query::CatalogueQuery;
use crate::dashboard::api::DashboardQuery;
use crate::limits::QueryLimits;
use crate::quotes::api::{QuoteMutation, QuoteQuery, QuoteSubscription};
use crate::quotes::health::api::{HealthMutation, HealthQuery};
use crate::quotes::loaders::QuoteLoader;
use crate::time::Clock;
use crate::viewer::ViewerQuery;
use crate::webhooks::api::{WebhookMutation, WebhookQuery};
use crate::webhooks::loaders::WebhookLoader;

/// What partners read: the catalogue, eligibility pre-checks, quotes, and who is calling.
/// Every operation needs a bearer token from `/oauth/token`; each field says the scope it
/// needs (a missing one is FORBIDDEN).
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    ViewerQuery,
    NodeQuery,
    CatalogueQuery,
    QuoteQuery,
    AdminQuery,
    WebhookQuery,
    HealthQuery,
    DashboardQuery,
);

/// What partners change: the quote workflow. Each mutation answers with a payload holding
/// the object and `userErrors`, the problems that stopped it (bad input, a transition the
/// status does not allow, a conflict); errors there are not GraphQL errors.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(QuoteMutation, CatalogueAdminMutation, PartnerAdminMutation, WebhookMutation, HealthMutation);

/// Live updates, over graphql-transport-ws on `/graphql/ws`, authenticated by the
/// `Authorization` entry of `connection_init`'s payload.
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
/// `clock` is the application's, for reads judged against now.
pub fn with_loaders(request: Request, db: &DatabaseConnection, clock: &Clock) -> Request {
    request
        .data(DataLoader::new(CatalogueLoader::new(db.clone(), clock.clone()), tokio::spawn))
        .data(DataLoader::new(QuoteLoader::new(db.clone()), tokio::spawn))
        .data(DataLoader::new(AdminLoader::new(db.clone()), tokio::spawn))
        .data(DataLoader::new(WebhookLoader::new(db.clone()), tokio::spawn))
}
