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
//! resolved. A field that cannot be had without waiting ([`Plain::field`] answers `None`,
//! e.g. a clinic's doctors) is resolved by the derived resolver, alone, and the two kinds of
//! field are put together in the selection's order; a selection the walk does not handle
//! (a field with a directive) is resolved the derived way whole. So the eager path only ever
//! changes speed.

use std::borrow::Cow;

use std::future::Future;
use std::pin::Pin;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, ID, Name, OutputType, Positioned, ScalarType, ServerResult, Value,
};

/// An object whose fields are (mostly) values in memory.
pub trait Plain: ContainerType {
    /// Whether some field of the type usually waits (a clinic's nested lists): such a type
    /// goes straight to the mixed walk. One whose fields are all in memory (the default) is
    /// first answered as a whole, without setting aside places for waiting fields, and takes
    /// the mixed walk only when that fails.
    const WAITS: bool = false;

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
        if !T::WAITS
            && let Some(value) = resolve(&self.0, ctx)
        {
            return Ok(value);
        }
        let mut slots = Slots(Vec::with_capacity(ctx.item.node.items.len()));
        if walk(&self.0, ctx, &ctx.item.node, &mut slots).is_none() {
            return self.0.resolve(ctx, field).await;
        }
        Ok(slots.assemble(ctx).await)
    }
}

/// The object `value` under the selection of `ctx`, or `None` when a field must wait.
pub fn resolve<T: Plain>(value: &T, ctx: &ContextSelectionSet<'_>) -> Option<Value> {
    let mut map = IndexMap::with_capacity(ctx.item.node.items.len());
    walk(value, ctx, &ctx.item.node, &mut map)?;
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

/// Where a [`walk`] puts the fields it answers, and what it does with one that must wait.
trait Sink<'a, T> {
    fn ready(&mut self, key: Name, value: Value);
    /// `None` gives the whole selection up.
    fn wait(
        &mut self,
        value: &'a T,
        ctx: &ContextSelectionSet<'a>,
        field: &'a Positioned<Field>,
        key: Name,
    ) -> Option<()>;
}

/// An object answered wholly at once: a field that must wait gives it up.
impl<'a, T> Sink<'a, T> for IndexMap<Name, Value> {
    fn ready(&mut self, key: Name, value: Value) {
        insert(self, key, value);
    }

    fn wait(&mut self, _: &'a T, _: &ContextSelectionSet<'a>, _: &'a Positioned<Field>, _: Name) -> Option<()> {
        None
    }
}

/// A field the derived resolver answers: its response key and value, or its error.
type Waiting<'a> = Pin<Box<dyn Future<Output = ServerResult<(Name, Value)>> + Send + 'a>>;

/// The fields of an object in selection order, some answered, some waiting.
struct Slots<'a>(Vec<Result<(Name, Value), Waiting<'a>>>);

impl<'a, T: Plain> Sink<'a, T> for Slots<'a> {
    fn ready(&mut self, key: Name, value: Value) {
        self.0.push(Ok((key, value)));
    }

    fn wait(
        &mut self,
        value: &'a T,
        ctx: &ContextSelectionSet<'a>,
        field: &'a Positioned<Field>,
        key: Name,
    ) -> Option<()> {
        // What async-graphql's own field future does when no extension is installed.
        let ctx = ctx.clone();
        self.0.push(Err(Box::pin(async move {
            let ctx_field = ctx.with_field(field);
            Ok((key, value.resolve_field(&ctx_field).await?.unwrap_or_default()))
        })));
        Some(())
    }
}

impl Slots<'_> {
    /// The object, in selection order, once the waiting fields are answered (together, so
    /// that sibling loads batch); a failed field is left out and its error recorded, as
    /// async-graphql does.
    async fn assemble(self, ctx: &ContextSelectionSet<'_>) -> Value {
        let mut answers = Vec::with_capacity(self.0.len());
        let mut waiting = Vec::new();
        for slot in self.0 {
            match slot {
                Ok(answer) => answers.push(Some(Ok(answer))),
                Err(future) => {
                    waiting.push((answers.len(), future));
                    answers.push(None);
                }
            }
        }
        if !waiting.is_empty() {
            let (positions, futures): (Vec<usize>, Vec<_>) = waiting.into_iter().unzip();
            for (position, answer) in positions.into_iter().zip(futures::future::join_all(futures).await) {
                answers[position] = Some(answer);
            }
        }
        let mut map = IndexMap::with_capacity(answers.len());
        for answer in answers.into_iter().flatten() {
            match answer {
                Ok((key, value)) => insert(&mut map, key, value),
                Err(error) => ctx.add_error(error),
            }
        }
        // An object none of whose fields could be answered is null, as async-graphql has it.
        if map.is_empty() { Value::Null } else { Value::Object(map) }
    }
}

/// Walks a selection set as async-graphql's own `Fields::add_set` does: fields by response
/// key, `__typename`, and fragments whose type condition the object meets. Skipped
/// selections were removed before execution; a field with any other directive gives the
/// walk up.
fn walk<'a, T: Plain, S: Sink<'a, T>>(
    value: &'a T,
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    sink: &mut S,
) -> Option<()> {
    for selection in &set.items {
        let (condition, selection_set) = match &selection.node {
            Selection::Field(field) => {
                if !field.node.directives.is_empty() {
                    return None;
                }
                let key = field.node.response_key().node.clone();
                if field.node.name.node == "__typename" {
                    sink.ready(key, Value::String(value.introspection_type_name().into_owned()));
                } else if let Some(answer) = value.field(&ctx.with_field(field)) {
                    sink.ready(key, answer);
                } else {
                    sink.wait(value, ctx, field, key)?;
                }
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
            walk(value, ctx, selection_set, sink)?;
        }
    }
    Some(())
}

/// Inserts a field's value, merging it into an earlier one of the same response key (a
/// field selected twice, e.g. once directly and once in a fragment), as async-graphql does.
fn insert(map: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    // One lookup per field: the key is hashed once, whether it is new or merged.
    let previous = match map.entry(key) {
        Entry::Vacant(vacant) => {
            vacant.insert(value);
            return;
        }
        Entry::Occupied(occupied) => occupied.into_mut(),
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
/// collide with the scalar ones, so each area names its enums. Each value's name is made
/// once and shared (async-graphql's `enum_value` allocates a new one for every value
/// answered, a thousand on a page of clinics).
macro_rules! enum_leaves {
    ($($ty:ty),+ $(,)?) => {
        $(impl $crate::graphql::eager::Leaf for $ty {
            fn leaf(&self) -> async_graphql::Value {
                use async_graphql::resolver_utils::EnumType;
                static NAMES: std::sync::LazyLock<Vec<($ty, async_graphql::Name)>> = std::sync::LazyLock::new(|| {
                    <$ty as EnumType>::items().iter().map(|item| (item.value, async_graphql::Name::new(item.name))).collect()
                });
                match NAMES.iter().find(|(value, _)| value == self) {
                    Some((_, name)) => async_graphql::Value::Enum(name.clone()),
                    None => async_graphql::resolver_utils::enum_value(*self),
                }
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

#[cfg(test)]
#[path = "eager_tests.rs"]
mod tests;
