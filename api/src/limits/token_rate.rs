//! Rate limits on the token endpoint against secret guessing, each budget refilling over a
//! minute:
//! - attempts per client address;
//! - failed attempts per client id *from one address*, so a guesser hammering someone's id
//!   locks out only itself, never the real client presenting its secret from its own address;
//! - failed attempts per client id from all addresses together, a wider budget against a
//!   guesser spread over many addresses: once it is spent, addresses that have themselves
//!   failed for that id wait, while an address that has not been failing still gets in.
//!
//! An address is an IPv4 address, or an IPv6 address's /64: one subscriber's network, all of
//! which a single guesser can use at no cost.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use crate::config::TokenRateSettings;
use crate::time::Clock;

const WINDOW: Duration = Duration::from_secs(60);
const MAX_KEYS: usize = 100_000;

/// The unit an address is limited by: an IPv4 address as it is, an IPv6 address by its /64
/// prefix (IPv4-mapped IPv6 addresses count as the IPv4 address).
pub fn address_bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

/// Budgets of one kind, by key: what is left of each and when it was last looked at.
struct Budgets<K> {
    size: f64,
    entries: HashMap<K, (f64, Instant)>,
}

impl<K: Hash + Eq> Budgets<K> {
    fn new(size: f64) -> Self {
        Self { size, entries: HashMap::new() }
    }

    fn rate(&self) -> f64 {
        self.size / WINDOW.as_secs_f64()
    }

    /// What is left of `key`'s budget at `now` (a full budget for an unknown key).
    fn left(&self, key: &K, now: Instant) -> f64 {
        self.entries.get(key).map_or(self.size, |(left, at)| {
            (left + now.saturating_duration_since(*at).as_secs_f64() * self.rate()).min(self.size)
        })
    }

    /// How long until `key` has one unit again, if it has none now.
    fn exhausted(&self, key: &K, now: Instant) -> Option<Duration> {
        let left = self.left(key, now);
        (left < 1.0).then(|| Duration::from_secs_f64(((1.0 - left) / self.rate()).ceil().max(1.0)))
    }

    /// Whether anything of `key`'s budget has been spent and not yet refilled.
    fn spent(&self, key: &K, now: Instant) -> bool {
        self.left(key, now) < self.size
    }

    /// Spends one unit of `key`'s budget; `Err(wait)` when it has none.
    fn spend(&mut self, key: K, now: Instant) -> Result<(), Duration> {
        if let Some(wait) = self.exhausted(&key, now) {
            return Err(wait);
        }
        if self.entries.len() >= MAX_KEYS && !self.entries.contains_key(&key) {
            self.entries.retain(|_, (_, at)| now.saturating_duration_since(*at) < WINDOW);
        }
        let left = self.left(&key, now) - 1.0;
        self.entries.insert(key, (left, now));
        Ok(())
    }
}

struct State {
    addresses: Budgets<IpAddr>,
    failures_from: Budgets<(String, IpAddr)>,
    failures: Budgets<String>,
}

/// The token endpoint's limits. Budgets refill by the application's [`Clock`].
pub struct TokenRateLimiter {
    state: Mutex<State>,
    clock: Clock,
}

impl Default for TokenRateLimiter {
    fn default() -> Self {
        Self::new(TokenRateSettings::default(), Clock::default())
    }
}

impl TokenRateLimiter {
    /// A limiter with budgets of the given sizes, refilling by `clock`.
    pub fn new(settings: TokenRateSettings, clock: Clock) -> Self {
        Self {
            state: Mutex::new(State {
                addresses: Budgets::new(settings.per_address),
                failures_from: Budgets::new(settings.failures_per_address),
                failures: Budgets::new(settings.failures_per_client),
            }),
            clock,
        }
    }

    /// Admits an attempt from `address` for `client_id`, or says how long to wait.
    pub fn admit(&self, address: IpAddr, client_id: &str) -> Result<(), Duration> {
        self.admit_at(self.clock.instant(), address, client_id)
    }

    /// Records a failed attempt from `address` for `client_id`.
    pub fn failed(&self, address: IpAddr, client_id: &str) {
        self.failed_at(self.clock.instant(), address, client_id);
    }

    fn admit_at(&self, now: Instant, address: IpAddr, client_id: &str) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let from = (client_id.to_owned(), address_bucket(address));
        if let Some(wait) = state.failures_from.exhausted(&from, now) {
            return Err(wait);
        }
        if state.failures_from.spent(&from, now)
            && let Some(wait) = state.failures.exhausted(&from.0, now)
        {
            return Err(wait);
        }
        state.addresses.spend(from.1, now)
    }

    fn failed_at(&self, now: Instant, address: IpAddr, client_id: &str) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Spending an exhausted budget changes nothing, so the results are of no interest.
        let _ = state.failures_from.spend((client_id.to_owned(), address_bucket(address)), now);
        let _ = state.failures.spend(client_id.to_owned(), now);
    }
}

#[cfg(test)]
#[path = "token_rate_tests.rs"]
mod tests;
