//! A nesting bound checked on the raw text before any parser runs.
//!
//! async-graphql's parser (pest) recurses once per nested list value, object value, list type
//! and selection set, and its own recursion limit is applied only after pest has walked the
//! whole text: a 14 KB document of `[[[[…` overflowed a worker's stack and aborted the
//! process. No parser offers a pre-parse bound, so this linear scan is written by hand: it
//! counts brackets, braces and parentheses outside strings, block strings and comments, and
//! stops at the first one past the bound. JSON variables get the same bound, on the values
//! serde_json has already decoded (it refuses more than 128 levels itself).

use async_graphql::Variables;
use async_graphql_value::ConstValue;

/// How deeply a document or its variables may nest, unless configured otherwise.
pub use crate::config::DEFAULT_MAX_NESTING;

/// The nesting depth of `text` once it passes `max`, or `None` when it stays within it.
pub fn document_exceeds(text: &str, max: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                // A block string ends at the first `"""` not escaped as `\"""`.
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > max {
                    return Some(depth);
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// True when some value in `variables` nests lists and objects deeper than `max`.
pub fn variables_exceed(variables: &Variables, max: usize) -> bool {
    // Iterative, so the check itself cannot recurse deeply.
    let mut stack: Vec<(&ConstValue, usize)> = variables.values().map(|v| (v, 1)).collect();
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &ConstValue>> = match value {
            ConstValue::List(items) => Box::new(items.iter()),
            ConstValue::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth > max {
            return true;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let cases: &[(&str, Option<usize>)] = &[
            ("{ a { b { c } } }", None),
            ("{ a(x: [[[1]]]) }", Some(4)),
            ("query($v: [[[Int]]]) { a }", Some(4)),
            ("{ a(x: {b: {c: 1}}) }", Some(4)),
            ("{ a(s: \"[[[[[[[[\") }", None),
            ("{ a(s: \"\\\"[[[[[[[\") }", None),
            ("{ a(s: \"\"\"[[[[ \\\"\"\" [[[[\"\"\") }", None),
            ("# [[[[[[[[\n{ a }", None),
            ("{ a } # {{{{{{{{", None),
            ("]]]]]]]] {{{{", Some(4)),
        ];
        for (text, expected) in cases {
            assert_eq!(document_exceeds(text, 3), *expected, "{text}");
        }
    }

    #[test]
    fn a_deep_document_is_refused_in_linear_time() {
        let text = format!("{{ clinics(first: {}1{}) {{ totalCount }} }}", "[".repeat(7_000), "]".repeat(7_000));
        let started = std::time::Instant::now();
        assert_eq!(document_exceeds(&text, DEFAULT_MAX_NESTING), Some(DEFAULT_MAX_NESTING + 1));
        assert!(started.elapsed() < std::time::Duration::from_millis(5));
        let unterminated = format!("{{ a(s: \"\"\"{}", "[".repeat(10_000));
        assert_eq!(document_exceeds(&unterminated, DEFAULT_MAX_NESTING), None);
    }

    #[test]
    fn deep_variables_are_found() {
        let deep = (0..70).fold(serde_json::json!(1), |inner, _| serde_json::json!([inner]));
        let vars = Variables::from_json(serde_json::json!({ "v": deep, "w": 2 }));
        assert!(variables_exceed(&vars, DEFAULT_MAX_NESTING));
        let shallow = Variables::from_json(serde_json::json!({ "v": [[{ "a": [1] }]] }));
        assert!(!variables_exceed(&shallow, DEFAULT_MAX_NESTING));
    }
}
