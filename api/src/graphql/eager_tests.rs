//! The mixed walk (fields answered at once beside fields that wait) answers what the derived
//! resolver answers: the same data in the same order, the same errors at the same paths.

use async_graphql::{ComplexObject, EmptyMutation, EmptySubscription, Object, Result, Schema, SimpleObject};

use super::{Eager, Leaf, Plain};

/// One field in memory, two that wait (one of them fails).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
struct Probe {
    ready: i32,
}

#[ComplexObject]
impl Probe {
    async fn later(&self) -> i32 {
        tokio::task::yield_now().await;
        self.ready + 1
    }

    async fn failing(&self) -> Result<i32> {
        tokio::task::yield_now().await;
        Err("the probe fails here".into())
    }
}

impl Plain for Probe {
    fn field(&self, ctx: &async_graphql::Context<'_>) -> Option<async_graphql::Value> {
        match ctx.item.node.name.node.as_str() {
            "ready" => Some(self.ready.leaf()),
            _ => None,
        }
    }
}

struct Query;

#[Object]
impl Query {
    async fn eager(&self) -> Option<Eager<Probe>> {
        Some(Eager(Probe { ready: 1 }))
    }

    async fn derived(&self) -> Option<Probe> {
        Some(Probe { ready: 1 })
    }
}

/// The answer to `selection` on both roots: data and errors (their paths with the root
/// renamed), as JSON text in response order.
async fn both(selection: &str) -> (String, String) {
    let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
    let mut answers = Vec::new();
    for root in ["eager", "derived"] {
        let response = schema.execute(format!("{{ {root} {selection} }}")).await;
        let data = serde_json::to_string(&response.data).expect("JSON").replace(root, "root");
        let errors: Vec<String> =
            response.errors.iter().map(|e| format!("{} at {:?}", e.message, e.path).replace(root, "root")).collect();
        answers.push(format!("{data} {errors:?}"));
    }
    let derived = answers.pop().expect("two answers");
    (answers.pop().expect("two answers"), derived)
}

#[tokio::test]
async fn waiting_fields_keep_the_selection_order_beside_ready_ones() {
    let (eager, derived) = both("{ later ready again: later __typename ... on Probe { ready later } }").await;
    assert_eq!(eager, derived);
    assert!(eager.starts_with(r#"{"root":{"later":2,"ready":1,"again":2,"__typename":"Probe"}}"#), "{eager}");
}

#[tokio::test]
async fn a_failing_field_is_left_out_with_its_error_as_the_derived_resolver_does() {
    let (eager, derived) = both("{ ready failing later }").await;
    assert_eq!(eager, derived);
    assert!(eager.contains("the probe fails here"), "{eager}");
    let (eager, derived) = both("{ failing }").await;
    assert_eq!(eager, derived, "an object with no field answered is null on both paths");
}
