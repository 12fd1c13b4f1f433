//! Catalogue tests (filled in by the catalogue work).
