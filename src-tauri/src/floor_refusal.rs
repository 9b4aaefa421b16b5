//! The refusals floor staff meet most: a scan the station cannot use, a commit that is not
//! ready, an empty sign-in or look-up field, a Movements form that is not filled in. Each is a kind with a stable code and the values
//! its sentence names, so the UI shows it in the worker's language (issue 19); the English
//! sentences are the ones the station has always shown.

use crate::error::{Args, text};

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
    #[error("give a SKU or barcode of 1 to {max} characters")]
    LotItemCode { max: usize },
    #[error("a quantity is between 1 and {max}")]
    LotQty { max: u32 },
    #[error("Give a reason (up to {max} characters).")]
    NoReason { max: usize },
    #[error("Enter your PIN to confirm.")]
    NoConfirmPin,
    // ---- the Movements screen's fields ----
    #[error("An adjustment of 0 changes nothing: enter how many units up or down.")]
    ZeroAdjustment,
    #[error("Give a reason for an adjustment.")]
    NoAdjustmentReason,
    #[error("Give a reason for a reversal.")]
    NoReversalReason,
    #[error("A reason is at most {max} characters.")]
    ReasonTooLong { max: usize },
    /// `given`: at most 40 characters of what was sent.
    #[error("Choose a reason code ({codes}); '{given}' is not one.")]
    UnknownReasonCode { codes: String, given: String },
    #[error("The reason 'other' needs a note saying what happened.")]
    OtherNeedsNote,
    /// `id`: at most 40 characters of what was sent.
    #[error("No transfer in transit has the id '{id}'.")]
    NoTransferInTransit { id: String },
    /// `id`: at most 40 characters of what was sent.
    #[error("No posted event has the id '{id}'.")]
    NoPostedEvent { id: String },
    #[error("Enter a SKU.")]
    NoSku,
    #[error("A SKU is at most {max} characters.")]
    SkuTooLong { max: usize },
    #[error("Choose a location.")]
    NoLocationChosen,
    #[error("A location code is at most {max} characters.")]
    LocationTooLong { max: usize },
}

impl FloorRefusal {
    /// The stable code (the UI's catalogue key without `errors.`) and the sentence's values.
    pub fn code_and_args(&self) -> (&'static str, Args) {
        use FloorRefusal as F;
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
            F::LotItemCode { max } => ("lot.itemCode", vec![("max", (*max).into())]),
            F::LotQty { max } => ("lot.qtyRange", vec![("max", (*max).into())]),
            F::NoReason { max } => ("approval.noReason", vec![("max", (*max).into())]),
            F::NoConfirmPin => ("approval.noPin", vec![]),
            F::ZeroAdjustment => ("movement.zeroAdjustment", vec![]),
            F::NoAdjustmentReason => ("movement.noAdjustmentReason", vec![]),
            F::NoReversalReason => ("movement.noReversalReason", vec![]),
            F::ReasonTooLong { max } => ("movement.reasonTooLong", vec![("max", (*max).into())]),
            F::UnknownReasonCode { codes, given } => {
                ("movement.unknownReasonCode", vec![("codes", text(codes)), ("given", text(given))])
            }
            F::OtherNeedsNote => ("movement.otherNeedsNote", vec![]),
            F::NoTransferInTransit { id } => ("movement.noTransferInTransit", vec![("id", text(id))]),
            F::NoPostedEvent { id } => ("movement.noPostedEvent", vec![("id", text(id))]),
            F::NoSku => ("movement.noSku", vec![]),
            F::SkuTooLong { max } => ("movement.skuTooLong", vec![("max", (*max).into())]),
            F::NoLocationChosen => ("movement.noLocation", vec![]),
            F::LocationTooLong { max } => ("movement.locationTooLong", vec![("max", (*max).into())]),
        }
    }
}
