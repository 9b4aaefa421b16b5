use shelfsync_core::DomainError;
use shelfsync_store::StoreError;
use thiserror::Error;

/// Every way a command fails. Each engine crate's error is wrapped whole (`#[from]`), and this
/// type's `Display` is the one place an error becomes the line the user sees (`error: ...` in
/// `main`): the wrapped errors show their own words unchanged, which scripts and the CLI tests
/// match.
#[derive(Debug, Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] shelfsync_sync::SyncError),
    #[error(transparent)]
    Capture(#[from] shelfsync_capture::CaptureError),
    #[error(transparent)]
    Hub(#[from] shelfsync_hub::HubError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    FlashSale(#[from] shelfsync_core::flash::FlashSaleError),
    /// Boxed, as the store's: a lot refusal names SKU, lot and location.
    #[error(transparent)]
    Lot(Box<shelfsync_core::LotError>),
    #[error(transparent)]
    Scan(#[from] shelfsync_scan::ScanError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot read {path}: {source}")]
    ReadFile { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    WriteFile { path: String, source: std::io::Error },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
}

impl From<shelfsync_core::LotError> for CliError {
    fn from(error: shelfsync_core::LotError) -> CliError {
        CliError::Lot(Box::new(error))
    }
}
