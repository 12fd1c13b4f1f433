//! Which operations' answers may be shared between callers, and the text they are cached
//! under.

use std::collections::HashSet;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};

/// What makes an answer the same for every caller: a query whose root fields are all among
/// `roots` and which selects none of `outside_catalogue` anywhere.
#[derive(Clone, Copy, Debug)]
pub struct Shareable {
    /// Root fields whose answers depend on the catalogue alone.
    pub roots: &'static [&'static str],
    /// Fields, on any type, whose values depend on more than the catalogue (on quotes, say).
    pub outside_catalogue: &'static [&'static str],
}

impl Shareable {
    /// True when the operation `name` picks in `document` may be answered from the cache.
    pub fn admits(&self, document: &ExecutableDocument, name: Option<&str>) -> bool {
        let Some(operation) = chosen(document, name) else { return false };
        if operation.ty != OperationType::Query {
            return false;
        }
        let set = &operation.selection_set.node;
        let roots = own_fields(document, set, &mut HashSet::new());
        roots.iter().all(|f| self.roots.contains(&f.name.node.as_str()))
            && self.nothing_outside(document, set, &mut HashSet::new())
    }

    /// True when no field under `set` is one of [`Shareable::outside_catalogue`]. The
    /// selection's depth is bounded by admission before this runs.
    fn nothing_outside<'a>(
        &self,
        doc: &'a ExecutableDocument,
        set: &'a SelectionSet,
        seen: &mut HashSet<&'a str>,
    ) -> bool {
        own_fields(doc, set, seen).into_iter().all(|field| {
            !self.outside_catalogue.contains(&field.name.node.as_str())
                && self.nothing_outside(doc, &field.selection_set.node, seen)
        })
    }
}

/// The fields `set` selects at its own level, its fragments spread out. A fragment already in
/// `seen` is left out: it was looked at where it first appeared (and a cycle, which
/// validation refuses anyway, ends there). An unknown fragment adds nothing; validation
/// refuses the document, and an answer with errors is never cached.
fn own_fields<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, seen: &mut HashSet<&'a str>) -> Vec<&'a Field> {
    let mut fields = Vec::new();
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => fields.push(&field.node),
            Selection::InlineFragment(fragment) => {
                fields.extend(own_fields(doc, &fragment.node.selection_set.node, seen))
            }
            Selection::FragmentSpread(spread) => {
                if seen.insert(spread.node.fragment_name.node.as_str())
                    && let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node)
                {
                    fields.extend(own_fields(doc, &fragment.node.selection_set.node, seen));
                }
            }
        }
    }
    fields
}

/// The operation a request runs: the one it names, or the document's only one.
fn chosen<'a>(document: &'a ExecutableDocument, name: Option<&str>) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.iter().find(|(n, _)| n.as_str() == name).map(|(_, o)| &o.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|o| &o.node)
        }
        _ => None,
    }
}

/// `query` with its insignificant characters dropped — comments, and runs of white space and
/// commas, each kept as one space — so that one operation laid out two ways is cached once.
/// Strings and block strings are kept as written. (Written here because the parser keeps no
/// token stream to print from; a key only needs to be the same for texts that mean the same,
/// and two texts told apart when they need not be only cost a second entry.)
pub fn normalise(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.char_indices().peekable();
    let mut gap = false;
    while let Some((at, c)) = chars.next() {
        match c {
            '#' => {
                while chars.next_if(|&(_, c)| c != '\n' && c != '\r').is_some() {}
                gap = true;
            }
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => gap = true,
            '"' => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                let end = string_end(query, at);
                out.push_str(&query[at..end]);
                while chars.next_if(|&(i, _)| i < end).is_some() {}
            }
            _ => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(c);
            }
        }
    }
    out
}

/// Where the string starting at `start` (a `"`) ends: after its closing quote, or at the end
/// of the text when it is not closed (the parser refuses that before this runs).
fn string_end(query: &str, start: usize) -> usize {
    let rest = &query[start..];
    if let Some(body) = rest.strip_prefix("\"\"\"") {
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with("\\\"\"\"") {
                i += 4;
            } else if body[i..].starts_with("\"\"\"") {
                return start + 3 + i + 3;
            } else {
                i += body[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        return query.len();
    }
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return start + i + 1,
            _ => escaped = false,
        }
    }
    query.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARE: Shareable =
        Shareable { roots: &["clinics", "treatments", "__typename"], outside_catalogue: &["responseTime"] };

    fn admits(query: &str, name: Option<&str>) -> bool {
        SHARE.admits(&async_graphql::parser::parse_query(query).unwrap(), name)
    }

    #[test]
    fn layout_and_comments_do_not_change_the_key_but_strings_do() {
        let a = "query Q($f: Int) {\n  clinics(first: $f, filter: {search: \"a  b\"}) { # why\n edges { cursor } }\n}";
        let b = "query Q($f:Int){clinics(first:$f filter:{search:\"a  b\"}){edges{cursor}}}";
        assert_eq!(
            normalise(a),
            "query Q($f: Int) { clinics(first: $f filter: {search: \"a  b\"}) { edges { cursor } } }"
        );
        assert_ne!(normalise(a), normalise(&a.replace("a  b", "a b")), "string contents are kept");
        assert_ne!(normalise(b), "", "a compact text stays itself");
        assert_eq!(normalise("{ a(s: \"\"\"x # not a comment\"\"\") }"), "{ a(s: \"\"\"x # not a comment\"\"\") }");
        assert_eq!(normalise("{ a(s: \"q\\\"#\") }"), "{ a(s: \"q\\\"#\") }");
    }

    #[test]
    fn only_catalogue_queries_without_per_caller_fields_are_shared() {
        assert!(admits("{ clinics { edges { node { name } } } treatments { slug } }", None));
        assert!(admits("query A { clinics { totalCount } } query B { viewer { role } }", Some("A")));
        assert!(!admits("query A { clinics { totalCount } } query B { viewer { role } }", Some("B")));
        assert!(!admits("query A { clinics { totalCount } } query B { viewer { role } }", None));
        assert!(!admits("{ clinics { totalCount } viewer { role } }", None));
        assert!(!admits("mutation { clinics }", None));
        assert!(!admits("{ clinics { edges { node { responseTime { medianHours } } } } }", None));
        assert!(!admits("{ ...F } fragment F on Query { viewer { role } }", None));
        assert!(admits(
            "{ ...F ... on Query { treatments { slug } } } fragment F on Query { clinics { totalCount } }",
            None
        ));
        assert!(!admits(
            "{ clinics { edges { node { ...C } } } } fragment C on Clinic { name responseTime { sampleSize } }",
            None
        ));
    }
}
