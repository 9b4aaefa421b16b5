//! A local mirror of the channel's cost bucket (Shopify's leaky bucket of query-cost points).
//! Each response's `throttleStatus` resets the mirror to the channel's own numbers; between
//! responses it refills at the reported rate. Before a call the worker waits until the mirror
//! holds the call's cost, so a steady backlog runs at the restore rate without a THROTTLED.

use std::time::{Duration, Instant};

use shelfsync_channels::RateStatus;

/// Longest single pause the limiter imposes. A bucket of 20,000 points at 100 points/s
/// refills in 200 s; anything longer is a bad report, and waiting it out would stall the
/// channel.
const MAX_WAIT: Duration = Duration::from_secs(300);

/// Pause after a throttle that came without any rate information or Retry-After.
const BLIND_THROTTLE_PAUSE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct CostBucket {
    maximum: f64,
    restore_rate: f64,
    available: f64,
    at: Instant,
    /// Until the first response the real state is unknown; the first call goes through and
    /// its answer calibrates the mirror.
    calibrated: bool,
    paused_until: Option<Instant>,
}

impl Default for CostBucket {
    fn default() -> Self {
        CostBucket {
            maximum: 0.0,
            restore_rate: 0.0,
            available: 0.0,
            at: Instant::now(),
            calibrated: false,
            paused_until: None,
        }
    }
}

impl CostBucket {
    /// How long to wait before spending `cost`; zero means spend now (and it is deducted).
    pub fn reserve(&mut self, cost: f64, now: Instant) -> Duration {
        if let Some(until) = self.paused_until {
            if until > now {
                return (until - now).min(MAX_WAIT);
            }
            self.paused_until = None;
        }
        if !self.calibrated {
            return Duration::ZERO;
        }
        self.refill(now);
        // A call dearer than the whole bucket can never fit; let it go when full, and the
        // channel's answer decides.
        let needed = cost.min(self.maximum);
        if self.available >= needed {
            self.available -= cost;
            return Duration::ZERO;
        }
        if self.restore_rate <= 0.0 {
            return BLIND_THROTTLE_PAUSE;
        }
        Duration::from_secs_f64((needed - self.available) / self.restore_rate).min(MAX_WAIT)
    }

    pub async fn acquire(&mut self, cost: f64) {
        loop {
            let wait = self.reserve(cost, Instant::now());
            if wait.is_zero() {
                return;
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * self.restore_rate).min(self.maximum);
        self.at = now;
    }

    /// The channel's own numbers replace the estimate.
    pub fn observe(&mut self, status: &RateStatus, now: Instant) {
        self.maximum = status.maximum;
        self.restore_rate = status.restore_rate;
        self.available = status.available;
        self.at = now;
        self.calibrated = true;
    }

    /// A throttle: calibrate from its status if it has one, and honour Retry-After.
    pub fn throttled(&mut self, status: Option<&RateStatus>, retry_after: Option<Duration>, now: Instant) {
        if let Some(status) = status {
            self.observe(status, now);
        }
        let pause = match (retry_after, status) {
            (Some(after), _) => Some(after),
            (None, Some(_)) => None,
            (None, None) => Some(BLIND_THROTTLE_PAUSE),
        };
        if let Some(pause) = pause {
            self.paused_until = Some(now + pause.min(MAX_WAIT));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(available: f64) -> RateStatus {
        RateStatus {
            requested_cost: None,
            actual_cost: None,
            maximum: 2000.0,
            available,
            restore_rate: 100.0,
        }
    }

    #[test]
    fn waits_exactly_for_the_missing_points() {
        let now = Instant::now();
        let mut bucket = CostBucket::default();
        assert_eq!(bucket.reserve(10.0, now), Duration::ZERO, "uncalibrated: first call goes");
        bucket.observe(&status(15.0), now);
        assert_eq!(bucket.reserve(10.0, now), Duration::ZERO);
        assert_eq!(bucket.reserve(10.0, now), Duration::from_millis(50));
        let later = now + Duration::from_millis(50);
        assert_eq!(bucket.reserve(10.0, later), Duration::ZERO);
    }

    #[test]
    fn retry_after_pauses_even_with_points_left() {
        let now = Instant::now();
        let mut bucket = CostBucket::default();
        bucket.throttled(Some(&status(1000.0)), Some(Duration::from_secs(2)), now);
        assert_eq!(bucket.reserve(10.0, now), Duration::from_secs(2));
        assert_eq!(bucket.reserve(10.0, now + Duration::from_secs(2)), Duration::ZERO);
    }
}
