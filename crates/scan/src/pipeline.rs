//! The one pipeline every transport feeds: framing, configured prefix/suffix, AIM identifier,
//! duplicate suppression, GS1 parsing. Out comes a [`Scan`] that says who scanned what, where
//! and when. Monotonic time (`Instant`) drives framing and dedup; wall time is only recorded.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::MAX_SCAN_LEN;
use crate::cli::CliParse;
use crate::dedup::Dedup;
use crate::error::{Result, ScanError};
use crate::framing::{Framer, FramingConfig};
use crate::gs1::{ParseOptions, Parsed, parse_scan_data};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineConfig {
    pub framing: FramingConfig,
    /// Bytes the scanner was programmed to send before every scan (not an AIM identifier).
    pub prefix: Vec<u8>,
    /// Bytes sent after every scan, before the terminator.
    pub suffix: Vec<u8>,
    pub dedup_window: Duration,
    pub parse: ParseOptions,
    pub workstation: String,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            framing: FramingConfig::default(),
            prefix: Vec::new(),
            suffix: Vec::new(),
            dedup_window: Duration::from_millis(500),
            parse: ParseOptions::warehouse(),
            workstation: default_workstation(),
        }
    }
}

fn default_workstation() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown-workstation".into())
}

/// One accepted read, ready to become an inventory event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub device: String,
    pub workstation: String,
    pub at: DateTime<Utc>,
    pub parsed: Parsed,
    /// Batch/lot (10), expiry date YYMMDD (17) and serial (21), lifted out for event records.
    pub lot: Option<String>,
    pub expiry: Option<String>,
    pub serial: Option<String>,
}

impl Scan {
    pub fn new(device: &str, workstation: &str, at: DateTime<Utc>, parsed: Parsed) -> Scan {
        Scan {
            device: device.to_owned(),
            workstation: workstation.to_owned(),
            at,
            lot: parsed.ai("10"),
            expiry: parsed.ai("17"),
            serial: parsed.ai("21"),
            parsed,
        }
    }

    /// The same JSON object `scan parse` prints.
    pub fn cli(&self) -> CliParse {
        CliParse::from(&self.parsed)
    }

    /// `scan listen` output: the parse fields plus who, where and when.
    pub fn to_json_line(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            #[serde(flatten)]
            parse: CliParse,
            device: &'a str,
            workstation: &'a str,
            at: String,
        }
        let line = Line {
            parse: self.cli(),
            device: &self.device,
            workstation: &self.workstation,
            at: self.at.to_rfc3339(),
        };
        serde_json::to_string(&line).unwrap_or_default()
    }
}

pub struct ScanPipeline {
    cfg: PipelineConfig,
    device: String,
    framer: Framer,
    dedup: Dedup,
}

impl ScanPipeline {
    pub fn new(device: &str, cfg: PipelineConfig) -> ScanPipeline {
        ScanPipeline {
            framer: Framer::new(cfg.framing.clone()),
            dedup: Dedup::new(cfg.dedup_window),
            device: device.to_owned(),
            cfg,
        }
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    /// Bytes from a stream transport (serial, keyboard). Duplicates are dropped silently.
    pub fn push_bytes(&mut self, bytes: &[u8], now: Instant, wall: DateTime<Utc>) -> Vec<Result<Scan>> {
        let frames = self.framer.push(bytes, now);
        frames.into_iter().filter_map(|f| self.handle_frame(f, now, wall)).collect()
    }

    /// Call when a read times out, so a scan without terminator is flushed after the idle gap.
    pub fn poll_idle(&mut self, now: Instant, wall: DateTime<Utc>) -> Option<Result<Scan>> {
        let frame = self.framer.poll_idle(now)?;
        self.handle_frame(frame, now, wall)
    }

    pub fn idle_deadline(&self) -> Option<Instant> {
        self.framer.idle_deadline()
    }

    /// A complete message from a message transport (HID POS), which needs no framing; a
    /// trailing terminator some scanners still append is dropped.
    pub fn push_message(
        &mut self,
        message: &[u8],
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Option<Result<Scan>> {
        let mut msg = message;
        while let [rest @ .., b'\r' | b'\n' | b'\t'] = msg {
            msg = rest;
        }
        if msg.is_empty() {
            return None;
        }
        if msg.len() > MAX_SCAN_LEN {
            return Some(Err(ScanError::TooLong { len: msg.len(), max: MAX_SCAN_LEN }));
        }
        self.handle_frame(Ok(msg.to_vec()), now, wall)
    }

    fn handle_frame(
        &mut self,
        frame: Result<Vec<u8>>,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> Option<Result<Scan>> {
        let frame = match frame {
            Ok(f) => f,
            Err(e) => return Some(Err(e)),
        };
        let data = strip_affixes(&frame, &self.cfg.prefix, &self.cfg.suffix);
        if data.is_empty() || self.dedup.is_duplicate(&self.device, data, now) {
            return None;
        }
        let parsed = parse_scan_data(data, &self.cfg.parse);
        Some(parsed.map(|p| Scan::new(&self.device, &self.cfg.workstation, wall, p)))
    }
}

fn strip_affixes<'d>(data: &'d [u8], prefix: &[u8], suffix: &[u8]) -> &'d [u8] {
    let data = data.strip_prefix(prefix).unwrap_or(data);
    data.strip_suffix(suffix).unwrap_or(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline() -> ScanPipeline {
        let cfg = PipelineConfig {
            prefix: b"@@".to_vec(),
            workstation: "bench-1".into(),
            ..PipelineConfig::default()
        };
        ScanPipeline::new("serial:/dev/ttyACM0", cfg)
    }

    #[test]
    fn bytes_become_scans_with_lot_expiry_serial() {
        let mut p = pipeline();
        let t0 = Instant::now();
        let scans = p.push_bytes(b"@@]C10195012345678903\x1d10LOT7\x1d17261231\x1d21SN1\r\n", t0, Utc::now());
        assert_eq!(scans.len(), 1);
        let scan = scans[0].as_ref().unwrap();
        assert_eq!(scan.device, "serial:/dev/ttyACM0");
        assert_eq!(scan.workstation, "bench-1");
        assert_eq!(scan.parsed.symbology.as_deref(), Some("]C1"));
        assert_eq!(
            (scan.lot.as_deref(), scan.expiry.as_deref(), scan.serial.as_deref()),
            (Some("LOT7"), Some("261231"), Some("SN1"))
        );
    }

    #[test]
    fn duplicates_within_window_are_dropped_then_accepted_again() {
        let mut p = pipeline();
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        assert_eq!(p.push_bytes(b"]E05901234123457\r", ms(0), Utc::now()).len(), 1);
        assert_eq!(p.push_bytes(b"]E05901234123457\r", ms(200), Utc::now()).len(), 0);
        assert_eq!(p.push_bytes(b"]E05901234123457\r", ms(1000), Utc::now()).len(), 1);
    }

    #[test]
    fn invalid_scan_is_reported_not_dropped() {
        let mut p = pipeline();
        let out = p.push_bytes(b"]E05901234123458\r", Instant::now(), Utc::now());
        assert!(matches!(out[0], Err(ScanError::CheckDigit(_))));
    }
}
