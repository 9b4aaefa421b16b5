//! The refusals floor staff meet most: a scan the station cannot use, a commit that is not
//! ready, an empty sign-in or look-up field. Each is a kind with a stable code and the values
//! its sentence names, so the UI shows it in the worker's language (issue 19); the English
//! sentences are the ones the station has always shown.

use serde_json::Value;

/// The values a sentence names, in the order it names them.
pub type Args = Vec<(&'static str, Value)>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloorRefusal {
    // ---- a scan the station cannot use ----
    #[error("The scan was empty. Scan again.")]
    EmptyScan,
    #[error("The scan was too long to be a barcode.")]
    ScanTooLong,
    /// `detail`: the parser's reason (a check digit, an application identifier), in English.
    #[error("Unreadable barcode: {detail}. Scan again.")]
    Unreadable { detail: String },
    /// `detail`: what is wrong with the command label, in English.
    #[error("Bad command label: {detail}")]
    BadLabel { detail: String },
    #[error("No location '{location}' in this warehouse. Scan a shelf label from here.")]
    UnknownLocation { location: String },
    #[error("This GS1 barcode carries no GTIN: scan the item's own label.")]
    NoGtin,
    // ---- a commit that is not ready ----
    #[error("Nothing to commit: scan an item first.")]
    NothingToCommit,
    #[error("At most {max} lines per commit.")]
    TooManyLines { max: usize },
    #[error("Scan a location label first.")]
    NoLocation,
    #[error("Scan the destination's location label.")]
    BadDestination,
    #[error("Scan the destination's location label first.")]
    NoDestination,
    #[error("Start or continue a count first.")]
    NoCount,
    #[error("Look-up mode records nothing.")]
    LookupRecordsNothing,
    #[error("Choose why the items are damaged before committing.")]
    NoDamageReason,
    #[error("At most {max} scanned lines: commit the ones you have first.")]
    DraftFull { max: u32 },
    // ---- empty or oversized fields ----
    #[error("Enter your user name.")]
    NoUserName,
    #[error("Enter your PIN.")]
    NoPin,
    #[error("scan a barcode or type a SKU")]
    NoCode,
    #[error("a code is at most {max} characters")]
    CodeTooLong { max: usize },
    #[error("Give a reason (up to {max} characters).")]
    NoReason { max: usize },
    #[error("Enter your PIN to confirm.")]
    NoConfirmPin,
}

impl FloorRefusal {
    /// The stable code (the UI's catalogue key without `errors.`) and the sentence's values.
    pub fn code_and_args(&self) -> (&'static str, Args) {
        use FloorRefusal as F;
        let text = |s: &str| Value::String(s.to_string());
        match self {
            F::EmptyScan => ("scan.empty", vec![]),
            F::ScanTooLong => ("scan.tooLong", vec![]),
            F::Unreadable { detail } => ("scan.unreadable", vec![("detail", text(detail))]),
            F::BadLabel { detail } => ("scan.badLabel", vec![("detail", text(detail))]),
            F::UnknownLocation { location } => ("scan.unknownLocation", vec![("location", text(location))]),
            F::NoGtin => ("scan.noGtin", vec![]),
            F::NothingToCommit => ("station.nothingToCommit", vec![]),
            F::TooManyLines { max } => ("station.tooManyLines", vec![("max", (*max).into())]),
            F::NoLocation => ("station.noLocation", vec![]),
            F::BadDestination => ("station.badDestination", vec![]),
            F::NoDestination => ("station.noDestination", vec![]),
            F::NoCount => ("station.noCount", vec![]),
            F::LookupRecordsNothing => ("station.lookupRecordsNothing", vec![]),
            F::NoDamageReason => ("station.noDamageReason", vec![]),
            F::DraftFull { max } => ("station.draftFull", vec![("max", (*max).into())]),
            F::NoUserName => ("signin.noName", vec![]),
            F::NoPin => ("signin.noPin", vec![]),
            F::NoCode => ("stock.noCode", vec![]),
            F::CodeTooLong { max } => ("stock.codeTooLong", vec![("max", (*max).into())]),
            F::NoReason { max } => ("approval.noReason", vec![("max", (*max).into())]),
            F::NoConfirmPin => ("approval.noPin", vec![]),
        }
    }
}
