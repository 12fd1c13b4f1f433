//! Validating a quote request field by field: each problem becomes a user error carrying
//! the path of the input it is about.

use chrono::NaiveDate;

use super::outcome::UserError;
use super::request::{OfferTerms, PatientProfile};
use crate::money;

pub use crate::iso::is_country;

pub const MAX_NOTES: usize = 10_000;
pub const MAX_KEY: usize = 200;
const MAX_LIST: usize = 20;
const MAX_TEXT: usize = 500;

/// True when free text holds characters a database cannot store or that no person types:
/// control characters other than line breaks and tabs (PostgreSQL refuses NUL outright).
pub fn has_control_chars(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn path(prefix: &[&str], field: &str) -> Vec<String> {
    prefix.iter().chain(std::iter::once(&field)).map(|s| (*s).to_owned()).collect()
}

/// Problems with a patient profile, reported under `prefix` (e.g. `["input", "patient"]`).
pub fn patient(p: &PatientProfile, prefix: &[&str]) -> Vec<UserError> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| errors.push(UserError::invalid(path(prefix, field), message));
    if let Some(reference) = &p.reference {
        let ok = !reference.is_empty()
            && reference.len() <= 64
            && reference.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        if !ok {
            bad("reference", "a reference is 1 to 64 letters, digits, '.', '_', ':' or '-' (never a name)".into());
        }
    }
    if !(18..=100).contains(&p.age_years) {
        bad("ageYears", format!("age must be between 18 and 100, not {}", p.age_years));
    }
    if !is_country(&p.country_of_residence) {
        bad("countryOfResidence", format!("{:?} is not an ISO 3166-1 alpha-2 country code", p.country_of_residence));
    }
    if !(0..=31).contains(&p.headache_days_per_month) {
        bad(
            "headacheDaysPerMonth",
            format!("headache days per month must be 0 to 31, not {}", p.headache_days_per_month),
        );
    }
    if p.treatments_tried.len() > MAX_LIST {
        bad("treatmentsTried", format!("at most {MAX_LIST} entries"));
    }
    if p.contraindications.len() > MAX_LIST {
        bad("contraindications", format!("at most {MAX_LIST} entries"));
    }
    if let Some(notes) = &p.medical_notes {
        if notes.chars().count() > MAX_NOTES {
            bad("medicalNotes", format!("medical notes may be at most {MAX_NOTES} characters"));
        } else if has_control_chars(notes) {
            bad("medicalNotes", "medical notes must not contain control characters".into());
        }
    }
    errors
}

/// Problems with the travel window, relative to `today`.
pub fn travel(earliest: Option<NaiveDate>, latest: Option<NaiveDate>, today: NaiveDate) -> Vec<UserError> {
    let mut errors = Vec::new();
    for (field, date) in [("travelEarliest", earliest), ("travelLatest", latest)] {
        if let Some(d) = date
            && d <= today
        {
            errors.push(UserError::invalid(path(&["input"], field), format!("{d} is not in the future")));
        }
    }
    if let (Some(e), Some(l)) = (earliest, latest)
        && l < e
    {
        errors
            .push(UserError::invalid(path(&["input"], "travelLatest"), "travelLatest is before travelEarliest".into()));
    }
    errors
}

/// Problems with the idempotency key.
pub fn idempotency_key(key: &str) -> Vec<UserError> {
    let ok = !key.trim().is_empty() && key.len() <= MAX_KEY && !key.chars().any(char::is_control);
    if ok {
        Vec::new()
    } else {
        vec![UserError::invalid(
            path(&["input"], "idempotencyKey"),
            format!("the key must be 1 to {MAX_KEY} printable characters"),
        )]
    }
}

/// An offer checked and converted: price in minor units of its currency.
pub struct ValidOffer {
    pub price_minor: i64,
}

/// Problems with an offer, as of `now`.
pub fn offer(o: &OfferTerms, now: chrono::DateTime<chrono::Utc>) -> Result<ValidOffer, Vec<UserError>> {
    let mut errors = Vec::new();
    let mut bad = |field: &str, message: String| errors.push(UserError::invalid(path(&["input"], field), message));
    let exponent = money::exponent(&o.currency_code);
    if exponent.is_none() {
        bad("currencyCode", format!("{:?} is not a supported ISO 4217 currency", o.currency_code));
    }
    let price = exponent.and_then(|e| o.price.to_minor(e)).filter(|p| *p >= 0);
    if exponent.is_some() && price.is_none() {
        bad("price", format!("\"{}\" is not a non-negative amount with the currency's decimals", o.price));
    }
    if !(1..=100_000).contains(&o.cell_count_millions) {
        bad("cellCountMillions", "must be 1 to 100000".into());
    }
    if !(1..=100).contains(&o.sessions) {
        bad("sessions", "must be 1 to 100".into());
    }
    if !(0..=365).contains(&o.stay_days) {
        bad("stayDays", "must be 0 to 365".into());
    }
    if o.inclusions.len() > MAX_LIST
        || o.inclusions.iter().any(|i| i.trim().is_empty() || i.chars().count() > MAX_TEXT || has_control_chars(i))
    {
        bad("inclusions", format!("at most {MAX_LIST} non-empty inclusions of at most {MAX_TEXT} characters"));
    }
    if o.valid_until <= now {
        bad("validUntil", "the offer must be valid until a moment in the future".into());
    }
    if o.notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES || has_control_chars(n)) {
        bad("notes", format!("at most {MAX_NOTES} characters, without control characters"));
    }
    match price {
        Some(price_minor) if errors.is_empty() => Ok(ValidOffer { price_minor }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_keeps_line_breaks_but_not_control_characters() {
        assert!(!has_control_chars("first line\nsecond\tline\r\n"));
        for bad in ["nul\u{0}inside", "bell\u{7}", "escape\u{1b}[31m", "del\u{7f}"] {
            assert!(has_control_chars(bad), "{bad:?}");
        }
    }
}
