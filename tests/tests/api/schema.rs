//! The served schema: the committed SDL is current, every name in it is documented (the
//! schema is the partners' documentation), and every name of the partner contract
//! (`api/contract.graphql`) is served with the same shape (additions are allowed, renames
//! and retypes are not), except those `contract_pending.txt` lists as not served yet.

use std::collections::HashMap;

use async_graphql::parser::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{InputValueDefinition, TypeKind, TypeSystemDefinition};

#[test]
fn the_committed_sdl_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = medtour::schema::sdl();
    assert!(
        committed == current,
        "api/schema.graphql is stale: run `cargo run -p medtour-api -- schema > api/schema.graphql`"
    );
}

/// Each type's members as `name(args) -> type` strings, enum values as their names.
fn shapes(sdl: &str) -> HashMap<String, HashMap<String, String>> {
    let document = parse_schema(sdl).expect("the SDL parses");
    let mut out = HashMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(t) = definition else { continue };
        let t = t.node;
        let mut members = HashMap::new();
        let field = |f: &async_graphql::parser::types::FieldDefinition| {
            let args: Vec<String> =
                f.arguments.iter().map(|a| format!("{}: {}", a.node.name.node, a.node.ty.node)).collect();
            (f.name.node.to_string(), format!("({}) -> {}", args.join(", "), f.ty.node))
        };
        match &t.kind {
            TypeKind::Object(o) => members.extend(o.fields.iter().map(|f| field(&f.node))),
            TypeKind::Interface(i) => members.extend(i.fields.iter().map(|f| field(&f.node))),
            TypeKind::InputObject(i) => {
                members.extend(i.fields.iter().map(|f| (f.node.name.node.to_string(), f.node.ty.node.to_string())))
            }
            TypeKind::Enum(e) => {
                members.extend(e.values.iter().map(|v| (v.node.value.node.to_string(), String::new())))
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
        out.insert(t.name.node.to_string(), members);
    }
    out
}

#[test]
fn every_contract_name_is_served_with_its_shape() {
    let contract = shapes(include_str!("../../../api/contract.graphql"));
    let served = shapes(&medtour::schema::sdl());
    let mut problems = Vec::new();
    for (type_name, members) in &contract {
        let Some(ours) = served.get(type_name) else {
            problems.push(format!("type {type_name} is missing"));
            continue;
        };
        for (member, shape) in members {
            match ours.get(member) {
                None => problems.push(format!("{type_name}.{member} is missing")),
                Some(s) if !shape.starts_with('(') && s != shape => {
                    problems.push(format!("{type_name}.{member}: contract {shape}, served {s}"))
                }
                Some(s) => {
                    // Fields: same result type, and every contract argument with its type.
                    let (args, result) = shape.split_once(" -> ").unwrap_or(("", shape));
                    let (served_args, served_result) = s.split_once(" -> ").unwrap_or(("", s));
                    if result != served_result {
                        problems.push(format!("{type_name}.{member}: contract type {result}, served {served_result}"));
                    }
                    for arg in args.trim_matches(|c| c == '(' || c == ')').split(", ").filter(|a| !a.is_empty()) {
                        if !served_args.contains(arg) {
                            problems.push(format!("{type_name}.{member}: argument `{arg}` missing or retyped"));
                        }
                    }
                }
            }
        }
    }
    // The contract is ahead of the server while wave 2 is built: what is not served yet is
    // listed, name by name, so anything else missing fails, and a name once served must
    // leave the list.
    let pending: Vec<&str> =
        PENDING.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    problems.sort();
    let unexpected: Vec<&String> = problems.iter().filter(|p| !pending.contains(&p.as_str())).collect();
    let served_now: Vec<&&str> = pending.iter().filter(|p| !problems.iter().any(|q| q == **p)).collect();
    assert!(unexpected.is_empty(), "the served schema breaks the contract:\n{}", join(&unexpected));
    assert!(
        served_now.is_empty(),
        "now served as the contract says; delete from contract_pending.txt:\n{}",
        join(&served_now)
    );
}

/// The contract's names the server does not serve yet (wave 2), as the check above words them.
const PENDING: &str = include_str!("contract_pending.txt");

fn join(lines: &[impl std::fmt::Display]) -> String {
    lines.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

/// Every type, field, argument, input field and enum value of `sdl` without a description
/// (or with a blank one), named as `Type`, `Type.field`, `Type.field(argument:)` or
/// `Type.VALUE`.
fn undocumented(sdl: &str) -> Vec<String> {
    let document = parse_schema(sdl).expect("the SDL parses");
    let blank = |d: &Option<Positioned<String>>| d.as_ref().is_none_or(|d| d.node.trim().is_empty());
    let mut missing = Vec::new();
    let mut inputs = |owner: &str, values: &[Positioned<InputValueDefinition>], format: fn(&str, &str) -> String| {
        for value in values {
            if blank(&value.node.description) {
                missing.push(format(owner, &value.node.name.node));
            }
        }
    };
    let mut names = Vec::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(t) = definition else { continue };
        let t = t.node;
        let name = t.name.node.to_string();
        if blank(&t.description) {
            names.push(name.clone());
        }
        let fields = match &t.kind {
            TypeKind::Object(o) => o.fields.as_slice(),
            TypeKind::Interface(i) => i.fields.as_slice(),
            TypeKind::InputObject(i) => {
                inputs(&name, &i.fields, |owner, field| format!("{owner}.{field}"));
                &[]
            }
            TypeKind::Enum(e) => {
                let values = e.values.iter().filter(|v| blank(&v.node.description));
                names.extend(values.map(|v| format!("{name}.{}", v.node.value.node)));
                &[]
            }
            TypeKind::Scalar | TypeKind::Union(_) => &[],
        };
        for field in fields {
            let field_name = format!("{name}.{}", field.node.name.node);
            if blank(&field.node.description) {
                names.push(field_name.clone());
            }
            inputs(&field_name, &field.node.arguments, |owner, argument| format!("{owner}({argument}:)"));
        }
    }
    missing.extend(names);
    missing.sort();
    missing
}

#[test]
fn every_type_field_argument_and_enum_value_of_the_served_schema_is_documented() {
    let missing = undocumented(&medtour::schema::sdl());
    assert!(
        missing.is_empty(),
        "{} names of the served schema have no description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn an_undocumented_name_of_each_kind_is_found() {
    let sdl = r#"
        "Documented." type Query { "Documented." a(x: Int): Int  b("Documented." y: Int): Int }
        input Filter { "Documented." c: Int  d: Int }
        "Documented." enum Kind { "Documented." E  F }
        scalar Instant
    "#;
    assert_eq!(
        undocumented(sdl),
        ["Filter", "Filter.d", "Instant", "Kind.F", "Query.a(x:)", "Query.b"],
        "each kind of name is checked"
    );
}
