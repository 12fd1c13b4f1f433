//! Test helpers for eager resolution: a wrapper that refuses to wait, and selections of
//! every field of a type read from the schema's own introspection.

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, EmptyMutation, EmptySubscription, ObjectType, OutputType, Positioned, Schema, ServerError,
    ServerResult, Value,
};

use super::eager::{self, Plain};

/// Resolves only eagerly: an error wherever a field would have waited.
pub struct Strict<T>(pub T);

impl<T: Plain> OutputType for Strict<T> {
    fn type_name() -> std::borrow::Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        eager::resolve(&self.0, ctx).ok_or_else(|| ServerError::new("a field waited", Some(field.pos)))
    }
}

/// The answer's data, keys in response order (a `serde_json::Value` would sort them unless
/// serde_json's `preserve_order` happens to be on).
pub async fn run<Q: ObjectType + 'static>(schema: &Schema<Q, EmptyMutation, EmptySubscription>, query: &str) -> Value {
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    response.data
}

/// The root field `name` of an answer, as JSON text in response order.
pub fn text(data: &Value, name: &str) -> String {
    let Value::Object(roots) = data else { panic!("the data is an object: {data}") };
    serde_json::to_string(&roots[name]).expect("JSON")
}

/// Every field of `type_name`, with sub-selections of every field of nested objects, read
/// from the schema's own introspection so a field added later is covered too.
pub async fn every_field<Q: ObjectType + 'static>(
    schema: &Schema<Q, EmptyMutation, EmptySubscription>,
    type_name: &str,
) -> String {
    every_field_but(schema, type_name, &[]).await
}

/// [`every_field`], but of the types named in `own_only` only the fields that are not
/// objects (a clinic's own fields, without its nested evidence).
pub async fn every_field_but<Q: ObjectType + 'static>(
    schema: &Schema<Q, EmptyMutation, EmptySubscription>,
    type_name: &str,
    own_only: &[&str],
) -> String {
    let query = format!(
        r#"{{ __type(name: "{type_name}") {{ fields {{ name type {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name }} }} }} }} }} }} }}"#
    );
    let answer = run(schema, &query).await.into_json().expect("the data is JSON");
    let mut out = String::from("{");
    for field in answer["__type"]["fields"].as_array().expect("the type has fields") {
        let name = field["name"].as_str().expect("a field name");
        let mut ty = &field["type"];
        while ty["name"].is_null() {
            ty = &ty["ofType"];
        }
        if ty["kind"] == "OBJECT" && own_only.contains(&type_name) {
            continue;
        }
        out.push(' ');
        out.push_str(name);
        if ty["kind"] == "OBJECT" {
            let nested = ty["name"].as_str().expect("an object name");
            out.push(' ');
            out.push_str(&Box::pin(every_field_but(schema, nested, own_only)).await);
        }
    }
    out.push_str(" }");
    out
}
