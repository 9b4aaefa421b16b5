//! A per-operation token bucket: `rate` tokens per second up to `burst`, as Amazon documents
//! its limits. A client waits for a token before each call, so a backlog runs at the rate
//! without a 429; the channel's `x-amzn-RateLimit-Limit` header can lower or raise the rate.

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

impl TokenBucket {
    pub(crate) fn new(rate: f64, burst: f64) -> TokenBucket {
        let burst = burst.max(1.0);
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
