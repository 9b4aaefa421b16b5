//! Barcodes that are commands rather than items: location labels, quantities, mode switches,
//! done and undo. A scan station is driven entirely by the scanner, so these must be recognised
//! before any catalogue lookup.

use crate::error::{Result, ScanError};
use crate::gs1::{Content, Parsed};

/// Location codes are printed on shelf labels; longer than this is a misread, not a bin.
const MAX_LOCATION_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandConfig {
    pub location_prefix: String,
    pub quantity_prefix: String,
    pub mode_prefix: String,
    pub done: String,
    pub undo: String,
    /// A typo in a quantity label must not book a million units.
    pub max_quantity: u32,
}

impl Default for CommandConfig {
    fn default() -> Self {
        CommandConfig {
            location_prefix: "LOC:".into(),
            quantity_prefix: "QTY:".into(),
            mode_prefix: "MODE:".into(),
            done: "CMD:DONE".into(),
            undo: "CMD:UNDO".into(),
            max_quantity: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Count,
    Damage,
    Receive,
    Transfer,
    Lookup,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "command", content = "value")]
pub enum Command {
    Location(String),
    Quantity(u32),
    Mode(Mode),
    Done,
    Undo,
}

/// A scan is either a command for the station or something that identifies an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classified {
    Command(Command),
    Item(Parsed),
}

/// Commands are plain-text symbols; anything GS1 (or any other text) is an item identifier.
/// A text carrying a command prefix but a malformed value is an error, not an item: a damaged
/// `QTY:` label must never be looked up as a SKU.
pub fn classify(parsed: &Parsed, cfg: &CommandConfig) -> Result<Classified> {
    let Content::Plain { text, .. } = &parsed.content else {
        return Ok(Classified::Item(parsed.clone()));
    };
    match command_from_text(text, cfg)? {
        Some(command) => Ok(Classified::Command(command)),
        None => Ok(Classified::Item(parsed.clone())),
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn command_from_text(text: &str, cfg: &CommandConfig) -> Result<Option<Command>> {
    if text.eq_ignore_ascii_case(&cfg.done) {
        return Ok(Some(Command::Done));
    }
    if text.eq_ignore_ascii_case(&cfg.undo) {
        return Ok(Some(Command::Undo));
    }
    if let Some(code) = strip_prefix_ignore_case(text, &cfg.location_prefix) {
        return location(code).map(Some);
    }
    if let Some(qty) = strip_prefix_ignore_case(text, &cfg.quantity_prefix) {
        return quantity(qty, cfg.max_quantity).map(Some);
    }
    if let Some(mode) = strip_prefix_ignore_case(text, &cfg.mode_prefix) {
        return mode_switch(mode).map(Some);
    }
    Ok(None)
}

fn location(code: &str) -> Result<Command> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    if code.is_empty() || code.len() > MAX_LOCATION_LEN || !code.chars().all(valid_char) {
        return Err(ScanError::Command(format!("location label {code:?} is not a location code")));
    }
    Ok(Command::Location(code.to_owned()))
}

fn quantity(text: &str, max: u32) -> Result<Command> {
    let value: u32 =
        text.parse().map_err(|_| ScanError::Command(format!("quantity {text:?} is not a whole number")))?;
    if value == 0 || value > max {
        return Err(ScanError::Command(format!("quantity {value} is outside 1..={max}")));
    }
    Ok(Command::Quantity(value))
}

fn mode_switch(name: &str) -> Result<Command> {
    let mode = match name.to_ascii_lowercase().as_str() {
        "count" => Mode::Count,
        "damage" => Mode::Damage,
        "receive" => Mode::Receive,
        "transfer" => Mode::Transfer,
        "lookup" => Mode::Lookup,
        _ => return Err(ScanError::Command(format!("unknown mode {name:?}"))),
    };
    Ok(Command::Mode(mode))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::{ParseOptions, parse_scan_data};

    fn run(scan: &[u8]) -> Result<Classified> {
        let parsed = parse_scan_data(scan, &ParseOptions::warehouse())?;
        classify(&parsed, &CommandConfig::default())
    }

    #[test]
    fn recognises_every_command() {
        let cases: [(&[u8], Command); 8] = [
            (b"]C0LOC:WH1-A-01-02", Command::Location("WH1-A-01-02".into())),
            (b"LOC:WH1-A-01-02", Command::Location("WH1-A-01-02".into())),
            (b"]C0QTY:12", Command::Quantity(12)),
            (b"MODE:damage", Command::Mode(Mode::Damage)),
            (b"MODE:RECEIVE", Command::Mode(Mode::Receive)),
            (b"MODE:transfer", Command::Mode(Mode::Transfer)),
            (b"CMD:DONE", Command::Done),
            (b"cmd:undo", Command::Undo),
        ];
        for (scan, want) in cases {
            assert_eq!(run(scan).unwrap(), Classified::Command(want), "{scan:?}");
        }
    }

    #[test]
    fn items_and_malformed_commands() {
        assert!(matches!(run(b"]C10195012345678903").unwrap(), Classified::Item(_)));
        assert!(matches!(run(b"]C0SKU-123").unwrap(), Classified::Item(_)));
        for bad in [&b"QTY:0"[..], b"QTY:abc", b"QTY:1000001", b"LOC:", b"LOC:A B", b"MODE:dance"] {
            assert!(matches!(run(bad), Err(ScanError::Command(_))), "{bad:?}");
        }
    }
}
