//! Seeded faults: each request draws once from the simulator's generator and gets at most one
//! fault, so a seed decides the whole run's fault pattern.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Probabilities per request (0.0 to 1.0) and how long the slow ones take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Another app drains the cost bucket just before this request: a real THROTTLED.
    pub throttle: f64,
    /// HTTP 503 before anything is applied.
    pub server_error: f64,
    /// The change applies, then the answer is held for `hang_ms` (past the client's timeout).
    pub timeout_after_apply: f64,
    /// The answer comes after `slow_ms`.
    pub slow: f64,
    /// The connection drops mid-answer; half of these after the change applied.
    pub drop_connection: f64,
    /// HTTP 429 with `Retry-After: retry_after_ms` (a proxy or the REST limiter in front).
    pub too_many_requests: f64,
    pub retry_after_ms: u64,
    pub slow_ms: u64,
    pub hang_ms: u64,
}

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    None,
    Throttle,
    ServerError,
    TimeoutAfterApply(Duration),
    Slow(Duration),
    DropBeforeApply,
    DropAfterApply,
    TooManyRequests(Duration),
}

impl Faults {
    pub fn none() -> Faults {
        Faults::default()
    }

    pub fn draw(&self, rng: &mut impl Rng) -> Fault {
        let roll: f64 = rng.random();
        let mut edge = 0.0;
        let mut hit = |p: f64| {
            edge += p.clamp(0.0, 1.0);
            roll < edge
        };
        if hit(self.throttle) {
            return Fault::Throttle;
        }
        if hit(self.server_error) {
            return Fault::ServerError;
        }
        if hit(self.timeout_after_apply) {
            return Fault::TimeoutAfterApply(Duration::from_millis(self.hang_ms));
        }
        if hit(self.slow) {
            return Fault::Slow(Duration::from_millis(self.slow_ms));
        }
        if hit(self.too_many_requests) {
            return Fault::TooManyRequests(Duration::from_millis(self.retry_after_ms));
        }
        if hit(self.drop_connection) {
            return if rng.random::<bool>() { Fault::DropAfterApply } else { Fault::DropBeforeApply };
        }
        Fault::None
    }
}
