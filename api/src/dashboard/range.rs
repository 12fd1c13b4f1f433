//! What a dashboard may be asked for: a range of whole UTC days, and the bounds of the
//! evidence lists' arguments. Each refusal is bad input naming the argument.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};

use crate::error::{ServiceError, ServiceResult};

/// The longest range a dashboard covers.
pub const MAX_MONTHS: u32 = 36;
/// The furthest ahead `expiringAccreditations` looks, in days.
pub const MAX_WITHIN_DAYS: i32 = 3_650;
/// The highest safety-score threshold (the checklist has six items).
pub const MAX_THRESHOLD: i32 = 6;

/// Days `[from, to)`, in UTC, at most [`MAX_MONTHS`] long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    from: NaiveDate,
    to: NaiveDate,
}

impl Range {
    /// The range from `from` to `to` (exclusive): `from` must come before `to`, and `to` at
    /// most three years after `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> ServiceResult<Self> {
        for (field, day) in [("from", from), ("to", to)] {
            if !(1..=9999).contains(&day.year()) {
                return Err(ServiceError::bad_input(
                    &["range", field],
                    format!("range.{field} must be in years 1 to 9999"),
                ));
            }
        }
        if from >= to {
            return Err(ServiceError::bad_input(
                &["range", "to"],
                format!("range.to ({to}) must be later than range.from ({from}): the range is [from, to)"),
            ));
        }
        let limit = from.checked_add_months(Months::new(MAX_MONTHS));
        if limit.is_none_or(|limit| to > limit) {
            return Err(ServiceError::bad_input(
                &["range", "to"],
                format!("a range covers at most 3 years: range.to may be {} at the latest", limit.unwrap_or(to)),
            ));
        }
        Ok(Self { from, to })
    }

    /// The first day.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The day after the last.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The last day of the range.
    pub fn last_day(&self) -> NaiveDate {
        self.to - Days::new(1)
    }

    /// Midnight UTC starting the range.
    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }

    /// Midnight UTC ending the range (excluded).
    pub fn end(&self) -> DateTime<Utc> {
        self.to.and_time(NaiveTime::MIN).and_utc()
    }
}

/// `withinDays`, checked: 0 to [`MAX_WITHIN_DAYS`].
pub fn within_days(days: i32) -> ServiceResult<u64> {
    u64::try_from(days).ok().filter(|d| *d <= MAX_WITHIN_DAYS as u64).ok_or_else(|| {
        ServiceError::bad_input(&["withinDays"], format!("withinDays must be 0 to {MAX_WITHIN_DAYS}, not {days}"))
    })
}

/// `threshold`, checked: 0 to [`MAX_THRESHOLD`].
pub fn threshold(score: i32) -> ServiceResult<i32> {
    if (0..=MAX_THRESHOLD).contains(&score) {
        Ok(score)
    } else {
        Err(ServiceError::bad_input(&["threshold"], format!("threshold must be 0 to {MAX_THRESHOLD}, not {score}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn field(result: ServiceResult<impl std::fmt::Debug>) -> Vec<String> {
        match result {
            Err(ServiceError::BadInput { field, .. }) => field,
            other => panic!("expected bad input, got {other:?}"),
        }
    }

    #[test]
    fn a_range_is_whole_utc_days_from_inclusive_to_exclusive() {
        let r = Range::new(d("2026-01-01"), d("2026-04-01")).unwrap();
        assert_eq!(r.start().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(r.end().to_rfc3339(), "2026-04-01T00:00:00+00:00");
        assert_eq!(r.last_day(), d("2026-03-31"));
        assert!(Range::new(d("2026-01-01"), d("2026-01-02")).is_ok(), "one day");
    }

    #[test]
    fn bad_ranges_name_the_argument() {
        assert_eq!(field(Range::new(d("2026-01-02"), d("2026-01-02"))), ["range", "to"], "empty");
        assert_eq!(field(Range::new(d("2026-01-03"), d("2026-01-02"))), ["range", "to"], "reversed");
        assert!(Range::new(d("2024-02-29"), d("2027-02-28")).is_ok(), "three years to the day");
        assert_eq!(field(Range::new(d("2024-02-29"), d("2027-03-01"))), ["range", "to"], "a day more");
        assert_eq!(field(Range::new(d("0000-12-31"), d("2001-01-01"))), ["range", "from"]);
        assert_eq!(field(Range::new(d("9999-12-30"), d("+10000-01-01"))), ["range", "to"]);
    }

    #[test]
    fn list_arguments_have_bounds() {
        assert_eq!(within_days(0).unwrap(), 0);
        assert_eq!(within_days(3_650).unwrap(), 3_650);
        assert_eq!(field(within_days(-1)), ["withinDays"]);
        assert_eq!(field(within_days(3_651)), ["withinDays"]);
        assert_eq!(threshold(0).unwrap(), 0);
        assert_eq!(threshold(6).unwrap(), 6);
        assert_eq!(field(threshold(-1)), ["threshold"]);
        assert_eq!(field(threshold(7)), ["threshold"]);
    }
}
