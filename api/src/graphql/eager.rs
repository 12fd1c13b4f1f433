//! Eager resolution of plain objects: types whose every field is a value already in memory
//! (a doctor, an accreditation, a package and its price) are answered in one synchronous
//! walk of their selection.
//!
//! async-graphql resolves each field of each object as a boxed future of its own, polled
//! through the executor and then inserted into the response map. A page of twenty clinics
//! holds some three thousand such fields, and measured under load that machinery, not the
//! database or the JSON, was the largest share of the server's time. No library offers a
//! synchronous path for derived objects, so [`Eager`] provides one: it keeps the derived
//! type's schema (name, fields, descriptions) and replaces only how a selection on it is
//! resolved. Whenever a field cannot be had without waiting ([`Plain::field`] answers
//! `None`), the whole object is resolved the ordinary, derived way instead, so the eager
//! path only ever changes speed.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{Context, ContextSelectionSet, ID, Name, OutputType, Positioned, ScalarType, ServerResult, Value};

/// An object whose fields are values in memory.
pub trait Plain: OutputType {
    /// The value of the field `ctx` selects (its response key, arguments and sub-selection
    /// are in `ctx.item`), or `None` when it cannot be had without waiting.
    fn field(&self, ctx: &Context<'_>) -> Option<Value>;
}

/// A plain object resolved eagerly; to the schema it is the object itself.
#[derive(Clone, Debug)]
pub struct Eager<T>(pub T);

impl<T: Plain> OutputType for Eager<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        match resolve(&self.0, ctx) {
            Some(value) => Ok(value),
            None => self.0.resolve(ctx, field).await,
        }
    }
}

/// The object `value` under the selection of `ctx`, or `None` when a field must wait.
pub fn resolve<T: Plain + ?Sized>(value: &T, ctx: &ContextSelectionSet<'_>) -> Option<Value> {
    let mut map = IndexMap::with_capacity(ctx.item.node.items.len());
    collect(value, ctx, &ctx.item.node, &mut map)?;
    Some(Value::Object(map))
}

/// The nested object `value` for the field `ctx` selects.
pub fn object<T: Plain>(value: &T, ctx: &Context<'_>) -> Option<Value> {
    resolve(value, &ctx.with_selection_set(&ctx.item.node.selection_set))
}

/// The nested list of objects `values` for the field `ctx` selects.
pub fn list<T: Plain>(values: &[T], ctx: &Context<'_>) -> Option<Value> {
    let ctx = ctx.with_selection_set(&ctx.item.node.selection_set);
    values.iter().map(|v| resolve(v, &ctx)).collect::<Option<Vec<_>>>().map(Value::List)
}

/// Walks a selection set as async-graphql's own `Fields::add_set` does: fields by response
/// key, `__typename`, and fragments whose type condition the object meets. Skipped
/// selections were removed before execution; a field with any other directive waits.
fn collect<T: Plain + ?Sized>(
    value: &T,
    ctx: &ContextSelectionSet<'_>,
    set: &SelectionSet,
    map: &mut IndexMap<Name, Value>,
) -> Option<()> {
    for selection in &set.items {
        let fragment = match &selection.node {
            Selection::Field(field) => {
                if !field.node.directives.is_empty() {
                    return None;
                }
                let resolved = if field.node.name.node == "__typename" {
                    Value::String(value.introspection_type_name().into_owned())
                } else {
                    value.field(&ctx.with_field(field))?
                };
                insert(map, field.node.response_key().node.clone(), resolved);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let fragment = ctx.query_env.fragments.get(&spread.node.fragment_name.node)?;
                (Some(&fragment.node.type_condition.node.on.node), &fragment.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => {
                (inline.node.type_condition.as_ref().map(|c| &c.node.on.node), &inline.node.selection_set.node)
            }
        };
        let (condition, selection_set) = fragment;
        let applies = condition.is_none_or(|on| {
            let own = value.introspection_type_name();
            *on == *own
                || ctx
                    .schema_env
                    .registry
                    .implements
                    .get(own.as_ref())
                    .is_some_and(|interfaces| interfaces.contains(on.as_str()))
        });
        if applies {
            collect(value, ctx, selection_set, map)?;
        }
    }
    Some(())
}

/// Inserts a field's value, merging it into an earlier one of the same response key (a
/// field selected twice, e.g. once directly and once in a fragment), as async-graphql does.
fn insert(map: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let Some(previous) = map.get_mut(&key) else {
        map.insert(key, value);
        return;
    };
    match (previous, value) {
        (Value::Object(target), Value::Object(object)) => {
            for (key, value) in object {
                insert(target, key, value);
            }
        }
        (Value::List(target), Value::List(list)) => {
            for (target, value) in target.iter_mut().zip(list) {
                if let (Value::Object(target), Value::Object(object)) = (target, value) {
                    for (key, value) in object {
                        insert(target, key, value);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A field value that is a scalar, an enum, or a list or option of them.
pub trait Leaf {
    /// The value as the response holds it.
    fn leaf(&self) -> Value;
}

macro_rules! scalar_leaves {
    ($($ty:ty),+) => {
        $(impl Leaf for $ty {
            fn leaf(&self) -> Value {
                ScalarType::to_value(self)
            }
        })+
    };
}

scalar_leaves!(String, i32, f64, bool, ID, super::scalars::Date, super::scalars::DateTime, crate::money::Decimal);

/// Makes GraphQL enums (`async_graphql::Enum`, `Copy`) leaves. A blanket impl would
/// collide with the scalar ones, so each area names its enums.
macro_rules! enum_leaves {
    ($($ty:ty),+ $(,)?) => {
        $(impl $crate::graphql::eager::Leaf for $ty {
            fn leaf(&self) -> async_graphql::Value {
                async_graphql::resolver_utils::enum_value(*self)
            }
        })+
    };
}

pub(crate) use enum_leaves;

impl<T: Leaf> Leaf for Option<T> {
    fn leaf(&self) -> Value {
        self.as_ref().map_or(Value::Null, Leaf::leaf)
    }
}

impl<T: Leaf> Leaf for Vec<T> {
    fn leaf(&self) -> Value {
        Value::List(self.iter().map(Leaf::leaf).collect())
    }
}

impl Plain for super::scalars::Money {
    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "amount" => self.amount.leaf(),
            "currencyCode" => self.currency_code.leaf(),
            _ => return None,
        })
    }
}
