//! A static analysis of a GraphQL document before async-graphql sees it.
//!
//! async-graphql's own validators re-expand a named fragment at every spread, so a small
//! document that nests fragments (ten spreads on each of nine levels) keeps a worker busy
//! for seconds before it is refused. Here each fragment's expanded size is computed once and
//! memoised, so any document is measured in time linear in its text, and the parsed
//! document is handed on to execution so it is not parsed twice.

use std::collections::HashMap;

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};

/// Page size assumed for connection fields that do not say (`first`/`last` default).
const DEFAULT_PAGE: u64 = 20;
/// Connection fields whose size defaults to [`DEFAULT_PAGE`] when no `first`/`last` is given.
const CONNECTIONS: &[&str] = &["clinics", "quotes"];
/// Relay wrappers: free, so a connection costs what its nodes cost (each node at least 1).
const WRAPPERS: &[&str] = &["edges", "pageInfo"];
/// Root fields whose subtree is introspection, bounded by its own depth limit.
const INTROSPECTION: &[&str] = &["__schema", "__type"];

/// The measures of a document's selected operation, after expanding every fragment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Measures {
    /// Fields that execution would resolve (lists counted once).
    pub fields: u64,
    /// Deepest field nesting, outside introspection.
    pub depth: u64,
    /// Deepest field nesting inside `__schema` or `__type`.
    pub introspection_depth: u64,
    /// Aliased fields.
    pub aliases: u64,
    /// Points, Shopify-style: 1 per object field, multiplied by the page size of lists.
    pub cost: u64,
}

/// Why a document is refused before execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A fragment spreads itself, directly or not.
    FragmentCycle(String),
    /// A spread names a fragment the document does not define.
    UnknownFragment(String),
    /// No operation of that name, or several operations and no name.
    NoOperation(String),
    /// More directives on one field than allowed.
    TooManyDirectives(usize),
}

/// The analysed operation: its kind and measures.
#[derive(Clone, Copy, Debug)]
pub struct Analysis {
    pub kind: OperationType,
    pub measures: Measures,
}

struct Walker<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    variables: &'a Variables,
    /// The operation's declared variable defaults, for variables the request leaves out.
    defaults: HashMap<&'a str, &'a ConstValue>,
    memo: HashMap<&'a str, Measures>,
    visiting: Vec<&'a str>,
    max_directives: usize,
}

fn page_size(
    arguments: &[(Positioned<Name>, Positioned<Value>)],
    variables: &Variables,
    defaults: &HashMap<&str, &ConstValue>,
    field: &str,
) -> u64 {
    let constant = |value: &ConstValue| -> Option<u64> {
        match value {
            ConstValue::Number(n) => n.as_u64(),
            ConstValue::List(items) => Some(items.len() as u64),
            _ => None,
        }
    };
    for (name, value) in arguments {
        if matches!(name.node.as_str(), "first" | "last" | "ids") {
            let resolved = match &value.node {
                Value::Variable(var) => {
                    variables.get(var).or_else(|| defaults.get(var.as_str()).copied()).and_then(constant)
                }
                Value::Number(n) => n.as_u64(),
                Value::List(items) => Some(items.len() as u64),
                _ => None,
            };
            if let Some(n) = resolved {
                return n.max(1);
            }
        }
    }
    if CONNECTIONS.contains(&field) { DEFAULT_PAGE } else { 1 }
}

impl<'a> Walker<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Measures, Refusal> {
        let mut total = Measures::default();
        for item in &set.items {
            let m = match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.directives.len() > self.max_directives {
                        return Err(Refusal::TooManyDirectives(field.directives.len()));
                    }
                    let children = self.selection_set(&field.selection_set.node)?;
                    let is_object = !field.selection_set.node.items.is_empty();
                    let multiplier = if is_object {
                        page_size(&field.arguments, self.variables, &self.defaults, field.name.node.as_str())
                    } else {
                        1
                    };
                    let name = field.name.node.as_str();
                    let introspection = INTROSPECTION.contains(&name);
                    Measures {
                        fields: children.fields.saturating_add(1),
                        depth: if introspection { 0 } else { children.depth.saturating_add(1) },
                        introspection_depth: if introspection {
                            children.depth.max(children.introspection_depth).saturating_add(1)
                        } else {
                            children.introspection_depth
                        },
                        aliases: children.aliases.saturating_add(u64::from(field.alias.is_some())),
                        cost: if !is_object {
                            0
                        } else if WRAPPERS.contains(&name) {
                            children.cost
                        } else if multiplier > 1 {
                            // Every item of a list costs at least one point, even when it
                            // selects only scalars.
                            children.cost.max(1).saturating_mul(multiplier).saturating_add(1)
                        } else {
                            children.cost.saturating_add(1)
                        },
                    }
                }
                Selection::InlineFragment(inline) => {
                    if inline.node.directives.len() > self.max_directives {
                        return Err(Refusal::TooManyDirectives(inline.node.directives.len()));
                    }
                    self.selection_set(&inline.node.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => self.fragment(spread.node.fragment_name.node.as_str())?,
            };
            total = Measures {
                fields: total.fields.saturating_add(m.fields),
                depth: total.depth.max(m.depth),
                introspection_depth: total.introspection_depth.max(m.introspection_depth),
                aliases: total.aliases.saturating_add(m.aliases),
                cost: total.cost.saturating_add(m.cost),
            };
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Measures, Refusal> {
        if let Some(m) = self.memo.get(name) {
            return Ok(*m);
        }
        if self.visiting.contains(&name) {
            return Err(Refusal::FragmentCycle(name.to_owned()));
        }
        let (key, definition) =
            self.fragments.get_key_value(name).ok_or_else(|| Refusal::UnknownFragment(name.to_owned()))?;
        self.visiting.push(key.as_str());
        let measures = self.selection_set(&definition.node.selection_set.node)?;
        self.visiting.pop();
        self.memo.insert(key.as_str(), measures);
        Ok(measures)
    }
}

/// The operation `name` selects (or the only one).
pub fn selected<'a>(document: &'a ExecutableDocument, name: Option<&str>) -> Result<&'a OperationDefinition, Refusal> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Ok(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| &op.node).ok_or_else(|| Refusal::NoOperation(format!("no operation named {name:?}")))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node).ok_or_else(|| Refusal::NoOperation("no operation".into()))
        }
        (DocumentOperations::Multiple(_), None) => {
            Err(Refusal::NoOperation("the document has several operations: send operationName".into()))
        }
    }
}

/// Measures the operation `name` of `document` with its `variables`.
pub fn analyse(
    document: &ExecutableDocument,
    name: Option<&str>,
    variables: &Variables,
    max_directives: usize,
) -> Result<Analysis, Refusal> {
    let operation = selected(document, name)?;
    if operation.directives.len() > max_directives {
        return Err(Refusal::TooManyDirectives(operation.directives.len()));
    }
    let mut walker = Walker {
        fragments: &document.fragments,
        variables,
        defaults: operation
            .variable_definitions
            .iter()
            .filter_map(|d| Some((d.node.name.node.as_str(), &d.node.default_value.as_ref()?.node)))
            .collect(),
        memo: HashMap::new(),
        visiting: Vec::new(),
        max_directives,
    };
    // Fragments that no operation uses still must not hide a cycle.
    for fragment in document.fragments.keys() {
        walker.fragment(fragment.as_str())?;
    }
    let measures = walker.selection_set(&operation.selection_set.node)?;
    Ok(Analysis { kind: operation.ty, measures })
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn measure(query: &str) -> Result<Measures, Refusal> {
        let doc = parse_query(query).unwrap();
        analyse(&doc, None, &Variables::default(), 3).map(|a| a.measures)
    }

    #[test]
    fn connections_multiply_their_children_by_the_page_size() {
        let m = measure("{ clinics(first: 50) { edges { node { name doctors { name } } } } }").unwrap();
        assert_eq!(m.depth, 5);
        // clinics: 1 + 50 × (node + doctors); edges is a free wrapper
        assert_eq!(m.cost, 1 + 50 * 2);
        assert_eq!(
            measure("{ clinics { edges { node { name priceRange { min { amount } } } } } }").unwrap().cost,
            1 + 20 * 3
        );
        assert_eq!(measure("{ treatments { slug } }").unwrap().cost, 1);
    }

    #[test]
    fn lists_of_scalar_only_items_node_and_variable_defaults_are_priced() {
        assert_eq!(measure("{ clinics(first: 100) { edges { node { name } } } }").unwrap().cost, 101);
        assert_eq!(measure("{ node(id: \"x\") { id } }").unwrap().cost, 1);
        let ids: Vec<String> = (0..100).map(|i| format!("\"{i}\"")).collect();
        let nodes = format!("{{ nodes(ids: [{}]) {{ id ... on Clinic {{ name }} }} }}", ids.join(","));
        assert_eq!(measure(&nodes).unwrap().cost, 101);
        let m = measure("query($n: Int = 100) { clinics(first: $n) { edges { node { name } } } }").unwrap();
        assert_eq!(m.cost, 101);
        let doc = parse_query("query($n: Int = 100) { clinics(first: $n) { edges { node { name } } } }").unwrap();
        let given = Variables::from_json(serde_json::json!({ "n": 5 }));
        assert_eq!(analyse(&doc, None, &given, 3).unwrap().measures.cost, 6);
    }

    #[test]
    fn introspection_depth_is_measured_apart() {
        let standard = include_str!("../../../tests/tests/api/introspection.graphql");
        let m = measure(standard).unwrap();
        assert_eq!(m.depth, 0);
        assert!(m.introspection_depth > 10 && m.introspection_depth <= 16, "{m:?}");
        let deep = format!("{{ __type(name: \"Clinic\") {{ {} name {} }} }}", "ofType { ".repeat(30), "}".repeat(30));
        assert!(measure(&deep).unwrap().introspection_depth > 30);
        assert_eq!(measure("{ __typename viewer { role } }").unwrap().introspection_depth, 0);
    }

    #[test]
    fn a_fragment_bomb_is_measured_without_expanding_it() {
        // Nine levels of ten spreads each: 10^9 fields once expanded.
        let mut query = String::from("query { ...F0 }\n");
        for level in 0..9 {
            let spreads: String = (0..10).map(|_| format!(" ...F{}", level + 1)).collect();
            query.push_str(&format!("fragment F{level} on Query {{ {spreads} }}\n"));
        }
        query.push_str("fragment F9 on Query { __typename }\n");
        let started = std::time::Instant::now();
        let m = measure(&query).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        assert_eq!(m.fields, 1_000_000_000);
    }

    #[test]
    fn cycles_unknown_fragments_and_directive_floods_are_refused() {
        assert!(matches!(
            measure("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err(Refusal::FragmentCycle(_))
        ));
        assert!(matches!(measure("{ ...Missing }"), Err(Refusal::UnknownFragment(_))));
        assert!(matches!(
            measure("{ treatments @skip(if: false) @skip(if: false) @skip(if: false) @skip(if: false) { slug } }"),
            Err(Refusal::TooManyDirectives(4))
        ));
    }

    #[test]
    fn named_operations_are_selected_by_name_or_alone() {
        let doc = parse_query("query A { treatments { slug } }").unwrap();
        assert!(analyse(&doc, None, &Variables::default(), 3).is_ok());
        let two = parse_query("query A { treatments { slug } } query B { viewer { role } }").unwrap();
        assert!(matches!(analyse(&two, None, &Variables::default(), 3), Err(Refusal::NoOperation(_))));
        assert!(analyse(&two, Some("B"), &Variables::default(), 3).is_ok());
    }

    #[test]
    fn aliases_are_counted_across_fragments() {
        let m = measure("{ a: treatments { slug } ...F } fragment F on Query { b: treatments { s: slug } }").unwrap();
        assert_eq!(m.aliases, 3);
    }
}
