//! The token endpoint's budgets, with time moved by hand instead of slept through.

use super::*;

const SMALL: TokenRateSettings =
    TokenRateSettings { per_address: 60.0, failures_per_address: 3.0, failures_per_client: 5.0 };

fn ip(text: &str) -> IpAddr {
    text.parse().expect("a test address")
}

/// Fails `times` attempts from `address` for `client`, each admitted first.
fn fail(limiter: &TokenRateLimiter, now: Instant, address: &str, client: &str, times: usize) {
    for attempt in 0..times {
        assert!(limiter.admit_at(now, ip(address), client).is_ok(), "attempt {attempt} from {address} is admitted");
        limiter.failed_at(now, ip(address), client);
    }
}

#[test]
fn failures_lock_out_the_failing_address_but_not_the_client_elsewhere() {
    let limiter = TokenRateLimiter::new(SMALL, Clock::default());
    let now = Instant::now();
    fail(&limiter, now, "198.51.100.7", "mt_x", 3);
    assert!(limiter.admit_at(now, ip("198.51.100.7"), "mt_x").is_err(), "the guessing address waits");
    assert!(limiter.admit_at(now, ip("192.0.2.1"), "mt_x").is_ok(), "the real client's address gets in");
    assert!(limiter.admit_at(now, ip("198.51.100.7"), "mt_y").is_ok(), "other client ids are unaffected");
}

#[test]
fn a_locked_out_address_gets_in_again_once_its_budget_refills() {
    let limiter = TokenRateLimiter::new(SMALL, Clock::default());
    let now = Instant::now();
    fail(&limiter, now, "198.51.100.7", "mt_x", 3);
    let wait = limiter.admit_at(now, ip("198.51.100.7"), "mt_x").expect_err("locked out");
    assert_eq!(wait, Duration::from_secs(20), "one failure of three per minute comes back in 20 s");
    assert!(limiter.admit_at(now + wait, ip("198.51.100.7"), "mt_x").is_ok());
}

#[test]
fn a_distributed_guesser_is_slowed_without_locking_out_the_real_client() {
    let limiter = TokenRateLimiter::new(SMALL, Clock::default());
    let now = Instant::now();
    // Five addresses fail once each: the id's wider budget is spent.
    for n in 1..=5 {
        fail(&limiter, now, &format!("203.0.113.{n}"), "mt_x", 1);
    }
    assert!(limiter.admit_at(now, ip("203.0.113.1"), "mt_x").is_err(), "an address that failed waits");
    assert!(limiter.admit_at(now, ip("192.0.2.1"), "mt_x").is_ok(), "an address that never failed gets in");
    assert!(limiter.admit_at(now, ip("203.0.113.1"), "mt_y").is_ok(), "only the guessed id is affected");
}

#[test]
fn one_address_gets_a_bounded_number_of_attempts() {
    let limiter = TokenRateLimiter::new(TokenRateSettings { per_address: 4.0, ..SMALL }, Clock::default());
    let now = Instant::now();
    for n in 0..4 {
        assert!(limiter.admit_at(now, ip("192.0.2.1"), &format!("mt_{n}")).is_ok());
    }
    assert!(limiter.admit_at(now, ip("192.0.2.1"), "mt_other").is_err(), "whatever the client id");
    assert!(limiter.admit_at(now, ip("192.0.2.2"), "mt_other").is_ok(), "other addresses are unaffected");
}

#[test]
fn ipv6_addresses_are_limited_by_their_64_prefix() {
    // (first address, second address, whether they share one budget)
    let cases = [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", false),
        ("2001:db8:1:2::1", "2001:db9:1:2::1", false),
        ("::ffff:192.0.2.1", "192.0.2.1", true),
        ("192.0.2.1", "192.0.2.2", false),
    ];
    for (first, second, shared) in cases {
        let limiter = TokenRateLimiter::new(TokenRateSettings { per_address: 2.0, ..SMALL }, Clock::default());
        let now = Instant::now();
        assert!(limiter.admit_at(now, ip(first), "mt_a").is_ok());
        assert!(limiter.admit_at(now, ip(first), "mt_b").is_ok());
        let second_refused = limiter.admit_at(now, ip(second), "mt_c").is_err();
        assert_eq!(second_refused, shared, "{first} and {second} share a budget: {shared}");
    }
}

#[test]
fn ipv6_failures_are_counted_per_64_prefix() {
    let limiter = TokenRateLimiter::new(SMALL, Clock::default());
    let now = Instant::now();
    fail(&limiter, now, "2001:db8:1:2::1", "mt_x", 3);
    assert!(limiter.admit_at(now, ip("2001:db8:1:2::beef"), "mt_x").is_err(), "same /64, same lock-out");
    assert!(limiter.admit_at(now, ip("2001:db8:1:3::1"), "mt_x").is_ok(), "another /64 is another address");
}

#[test]
fn address_buckets_keep_ipv4_whole_and_cut_ipv6_to_64_bits() {
    let cases = [
        ("192.0.2.33", "192.0.2.33"),
        ("2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb::"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("::1", "::"),
    ];
    for (address, bucket) in cases {
        assert_eq!(address_bucket(ip(address)), ip(bucket), "{address}");
    }
}
