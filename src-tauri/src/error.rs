//! The one error type commands return. It crosses IPC as its message (a plain string), because
//! the webview only shows it to a person; the kinds that matter to code stay on the Rust side.

use shelfsync_store::StoreError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] shelfsync_core::DomainError),
    #[error(transparent)]
    Hub(#[from] shelfsync_hub::HubError),
    #[error("Sign in first.")]
    SignedOut,
    #[error("The session is locked after being idle. Enter your PIN to go on.")]
    Locked,
    #[error("No item has the SKU or barcode '{0}'. Check the label and scan again.")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the database is still loading; try again in a moment")]
    Starting,
    #[error("the database could not be opened: {0}")]
    Unavailable(String),
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}
