//! A complete, pure-Rust GS1 parser driven by the GS1 Barcode Syntax Dictionary.
//!
//! Architecture invariant: nothing here does I/O or reads the clock, so every rule is testable
//! with plain data and the parser can never fail for environmental reasons.

pub mod code_lists;
pub mod count;
mod coupon;
pub mod dl;
pub mod element;
pub mod gtin;
pub mod lint;
pub mod scandata;
pub mod table;

pub use count::{MAX_COUNT, TradeCount, trade_count};
pub use dl::parse_digital_link;
pub use element::{
    Element, Gs1Options, MAX_AIS, Validations, data_string, parse_bracketed, parse_element_string,
    validate_associations,
};
pub use gtin::{to_gtin14, upce_to_upca};
pub use lint::{LintError, LintKind, Linter, check_digit};
pub use scandata::{Content, ParseOptions, Parsed, Policy, parse_bracketed_checked, parse_scan_data};
