//! The one error type of this crate: every failure names its reason in one line, because the CLI
//! prints it as-is and an operator at a scan station must understand it without a manual.

use crate::gs1::lint::LintError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("scan is empty")]
    Empty,
    #[error("scan is {len} bytes, over the {max}-byte limit")]
    TooLong { len: usize, max: usize },
    #[error("scan is not valid UTF-8 text")]
    NotText,
    #[error("missing or malformed symbology identifier")]
    MissingSymbologyId,
    #[error("unsupported symbology identifier {0}")]
    UnsupportedSymbologyId(String),
    #[error("{symbology} scan carries no data")]
    NoData { symbology: String },
    #[error("primary data of {symbology} must be {expected} digits, got {got}")]
    PrimaryLength { symbology: String, expected: usize, got: usize },
    #[error("primary data must be digits only")]
    PrimaryNotDigits,
    #[error("check digit of {0} is incorrect")]
    CheckDigit(String),
    #[error("GS1 data contains an illegal '^' character")]
    IllegalCaret,
    #[error("GS1 data must start with FNC1")]
    MissingFnc1,
    #[error("GS1 data is empty")]
    AiDataEmpty,
    #[error("no known AI is a prefix of {0:?}")]
    NoAiForPrefix(String),
    #[error("unrecognised AI ({0})")]
    UnknownAi(String),
    #[error("malformed bracketed AI data: {0}")]
    Bracketed(&'static str),
    #[error("AI ({ai}) value is empty")]
    AiValueEmpty { ai: String },
    #[error("AI ({ai}) value is too short")]
    AiValueTooShort { ai: String },
    #[error("AI ({ai}) value is too long")]
    AiValueTooLong { ai: String },
    #[error("AI ({ai}): {lint}")]
    Lint { ai: String, lint: LintError },
    #[error("too many AIs in one scan (limit {0})")]
    TooManyAis(usize),
    #[error("multiple instances of AI ({0}) have different values")]
    RepeatedAiDiffers(String),
    #[error("it is invalid to pair AI ({0}) with AI ({1})")]
    MutuallyExclusive(String, String),
    #[error("required AIs for AI ({ai}) are not satisfied: {required}")]
    RequisiteMissing { ai: String, required: String },
    #[error("AI ({0}) must carry a serial component when used with a digital signature (8030)")]
    SerialRequiredWithSignature(String),
    #[error("AI ({ai}) count '{value}': {reason}")]
    BadCount { ai: String, value: String, reason: String },
    #[error("AIs (30) and (37) both give a count: a scan carries one")]
    TwoCounts,
    #[error("Digital Link URI: {0}")]
    DigitalLink(String),
    #[error("bad HID report: {0}")]
    HidReport(String),
    #[error("bad HID report descriptor: {0}")]
    HidDescriptor(String),
    #[error("device error: {0}")]
    Device(String),
    #[error("bad command barcode: {0}")]
    Command(String),
}

pub type Result<T> = std::result::Result<T, ScanError>;
