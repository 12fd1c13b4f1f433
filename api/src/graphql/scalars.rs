//! The contract's scalars: `DateTime` (RFC 3339, UTC), `Date` (ISO 8601 calendar date) and
//! `Decimal` (a decimal number carried as a string, never a float; the number itself is
//! [`money::Decimal`](crate::money::Decimal)), and the `Money` object.

use async_graphql::SimpleObject;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

use crate::money::{Decimal, exponent};

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
        // chrono's `Display` for a date is `%Y-%m-%d` (a sign beyond year 9999 included),
        // without parsing a format string for every date of a page.
        Value::String(self.0.to_string())
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

/// An amount of money as partners see it.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// The amount as a decimal string with the currency's minor digits, e.g. "3750.00".
    pub amount: Decimal,
    /// ISO 4217 code, e.g. "USD".
    pub currency_code: String,
}

impl Money {
    /// `minor` units of `currency`.
    pub fn from_minor(minor: i64, currency: &str) -> Self {
        Money {
            amount: Decimal::from_minor(minor, exponent(currency).unwrap_or(2)),
            currency_code: currency.to_owned(),
        }
    }

    /// US cents as money.
    pub fn usd(cents: i64) -> Self {
        Self::from_minor(cents, "USD")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_iso_8601_days_with_four_digit_years() {
        let day = |y, m, d| Date(NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")).to_value();
        assert_eq!(day(2027, 1, 5), Value::String("2027-01-05".into()));
        assert_eq!(day(987, 12, 31), Value::String("0987-12-31".into()));
        // Round trip: what is written is what `parse` reads back.
        assert_eq!(Date::parse(day(2026, 2, 28)).ok(), NaiveDate::from_ymd_opt(2026, 2, 28).map(Date));
    }
}
