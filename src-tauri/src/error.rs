//! The one error type commands return, and the one function that turns it into what a person
//! sees (`user_message`). It crosses IPC as an `IpcError`: a stable code (`code()`) with the
//! values its sentence names, which the UI's catalogues translate, and that English sentence,
//! which the UI shows in English and for any code its catalogue lacks. The kinds that matter to
//! code stay on the Rust side; the UI matches codes, never sentences.
//!
//! Each engine crate's error converts with `?`. A store error stays `AppError::Store` whichever
//! crate passed it up (sync and capture wrap the store's), so code and tests that ask "was it
//! `Forbidden`, `Busy`, bad CSV lines?" match one variant; the message is the same either way,
//! as those wrappers are transparent.

use serde_json::Value;
use shelfsync_capture::CaptureError;
use shelfsync_core::{DomainError, LotError};
use shelfsync_store::StoreError;
use shelfsync_sync::SyncError;

use crate::ipc::IpcError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] shelfsync_core::DomainError),
    #[error(transparent)]
    FlashSale(#[from] shelfsync_core::flash::FlashSaleError),
    #[error(transparent)]
    Hub(#[from] shelfsync_hub::HubError),
    #[error(transparent)]
    Scan(#[from] shelfsync_scan::ScanError),
    #[error(transparent)]
    Label(#[from] shelfsync_labels::LabelError),
    /// A sync error other than a store error (see `From<SyncError>`).
    #[error(transparent)]
    Sync(SyncError),
    /// A capture error other than a store or sync error (see `From<CaptureError>`).
    #[error(transparent)]
    Capture(CaptureError),
    /// A scan, commit or field the floor meets, refused with its own code.
    #[error(transparent)]
    Refused(#[from] crate::floor_refusal::FloorRefusal),
    /// A supervisor's form (a bulk decision, a count) refused with its own code.
    #[error(transparent)]
    SupervisorRefused(#[from] crate::supervisor_refusal::SupervisorRefusal),
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

/// Not `#[from]`: the store's errors inside are lifted to `AppError::Store` (module docs).
impl From<SyncError> for AppError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Store(e) => AppError::Store(e),
            other => AppError::Sync(other),
        }
    }
}

/// Not `#[from]`: the store's and sync's errors inside are lifted as they are on their own.
impl From<CaptureError> for AppError {
    fn from(error: CaptureError) -> Self {
        match error {
            CaptureError::Store(e) => AppError::Store(e),
            CaptureError::Sync(e) => e.into(),
            other => AppError::Capture(other),
        }
    }
}

impl AppError {
    /// What the person at the screen reads: the one place an error becomes words. Screens and
    /// tests match on these sentences, so changing one is a behaviour change.
    pub fn user_message(&self) -> String {
        self.to_string()
    }
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_ipc().serialize(serializer)
    }
}

/// The values a message names, in the order it names them.
pub(crate) type Args = Vec<(&'static str, Value)>;

pub(crate) fn text(value: impl ToString) -> Value {
    Value::String(value.to_string())
}

impl AppError {
    /// What crosses IPC: the code, its values and the English sentence.
    pub fn to_ipc(&self) -> IpcError {
        let (code, args) = self.code_and_args();
        IpcError {
            code: code.into(),
            message: self.user_message(),
            args: args.into_iter().map(|(name, value)| (name.into(), value)).collect(),
        }
    }

    /// The stable code of this error: `area.name`, the UI's catalogue key without `errors.`.
    pub fn code(&self) -> &'static str {
        self.code_and_args().0
    }

    /// The code, and the values the English sentence names (which a translation may use).
    /// Codes are stable: a screen or a catalogue relies on them, so a new error kind gets a new
    /// code and an old one keeps its own. Free text (`BadRequest`, the store's `Auth`, other
    /// crates' errors) gets one code per source, which the catalogue leaves to Rust's English.
    pub fn code_and_args(&self) -> (&'static str, Args) {
        match self {
            AppError::Store(e) => store_code(e),
            AppError::Domain(e) => domain_code(e),
            AppError::FlashSale(_) => ("flashSale.rule", vec![]),
            AppError::Hub(_) => ("hub.error", vec![]),
            AppError::Scan(_) => ("scan.error", vec![]),
            AppError::Label(e) => label_code(e),
            AppError::Sync(_) => ("sync.error", vec![]),
            AppError::Capture(_) => ("capture.error", vec![]),
            AppError::Refused(refusal) => refusal.code_and_args(),
            AppError::SupervisorRefused(refusal) => refusal.code_and_args(),
            AppError::SignedOut => ("session.signedOut", vec![]),
            AppError::Locked => ("session.locked", vec![]),
            AppError::NotFound(code) => ("stock.notFound", vec![("code", text(code))]),
            AppError::BadRequest(_) => ("request.refused", vec![]),
            AppError::Starting => ("app.starting", vec![]),
            AppError::Unavailable(why) => ("app.unavailable", vec![("detail", text(why))]),
        }
    }
}

fn store_code(error: &StoreError) -> (&'static str, Args) {
    use StoreError as S;
    match error {
        S::Domain(e) => domain_code(e),
        S::FlashSale(_) => ("flashSale.rule", vec![]),
        S::PeriodTooLong { events, max } => {
            ("report.periodTooLong", vec![("events", (*events).into()), ("max", (*max).into())])
        }
        S::UnknownSku(sku) => ("stock.unknownSku", vec![("sku", text(sku))]),
        S::Kit(_) => ("kit.fault", vec![]),
        S::Lot(e) => lot_code(e),
        S::UnknownComponent(sku) => ("kit.unknownComponent", vec![("sku", text(sku))]),
        S::NotAKit(sku) => ("kit.notAKit", vec![("sku", text(sku))]),
        S::KitHoldsStock(sku) => ("kit.holdsStock", vec![("sku", text(sku))]),
        S::KitHoldsNoStock { sku, .. } => ("kit.holdsNoStock", vec![("sku", text(sku))]),
        S::PackOfKit(sku) => ("pack.ofKit", vec![("sku", text(sku))]),
        S::KitHasPacks(sku) => ("kit.hasPacks", vec![("sku", text(sku))]),
        S::PackCodeTaken { code, .. } => ("pack.codeTaken", vec![("code", text(code))]),
        S::BarcodeIsPack { code, sku, qty } => {
            ("pack.barcodeIsPack", vec![("code", text(code)), ("sku", text(sku)), ("qty", (*qty).into())])
        }
        S::UnknownPack(code) => ("pack.unknown", vec![("code", text(code))]),
        S::TooManyUnits { scans, units, max } => (
            "pack.tooManyUnits",
            vec![("scans", (*scans).into()), ("units", (*units).into()), ("max", (*max).into())],
        ),
        S::UnknownLocation(code) => ("stock.unknownLocation", vec![("location", text(code))]),
        S::UnknownBarcode(code) => ("stock.unknownBarcode", vec![("code", text(code))]),
        S::WouldGoNegative(v) if v.damaged_exceeds_on_hand => (
            "movement.damagedOverOnHand",
            vec![("location", text(&v.location)), ("damaged", v.change.into()), ("onHand", v.current.into())],
        ),
        S::WouldGoNegative(v) => (
            "movement.insufficient",
            vec![
                ("bucket", text(v.bucket)),
                ("location", text(&v.location)),
                ("current", v.current.into()),
                ("change", v.change.unsigned_abs().into()),
            ],
        ),
        S::ConflictingEvent(_) => ("movement.conflict", vec![]),
        S::UnknownEvent(id) => ("movement.unknownEvent", vec![("id", text(id))]),
        S::NotReversible(_) => ("movement.notReversible", vec![]),
        S::UnknownTransfer(id) => ("movement.unknownTransfer", vec![("id", text(id))]),
        S::TransferAlreadyReceived(id) => ("movement.alreadyReceived", vec![("id", text(id))]),
        S::BarcodeTaken { code, owner } => {
            ("item.barcodeTaken", vec![("code", text(code)), ("sku", text(owner))])
        }
        S::Csv(lines) => ("import.badLines", vec![("n", lines.len().into())]),
        S::CsvFormat(_) => ("import.unreadable", vec![]),
        S::CorruptEvent { seq, .. } => ("store.corruptEvent", vec![("seq", (*seq).into())]),
        S::Auth(_) => ("auth.refused", vec![]),
        S::Report(_) => ("report.refused", vec![]),
        S::WrongPin(user) => ("signin.wrong", vec![("user", text(user))]),
        S::Deactivated(user) => ("signin.deactivated", vec![("user", text(user))]),
        S::LockedOut { user, until } => {
            ("signin.lockedOut", vec![("user", text(user)), ("until", text(until))])
        }
        S::Forbidden { user, role, action } => {
            ("auth.forbidden", vec![("user", text(user)), ("role", text(role)), ("action", text(action))])
        }
        S::UnknownSession(id) => ("count.unknownSession", vec![("id", text(id))]),
        S::SessionClosed { id, status } => ("count.closed", vec![("id", text(id)), ("status", text(status))]),
        S::OutOfScope { sku, session } => {
            ("count.outOfScope", vec![("sku", text(sku)), ("id", text(session))])
        }
        S::EmptyScope(scope) => ("count.emptyScope", vec![("scope", text(scope))]),
        S::NothingCounted(id) => ("count.nothingCounted", vec![("id", text(id))]),
        S::UncountedInFullCount(n) => ("count.uncounted", vec![("n", (*n).into())]),
        S::UnknownApproval(id) => ("approval.unknown", vec![("id", text(id))]),
        S::NotPending { id, state } => {
            ("approval.notPending", vec![("id", text(id)), ("state", text(state))])
        }
        S::AuditFilter(_) => ("audit.filter", vec![]),
        S::BadSearch(_) => ("stock.badSearch", vec![]),
        S::DraftTooLarge(_) => ("station.draftTooLarge", vec![]),
        S::DiskFull => ("store.diskFull", vec![]),
        S::Busy => ("store.busy", vec![]),
        S::Migration(_) => ("store.schema", vec![]),
        S::Sqlite(_) => ("store.database", vec![]),
        S::Io(_) => ("store.io", vec![]),
        // Kinds added since (other helpers' areas): Rust's English until they get a code.
        #[allow(unreachable_patterns)]
        _ => ("store.error", vec![]),
    }
}

/// The label panel's refusals (issue 21) a person can mend: a value typed wrong, a printer off.
/// The rest (a symbology name, an encoder's failure, a barcode too wide) name the code's
/// internals and stay Rust's English.
fn label_code(error: &shelfsync_labels::LabelError) -> (&'static str, Args) {
    use shelfsync_labels::LabelError as L;
    match error {
        L::Expiry(value) => ("label.expiry", vec![("value", text(value))]),
        L::Copies(copies) => {
            ("label.copies", vec![("copies", (*copies).into()), ("max", shelfsync_labels::MAX_COPIES.into())])
        }
        L::Lot(value) => ("label.lot", vec![("value", text(value))]),
        L::Gtin(value) => ("label.gtin", vec![("value", text(value))]),
        L::Location(value) => ("label.location", vec![("value", text(value))]),
        L::MatrixWithoutGtin(sku) => ("label.matrixWithoutGtin", vec![("sku", text(sku))]),
        L::Printer { printer, reason } => {
            ("label.printer", vec![("printer", text(printer)), ("detail", text(reason))])
        }
        _ => ("label.error", vec![]),
    }
}

/// Lot and serial refusals (issue 21): the station and the Movements screen meet these.
fn lot_code(error: &LotError) -> (&'static str, Args) {
    use LotError as L;
    match error {
        L::Required { sku, tracking, movement } => (
            "lot.required",
            vec![("sku", text(sku)), ("tracking", text(tracking)), ("movement", text(movement))],
        ),
        L::NotTracked { sku } => ("lot.notTracked", vec![("sku", text(sku))]),
        L::WrongKind { sku, tracking, given } => {
            ("lot.wrongKind", vec![("sku", text(sku)), ("tracking", text(tracking)), ("given", text(given))])
        }
        L::SerialQty { sku, serial, qty } => {
            ("lot.serialQty", vec![("serial", text(serial)), ("sku", text(sku)), ("qty", (*qty).into())])
        }
        L::SerialOnHand { sku, serial, location } => (
            "lot.serialOnHand",
            vec![("serial", text(serial)), ("sku", text(sku)), ("location", text(location))],
        ),
        L::Short { sku, kind, code, location, bucket, have, after } => (
            "lot.short",
            vec![
                ("kind", text(kind)),
                ("code", text(code)),
                ("sku", text(sku)),
                ("location", text(location)),
                ("have", (*have).into()),
                // Not `bucket`: that name is looked up among the ledger's buckets, and a lot's
                // words ("on hand") are not theirs.
                ("held", text(bucket)),
                ("after", (*after).into()),
            ],
        ),
        L::ExpiryMismatch { sku, lot, known, given } => (
            "lot.expiryMismatch",
            vec![("lot", text(lot)), ("sku", text(sku)), ("known", text(known)), ("given", text(given))],
        ),
        // Refused by the screens' own checks first; Rust's English when one gets through.
        _ => ("lot.refused", vec![]),
    }
}

fn domain_code(error: &DomainError) -> (&'static str, Args) {
    use DomainError as D;
    match error {
        D::InvalidSku(..) => ("input.invalidSku", vec![]),
        D::InvalidLocation(..) => ("input.invalidLocation", vec![]),
        D::InvalidGtin(..) => ("input.invalidGtin", vec![]),
        D::InvalidMoney(..) => ("input.invalidMoney", vec![]),
        D::QuantityOutOfRange { got, max } => {
            ("movement.qtyRange", vec![("max", (*max).into()), ("got", (*got).into())])
        }
        D::ReasonRequired(_) => ("movement.reasonRequired", vec![]),
        D::TextTooLong { max, .. } => ("input.tooLong", vec![("max", (*max).into())]),
        D::EmptyText { .. } => ("input.empty", vec![]),
        D::SameLocation(location) => ("movement.sameLocation", vec![("location", text(location))]),
        D::OverReceipt { received, shipped } => {
            ("movement.overReceipt", vec![("received", (*received).into()), ("shipped", (*shipped).into())])
        }
    }
}
