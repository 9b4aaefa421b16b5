use thiserror::Error;

/// Why a value or an event was refused. Every message names the offending value, because the
/// CLI prints it as the one line a person reads.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    #[error("invalid SKU '{0}': {1}")]
    InvalidSku(String, &'static str),
    #[error("invalid location code '{0}': {1}")]
    InvalidLocation(String, &'static str),
    #[error("invalid GTIN '{0}': {1}")]
    InvalidGtin(String, &'static str),
    #[error("invalid amount '{0}': expected a non-negative decimal with at most 2 places")]
    InvalidMoney(String),
    #[error("quantity must be between 1 and {max}, got {got}")]
    QuantityOutOfRange { got: i64, max: i64 },
    #[error("a reason is required for {0}")]
    ReasonRequired(&'static str),
    #[error("{field} is longer than {max} characters")]
    TextTooLong { field: &'static str, max: usize },
    #[error("{field} must not be empty")]
    EmptyText { field: &'static str },
    #[error("a transfer needs two different locations, got '{0}' twice")]
    SameLocation(String),
    #[error("received {received} exceeds the {shipped} shipped")]
    OverReceipt { received: u32, shipped: u32 },
}
