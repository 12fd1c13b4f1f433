//! Random operations from the served schema ([`Model`]): each case picks root fields,
//! arguments (of the right type mostly, of a wrong type sometimes; inline or as variables)
//! and a random selection set, with the odd alias, directive, unknown field or truncated
//! document.

use async_graphql::parser::types::{BaseType, Type};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IteratorRandom, SliceRandom};
use serde_json::{Map, Value};

use super::schema::{Field, Model, named};
use super::values::{self, Val};

/// One generated request.
pub struct Case {
    pub query: String,
    pub variables: Value,
    /// Sent as `GET /graphql?query=…` instead of a POST.
    pub via_get: bool,
}

/// A deterministic stream of cases.
pub struct Generator<'a> {
    model: &'a Model,
    pub rng: StdRng,
    variables: Vec<(String, String, Value)>,
    /// Whether this case may break the rules (broken documents, unknown fields and arguments,
    /// missing required inputs, mistyped variables); the others are well-formed.
    /// send plausible values only, so they reach resolvers and the database.
    hostile: bool,
    /// The share of this case's values that are hostile (wrong types, nulls, unicode, huge,
    /// SQL-ish, malformed); the rest are plausible. Mixing both lets a hostile string reach
    /// a resolver past a valid ID.
    hostility: f64,
    /// Rows of quotes in states that allow transitions, refreshed by the test as it goes.
    quotes: Vec<i32>,
}

const MAX_DEPTH: usize = 6;

impl<'a> Generator<'a> {
    pub fn new(model: &'a Model, rng: StdRng) -> Self {
        Self { model, rng, variables: Vec::new(), hostile: true, hostility: 1.0, quotes: Vec::new() }
    }

    /// Points quote IDs at these rows from now on.
    pub fn set_quotes(&mut self, quotes: Vec<i32>) {
        self.quotes = quotes;
    }

    /// The next case.
    pub fn case(&mut self) -> Case {
        self.variables.clear();
        self.hostility = *[0.0, 0.3, 1.0].choose(&mut self.rng).unwrap_or(&1.0);
        self.hostile = self.hostility > 0.0 && self.rng.gen_bool(0.7);
        let roll = self.rng.gen_range(0..100);
        let (keyword, body) = match roll {
            0..=62 => ("query", self.selection("Query", 0, 1..=3)),
            63..=91 => ("mutation", self.selection("Mutation", 0, 1..=2)),
            92..=94 => {
                let id = values::id(&mut self.rng, &self.quotes);
                ("subscription", format!("{{ quoteEvents(quoteId: {}) {{ quoteId to }} }}", Val::Str(id).literal()))
            }
            _ => ("query", self.introspection()),
        };
        let header = if self.variables.is_empty() {
            keyword.to_owned()
        } else {
            let defs: Vec<String> = self.variables.iter().map(|(name, ty, _)| format!("${name}: {ty}")).collect();
            format!("{keyword} Fuzz({})", defs.join(", "))
        };
        let mut query = format!("{header} {body}");
        if self.hostile && self.rng.gen_bool(0.06) {
            // A broken document: cut anywhere (on a character boundary).
            let cut = self.rng.gen_range(0..query.chars().count().max(1));
            query = query.chars().take(cut).collect();
        }
        let variables: Map<String, Value> = self.variables.drain(..).map(|(name, _, value)| (name, value)).collect();
        let via_get = !query.starts_with("mutation") && query.len() < 4_000 && self.rng.gen_bool(0.08);
        Case { query, variables: Value::Object(variables), via_get }
    }

    fn introspection(&mut self) -> String {
        if self.rng.gen_bool(0.5) {
            "{ __schema { queryType { name } types { name kind \
             fields { name args { name type { name kind ofType { name } } } } } } }"
                .into()
        } else {
            let name = if self.rng.gen_bool(0.7) {
                self.model
                    .composites
                    .keys()
                    .chain(self.model.inputs.keys())
                    .choose(&mut self.rng)
                    .cloned()
                    .unwrap_or_default()
            } else {
                values::string(&mut self.rng)
            };
            format!(
                "{{ __type(name: {}) {{ name kind fields {{ name }} inputFields {{ name }} enumValues {{ name }} }} }}",
                Val::Str(name).literal()
            )
        }
    }

    /// `{ … }` with `count` random fields of the composite type `type_name`.
    fn selection(&mut self, type_name: &str, depth: usize, count: std::ops::RangeInclusive<usize>) -> String {
        let model = self.model;
        let fields = &model.composites[type_name];
        let wanted = self.rng.gen_range(count).min(fields.len());
        let mut parts: Vec<String> = Vec::new();
        for field in fields.choose_multiple(&mut self.rng, wanted) {
            parts.push(self.field(field, depth));
        }
        if let Some(implementors) = model.implementors.get(type_name) {
            for object in implementors.choose_multiple(&mut self.rng, 2) {
                let inner = self.selection(object, depth + 1, 1..=3);
                parts.push(format!("... on {object} {inner}"));
            }
        }
        if self.rng.gen_bool(0.1) {
            parts.push("__typename".into());
        }
        if self.hostile && self.rng.gen_bool(0.03) {
            parts.push("notAField".into());
        }
        format!("{{ {} }}", parts.join(" "))
    }

    fn field(&mut self, field: &Field, depth: usize) -> String {
        let mut text = String::new();
        if self.rng.gen_bool(0.05) {
            text.push_str(&format!("a{}: ", self.rng.gen_range(0..100)));
        }
        text.push_str(&field.name);
        let mut args: Vec<String> = Vec::new();
        for arg in &field.args {
            let required = !arg.ty.nullable && !arg.has_default;
            if (required && !self.hostile) || self.rng.gen_bool(if required { 0.97 } else { 0.5 }) {
                let value = self.argument(&arg.ty);
                args.push(format!("{}: {value}", arg.name));
            }
        }
        if self.hostile && self.rng.gen_bool(0.02) {
            args.push("bogus: 1".into());
        }
        if !args.is_empty() {
            text.push_str(&format!("({})", args.join(", ")));
        }
        if self.rng.gen_bool(0.04) {
            let directive = if self.rng.gen_bool(0.5) { "include" } else { "skip" };
            text.push_str(&format!(" @{directive}(if: {})", self.rng.gen_bool(0.5)));
        }
        let target = named(&field.ty);
        if self.model.composites.contains_key(target) {
            if depth >= MAX_DEPTH {
                text.push_str(" { __typename }");
            } else {
                text.push(' ');
                text.push_str(&self.selection(target, depth + 1, 1..=4));
            }
        }
        text
    }

    /// An argument as a literal or, sometimes, as a reference to a new variable.
    fn argument(&mut self, ty: &Type) -> String {
        let value = self.value(ty, 0);
        if self.rng.gen_bool(0.3) {
            let name = format!("v{}", self.variables.len());
            // Now and then the variable is declared with a type of its own choosing.
            let declared = if self.hostile && self.rng.gen_bool(0.08) {
                (*["String", "Int!", "ID", "[String!]", "Boolean"].choose(&mut self.rng).unwrap_or(&"String"))
                    .to_owned()
            } else {
                ty.to_string()
            };
            self.variables.push((name.clone(), declared, value.json()));
            format!("${name}")
        } else {
            value.literal()
        }
    }

    /// A value for `ty`: of the right type mostly, sometimes null or of a wrong type.
    fn value(&mut self, ty: &Type, depth: usize) -> Val {
        let hostile = self.rng.gen_bool(self.hostility);
        if !hostile {
            return match &ty.base {
                BaseType::List(inner) => {
                    let len = self.rng.gen_range(0..=2);
                    Val::List((0..len).map(|_| self.value(inner, depth)).collect())
                }
                BaseType::Named(name) => self.named_value(name.as_str(), depth, false),
            };
        }
        if self.rng.gen_bool(0.08) {
            return values::wrong(&mut self.rng);
        }
        if self.rng.gen_bool(if ty.nullable { 0.1 } else { 0.02 }) {
            return Val::Null;
        }
        match &ty.base {
            BaseType::List(inner) => {
                if self.rng.gen_bool(0.1) {
                    return self.value(inner, depth); // a single value where a list is expected
                }
                let len = if self.rng.gen_bool(0.02) { 150 } else { self.rng.gen_range(0..=3) };
                Val::List((0..len).map(|_| self.value(inner, depth)).collect())
            }
            BaseType::Named(name) => self.named_value(name.as_str(), depth, true),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize, hostile: bool) -> Val {
        let model = self.model;
        if let Some(variants) = model.enums.get(name) {
            return if !hostile || self.rng.gen_bool(0.9) {
                Val::Enum(variants.choose(&mut self.rng).cloned().unwrap_or_default())
            } else {
                Val::Enum(["NOT_A_VALUE", "asc", "Pass", "null_"].choose(&mut self.rng).copied().unwrap_or("X").into())
            };
        }
        if let Some(fields) = model.inputs.get(name) {
            if depth > 4 {
                return Val::Null;
            }
            let mut out = Vec::new();
            for field in fields {
                let required = !field.ty.nullable && !field.has_default;
                if (required && !self.hostile) || self.rng.gen_bool(if required { 0.95 } else { 0.5 }) {
                    out.push((field.name.clone(), self.value(&field.ty, depth + 1)));
                }
            }
            if self.hostile && self.rng.gen_bool(0.03) {
                out.push(("unknownField".into(), Val::Int(1)));
            }
            return Val::Object(out);
        }
        if hostile {
            values::scalar(&mut self.rng, name, &self.quotes)
        } else {
            values::plausible(&mut self.rng, name, &self.quotes)
        }
    }
}
