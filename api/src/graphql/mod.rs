//! The GraphQL building blocks every area uses: the contract's scalars and the `Money`
//! object, global IDs, eager resolution of plain objects, and Relay connections over keyset pages. Nothing here knows an area;
//! the schema is assembled above the areas, in [`schema`](crate::schema).

pub mod eager;
#[cfg(test)]
pub(crate) mod eager_testing;
pub mod errors;
pub mod ids;
pub mod pagination;
pub mod scalars;
