//! Checking administration input field by field: every problem becomes a user error with the
//! path of the input it is about, and all of them are reported together.

use chrono::NaiveDate;

use super::outcome::Refused;
use crate::iso;
use crate::money::{self, Decimal};
use crate::quotes::outcome::UserError;
use crate::quotes::validate::has_control_chars;

/// Short texts (names, titles, numbers): at most this many characters.
pub const MAX_NAME: usize = 200;
/// Long texts (descriptions, notes).
pub const MAX_TEXT: usize = 10_000;
/// Entries of a list (languages, specialties, inclusions, routes).
pub const MAX_ITEMS: usize = 30;
/// URLs.
pub const MAX_URL: usize = 2_000;

/// The problems found so far with one input, each under `prefix` (e.g. `["input"]`).
pub struct Problems {
    prefix: Vec<String>,
    errors: Vec<UserError>,
}

impl Problems {
    /// No problems yet with the input at `prefix`.
    pub fn under(prefix: &[&str]) -> Self {
        Self { prefix: prefix.iter().map(|s| (*s).to_owned()).collect(), errors: Vec::new() }
    }

    /// Records a problem with the field at `path` below the prefix.
    pub fn add(&mut self, path: &[&str], message: impl Into<String>) {
        let field = self.prefix.iter().cloned().chain(path.iter().map(|s| (*s).to_owned())).collect();
        self.errors.push(UserError::invalid(field, message.into()));
    }

    /// True while nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Everything found, or nothing.
    pub fn finish(self) -> Result<(), Refused> {
        if self.errors.is_empty() { Ok(()) } else { Err(Refused::Users(self.errors)) }
    }

    /// Merges the problems found with `other` (another part of the same input).
    pub fn extend(&mut self, other: Problems) {
        self.errors.extend(other.errors);
    }

    /// A one-line text of 1 to `max` characters, without control characters.
    pub fn name(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() || value.chars().count() > max {
            self.add(&[field], format!("must be 1 to {max} characters"));
        } else if value.chars().any(char::is_control) {
            self.add(&[field], "must be one line without control characters");
        }
    }

    /// An optional one-line text.
    pub fn optional_name(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(value) = value {
            self.name(field, value, max);
        }
    }

    /// A free text of 1 to `max` characters; line breaks and tabs are allowed.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() || value.chars().count() > max {
            self.add(&[field], format!("must be 1 to {max} characters"));
        } else if has_control_chars(value) {
            self.add(&[field], "must not contain control characters");
        }
    }

    /// A slug: 2 to 100 lower-case letters, digits and single hyphens, not at either end.
    pub fn slug(&mut self, field: &str, value: &str) {
        let ok = (2..=100).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--");
        if !ok {
            self.add(&[field], "a slug is 2 to 100 lower-case letters, digits and single hyphens");
        }
    }

    /// An officially assigned ISO 3166-1 alpha-2 code.
    pub fn country(&mut self, field: &str, value: &str) {
        if !iso::is_country(value) {
            self.add(&[field], format!("{value:?} is not an ISO 3166-1 alpha-2 country code"));
        }
    }

    /// ISO 639-1 codes, each once.
    pub fn languages(&mut self, field: &str, values: &[String]) {
        if values.len() > MAX_ITEMS {
            self.add(&[field], format!("at most {MAX_ITEMS} languages"));
        }
        for (i, code) in values.iter().enumerate() {
            let index = i.to_string();
            if !iso::is_language(code) {
                self.add(&[field, &index], format!("{code:?} is not an ISO 639-1 language code"));
            } else if values[..i].contains(code) {
                self.add(&[field, &index], format!("{code:?} is listed twice"));
            }
        }
    }

    /// A list of one-line texts.
    pub fn names(&mut self, field: &str, values: &[String]) {
        if values.len() > MAX_ITEMS {
            self.add(&[field], format!("at most {MAX_ITEMS} entries"));
        }
        for (i, value) in values.iter().enumerate() {
            if value.trim().is_empty() || value.chars().count() > MAX_NAME || value.chars().any(char::is_control) {
                let index = i.to_string();
                self.add(&[field, &index], format!("each entry is one line of 1 to {MAX_NAME} characters"));
            }
        }
    }

    /// An absolute http(s) URL with a host.
    pub fn url(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        let ok = value.len() <= MAX_URL
            && !value.chars().any(|c| c.is_control() || c.is_whitespace())
            && host.is_some_and(|h| !h.is_empty() && !h.contains('@'));
        if !ok {
            self.add(&[field], "must be an absolute http or https URL");
        }
    }

    /// An integer in `lo..=hi`.
    pub fn within(&mut self, field: &str, value: i32, lo: i32, hi: i32) {
        if !(lo..=hi).contains(&value) {
            self.add(&[field], format!("must be {lo} to {hi}, not {value}"));
        }
    }

    /// A percentage, 0 to 100.
    pub fn percent(&mut self, path: &[&str], value: f64) {
        if !(0.0..=100.0).contains(&value) {
            self.add(path, format!("a percentage is 0 to 100, not {value}"));
        }
    }

    /// A positive price with at most the currency's decimals (two for most), in a currency
    /// the API handles: its amount in minor units.
    pub fn price(&mut self, price_field: &str, currency_field: &str, price: Decimal, currency: &str) -> Option<i64> {
        let Some(exponent) = money::exponent(currency) else {
            self.add(&[currency_field], format!("{currency:?} is not a supported ISO 4217 currency"));
            return None;
        };
        match price.to_minor(exponent).filter(|m| *m > 0) {
            Some(minor) => Some(minor),
            None => {
                self.add(
                    &[price_field],
                    format!("\"{price}\" is not a positive amount with at most {exponent} decimals"),
                );
                None
            }
        }
    }

    /// An optional SHA-256 digest: 64 hexadecimal digits.
    pub fn sha256(&mut self, field: &str, value: Option<&str>) {
        if let Some(value) = value
            && !(value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            self.add(&[field], "a SHA-256 digest is 64 hexadecimal digits");
        }
    }

    /// A date that is not after `today`.
    pub fn not_future(&mut self, field: &str, value: Option<NaiveDate>, today: NaiveDate) {
        if let Some(day) = value
            && day > today
        {
            self.add(&[field], format!("{day} is in the future"));
        }
    }

    /// `later` not before `earlier`.
    pub fn in_order(&mut self, field: &str, earlier: Option<NaiveDate>, later: Option<NaiveDate>) {
        if let (Some(e), Some(l)) = (earlier, later)
            && l < e
        {
            self.add(&[field], format!("{l} is before {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(check: impl FnOnce(&mut Problems)) -> usize {
        let mut p = Problems::under(&["input"]);
        check(&mut p);
        p.errors.len()
    }

    #[test]
    fn slugs_urls_and_digests_have_their_shapes() {
        assert_eq!(problems(|p| p.slug("slug", "baja-clinic-2")), 0);
        for bad in ["Baja", "-a", "a-", "a--b", "a", "a b", "ä"] {
            assert_eq!(problems(|p| p.slug("slug", bad)), 1, "{bad}");
        }
        assert_eq!(problems(|p| p.url("website", Some("https://clinic.example/about"))), 0);
        for bad in ["ftp://x", "https://", "clinic.example", "https://a b", "javascript:alert(1)"] {
            assert_eq!(problems(|p| p.url("website", Some(bad))), 1, "{bad}");
        }
        assert_eq!(problems(|p| p.sha256("documentSha256", Some(&"a".repeat(64)))), 0);
        assert_eq!(problems(|p| p.sha256("documentSha256", Some(&"g".repeat(64)))), 1);
    }

    #[test]
    fn prices_are_positive_with_at_most_two_decimals() {
        let d = |s: &str| Decimal::parse_str(s).unwrap();
        let mut p = Problems::under(&["input"]);
        assert_eq!(p.price("price", "currencyCode", d("3750.00"), "USD"), Some(375_000));
        assert_eq!(p.price("price", "currencyCode", d("3750.5"), "USD"), Some(375_050));
        assert!(p.is_empty());
        for bad in ["0", "-1", "1.005"] {
            assert_eq!(p.price("price", "currencyCode", d(bad), "USD"), None, "{bad}");
        }
        assert_eq!(p.price("price", "currencyCode", d("1"), "XXX"), None);
        assert_eq!(p.errors.len(), 4);
    }
}
