//! The service's clock: one per application, in its state, so tests can turn it forward
//! instead of sleeping.
//!
//! Everything with an observable meaning reads it: timestamps written (quotes, events,
//! offers, clients), what is judged against today (offer validity, expiry, travel dates,
//! accreditations, checklists), token lifetimes, and the monotonic deadlines of caches and
//! rate limits ([`Clock::instant`]). Pure measurements of elapsed time (latency metrics, log
//! timings) stay on [`std::time::Instant`]: moving the clock must not distort them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, SubsecRound, Utc};

/// Now, to the microsecond: the precision PostgreSQL keeps, so a timestamp read back (and a
/// keyset cursor built from it) compares equal to the one written on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The application's clock: the system time, moved forward by whatever a test has asked.
/// Cheap to clone; clones share the same offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// Now, by this clock, to the microsecond (see [`now`]).
    pub fn now(&self) -> DateTime<Utc> {
        now() + chrono::Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }

    /// The monotonic instant by this clock: [`Instant::now`](std::time::Instant::now) moved
    /// forward by the same offset, for deadlines and refill rates (caches, rate buckets).
    pub fn instant(&self) -> std::time::Instant {
        let offset = std::time::Duration::from_micros(self.offset_micros.load(Ordering::Relaxed).max(0).unsigned_abs());
        let now = std::time::Instant::now();
        now.checked_add(offset).unwrap_or(now)
    }

    /// Moves the clock forward by `by` (tests: token expiry, time-outs, offer validity).
    pub fn advance(&self, by: std::time::Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_advanced_clock_runs_ahead_and_its_clones_follow() {
        let clock = Clock::default();
        let twin = clock.clone();
        clock.advance(std::time::Duration::from_secs(3600));
        let ahead = twin.now() - now();
        assert!(ahead >= chrono::Duration::seconds(3599) && ahead <= chrono::Duration::seconds(3601), "{ahead}");
        let before = std::time::Instant::now();
        let ahead = twin.instant().duration_since(before);
        assert!(
            ahead >= std::time::Duration::from_secs(3600) && ahead <= std::time::Duration::from_secs(3601),
            "{ahead:?}"
        );
    }
}
