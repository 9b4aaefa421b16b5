//! Reconnect pacing: retry quickly after a brief glitch, back off to a cap while a scanner is
//! unplugged, never spin and never wait unboundedly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    pub initial: Duration,
    /// Cap on the wait: a replugged scanner is picked up within this long.
    pub max: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig { initial: Duration::from_millis(100), max: Duration::from_secs(5) }
    }
}

#[derive(Debug)]
pub struct Backoff {
    cfg: BackoffConfig,
    next: Duration,
}

impl Backoff {
    pub fn new(cfg: BackoffConfig) -> Backoff {
        Backoff { cfg, next: cfg.initial }
    }

    /// The wait before the next attempt; doubles up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.cfg.max);
        delay
    }

    pub fn reset(&mut self) {
        self.next = self.cfg.initial;
    }
}

/// Sleep in short slices so a stop request is honoured within 50 ms.
pub fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) {
    let deadline = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_and_resets() {
        let mut b = Backoff::new(BackoffConfig {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
        });
        let got: Vec<u128> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(got, [100, 200, 400, 500, 500]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 100);
    }
}
