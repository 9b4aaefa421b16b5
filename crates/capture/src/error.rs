use shelfsync_channels::ChannelError;
use shelfsync_store::StoreError;
use shelfsync_sync::SyncError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CaptureError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] shelfsync_core::DomainError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Channel(#[from] ChannelError),
    #[error("{0}")]
    Invalid(String),
    #[error("unknown channel '{0}'")]
    UnknownChannel(String),
    #[error("unknown {what} '{id}'")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Http(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = CaptureError> = std::result::Result<T, E>;
