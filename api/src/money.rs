//! Money: integer minor units plus an ISO 4217 currency code, never floats; and the exact
//! decimal numbers prices are written in.

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
