//! Fuzz targets for the scanner layer: the GS1 parser, the HID report decoders and serial
//! framing. Each replays its corpus (`tests/corpus/<target>/`) and then mutations of it; see
//! `corpus/harness.rs`. The property everywhere: no panic; an error is one readable line; a
//! value that comes out is well formed (GS1 elements re-encode to the same elements, frames
//! stay within the limit and hold no terminator, chunking never changes the frames).

#[path = "corpus/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use harness::{fuzz, one_line};
use shelfsync_scan::MAX_SCAN_LEN;
use shelfsync_scan::framing::{Framer, FramingConfig};
use shelfsync_scan::gs1::scandata::Content;
use shelfsync_scan::gs1::{
    Element, Gs1Options, ParseOptions, data_string, parse_bracketed, parse_digital_link, parse_scan_data,
};
use shelfsync_scan::hidpos::{BootKeyboardDecoder, Interface, Reassembler, ReportLayout, parse_descriptor};

const DIR: &str = env!("CARGO_MANIFEST_DIR");
const GS: u8 = 0x1D;

/// Elements re-encoded as a `]C1` element string: FNC1 separators exactly where `data_string`
/// puts them.
fn element_string(elements: &[Element]) -> Vec<u8> {
    let text = data_string(elements, true);
    let mut out = b"]C1".to_vec();
    out.extend(text[1..].bytes().map(|b| if b == b'^' { GS } else { b }));
    out
}

fn check_gs1(input: &[u8]) -> Result<(), String> {
    for opts in [ParseOptions::engine(), ParseOptions::warehouse()] {
        match parse_scan_data(input, &opts) {
            Err(e) => one_line(&e.to_string())?,
            Ok(parsed) => {
                if let Content::Gs1 { elements } = &parsed.content {
                    let again = parse_scan_data(&element_string(elements), &opts)
                        .map_err(|e| format!("parsed {elements:?} but its re-encoding fails: {e}"))?;
                    if again.elements() != *elements {
                        return Err(format!("{elements:?} re-parsed as {:?}", again.elements()));
                    }
                }
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(input) {
        let opts = Gs1Options::default();
        for result in [parse_bracketed(text, &opts), parse_digital_link(text, &opts)] {
            if let Err(e) = result {
                one_line(&e.to_string())?;
            }
        }
    }
    Ok(())
}

#[test]
fn fuzz_gs1_parser() {
    let report = fuzz(DIR, "gs1", check_gs1);
    assert!(report.mutated_cases > 0, "the time budget ran out before any mutated case");
}

/// HID inputs: byte 0 picks the path, the rest is reports (and a descriptor).
/// 0: one report through `ReportLayout::guess`; 1: u16-LE descriptor length, descriptor, then
/// 64-byte reports; 2: 8-byte boot keyboard reports; 3: 64-byte reports guessed and reassembled.
fn check_hid(input: &[u8]) -> Result<(), String> {
    let Some((&mode, rest)) = input.split_first() else { return Ok(()) };
    match mode % 4 {
        0 => decode_guessed(rest).map(|_| ()),
        1 => {
            let len = rest.get(..2).map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
            let desc = rest.get(2..(2 + len).min(rest.len())).unwrap_or_default();
            let reports = rest.get((2 + len).min(rest.len())..).unwrap_or_default();
            match parse_descriptor(desc) {
                Err(e) => one_line(&e.to_string()),
                Ok(Interface::BootKeyboard) => keyboard(reports),
                Ok(Interface::Pos(layout)) => reassemble(reports.chunks(64).map(|r| layout.decode(r))),
            }
        }
        2 => keyboard(rest),
        _ => reassemble(rest.chunks(64).map(|r| ReportLayout::guess(r).and_then(|l| l.decode(r)))),
    }
}

fn decode_guessed(report: &[u8]) -> Result<Option<usize>, String> {
    match ReportLayout::guess(report).and_then(|l| l.decode(report)) {
        Err(e) => one_line(&e.to_string()).map(|_| None),
        Ok(chunk) if chunk.data.len() > report.len() => Err("decoded more bytes than the report has".into()),
        Ok(chunk) => Ok(Some(chunk.data.len())),
    }
}

fn keyboard(reports: &[u8]) -> Result<(), String> {
    let mut kb = BootKeyboardDecoder::default();
    for report in reports.chunks(8) {
        match kb.push(report) {
            Err(e) => one_line(&e.to_string())?,
            Ok(typed) if typed.len() > 6 => return Err(format!("one report typed {} bytes", typed.len())),
            Ok(_) => {}
        }
    }
    Ok(())
}

fn reassemble(
    chunks: impl Iterator<Item = shelfsync_scan::Result<shelfsync_scan::hidpos::ReportChunk>>,
) -> Result<(), String> {
    let mut joiner = Reassembler::default();
    let t0 = Instant::now();
    for (i, chunk) in chunks.enumerate() {
        let chunk = match chunk {
            Err(e) => {
                one_line(&e.to_string())?;
                continue;
            }
            Ok(c) => c,
        };
        match joiner.push(chunk, t0 + Duration::from_millis(i as u64)) {
            Some(Err(e)) => one_line(&e.to_string())?,
            Some(Ok(msg)) if msg.data.len() > MAX_SCAN_LEN => return Err("message over MAX_SCAN_LEN".into()),
            _ => {}
        }
    }
    Ok(())
}

#[test]
fn fuzz_hid_report_decoder() {
    let report = fuzz(DIR, "hid", check_hid);
    assert!(report.mutated_cases > 0);
}

fn frames(input: &[u8], chunk_sizes: impl Iterator<Item = usize>) -> Vec<Result<Vec<u8>, String>> {
    let cfg = FramingConfig { max_len: 64, ..FramingConfig::default() };
    let mut framer = Framer::new(cfg);
    let now = Instant::now();
    let mut out = Vec::new();
    let mut rest = input;
    for size in chunk_sizes {
        if rest.is_empty() {
            break;
        }
        let (chunk, tail) = rest.split_at(size.clamp(1, rest.len()));
        out.extend(framer.push(chunk, now));
        rest = tail;
    }
    out.extend(framer.poll_idle(now + Duration::from_secs(1)));
    out.into_iter().map(|r| r.map_err(|e| e.to_string())).collect()
}

/// Serial framing: the same bytes framed whole and in chunks sized by the bytes themselves
/// give the same scans; a frame is non-empty, within the limit and holds no terminator.
fn check_framing(input: &[u8]) -> Result<(), String> {
    let whole = frames(input, std::iter::once(input.len()));
    let sizes: Vec<usize> = input.iter().map(|b| usize::from(b % 7) + 1).collect();
    let chunked = frames(input, sizes.into_iter().chain(std::iter::repeat(usize::MAX)));
    if whole != chunked {
        return Err(format!("chunking changed the frames: {whole:?} vs {chunked:?}"));
    }
    for frame in whole {
        match frame {
            Err(e) => one_line(&e)?,
            Ok(f) if f.is_empty() || f.len() > 64 => return Err(format!("frame of {} bytes", f.len())),
            Ok(f) if f.iter().any(|b| matches!(b, b'\r' | b'\n' | b'\t')) => {
                return Err(format!("terminator inside a frame: {f:?}"));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

#[test]
fn fuzz_serial_framing() {
    let report = fuzz(DIR, "framing", check_framing);
    assert!(report.mutated_cases > 0);
}
