//! Counting what happened: latencies and errors per kind of operation, merged across
//! workers, printed as one table.

use std::fmt::Write as _;
use std::time::Duration;

/// The kinds of operation the load mixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Clinics,
    Clinic,
    Cost,
    Submit,
    Replay,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Clinics, Kind::Clinic, Kind::Cost, Kind::Submit, Kind::Replay];

    fn index(self) -> usize {
        self as usize
    }

    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Clinics => "clinics (filtered page)",
            Kind::Clinic => "clinic(slug)",
            Kind::Cost => "costComparison",
            Kind::Submit => "submitQuoteRequest",
            Kind::Replay => "submitQuoteRequest replay",
        }
    }
}

const SAMPLES_PER_KIND: usize = 3;

#[derive(Default, Clone)]
struct PerKind {
    /// Latencies in microseconds.
    latencies: Vec<u64>,
    errors: u64,
    samples: Vec<String>,
}

/// Latencies and errors per kind.
#[derive(Default)]
pub struct Tally {
    kinds: [PerKind; 5],
}

impl Tally {
    /// Records one request of `kind` that took `elapsed`, failed with `error` if any.
    pub fn record(&mut self, kind: Kind, elapsed: Duration, error: Option<&String>) {
        let slot = &mut self.kinds[kind.index()];
        slot.latencies.push(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX));
        if let Some(error) = error {
            slot.errors += 1;
            if slot.samples.len() < SAMPLES_PER_KIND {
                slot.samples.push(error.chars().take(400).collect());
            }
        }
    }

    /// Adds another worker's figures.
    pub fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.kinds.iter_mut().zip(other.kinds) {
            mine.latencies.extend(theirs.latencies);
            mine.errors += theirs.errors;
            let room = SAMPLES_PER_KIND.saturating_sub(mine.samples.len());
            mine.samples.extend(theirs.samples.into_iter().take(room));
        }
    }

    /// Requests of every kind.
    pub fn requests(&self) -> usize {
        self.kinds.iter().map(|k| k.latencies.len()).sum()
    }

    /// Errors of every kind.
    pub fn errors(&self) -> u64 {
        self.kinds.iter().map(|k| k.errors).sum()
    }

    /// The table: per kind and in total, count, throughput, p50/p99/max latency and errors,
    /// then a few error samples.
    pub fn table(&mut self, elapsed: Duration) -> String {
        let secs = elapsed.as_secs_f64().max(f64::EPSILON);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<27} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7}",
            "operation", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
        );
        let mut all: Vec<u64> = Vec::with_capacity(self.requests());
        for kind in Kind::ALL {
            let slot = &mut self.kinds[kind.index()];
            slot.latencies.sort_unstable();
            all.extend_from_slice(&slot.latencies);
            row(&mut out, kind.label(), &slot.latencies, slot.errors, secs);
        }
        all.sort_unstable();
        row(&mut out, "total", &all, self.errors(), secs);
        for kind in Kind::ALL {
            for sample in &self.kinds[kind.index()].samples {
                let _ = writeln!(out, "  error in {}: {sample}", kind.label());
            }
        }
        out
    }
}

fn row(out: &mut String, label: &str, sorted: &[u64], errors: u64, secs: f64) {
    let ms = |q: f64| percentile(sorted, q).map_or_else(|| "-".to_owned(), |us| format!("{:.1}", us as f64 / 1000.0));
    let _ = writeln!(
        out,
        "{label:<27} {:>8} {:>8.1} {:>9} {:>9} {:>9} {errors:>7}",
        sorted.len(),
        sorted.len() as f64 / secs,
        ms(0.50),
        ms(0.99),
        ms(1.0),
    );
}

/// The nearest-rank percentile `q` (0 to 1) of sorted values.
fn percentile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.5), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
        assert_eq!(percentile(&values, 1.0), Some(100));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
