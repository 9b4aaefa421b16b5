//! A per-operation token bucket: `rate` tokens per second up to `burst`, as Amazon documents
//! its limits. A client waits for a token before each call, so a backlog runs at the rate
//! without a 429; the channel's `x-amzn-RateLimit-Limit` header can lower or raise the rate.
//!
//! The client holds back one token of the documented burst ([`HEADROOM`]). Our bucket counts
//! when a call leaves; the channel's counts when it arrives. A burst that leaves at once but
//! arrives late (a loaded machine, a slow network) finds the channel's bucket already full and
//! its refill since then lost to the cap, so one more call right behind it is refused. The
//! token held back absorbs that; the steady rate, which is what a backlog runs at, is the
//! documented one.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

#[derive(Debug)]
struct State {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

#[derive(Debug)]
pub(crate) struct TokenBucket {
    state: Mutex<State>,
}

/// Tokens of the documented burst the client does not use (module docs say why).
pub(crate) const HEADROOM: f64 = 1.0;

impl TokenBucket {
    /// A bucket for a channel's documented `rate` and `burst`; it bursts [`HEADROOM`] less,
    /// and at least one call.
    pub(crate) fn new(rate: f64, burst: f64) -> TokenBucket {
        let burst = (burst - HEADROOM).max(1.0);
        TokenBucket {
            state: Mutex::new(State { rate: rate.max(1e-6), burst, tokens: burst, at: Instant::now() }),
        }
    }

    /// Waits until a token is free and takes it.
    pub(crate) async fn take(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                s.tokens = (s.tokens + now.duration_since(s.at).as_secs_f64() * s.rate).min(s.burst);
                s.at = now;
                if s.tokens >= 1.0 {
                    s.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64(((1.0 - s.tokens) / s.rate).min(300.0))
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// The channel reported its rate (`x-amzn-RateLimit-Limit`).
    pub(crate) async fn set_rate(&self, rate: f64) {
        if rate.is_finite() && rate > 0.0 {
            let mut s = self.state.lock().await;
            s.rate = rate;
        }
    }

    /// A 429: the channel's bucket is empty, so ours is too.
    pub(crate) async fn drain(&self) {
        let mut s = self.state.lock().await;
        s.tokens = 0.0;
        s.at = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (documented burst, calls the client lets out at once)
    #[tokio::test]
    async fn the_client_bursts_one_call_less_than_documented_and_at_least_one() {
        for (documented, at_once) in [(5.0, 4), (2.0, 1), (1.0, 1), (0.5, 1), (20.0, 19)] {
            // A rate so slow that no token comes back during the test.
            let bucket = TokenBucket::new(1e-3, documented);
            let mut taken = 0;
            while tokio::time::timeout(Duration::from_millis(20), bucket.take()).await.is_ok() {
                taken += 1;
                assert!(taken <= 100, "the bucket never ran dry");
            }
            assert_eq!(taken, at_once, "burst {documented}");
        }
    }
}
