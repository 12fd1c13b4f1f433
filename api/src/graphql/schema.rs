//! The schema, merged from each area's roots, with its limits and error mapping.

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};

use super::node::NodeQuery;
use crate::auth::viewer::ViewerQuery;
use crate::catalogue::query::CatalogueQuery;
use crate::error::ErrorCodes;

/// Every query, one root per area.
#[derive(MergedObject, Default)]
pub struct QueryRoot(ViewerQuery, NodeQuery, CatalogueQuery);

/// The executable schema.
pub type ApiSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema; request-independent data (the app state) is attached by the caller.
pub fn build_schema() -> async_graphql::SchemaBuilder<QueryRoot, EmptyMutation, EmptySubscription> {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription).extension(ErrorCodes)
}

/// The schema's SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    build_schema().finish().sdl()
}
