//! Cost-based rate limiting per API client, in the manner of Shopify's GraphQL API: each
//! client has a leaky bucket of points that refills at a steady rate; a request is admitted
//! when the bucket holds its requested cost, and the difference between requested and
//! actual cost is given back afterwards.
//!
//! Buckets live in the process: behind a load balancer with N replicas a client's effective
//! allowance is up to N buckets.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::auth::role::Role;
pub use crate::config::{BucketSpec, RateSettings};
use crate::time::Clock;

impl RateSettings {
    fn spec(&self, role: Role) -> BucketSpec {
        match role {
            Role::Partner => self.partner,
            Role::Agent => self.agent,
            Role::Clinic => self.clinic,
            Role::Admin => self.admin,
        }
    }
}

struct Bucket {
    available: f64,
    at: Instant,
}

/// The bucket's state after a decision, as reported in `extensions.cost.throttleStatus`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

/// Whether a request may run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    Admitted(ThrottleStatus),
    /// Not enough points; retry after this long.
    Throttled {
        status: ThrottleStatus,
        retry_after: Duration,
    },
}

/// Every client's bucket. Buckets refill by the application's [`Clock`].
pub struct RateLimiter {
    settings: RateSettings,
    buckets: Mutex<HashMap<String, Bucket>>,
    clock: Clock,
}

const MAX_BUCKETS: usize = 100_000;

impl RateLimiter {
    /// A limiter with these bucket sizes, refilling by `clock`.
    pub fn new(settings: RateSettings, clock: Clock) -> Self {
        Self { settings, buckets: Mutex::new(HashMap::new()), clock }
    }

    fn with_bucket<T>(&self, client: &str, role: Role, f: impl FnOnce(&mut Bucket, BucketSpec) -> T) -> T {
        let spec = self.settings.spec(role);
        let now = self.clock.instant();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(client) {
            // Forget buckets that have refilled completely: they carry no information.
            buckets.retain(|_, b| {
                b.available + now.saturating_duration_since(b.at).as_secs_f64() * spec.restore_rate < spec.maximum
            });
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket { available: spec.maximum, at: now });
        bucket.available = (bucket.available
            + now.saturating_duration_since(bucket.at).as_secs_f64() * spec.restore_rate)
            .min(spec.maximum);
        bucket.at = now;
        f(bucket, spec)
    }

    /// Takes `cost` points from the client's bucket if it holds them.
    pub fn charge(&self, client: &str, role: Role, cost: u64) -> Decision {
        self.with_bucket(client, role, |bucket, spec| {
            let cost = cost as f64;
            let status = |available: f64| ThrottleStatus {
                maximum_available: spec.maximum,
                currently_available: available.max(0.0),
                restore_rate: spec.restore_rate,
            };
            if cost <= bucket.available {
                bucket.available -= cost;
                Decision::Admitted(status(bucket.available))
            } else {
                let missing = cost - bucket.available;
                let retry_after = Duration::from_secs_f64((missing / spec.restore_rate).ceil().max(1.0));
                Decision::Throttled { status: status(bucket.available), retry_after }
            }
        })
    }

    /// Takes up to `points` from the client's bucket, never below empty: what a request
    /// refused by a limit costs, so refusals cannot be sent for free.
    pub fn penalise(&self, client: &str, role: Role, points: u64) {
        self.with_bucket(client, role, |bucket, _| bucket.available = (bucket.available - points as f64).max(0.0));
    }

    /// Gives back points charged but not used; returns the bucket's state.
    pub fn refund(&self, client: &str, role: Role, points: u64) -> ThrottleStatus {
        self.with_bucket(client, role, |bucket, spec| {
            bucket.available = (bucket.available + points as f64).min(spec.maximum);
            ThrottleStatus {
                maximum_available: spec.maximum,
                currently_available: bucket.available,
                restore_rate: spec.restore_rate,
            }
        })
    }
}

/// The points a response actually cost: one per object it returns (at least one). Counted
/// on the response as executed, before it is serialised.
pub fn actual_cost(data: &async_graphql::Value) -> u64 {
    use async_graphql::Value;
    fn objects(v: &Value) -> u64 {
        match v {
            Value::Object(map) => 1 + map.values().map(objects).sum::<u64>(),
            Value::List(items) => items.iter().map(objects).sum(),
            _ => 0,
        }
    }
    objects(data).saturating_sub(1).max(1)
}

/// The `extensions.cost` object of a response.
pub fn cost_extension(requested: u64, actual: Option<u64>, status: ThrottleStatus) -> Value {
    json!({
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": status.maximum_available,
            "currentlyAvailable": status.currently_available.floor(),
            "restoreRate": status.restore_rate,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_admits_until_empty_then_throttles_with_a_retry_time() {
        let limiter = RateLimiter::new(
            RateSettings { agent: BucketSpec { maximum: 100.0, restore_rate: 10.0 }, ..Default::default() },
            Clock::default(),
        );
        assert!(matches!(limiter.charge("c", Role::Agent, 60), Decision::Admitted(_)));
        match limiter.charge("c", Role::Agent, 60) {
            Decision::Throttled { retry_after, status } => {
                assert!(status.currently_available < 60.0);
                assert_eq!(retry_after, Duration::from_secs(2));
            }
            other => panic!("expected throttling, got {other:?}"),
        }
        assert!(matches!(limiter.charge("other", Role::Agent, 60), Decision::Admitted(_)), "buckets are per client");
        let status = limiter.refund("c", Role::Agent, 50);
        assert!(status.currently_available >= 90.0);
    }

    #[test]
    fn a_bucket_refills_as_the_clock_moves() {
        let clock = Clock::default();
        let limiter = RateLimiter::new(
            RateSettings { agent: BucketSpec { maximum: 100.0, restore_rate: 10.0 }, ..Default::default() },
            clock.clone(),
        );
        assert!(matches!(limiter.charge("c", Role::Agent, 100), Decision::Admitted(_)));
        assert!(matches!(limiter.charge("c", Role::Agent, 50), Decision::Throttled { .. }));
        clock.advance(Duration::from_secs(5));
        assert!(matches!(limiter.charge("c", Role::Agent, 50), Decision::Admitted(_)), "50 points back in 5 s");
    }

    #[test]
    fn actual_cost_counts_returned_objects() {
        let data = json!({ "clinics": { "edges": [{ "node": { "name": "a" } }, { "node": { "name": "b" } }] } });
        // clinics, 2 edges, 2 nodes
        let value = |json| async_graphql::Value::from_json(json).expect("plain JSON");
        assert_eq!(actual_cost(&value(data)), 5);
        assert_eq!(actual_cost(&value(json!({ "__typename": "Query" }))), 1);
    }
}
