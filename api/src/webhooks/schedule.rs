//! When a failed delivery is tried again: exponential steps with jitter (5 s, 30 s, 2 min,
//! 10 min, 1 h, then hourly), until the delivery's give-up time passes.

use std::time::Duration;

use rand::Rng;

/// The pause after the `failures`-th failed attempt, before jitter.
pub fn base_delay(failures: i32) -> Duration {
    match failures {
        i32::MIN..=1 => Duration::from_secs(5),
        2 => Duration::from_secs(30),
        3 => Duration::from_secs(120),
        4 => Duration::from_secs(600),
        _ => Duration::from_secs(3600),
    }
}

/// The pause after the `failures`-th failure, jittered by up to ±10 % so that endpoints
/// failing together do not retry in lockstep.
pub fn delay(failures: i32) -> Duration {
    base_delay(failures).mul_f64(rand::thread_rng().gen_range(0.9..1.1))
}

/// How long an endpoint may fail without a single success before it is deactivated.
pub const DEACTIVATE_AFTER: chrono::Duration = chrono::Duration::days(3);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_settle_at_an_hour_with_bounded_jitter() {
        let steps: Vec<u64> = (1..=7).map(|n| base_delay(n).as_secs()).collect();
        assert_eq!(steps, [5, 30, 120, 600, 3600, 3600, 3600]);
        for n in 1..=7 {
            let d = delay(n).as_secs_f64();
            let base = base_delay(n).as_secs_f64();
            assert!(d >= base * 0.9 && d <= base * 1.1, "{n}: {d}");
        }
    }
}
