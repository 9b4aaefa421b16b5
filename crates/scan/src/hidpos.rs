//! Decoding USB HID input reports from barcode scanners, independent of any device.
//!
//! Two report families exist in the field: HID POS (usage page 0x8C) with an AIM identifier
//! (Honeywell, Access-IS, Zebra) or without one (Newland, IDTech), and boot keyboards. The
//! layout is read from the report descriptor when the device gives one, otherwise recognised
//! from the report itself (`report[2] == ']'`). Reports are bytes as hidapi returns them: the
//! report id first.

use std::time::{Duration, Instant};

use crate::MAX_SCAN_LEN;
use crate::error::{Result, ScanError};

const USAGE_PAGE_GENERIC_DESKTOP: u16 = 0x01;
const USAGE_KEYBOARD: u16 = 0x06;
const USAGE_BYTE_COUNT: u16 = 0x3B;
pub const USAGE_PAGE_BARCODE_SCANNER: u16 = 0x8C;
pub const USAGE_BARCODE_SCANNER: u16 = 0x02;
const USAGE_SYMBOLOGY_ID_1: u16 = 0xFB;
const USAGE_DECODED_DATA: u16 = 0xFE;
const USAGE_DATA_CONTINUED: u16 = 0xFF;

/// Where the fields of one scanned-data input report sit, in bytes from the start of what
/// hidapi returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLayout {
    pub report_id: Option<u8>,
    pub byte_count: Option<usize>,
    /// Offset of the three AIM identifier bytes (`]`, code, modifier).
    pub aim: Option<usize>,
    pub data_offset: usize,
    pub data_len: usize,
    /// Byte and bit of the "decode data continued" flag.
    pub continued: Option<(usize, u8)>,
}

/// What kind of scanner interface a descriptor describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    Pos(ReportLayout),
    BootKeyboard,
}

/// One decoded input report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportChunk {
    pub aim: Option<[u8; 3]>,
    pub data: Vec<u8>,
    pub continued: bool,
}

impl ReportLayout {
    /// Recognise the layout from a report when no descriptor is available.
    pub fn guess(report: &[u8]) -> Result<ReportLayout> {
        if report.len() < 4 {
            return Err(ScanError::HidReport(format!("{} bytes is too short", report.len())));
        }
        let last = report.len() - 1;
        let too_short = |layout: &str| {
            ScanError::HidReport(format!("{} bytes is too short for the {layout} layout", report.len()))
        };
        let layout = if report[1] == b']' {
            // Found by proptest: a 4-byte report with ']' second has no room for the flags.
            let data_len = last.checked_sub(4).ok_or_else(|| too_short("AIM-first"))?;
            // id, AIM(3), data, flags: no byte count, data length by stripping NUL padding.
            ReportLayout {
                report_id: Some(report[0]),
                byte_count: None,
                aim: Some(1),
                data_offset: 4,
                data_len,
                continued: Some((last, 0)),
            }
        } else if report[2] == b']' {
            // id, count, AIM(3), data(56), then vendor bytes; flag in the last byte.
            let data_len = last.checked_sub(5).ok_or_else(|| too_short("AIM"))?.min(56);
            ReportLayout {
                report_id: Some(report[0]),
                byte_count: Some(1),
                aim: Some(2),
                data_offset: 5,
                data_len,
                continued: Some((last, 0)),
            }
        } else {
            // No-AIM layout: id, count, data(56), reserved, vendor symbology id, flag.
            let data_len = (last - 2).min(56);
            ReportLayout {
                report_id: Some(report[0]),
                byte_count: Some(1),
                aim: None,
                data_offset: 2,
                data_len,
                continued: Some((last, 0)),
            }
        };
        Ok(layout)
    }

    pub fn decode(&self, report: &[u8]) -> Result<ReportChunk> {
        let need = self.data_offset + self.data_len;
        let need = need.max(self.continued.map_or(0, |(b, _)| b + 1));
        if report.len() < need {
            return Err(ScanError::HidReport(format!("{} bytes, layout needs {need}", report.len())));
        }
        if let (Some(id), Some(&got)) = (self.report_id, report.first())
            && id != got
        {
            return Err(ScanError::HidReport(format!("report id {got:#04x}, expected {id:#04x}")));
        }
        let area = &report[self.data_offset..self.data_offset + self.data_len];
        let data = match self.byte_count {
            Some(at) => {
                let count = usize::from(report[at]);
                let len = count.min(area.len());
                // Without an AIM field the count still covers only data bytes.
                area[..len].to_vec()
            }
            None => {
                let end = area.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                area[..end].to_vec()
            }
        };
        let aim = self.aim.map(|at| [report[at], report[at + 1], report[at + 2]]);
        if let Some(a) = aim
            && a[0] != b']'
        {
            return Err(ScanError::HidReport("AIM identifier does not start with ']'".into()));
        }
        let continued = self.continued.is_some_and(|(byte, bit)| report[byte] & (1 << bit) != 0);
        Ok(ReportChunk { aim, data, continued })
    }
}

/// Global and local item state while walking a descriptor.
#[derive(Debug, Default, Clone)]
struct ParserState {
    usage_page: u16,
    report_size: u32,
    report_count: u32,
    report_id: Option<u8>,
    usages: Vec<(u16, u16)>,
    usage_min: Option<u32>,
}

/// Walk a report descriptor and locate the scanned-data fields of its first input report.
pub fn parse_descriptor(desc: &[u8]) -> Result<Interface> {
    let mut st = ParserState::default();
    // Input fields as (report id, page, usage, bit offset); offsets count per report id.
    let mut fields: Vec<Field> = Vec::new();
    let mut offsets: Vec<(Option<u8>, u32)> = Vec::new();
    let mut top_level: Option<(u16, u16)> = None;
    let mut i = 0;
    while i < desc.len() {
        let prefix = desc[i];
        if prefix == 0xFE {
            let skip = 3 + usize::from(*desc.get(i + 1).unwrap_or(&0));
            i += skip;
            continue;
        }
        let size = match prefix & 3 {
            3 => 4,
            n => usize::from(n),
        };
        let raw = desc
            .get(i + 1..i + 1 + size)
            .ok_or_else(|| ScanError::HidDescriptor("item runs past the end".into()))?;
        let value = raw.iter().rev().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        let (kind, tag) = ((prefix >> 2) & 3, prefix >> 4);
        match (kind, tag) {
            (1, 0) => st.usage_page = value as u16,
            (1, 7) => st.report_size = value,
            (1, 8) => st.report_id = Some(value as u8),
            (1, 9) => st.report_count = value,
            (2, 0) => st.usages.push(split_usage(value, size, st.usage_page)),
            (2, 1) => st.usage_min = Some(value),
            (2, 2) => {
                if let Some(min) = st.usage_min.take() {
                    for u in min..=value.min(min + 255) {
                        st.usages.push((st.usage_page, u as u16));
                    }
                }
            }
            (0, 10) => {
                if top_level.is_none() {
                    top_level = st.usages.first().copied();
                }
                st.usages.clear();
            }
            (0, 8) => {
                add_input_fields(&st, value & 1 != 0, &mut offsets, &mut fields);
                st.usages.clear();
            }
            (0, _) => st.usages.clear(),
            _ => {}
        }
        i += 1 + size;
    }
    match top_level {
        Some((USAGE_PAGE_GENERIC_DESKTOP, USAGE_KEYBOARD)) => Ok(Interface::BootKeyboard),
        Some((USAGE_PAGE_BARCODE_SCANNER, USAGE_BARCODE_SCANNER)) => {
            layout_from_fields(&fields).map(Interface::Pos)
        }
        _ => Err(ScanError::HidDescriptor("neither a HID POS scanner nor a boot keyboard".into())),
    }
}

fn split_usage(value: u32, size: usize, page: u16) -> (u16, u16) {
    if size == 4 { ((value >> 16) as u16, value as u16) } else { (page, value as u16) }
}

#[derive(Debug, Clone, Copy)]
struct Field {
    report_id: Option<u8>,
    page: u16,
    usage: u16,
    bit_offset: u32,
}

/// An Input item declares `report_count` fields; usages are assigned in order, the last one
/// repeating, and constant (padding) fields only advance the offset.
fn add_input_fields(
    st: &ParserState,
    constant: bool,
    offsets: &mut Vec<(Option<u8>, u32)>,
    fields: &mut Vec<Field>,
) {
    let slot = match offsets.iter().position(|(id, _)| *id == st.report_id) {
        Some(i) => i,
        None => {
            offsets.push((st.report_id, 0));
            offsets.len() - 1
        }
    };
    for n in 0..st.report_count.min(4096) {
        let bit_offset = offsets[slot].1;
        if !constant && !st.usages.is_empty() {
            let (page, usage) = st.usages[(n as usize).min(st.usages.len() - 1)];
            fields.push(Field { report_id: st.report_id, page, usage, bit_offset });
        }
        offsets[slot].1 = bit_offset.saturating_add(st.report_size);
    }
}

fn layout_from_fields(fields: &[Field]) -> Result<ReportLayout> {
    let is_data = |f: &&Field| f.page == USAGE_PAGE_BARCODE_SCANNER && f.usage == USAGE_DECODED_DATA;
    let first = fields
        .iter()
        .find(is_data)
        .ok_or_else(|| ScanError::HidDescriptor("no Decoded Data field".into()))?;
    let report_id = first.report_id;
    let same_report: Vec<&Field> = fields.iter().filter(|f| f.report_id == report_id).collect();
    let id_bytes = usize::from(report_id.is_some());
    let byte_at = |bits: u32| id_bytes + (bits / 8) as usize;
    let find = |page: u16, usage: u16| same_report.iter().find(|f| f.page == page && f.usage == usage);
    Ok(ReportLayout {
        report_id,
        byte_count: find(USAGE_PAGE_GENERIC_DESKTOP, USAGE_BYTE_COUNT).map(|f| byte_at(f.bit_offset)),
        aim: find(USAGE_PAGE_BARCODE_SCANNER, USAGE_SYMBOLOGY_ID_1).map(|f| byte_at(f.bit_offset)),
        data_offset: byte_at(first.bit_offset),
        data_len: same_report.iter().filter(|f| is_data(f)).count(),
        continued: find(USAGE_PAGE_BARCODE_SCANNER, USAGE_DATA_CONTINUED)
            .map(|f| (byte_at(f.bit_offset), (f.bit_offset % 8) as u8)),
    })
}

/// A complete message: the AIM identifier (if the report layout carries one) and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub aim: Option<[u8; 3]>,
    pub data: Vec<u8>,
}

impl Message {
    /// The bytes the parser expects: AIM identifier, then data.
    pub fn scan_bytes(&self) -> Vec<u8> {
        let mut out = self.aim.map(|a| a.to_vec()).unwrap_or_default();
        out.extend_from_slice(&self.data);
        out
    }
}

/// Joins continued reports into one message. A partial message older than the timeout is
/// dropped: a scanner unplugged mid-message must not prefix the next scan with garbage.
#[derive(Debug)]
pub struct Reassembler {
    pending: Option<(Message, Instant)>,
    timeout: Duration,
}

impl Default for Reassembler {
    fn default() -> Self {
        Reassembler { pending: None, timeout: Duration::from_millis(500) }
    }
}

impl Reassembler {
    pub fn push(&mut self, chunk: ReportChunk, now: Instant) -> Option<Result<Message>> {
        let stale =
            self.pending.as_ref().is_some_and(|(_, at)| now.saturating_duration_since(*at) > self.timeout);
        if stale {
            self.pending = None;
        }
        let (mut msg, _) = self.pending.take().unwrap_or((Message { aim: chunk.aim, data: Vec::new() }, now));
        if msg.data.len() + chunk.data.len() > MAX_SCAN_LEN {
            return Some(Err(ScanError::TooLong {
                len: msg.data.len() + chunk.data.len(),
                max: MAX_SCAN_LEN,
            }));
        }
        msg.data.extend_from_slice(&chunk.data);
        if chunk.continued {
            self.pending = Some((msg, now));
            return None;
        }
        Some(Ok(msg))
    }
}

const MODIFIER_CTRL: u8 = 0x01 | 0x10;
const MODIFIER_SHIFT: u8 = 0x02 | 0x20;
const KEY_RIGHT_BRACKET: u8 = 0x30;
const ASCII_GS: u8 = 0x1D;

/// US-layout characters for usage ids 0x04..=0x38: (plain, shifted).
fn us_key(usage: u8, shift: bool) -> Option<u8> {
    const ROW: &[u8] = b"1234567890";
    const ROW_SHIFT: &[u8] = b"!@#$%^&*()";
    const PUNCT: &[u8] = b"-=[]\\#;'`,./";
    const PUNCT_SHIFT: &[u8] = b"_+{}|~:\"~<>?";
    let ch = match usage {
        0x04..=0x1D => {
            let c = b'a' + (usage - 0x04);
            if shift { c.to_ascii_uppercase() } else { c }
        }
        0x1E..=0x27 => {
            let i = usize::from(usage - 0x1E);
            if shift { ROW_SHIFT[i] } else { ROW[i] }
        }
        0x28 => b'\r',
        0x2B => b'\t',
        0x2C => b' ',
        0x2D..=0x38 => {
            let i = usize::from(usage - 0x2D);
            if shift { PUNCT_SHIFT[i] } else { PUNCT[i] }
        }
        _ => return None,
    };
    Some(ch)
}

/// Turns 8-byte boot keyboard reports `[modifiers, reserved, k1..k6]` into typed bytes.
/// A character is typed when its key appears; a key held across reports types once.
#[derive(Debug, Default)]
pub struct BootKeyboardDecoder {
    held: [u8; 6],
}

impl BootKeyboardDecoder {
    pub fn push(&mut self, report: &[u8]) -> Result<Vec<u8>> {
        if report.len() != 8 {
            return Err(ScanError::HidReport(format!(
                "boot keyboard report is {} bytes, not 8",
                report.len()
            )));
        }
        let modifiers = report[0];
        let mut keys = [0u8; 6];
        keys.copy_from_slice(&report[2..8]);
        let mut typed = Vec::new();
        for &key in keys.iter().filter(|&&k| k > 0x03 && !self.held.contains(&k)) {
            if modifiers & MODIFIER_CTRL != 0 {
                // Ctrl+] is the ASCII control for GS, the scanner's FNC1.
                if key == KEY_RIGHT_BRACKET {
                    typed.push(ASCII_GS);
                }
                continue;
            }
            if let Some(ch) = us_key(key, modifiers & MODIFIER_SHIFT != 0) {
                typed.push(ch);
            }
        }
        self.held = keys;
        Ok(typed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: u8, len: usize, fill: &[(usize, &[u8])]) -> Vec<u8> {
        let mut r = vec![0u8; len];
        r[0] = id;
        for (at, bytes) in fill {
            r[*at..*at + bytes.len()].copy_from_slice(bytes);
        }
        r
    }

    #[test]
    fn guesses_aim_and_no_aim_layouts() {
        let with_aim = report(2, 64, &[(1, &[13]), (2, b"]E05901234123457")]);
        let chunk = ReportLayout::guess(&with_aim).unwrap().decode(&with_aim).unwrap();
        assert_eq!(
            (chunk.aim, chunk.data.as_slice(), chunk.continued),
            (Some(*b"]E0"), &b"5901234123457"[..], false)
        );
        let no_aim = report(2, 64, &[(1, &[5]), (2, b"HELLO"), (62, &[0x21]), (63, &[1])]);
        let chunk = ReportLayout::guess(&no_aim).unwrap().decode(&no_aim).unwrap();
        assert_eq!((chunk.aim, chunk.data.as_slice(), chunk.continued), (None, &b"HELLO"[..], true));
    }

    #[test]
    fn keyboard_types_shifted_and_control_characters() {
        let mut kb = BootKeyboardDecoder::default();
        let reports: [[u8; 8]; 6] = [
            [0x02, 0, 0x04, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0],
            [0x01, 0, 0x30, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0x28, 0, 0, 0, 0, 0],
            [0, 0, 0x28, 0, 0, 0, 0, 0],
        ];
        let typed: Vec<u8> = reports.iter().flat_map(|r| kb.push(r).unwrap()).collect();
        assert_eq!(typed, b"A\x1d\r");
        assert!(kb.push(&[0; 7]).is_err());
    }

    #[test]
    fn stale_partial_message_is_dropped() {
        let mut r = Reassembler::default();
        let t0 = Instant::now();
        let part = ReportChunk { aim: Some(*b"]C0"), data: b"OLD".to_vec(), continued: true };
        assert!(r.push(part, t0).is_none());
        let fresh = ReportChunk { aim: Some(*b"]C0"), data: b"NEW".to_vec(), continued: false };
        let msg = r.push(fresh, t0 + Duration::from_secs(2)).unwrap().unwrap();
        assert_eq!(msg.data, b"NEW");
    }
}
