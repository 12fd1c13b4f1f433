//! The contract's scalars: `DateTime` (RFC 3339, UTC), `Date` (ISO 8601 calendar date) and
//! `Decimal` (a decimal number carried as a string, never a float).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// An instant, RFC 3339 in UTC, e.g. "2026-11-27T10:00:00Z".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant, as an RFC 3339 string. Sent in UTC with a `Z`, e.g. "2026-11-27T10:00:00Z";
/// any offset is accepted on input.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if chrono::DateTime::parse_from_rfc3339(s).is_ok())
    }

    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| DateTime(t.with_timezone(&Utc)))
            .map_err(|_| InputValueError::custom(format!("\"{s}\" is not an RFC 3339 date-time")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

/// A calendar date, ISO 8601, e.g. "2027-01-15".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date, ISO 8601 `YYYY-MM-DD`, e.g. "2027-01-15". Compared with today's date
/// in UTC.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
    }

    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| InputValueError::custom(format!("\"{s}\" is not an ISO 8601 date (YYYY-MM-DD)")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A decimal number as a string, e.g. "3750.00". Held exactly as `units / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// The most fractional digits a Decimal may carry.
const MAX_SCALE: u32 = 6;
/// The largest absolute value accepted (far beyond any price).
const MAX_UNITS_DIGITS: usize = 24;

impl Decimal {
    /// The amount `minor` in a currency with `exponent` minor digits (2 for USD).
    pub fn from_minor(minor: i64, exponent: u32) -> Self {
        Self { units: i128::from(minor), scale: exponent }
    }

    /// Parses "123", "-4.5", "3750.00"; refuses exponents, spaces, `+`, and empty parts.
    pub fn parse_str(s: &str) -> Option<Self> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let well_formed = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && (frac.len() as u32) <= MAX_SCALE
            && !(digits.contains('.') && frac.is_empty())
            && int.len() + frac.len() <= MAX_UNITS_DIGITS;
        if !well_formed {
            return None;
        }
        let units: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Self { units: if negative { -units } else { units }, scale: frac.len() as u32 })
    }

    /// This amount in minor units of a currency with `exponent` minor digits; `None` when it
    /// has more precision than the currency ("10.001" USD) or does not fit.
    pub fn to_minor(self, exponent: u32) -> Option<i64> {
        let value = if self.scale <= exponent {
            self.units.checked_mul(10i128.checked_pow(exponent - self.scale)?)?
        } else {
            let divisor = 10i128.checked_pow(self.scale - exponent)?;
            if self.units % divisor != 0 {
                return None;
            }
            self.units / divisor
        };
        i64::try_from(value).ok()
    }

    /// True when the number is below zero.
    pub fn is_negative(self) -> bool {
        self.units < 0
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let abs = self.units.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let divisor = 10u128.pow(self.scale);
        write!(f, "{sign}{}.{:0width$}", abs / divisor, abs % divisor, width = self.scale as usize)
    }
}

/// A decimal number sent as a string, never a float, e.g. "3750.00": digits with an
/// optional leading `-` and at most 6 decimals after a `.` (no exponent, `+` or spaces).
/// Amounts of money carry their currency's minor digits.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(s) if Decimal::parse_str(s).is_some())
    }

    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(s) = &value else {
            return Err(InputValueError::custom("a Decimal is sent as a string, e.g. \"3750.00\""));
        };
        Decimal::parse_str(s).ok_or_else(|| InputValueError::custom(format!("\"{s}\" is not a decimal number")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_through_minor_units() {
        for (text, minor) in [("3750.00", 375_000), ("3750", 375_000), ("0.5", 50), ("-1.25", -125)] {
            assert_eq!(Decimal::parse_str(text).and_then(|d| d.to_minor(2)), Some(minor), "{text}");
        }
        assert_eq!(Decimal::from_minor(375_000, 2).to_string(), "3750.00");
        assert_eq!(Decimal::from_minor(-5, 2).to_string(), "-0.05");
    }

    #[test]
    fn malformed_decimals_are_refused() {
        for text in ["", "-", "1.", ".5", "1e3", "+1", " 1", "1,5", "NaN", "1.2.3", "0x10", "1.0000001"] {
            assert_eq!(Decimal::parse_str(text), None, "{text:?}");
        }
    }

    #[test]
    fn more_precision_than_the_currency_is_refused() {
        assert_eq!(Decimal::parse_str("10.001").and_then(|d| d.to_minor(2)), None);
        assert_eq!(Decimal::parse_str("10.010").and_then(|d| d.to_minor(2)), Some(1001));
        assert_eq!(Decimal::parse_str("99999999999999999999").and_then(|d| d.to_minor(2)), None);
    }
}
