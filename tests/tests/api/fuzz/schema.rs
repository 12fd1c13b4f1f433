//! The served schema as the generator needs it: the SDL (`medtour::schema::sdl()`) parsed
//! into objects and interfaces with their fields and arguments, enums and input types.

use std::collections::BTreeMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

/// An argument or input field.
pub struct Input {
    pub name: String,
    pub ty: Type,
    pub has_default: bool,
}

/// A field of an object or interface.
pub struct Field {
    pub name: String,
    pub args: Vec<Input>,
    pub ty: Type,
}

/// What the generator knows of the schema.
pub struct Model {
    /// Objects and interfaces, by name.
    pub composites: BTreeMap<String, Vec<Field>>,
    /// The objects implementing each interface.
    pub implementors: BTreeMap<String, Vec<String>>,
    pub enums: BTreeMap<String, Vec<String>>,
    pub inputs: BTreeMap<String, Vec<Input>>,
}

/// The named type at the bottom of `ty` (`[Clinic!]!` → `Clinic`).
pub fn named(ty: &Type) -> &str {
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
        let mut model = Model {
            composites: BTreeMap::new(),
            implementors: BTreeMap::new(),
            enums: BTreeMap::new(),
            inputs: BTreeMap::new(),
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else { continue };
            let name = ty.node.name.node.to_string();
            let fields =
                |defs: &[async_graphql::parser::Positioned<async_graphql::parser::types::FieldDefinition>]| {
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
