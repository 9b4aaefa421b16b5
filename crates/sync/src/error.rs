use shelfsync_channels::ChannelError;
use shelfsync_store::{CsvLineError, StoreError};
use thiserror::Error;

/// Why a sync operation failed. Messages name the offending value: the CLI prints them as the
/// one line a person reads.
#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error("unknown channel '{0}'")]
    UnknownChannel(String),
    #[error("channel '{0}' already exists")]
    ChannelExists(String),
    #[error("invalid channel name '{0}': use 1 to 64 letters, digits, '-', '_' or '.'")]
    InvalidChannelName(String),
    #[error("unknown channel kind '{0}': use shopify, amazon or ebay")]
    UnsupportedKind(String),
    #[error("{0}")]
    Invalid(String),
    #[error("no listing of SKU '{sku}' on channel '{channel}'")]
    NoListing { sku: String, channel: String },
    #[error("unknown dead letter '{0}'")]
    UnknownDeadLetter(String),
    #[error("dead letter {0} was already {1}")]
    DeadLetterResolved(i64, String),
    #[error("another sync engine holds the lease ({holder}, until {until})")]
    LeaseHeld { holder: String, until: String },
    #[error("credentials: {0}")]
    Credentials(String),
    #[error("{}", summarise(.0))]
    Csv(Vec<CsvLineError>),
    #[error("cannot read CSV: {0}")]
    CsvFormat(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn summarise(errors: &[CsvLineError]) -> String {
    StoreError::Csv(errors.to_vec()).to_string()
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
