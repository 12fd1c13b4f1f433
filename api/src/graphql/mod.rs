//! What every area shares on the GraphQL side: the contract's scalars, global IDs, Relay
//! pagination, the schema assembled from each area's roots, and the gateway every operation
//! passes through.

pub mod gateway;
pub mod ids;
mod node;
pub mod pagination;
pub mod scalars;
mod schema;

pub use gateway::Gateway;
pub use schema::{ApiSchema, QueryRoot, build_schema, sdl};
