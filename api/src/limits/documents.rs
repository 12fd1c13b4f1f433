//! Parsed documents, remembered by their text: partner sites send the same few queries over
//! and over, and parsing one (a page of clinics with its nested evidence is some hundred
//! fields) cost more than copying the parsed document. Only documents that parsed are kept;
//! each use still runs every check on its copy, so a remembered document changes nothing but
//! the time to parse it.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// How many distinct query texts are remembered.
const TEXTS: NonZeroUsize = NonZeroUsize::new(128).expect("not zero");

/// The longest text remembered. A parsed document takes some tens of times its text's
/// memory, so this bounds what the memory can hold (a few megabytes); a listing page's
/// query is about 1,300 characters, and longer texts are parsed every time.
const MAX_TEXT: usize = 4_096;

/// Recently parsed documents by query text.
pub struct ParsedDocuments {
    documents: Mutex<LruCache<String, Arc<ExecutableDocument>>>,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self { documents: Mutex::new(LruCache::new(TEXTS)) }
    }
}

impl ParsedDocuments {
    /// The document `query` parses to, from memory or by parsing it (and remembering it when
    /// it parses).
    pub fn parse(&self, query: &str) -> async_graphql::parser::Result<ExecutableDocument> {
        let known = self.documents.lock().ok().and_then(|mut documents| documents.get(query).cloned());
        if let Some(document) = known {
            return Ok(ExecutableDocument::clone(&document));
        }
        let document = async_graphql::parser::parse_query(query)?;
        if query.len() <= MAX_TEXT
            && let Ok(mut documents) = self.documents.lock()
        {
            documents.put(query.to_owned(), Arc::new(document.clone()));
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_document_is_the_one_its_text_parses_to_and_bad_text_is_not_kept() {
        let documents = ParsedDocuments::default();
        let query = "query Q($n: Int) { clinics(first: $n) { edges { node { slug } } } }";
        let first = documents.parse(query).expect("parses");
        let again = documents.parse(query).expect("remembered");
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
        assert!(documents.parse("{ clinics(").is_err());
        assert!(documents.parse("{ clinics(").is_err(), "a text that fails is parsed (and refused) every time");
        let long = format!("{{ {} }}", "treatments { slug } ".repeat(300));
        assert!(long.len() > MAX_TEXT);
        documents.parse(&long).expect("a long text parses");
        assert_eq!(documents.documents.lock().expect("not poisoned").len(), 1, "only the short text is kept");
    }
}
