use shelfsync_core::{BucketViolation, DomainError};
use thiserror::Error;
use uuid::Uuid;

/// One bad line of a CSV import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLineError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for CsvLineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    FlashSale(#[from] shelfsync_core::flash::FlashSaleError),
    #[error("the period holds {events} events to walk back, more than {max}: ask for fewer days")]
    PeriodTooLong { events: i64, max: i64 },
    #[error("unknown SKU '{0}'")]
    UnknownSku(String),
    #[error(transparent)]
    Kit(#[from] shelfsync_core::KitFault),
    /// Boxed: its refusals name the SKU, lot and location, and would otherwise make every
    /// `Result` of the store larger (`From<LotError>` is in lots.rs).
    #[error(transparent)]
    Lot(Box<shelfsync_core::LotError>),
    #[error(
        "kit component '{sku}' at {location}: its lots hold {have} of the {units} units the kit needs; receive or count its lots first"
    )]
    KitLotsShort { sku: String, location: String, units: u32, have: i64 },
    #[error("component '{0}' is not an item; import it as an item first")]
    UnknownComponent(String),
    #[error("'{0}' is not a kit")]
    NotAKit(String),
    #[error("'{0}' holds stock; move or write it off before making it a kit (it holds no stock of its own)")]
    KitHoldsStock(String),
    #[error("'{sku}' is a kit: {verb} its components (a kit holds no stock of its own)")]
    KitHoldsNoStock { sku: String, verb: &'static str },
    #[error("'{0}' is a kit: a pack holds units of one item, so give its components packs")]
    PackOfKit(String),
    #[error("'{0}' has packs: remove them (pack remove BARCODE) before making it a kit")]
    KitHasPacks(String),
    #[error("barcode '{code}' is already {what}; a pack needs a barcode of its own")]
    PackCodeTaken { code: String, what: String },
    #[error("barcode '{code}' is a pack of {qty} x SKU '{sku}'; an item barcode is one unit")]
    BarcodeIsPack { code: String, sku: String, qty: u32 },
    #[error("no pack has barcode '{0}'")]
    UnknownPack(String),
    #[error("{scans} scans of a pack of {units} is more than {max} units in one line: book it in parts")]
    TooManyUnits { scans: u32, units: u32, max: u32 },
    #[error("unknown location '{0}'")]
    UnknownLocation(String),
    #[error("unknown barcode '{0}'")]
    UnknownBarcode(String),
    #[error("{0}")]
    WouldGoNegative(BucketViolation),
    #[error("event {0} was already recorded with a different body")]
    ConflictingEvent(Uuid),
    #[error("unknown event '{0}'")]
    UnknownEvent(String),
    #[error("cannot reverse: {0}")]
    NotReversible(String),
    #[error("unknown transfer '{0}'")]
    UnknownTransfer(String),
    #[error("transfer {0} was already received")]
    TransferAlreadyReceived(Uuid),
    #[error("barcode '{code}' already belongs to SKU '{owner}'")]
    BarcodeTaken { code: String, owner: String },
    #[error("{}", summarise_csv(.0))]
    Csv(Vec<CsvLineError>),
    #[error("cannot read CSV: {0}")]
    CsvFormat(String),
    #[error("event #{seq} is unreadable: {reason}")]
    CorruptEvent { seq: i64, reason: String },
    #[error("{0}")]
    Auth(String),
    #[error(transparent)]
    Report(#[from] crate::report_queries::ReportError),
    /// An unknown user and a wrong PIN read the same: no hint which names exist.
    #[error("wrong user or PIN for '{0}'")]
    WrongPin(String),
    #[error("user '{0}' is deactivated")]
    Deactivated(String),
    #[error("user '{user}' is locked out until {until} after too many wrong PINs")]
    LockedOut { user: String, until: String },
    #[error("user '{user}' ({role}) may not {action}")]
    Forbidden { user: String, role: shelfsync_core::Role, action: String },
    #[error("unknown count session '{0}'")]
    UnknownSession(String),
    #[error("count session {id} is {status}; scanning is closed")]
    SessionClosed { id: String, status: String },
    #[error("SKU '{sku}' is not in the scope of session {session}")]
    OutOfScope { sku: String, session: String },
    #[error("nothing to count: the scope {0} holds no SKUs")]
    EmptyScope(String),
    #[error("nothing was counted in session {0}")]
    NothingCounted(String),
    #[error("{0} SKUs in this full count were not counted; submit with --confirm-zero to count them as zero")]
    UncountedInFullCount(usize),
    #[error("unknown approval '{0}'")]
    UnknownApproval(String),
    #[error("approval {id} is not pending (it is {state})")]
    NotPending { id: String, state: String },
    #[error(transparent)]
    AuditFilter(#[from] crate::audit_query::AuditFilterError),
    #[error("bad search: {0}")]
    BadSearch(String),
    #[error("the scan draft is too large ({0}): commit the lines scanned so far first")]
    DraftTooLarge(String),
    #[error("disk full: the change was not saved; free some space and try again")]
    DiskFull,
    #[error("the database is locked by another process; try again")]
    Busy,
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn summarise_csv(errors: &[CsvLineError]) -> String {
    let first = errors.first().map(ToString::to_string).unwrap_or_default();
    match errors.len() {
        0 | 1 => first,
        n => format!("{first} (and {} more bad lines; nothing was imported)", n - 1),
    }
}

impl From<rusqlite::Error> for StoreError {
    /// Full and locked databases become their own variants: a person can act on them.
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked, DiskFull};
        match error.sqlite_error_code() {
            Some(DiskFull) => StoreError::DiskFull,
            Some(DatabaseBusy | DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(error),
        }
    }
}
