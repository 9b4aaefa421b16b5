//! Splitting a byte stream into scans: on a terminator (CR, LF, CRLF or Tab) or when the line
//! has gone quiet. Time is passed in, so tests drive it without sleeping.

use std::time::{Duration, Instant};

use crate::MAX_SCAN_LEN;
use crate::error::ScanError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramingConfig {
    /// Flush a scan that has no terminator after this much silence. Scanners configured without
    /// a suffix are common; 300 ms is well above the gap between bytes of one scan.
    pub idle_flush: Duration,
    pub max_len: usize,
}

impl Default for FramingConfig {
    fn default() -> Self {
        FramingConfig { idle_flush: Duration::from_millis(300), max_len: MAX_SCAN_LEN }
    }
}

#[derive(Debug)]
pub struct Framer {
    cfg: FramingConfig,
    buf: Vec<u8>,
    last_byte_at: Option<Instant>,
    /// A CR just ended a frame: a following LF belongs to the same terminator.
    after_cr: bool,
    /// The current frame exceeded the limit; drop bytes until the next terminator.
    overflowed: bool,
}

pub type FrameResult = Result<Vec<u8>, ScanError>;

impl Framer {
    pub fn new(cfg: FramingConfig) -> Framer {
        Framer { cfg, buf: Vec::new(), last_byte_at: None, after_cr: false, overflowed: false }
    }

    /// Feed bytes read at `now`; returns every frame they complete.
    pub fn push(&mut self, bytes: &[u8], now: Instant) -> Vec<FrameResult> {
        let mut out = Vec::new();
        if let Some(frame) = self.poll_idle(now) {
            out.push(frame);
        }
        for &b in bytes {
            let was_after_cr = std::mem::replace(&mut self.after_cr, false);
            match b {
                b'\n' if was_after_cr => {}
                b'\r' | b'\n' | b'\t' => {
                    self.after_cr = b == b'\r';
                    out.extend(self.finish());
                }
                _ => self.accept(b),
            }
        }
        if !bytes.is_empty() {
            self.last_byte_at = Some(now);
        }
        out
    }

    fn accept(&mut self, b: u8) {
        if self.overflowed {
            return;
        }
        if self.buf.len() >= self.cfg.max_len {
            self.overflowed = true;
            return;
        }
        self.buf.push(b);
    }

    fn finish(&mut self) -> Option<FrameResult> {
        let frame = std::mem::take(&mut self.buf);
        if std::mem::replace(&mut self.overflowed, false) {
            return Some(Err(ScanError::TooLong { len: self.cfg.max_len + 1, max: self.cfg.max_len }));
        }
        (!frame.is_empty()).then_some(Ok(frame))
    }

    /// Flush a pending scan if the line has been quiet for the idle period.
    pub fn poll_idle(&mut self, now: Instant) -> Option<FrameResult> {
        let last = self.last_byte_at?;
        if now.saturating_duration_since(last) < self.cfg.idle_flush {
            return None;
        }
        self.last_byte_at = None;
        self.after_cr = false;
        self.finish()
    }

    /// When `poll_idle` would next have something to do, so a reader can bound its wait.
    pub fn idle_deadline(&self) -> Option<Instant> {
        self.last_byte_at.filter(|_| !self.buf.is_empty() || self.overflowed).map(|t| t + self.cfg.idle_flush)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[(&[u8], u64)], flush_at_ms: Option<u64>) -> Vec<FrameResult> {
        let t0 = Instant::now();
        let mut framer = Framer::new(FramingConfig::default());
        let mut out = Vec::new();
        for (bytes, ms) in chunks {
            out.extend(framer.push(bytes, t0 + Duration::from_millis(*ms)));
        }
        if let Some(ms) = flush_at_ms {
            out.extend(framer.poll_idle(t0 + Duration::from_millis(ms)));
        }
        out
    }

    #[test]
    fn every_terminator_ends_a_scan() {
        type Case<'a> = (&'a [(&'a [u8], u64)], Option<u64>, Vec<&'a [u8]>);
        let cases: Vec<Case> = vec![
            (&[(b"ABC\r", 0)], None, vec![b"ABC"]),
            (&[(b"ABC\n", 0)], None, vec![b"ABC"]),
            (&[(b"ABC\r\nDEF\r\n", 0)], None, vec![b"ABC", b"DEF"]),
            (&[(b"ABC\r", 0), (b"\nDEF\t", 5)], None, vec![b"ABC", b"DEF"]),
            (&[(b"]C101\x1d10", 0), (b"AB\r\n", 20)], None, vec![b"]C101\x1d10AB"]),
            (&[(b"\r\n\r\n", 0)], None, vec![]),
            (&[(b"NOSUFFIX", 0)], Some(299), vec![]),
            (&[(b"NOSUFFIX", 0)], Some(300), vec![b"NOSUFFIX"]),
            (&[(b"A", 0), (b"B", 200), (b"C", 400)], Some(699), vec![]),
            (&[(b"ONE", 0), (b"TWO\r", 500)], None, vec![b"ONE", b"TWO"]),
        ];
        for (chunks, flush, want) in cases {
            let got: Vec<Vec<u8>> = frames(chunks, flush).into_iter().map(Result::unwrap).collect();
            let want: Vec<Vec<u8>> = want.into_iter().map(<[u8]>::to_vec).collect();
            assert_eq!(got, want, "{chunks:?}");
        }
    }

    #[test]
    fn oversize_scan_is_refused_and_the_next_one_is_clean() {
        let mut framer = Framer::new(FramingConfig { max_len: 4, ..FramingConfig::default() });
        let now = Instant::now();
        let out = framer.push(b"TOOLONG\rOK\r", now);
        assert!(matches!(out[0], Err(ScanError::TooLong { .. })));
        assert_eq!(out[1].as_ref().unwrap(), b"OK");
    }
}
