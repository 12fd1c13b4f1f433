//! Random operations from the served schema: the SDL (`medtour::graphql::sdl()`) is parsed
//! into a small model of object, interface, enum and input types, and each case picks root
//! fields, arguments (of the right type mostly, of a wrong type sometimes; inline or as
//! variables) and a random selection set, with the odd alias, directive, unknown field or
//! truncated document.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::{IteratorRandom, SliceRandom};
use serde_json::{Map, Value};

use super::values::{self, Val};

/// An argument or input field.
struct Input {
    name: String,
    ty: Type,
    has_default: bool,
}

/// A field of an object or interface.
struct Field {
    name: String,
    args: Vec<Input>,
    ty: Type,
}

/// What the generator knows of the schema.
pub struct Model {
    composites: HashMap<String, Vec<Field>>,
    implementors: HashMap<String, Vec<String>>,
    enums: HashMap<String, Vec<String>>,
    inputs: HashMap<String, Vec<Input>>,
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

fn input(def: &async_graphql::parser::types::InputValueDefinition) -> Input {
    Input { name: def.name.node.to_string(), ty: def.ty.node.clone(), has_default: def.default_value.is_some() }
}

impl Model {
    /// Parses the SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let document = parse_schema(sdl).expect("the served SDL parses");
        let mut model =
            Model { composites: HashMap::new(), implementors: HashMap::new(), enums: HashMap::new(), inputs: HashMap::new() };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else { continue };
            let name = ty.node.name.node.to_string();
            let fields = |defs: &[async_graphql::parser::Positioned<async_graphql::parser::types::FieldDefinition>]| {
                defs.iter()
                    .map(|f| Field {
                        name: f.node.name.node.to_string(),
                        args: f.node.arguments.iter().map(|a| input(&a.node)).collect(),
                        ty: f.node.ty.node.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            match &ty.node.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        model.implementors.entry(interface.node.to_string()).or_default().push(name.clone());
                    }
                    model.composites.insert(name, fields(&object.fields));
                }
                TypeKind::Interface(interface) => {
                    model.composites.insert(name, fields(&interface.fields));
                }
                TypeKind::Enum(e) => {
                    model.enums.insert(name, e.values.iter().map(|v| v.node.value.node.to_string()).collect());
                }
                TypeKind::InputObject(object) => {
                    model.inputs.insert(name, object.fields.iter().map(|f| input(&f.node)).collect());
                }
                TypeKind::Scalar | TypeKind::Union(_) => {}
            }
        }
        assert!(model.composites.contains_key("Query") && model.composites.contains_key("Mutation"));
        model
    }
}

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
    /// Whether this case may send wrong types, nulls and hostile values (most do); the others
    /// send plausible values only, so they reach resolvers and the database.
    hostile: bool,
}

const MAX_DEPTH: usize = 6;

impl<'a> Generator<'a> {
    pub fn new(model: &'a Model, rng: StdRng) -> Self {
        Self { model, rng, variables: Vec::new(), hostile: true }
    }

    /// The next case.
    pub fn case(&mut self) -> Case {
        self.variables.clear();
        self.hostile = self.rng.gen_bool(0.6);
        let roll = self.rng.gen_range(0..100);
        let (keyword, body) = match roll {
            0..=62 => ("query", self.selection("Query", 0, 1..=3)),
            63..=91 => ("mutation", self.selection("Mutation", 0, 1..=2)),
            92..=94 => {
                let id = values::id(&mut self.rng);
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
            "{ __schema { queryType { name } types { name kind fields { name args { name type { name kind ofType { name } } } } } } }".into()
        } else {
            let name = if self.rng.gen_bool(0.7) {
                self.model.composites.keys().chain(self.model.inputs.keys()).choose(&mut self.rng).cloned().unwrap_or_default()
            } else {
                values::string(&mut self.rng)
            };
            format!("{{ __type(name: {}) {{ name kind fields {{ name }} inputFields {{ name }} enumValues {{ name }} }} }}", Val::Str(name).literal())
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
                (*["String", "Int!", "ID", "[String!]", "Boolean"].choose(&mut self.rng).unwrap_or(&"String")).to_owned()
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
        if !self.hostile {
            return match &ty.base {
                BaseType::List(inner) => {
                    let len = self.rng.gen_range(0..=2);
                    Val::List((0..len).map(|_| self.value(inner, depth)).collect())
                }
                BaseType::Named(name) => self.named_value(name.as_str(), depth),
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
            BaseType::Named(name) => self.named_value(name.as_str(), depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> Val {
        let model = self.model;
        if let Some(variants) = model.enums.get(name) {
            return if !self.hostile || self.rng.gen_bool(0.9) {
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
        if self.hostile { values::scalar(&mut self.rng, name) } else { values::plausible(&mut self.rng, name) }
    }
}
