//! What every area shares on the GraphQL side: the contract's scalars, global IDs, Relay
//! pagination, and the schema assembled from each area's roots.

pub mod ids;
mod node;
pub mod pagination;
pub mod scalars;
mod schema;

pub use schema::{ApiSchema, QueryRoot, build_schema, sdl};
