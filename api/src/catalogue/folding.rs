//! Case-folded copies of a clinic's texts, kept in its row for the `search` and `city` filters.
//!
//! Comparing `LOWER(column)` with a lower-cased needle is not case-insensitive everywhere:
//! SQLite's `LOWER()` folds ASCII letters only, so "Ávila" stays "Ávila" there and a partner
//! searching "ávila" finds nothing (PostgreSQL folds it). So the folding happens in Rust, the
//! same way for the stored copies and for the needles: every write of a clinic's name, city or
//! description stores [`FoldedTexts::of`] beside them, and the filters fold their needle with
//! [`fold`] and compare it with the stored copies as they are.
//!
//! The migration that added the columns (`m20261127_000004_clinic_folded_texts`) backfilled
//! existing rows with its own copy of this rule; change the rule and a new migration must
//! refold every row.

/// Separates the folded name, city and description in `search_text`. Filters refuse needles
/// with control characters, so a needle never holds it and no match spans two fields.
pub const FIELD_SEPARATOR: char = '\n';

/// `text` folded for a case-insensitive comparison (Unicode lower case, not ASCII only).
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The folded copies stored in a clinic's row (`clinics.search_text`, `clinics.city_folded`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldedTexts {
    /// Name, city and description folded, joined by [`FIELD_SEPARATOR`]; `search` looks here.
    pub search_text: String,
    /// The city folded; the `city` filter compares with it for equality.
    pub city_folded: String,
}

impl FoldedTexts {
    /// The copies to store beside a clinic's `name`, `city` and `description`.
    pub fn of(name: &str, city: &str, description: &str) -> Self {
        let search_text = [name, city, description].map(fold).join(&FIELD_SEPARATOR.to_string());
        Self { search_text, city_folded: fold(city) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitals_beyond_ascii_are_folded() {
        let folded = FoldedTexts::of("Clínica Ángeles", "ÁVILA", "Pacientes de ÖSTERREICH");
        assert_eq!(folded.search_text, "clínica ángeles\návila\npacientes de österreich");
        assert_eq!(folded.city_folded, "ávila");
    }

    #[test]
    fn a_needle_is_folded_like_the_stored_text() {
        for needle in ["ÁNGELES", "Ángeles", "ángeles"] {
            assert!(FoldedTexts::of("Clínica Ángeles", "Ávila", "").search_text.contains(&fold(needle)), "{needle}");
        }
    }

    #[test]
    fn a_needle_that_spans_two_fields_does_not_match() {
        let folded = FoldedTexts::of("Clínica Ángeles", "Ávila", "A clinic.");
        assert!(!folded.search_text.contains(&fold("Ángeles Ávila")));
    }
}
