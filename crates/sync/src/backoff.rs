//! Exponential backoff with full jitter: `sleep = rand(0, min(cap, base * 2^n))` (AWS
//! Architecture Blog). Full jitter spreads retries of many rows so they do not return as a
//! burst that the channel throttles again.

use std::time::Duration;

use rand::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    /// 1 s, 2 s, 4 s, 8 s ... up to 5 minutes: past that a channel is down, not busy, and the
    /// offline probe takes over.
    fn default() -> Self {
        Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(300) }
    }
}

impl Backoff {
    /// The ceiling for the `attempt`-th retry (1-based): base, 2 base, 4 base, ... cap.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        // 2^20 times any sane base is past any sane cap; the bound keeps the shift defined.
        let factor = 1u32 << attempt.saturating_sub(1).min(20);
        self.base.saturating_mul(factor).min(self.cap)
    }

    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(attempt);
        if ceiling.is_zero() {
            return ceiling;
        }
        Duration::from_nanos(rng.random_range(0..=ceiling.as_nanos() as u64))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn ceilings_double_to_the_cap_and_delays_stay_under_them() {
        let backoff = Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(10) };
        let ceilings: Vec<u64> = (1..=6).map(|n| backoff.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, vec![1, 2, 4, 8, 10, 10]);
        assert_eq!(backoff.ceiling(1_000), Duration::from_secs(10));
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for attempt in 1..=10 {
            assert!(backoff.delay(attempt, &mut rng) <= backoff.ceiling(attempt));
        }
    }
}
