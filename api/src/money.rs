//! Money: integer minor units plus an ISO 4217 currency code, never floats.

use async_graphql::SimpleObject;

use crate::graphql::scalars::Decimal;

/// The currencies the API accepts, with their number of minor-unit digits (ISO 4217).
const CURRENCIES: &[(&str, u32)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("MXN", 2),
    ("COP", 2),
    ("THB", 2),
    ("CHF", 2),
    ("AUD", 2),
    ("JPY", 0),
];

/// Minor-unit digits of `code`, or `None` for a currency the API does not handle.
pub fn exponent(code: &str) -> Option<u32> {
    CURRENCIES.iter().find(|(c, _)| *c == code).map(|(_, e)| *e)
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
