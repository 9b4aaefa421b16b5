//! Duplicate-read suppression: a scanner in continuous mode, or an operator pulling the trigger
//! twice, must not count one label twice. The same data from the same device within the window
//! is dropped; each repeat extends the window so a label held under the scanner stays one read.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Recent reads remembered; far more than one operator can scan inside a window.
const MAX_REMEMBERED: usize = 256;

#[derive(Debug)]
pub struct Dedup {
    window: Duration,
    recent: VecDeque<(String, Vec<u8>, Instant)>,
}

impl Dedup {
    pub fn new(window: Duration) -> Dedup {
        Dedup { window, recent: VecDeque::new() }
    }

    /// Whether this read repeats one seen within the window; records it either way.
    pub fn is_duplicate(&mut self, device: &str, data: &[u8], now: Instant) -> bool {
        let window = self.window;
        self.recent.retain(|(_, _, at)| now.saturating_duration_since(*at) < window);
        let seen = self.recent.iter_mut().find(|(d, bytes, _)| d == device && bytes == data);
        if let Some(entry) = seen {
            entry.2 = now;
            return true;
        }
        if self.recent.len() >= MAX_REMEMBERED {
            self.recent.pop_front();
        }
        self.recent.push_back((device.to_owned(), data.to_vec(), now));
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppresses_same_device_same_data_within_window() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut d = Dedup::new(Duration::from_millis(500));
        let cases = [
            ("dev1", &b"A"[..], 0, false),
            ("dev1", b"A", 100, true),
            ("dev2", b"A", 150, false),
            ("dev1", b"B", 200, false),
            ("dev1", b"A", 550, true),
            ("dev1", b"A", 1100, false),
        ];
        for (device, data, ms, dup) in cases {
            assert_eq!(d.is_duplicate(device, data, at(ms)), dup, "{device} {data:?} at {ms}");
        }
    }
}
