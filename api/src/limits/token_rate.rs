//! Rate limits on the token endpoint against secret guessing: a budget of attempts per
//! source address, and of failed attempts per client id, each refilling over a minute.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts per source address per minute.
pub const PER_ADDRESS: f64 = 60.0;
/// Failed attempts per client id per minute.
pub const FAILURES_PER_CLIENT: f64 = 10.0;
const WINDOW: Duration = Duration::from_secs(60);
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
struct Budgets {
    entries: HashMap<String, (f64, Instant)>,
}

impl Budgets {
    /// Spends one unit of `key`'s budget of `size` per minute; `Err(wait)` when exhausted.
    fn spend(&mut self, key: &str, size: f64) -> Result<(), Duration> {
        let rate = size / WINDOW.as_secs_f64();
        if self.entries.len() >= MAX_KEYS && !self.entries.contains_key(key) {
            self.entries.retain(|_, (_, at)| at.elapsed() < WINDOW);
        }
        let (left, at) = self.entries.entry(key.to_owned()).or_insert((size, Instant::now()));
        *left = (*left + at.elapsed().as_secs_f64() * rate).min(size);
        *at = Instant::now();
        if *left >= 1.0 {
            *left -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - *left) / rate).ceil().max(1.0)))
        }
    }

    fn exhausted(&mut self, key: &str, size: f64) -> Option<Duration> {
        let rate = size / WINDOW.as_secs_f64();
        let (left, at) = self.entries.get(key)?;
        let left = (*left + at.elapsed().as_secs_f64() * rate).min(size);
        (left < 1.0).then(|| Duration::from_secs_f64(((1.0 - left) / rate).ceil().max(1.0)))
    }
}

/// The token endpoint's limits.
#[derive(Default)]
pub struct TokenRateLimiter {
    addresses: Mutex<Budgets>,
    failures: Mutex<Budgets>,
}

impl TokenRateLimiter {
    /// Admits an attempt from `address` for `client_id`, or says how long to wait.
    pub fn admit(&self, address: Option<IpAddr>, client_id: Option<&str>) -> Result<(), Duration> {
        if let Some(client) = client_id
            && let Some(wait) =
                self.failures.lock().unwrap_or_else(|p| p.into_inner()).exhausted(client, FAILURES_PER_CLIENT)
        {
            return Err(wait);
        }
        match address {
            Some(ip) => self.addresses.lock().unwrap_or_else(|p| p.into_inner()).spend(&ip.to_string(), PER_ADDRESS),
            None => Ok(()),
        }
    }

    /// Records a failed attempt for `client_id`.
    pub fn failed(&self, client_id: &str) {
        let _ = self.failures.lock().unwrap_or_else(|p| p.into_inner()).spend(client_id, FAILURES_PER_CLIENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_failures_lock_a_client_id_out_for_a_while() {
        let limiter = TokenRateLimiter::default();
        for _ in 0..FAILURES_PER_CLIENT as usize {
            assert!(limiter.admit(None, Some("mt_x")).is_ok());
            limiter.failed("mt_x");
        }
        assert!(limiter.admit(None, Some("mt_x")).is_err());
        assert!(limiter.admit(None, Some("mt_y")).is_ok(), "other clients are unaffected");
    }

    #[test]
    fn one_address_gets_a_bounded_number_of_attempts() {
        let limiter = TokenRateLimiter::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..PER_ADDRESS as usize {
            assert!(limiter.admit(Some(ip), None).is_ok());
        }
        assert!(limiter.admit(Some(ip), None).is_err());
    }
}
