//! Every error crosses IPC with a stable code, the values its sentence names and Rust's English
//! sentence (`IpcError`). The table gives one error of every kind a floor or supervisor user
//! meets; the UI's catalogue is checked against the same samples, which this test writes to
//! `ui/src/lib/i18n/errorSamples.json` (like the client and bindings: regenerated when out of
//! date, then the test fails until it is committed).

use std::path::Path;

use serde_json::{Value, json};
use shelfsync_core::{Bucket, BucketViolation, DomainError, LocationCode, LotError, Role, Sku};
use shelfsync_store::StoreError;

use super::fresh_demo;
use crate::commands;
use crate::error::AppError;
use crate::floor_refusal::FloorRefusal as F;
use crate::ipc::*;
use crate::movements as mv;
use crate::supervisor_refusal::SupervisorRefusal as S;
use shelfsync_labels::LabelError as L;

const SAMPLES_PATH: &str = "../ui/src/lib/i18n/errorSamples.json";

fn violation(damaged: bool) -> BucketViolation {
    BucketViolation {
        sku: Sku::new("SS-00001").unwrap(),
        location: LocationCode::new("WH1").unwrap(),
        bucket: Bucket::OnHand,
        current: if damaged { 2 } else { 3 },
        change: if damaged { 5 } else { -7 },
        damaged_exceeds_on_hand: damaged,
    }
}

/// (error, code, English sentence, arguments).
fn table() -> Vec<(AppError, &'static str, &'static str, Value)> {
    let store = |e: StoreError| AppError::Store(e);
    let lot = |e: LotError| AppError::Store(e.into());
    let floor = AppError::Refused;
    let sup = AppError::SupervisorRefused;
    vec![
        (AppError::SignedOut, "session.signedOut", "Sign in first.", json!({})),
        (
            AppError::Locked,
            "session.locked",
            "The session is locked after being idle. Enter your PIN to go on.",
            json!({}),
        ),
        (
            store(StoreError::WrongPin("sam".into())),
            "signin.wrong",
            "wrong user or PIN for 'sam'",
            json!({"user": "sam"}),
        ),
        (
            store(StoreError::Deactivated("cat".into())),
            "signin.deactivated",
            "user 'cat' is deactivated",
            json!({"user": "cat"}),
        ),
        (
            store(StoreError::LockedOut { user: "sam".into(), until: "2026-12-04T11:05:00Z".into() }),
            "signin.lockedOut",
            "user 'sam' is locked out until 2026-12-04T11:05:00Z after too many wrong PINs",
            json!({"user": "sam", "until": "2026-12-04T11:05:00Z"}),
        ),
        (
            store(StoreError::Forbidden {
                user: "stu".into(),
                role: Role::Staff,
                action: "approve count variances".into(),
            }),
            "auth.forbidden",
            "user 'stu' (staff) may not approve count variances",
            json!({"user": "stu", "role": "staff", "action": "approve count variances"}),
        ),
        (
            AppError::NotFound("ZZ-1".into()),
            "stock.notFound",
            "No item has the SKU or barcode 'ZZ-1'. Check the label and scan again.",
            json!({"code": "ZZ-1"}),
        ),
        (
            store(StoreError::UnknownSku("ZZ-1".into())),
            "stock.unknownSku",
            "unknown SKU 'ZZ-1'",
            json!({"sku": "ZZ-1"}),
        ),
        (
            store(StoreError::UnknownLocation("WH9".into())),
            "stock.unknownLocation",
            "unknown location 'WH9'",
            json!({"location": "WH9"}),
        ),
        (
            store(StoreError::UnknownBarcode("4006381333931".into())),
            "stock.unknownBarcode",
            "unknown barcode '4006381333931'",
            json!({"code": "4006381333931"}),
        ),
        (
            AppError::Domain(DomainError::QuantityOutOfRange { got: 0, max: 10000 }),
            "movement.qtyRange",
            "quantity must be between 1 and 10000, got 0",
            json!({"max": 10000, "got": 0}),
        ),
        (
            store(StoreError::Domain(DomainError::QuantityOutOfRange { got: 20000, max: 10000 })),
            "movement.qtyRange",
            "quantity must be between 1 and 10000, got 20000",
            json!({"max": 10000, "got": 20000}),
        ),
        (
            store(StoreError::WouldGoNegative(violation(false))),
            "movement.insufficient",
            "on_hand at WH1 would go negative (3 - 7)",
            json!({"bucket": "on_hand", "location": "WH1", "current": 3, "change": 7}),
        ),
        (
            store(StoreError::WouldGoNegative(violation(true))),
            "movement.damagedOverOnHand",
            "damaged at WH1 would exceed on_hand (5 damaged, 2 on hand)",
            json!({"location": "WH1", "damaged": 5, "onHand": 2}),
        ),
        (
            AppError::Domain(DomainError::SameLocation("WH1".into())),
            "movement.sameLocation",
            "a transfer needs two different locations, got 'WH1' twice",
            json!({"location": "WH1"}),
        ),
        (
            AppError::Domain(DomainError::OverReceipt { received: 9, shipped: 4 }),
            "movement.overReceipt",
            "received 9 exceeds the 4 shipped",
            json!({"received": 9, "shipped": 4}),
        ),
        (
            store(StoreError::TransferAlreadyReceived(uuid::Uuid::nil())),
            "movement.alreadyReceived",
            "transfer 00000000-0000-0000-0000-000000000000 was already received",
            json!({"id": "00000000-0000-0000-0000-000000000000"}),
        ),
        (
            store(StoreError::SessionClosed { id: "c-1".into(), status: "submitted".into() }),
            "count.closed",
            "count session c-1 is submitted; scanning is closed",
            json!({"id": "c-1", "status": "submitted"}),
        ),
        (
            store(StoreError::OutOfScope { sku: "SS-00009".into(), session: "c-1".into() }),
            "count.outOfScope",
            "SKU 'SS-00009' is not in the scope of session c-1",
            json!({"sku": "SS-00009", "id": "c-1"}),
        ),
        (
            store(StoreError::NothingCounted("c-1".into())),
            "count.nothingCounted",
            "nothing was counted in session c-1",
            json!({"id": "c-1"}),
        ),
        (
            store(StoreError::UncountedInFullCount(3)),
            "count.uncounted",
            "3 SKUs in this full count were not counted; submit with --confirm-zero to count them as zero",
            json!({"n": 3}),
        ),
        (
            store(StoreError::UnknownApproval("a-1".into())),
            "approval.unknown",
            "unknown approval 'a-1'",
            json!({"id": "a-1"}),
        ),
        (
            store(StoreError::NotPending { id: "a-1".into(), state: "approved".into() }),
            "approval.notPending",
            "approval a-1 is not pending (it is approved)",
            json!({"id": "a-1", "state": "approved"}),
        ),
        (
            store(StoreError::DiskFull),
            "store.diskFull",
            "disk full: the change was not saved; free some space and try again",
            json!({}),
        ),
        (
            store(StoreError::Busy),
            "store.busy",
            "the database is locked by another process; try again",
            json!({}),
        ),
        (
            AppError::Starting,
            "app.starting",
            "the database is still loading; try again in a moment",
            json!({}),
        ),
        // Kits, packs, imports and reports (a supervisor's or admin's).
        (
            store(StoreError::UnknownComponent("SS-9".into())),
            "kit.unknownComponent",
            "component 'SS-9' is not an item; import it as an item first",
            json!({"sku": "SS-9"}),
        ),
        (
            store(StoreError::NotAKit("SS-1".into())),
            "kit.notAKit",
            "'SS-1' is not a kit",
            json!({"sku": "SS-1"}),
        ),
        (
            store(StoreError::KitHoldsStock("SS-1".into())),
            "kit.holdsStock",
            "'SS-1' holds stock; move or write it off before making it a kit (it holds no stock of its own)",
            json!({"sku": "SS-1"}),
        ),
        (
            store(StoreError::KitHasPacks("SS-1".into())),
            "kit.hasPacks",
            "'SS-1' has packs: remove them (pack remove BARCODE) before making it a kit",
            json!({"sku": "SS-1"}),
        ),
        (
            store(StoreError::PackOfKit("KIT-1".into())),
            "pack.ofKit",
            "'KIT-1' is a kit: a pack holds units of one item, so give its components packs",
            json!({"sku": "KIT-1"}),
        ),
        (
            store(StoreError::BarcodeIsPack { code: "4006381333931".into(), sku: "SS-1".into(), qty: 12 }),
            "pack.barcodeIsPack",
            "barcode '4006381333931' is a pack of 12 x SKU 'SS-1'; an item barcode is one unit",
            json!({"code": "4006381333931", "sku": "SS-1", "qty": 12}),
        ),
        (
            lot(LotError::Required { sku: "MILK".into(), tracking: "lot", movement: "receive" }),
            "lot.required",
            "SKU 'MILK' is tracked by lot: receive needs --lot (or a GS1 scan that carries it)",
            json!({"sku": "MILK", "tracking": "lot", "movement": "receive"}),
        ),
        (
            lot(LotError::NotTracked { sku: "MUG".into() }),
            "lot.notTracked",
            "SKU 'MUG' is not tracked by lot or serial: drop --lot/--serial (or set its tracking first)",
            json!({"sku": "MUG"}),
        ),
        (
            lot(LotError::WrongKind { sku: "MILK".into(), tracking: "lot", given: "serial" }),
            "lot.wrongKind",
            "SKU 'MILK' is tracked by lot, not serial: give --lot",
            json!({"sku": "MILK", "tracking": "lot", "given": "serial"}),
        ),
        (
            lot(LotError::SerialQty { sku: "TV".into(), serial: "SN-9".into(), qty: 3 }),
            "lot.serialQty",
            "a serial is one unit: serial 'SN-9' of SKU 'TV' cannot move 3",
            json!({"serial": "SN-9", "sku": "TV", "qty": 3}),
        ),
        (
            lot(LotError::SerialOnHand { sku: "TV".into(), serial: "SN-9".into(), location: "WH1".into() }),
            "lot.serialOnHand",
            "serial 'SN-9' of SKU 'TV' is already on hand at WH1: a serial is on hand at most once",
            json!({"serial": "SN-9", "sku": "TV", "location": "WH1"}),
        ),
        (
            lot(LotError::Short {
                sku: "MILK".into(),
                kind: "lot",
                code: "L2".into(),
                location: "WH1".into(),
                bucket: "on hand",
                have: 3,
                after: -2,
            }),
            "lot.short",
            "lot 'L2' of SKU 'MILK' at WH1 has 3 on hand, so it cannot go to -2",
            json!({"kind": "lot", "code": "L2", "sku": "MILK", "location": "WH1", "have": 3, "held": "on hand", "after": -2}),
        ),
        (
            lot(LotError::ExpiryMismatch {
                sku: "MILK".into(),
                lot: "L1".into(),
                known: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
                given: chrono::NaiveDate::from_ymd_opt(2027, 4, 30).unwrap(),
            }),
            "lot.expiryMismatch",
            "lot 'L1' of SKU 'MILK' expires 2027-03-31, not 2027-04-30: one lot has one expiry",
            json!({"lot": "L1", "sku": "MILK", "known": "2027-03-31", "given": "2027-04-30"}),
        ),
        (
            store(StoreError::UnknownPack("123".into())),
            "pack.unknown",
            "no pack has barcode '123'",
            json!({"code": "123"}),
        ),
        (
            store(StoreError::TooManyUnits { scans: 3, units: 500000, max: 1000000 }),
            "pack.tooManyUnits",
            "3 scans of a pack of 500000 is more than 1000000 units in one line: book it in parts",
            json!({"scans": 3, "units": 500000, "max": 1000000}),
        ),
        (
            store(StoreError::BarcodeTaken { code: "123".into(), owner: "SS-1".into() }),
            "item.barcodeTaken",
            "barcode '123' already belongs to SKU 'SS-1'",
            json!({"code": "123", "sku": "SS-1"}),
        ),
        (
            store(StoreError::PeriodTooLong { events: 300000, max: 200000 }),
            "report.periodTooLong",
            "the period holds 300000 events to walk back, more than 200000: ask for fewer days",
            json!({"events": 300000, "max": 200000}),
        ),
        (
            store(StoreError::UnknownTransfer("t-1".into())),
            "movement.unknownTransfer",
            "unknown transfer 't-1'",
            json!({"id": "t-1"}),
        ),
        (
            store(StoreError::UnknownEvent("e-1".into())),
            "movement.unknownEvent",
            "unknown event 'e-1'",
            json!({"id": "e-1"}),
        ),
        (
            store(StoreError::UnknownSession("c-9".into())),
            "count.unknownSession",
            "unknown count session 'c-9'",
            json!({"id": "c-9"}),
        ),
        (
            AppError::Unavailable("disk I/O error".into()),
            "app.unavailable",
            "the database could not be opened: disk I/O error",
            json!({"detail": "disk I/O error"}),
        ),
        // The floor's refusals (a scan, a commit, an empty field): each with its own code.
        (floor(F::EmptyScan), "scan.empty", "The scan was empty. Scan again.", json!({})),
        (floor(F::ScanTooLong), "scan.tooLong", "The scan was too long to be a barcode.", json!({})),
        (
            floor(F::Unreadable { detail: "the check digit of GTIN 09506000134353 is wrong".into() }),
            "scan.unreadable",
            "Unreadable barcode: the check digit of GTIN 09506000134353 is wrong. Scan again.",
            json!({"detail": "the check digit of GTIN 09506000134353 is wrong"}),
        ),
        (
            floor(F::BadLabel { detail: "quantity 0 is outside 1..=100000".into() }),
            "scan.badLabel",
            "Bad command label: quantity 0 is outside 1..=100000",
            json!({"detail": "quantity 0 is outside 1..=100000"}),
        ),
        (
            floor(F::UnknownLocation { location: "MOON".into() }),
            "scan.unknownLocation",
            "No location 'MOON' in this warehouse. Scan a shelf label from here.",
            json!({"location": "MOON"}),
        ),
        (
            floor(F::NoGtin),
            "scan.noGtin",
            "This GS1 barcode carries no GTIN: scan the item's own label.",
            json!({}),
        ),
        (
            floor(F::NothingToCommit),
            "station.nothingToCommit",
            "Nothing to commit: scan an item first.",
            json!({}),
        ),
        (
            floor(F::TooManyLines { max: 500 }),
            "station.tooManyLines",
            "At most 500 lines per commit.",
            json!({"max": 500}),
        ),
        (floor(F::NoLocation), "station.noLocation", "Scan a location label first.", json!({})),
        (
            floor(F::BadDestination),
            "station.badDestination",
            "Scan the destination's location label.",
            json!({}),
        ),
        (
            floor(F::NoDestination),
            "station.noDestination",
            "Scan the destination's location label first.",
            json!({}),
        ),
        (floor(F::NoCount), "station.noCount", "Start or continue a count first.", json!({})),
        (
            floor(F::LookupRecordsNothing),
            "station.lookupRecordsNothing",
            "Look-up mode records nothing.",
            json!({}),
        ),
        (
            floor(F::NoDamageReason),
            "station.noDamageReason",
            "Choose why the items are damaged before committing.",
            json!({}),
        ),
        (
            floor(F::DraftFull { max: 500 }),
            "station.draftFull",
            "At most 500 scanned lines: commit the ones you have first.",
            json!({"max": 500}),
        ),
        (floor(F::NoUserName), "signin.noName", "Enter your user name.", json!({})),
        (floor(F::NoPin), "signin.noPin", "Enter your PIN.", json!({})),
        (floor(F::NoCode), "stock.noCode", "scan a barcode or type a SKU", json!({})),
        (
            floor(F::CodeTooLong { max: 128 }),
            "stock.codeTooLong",
            "a code is at most 128 characters",
            json!({"max": 128}),
        ),
        (
            floor(F::NoReason { max: 200 }),
            "approval.noReason",
            "Give a reason (up to 200 characters).",
            json!({"max": 200}),
        ),
        (floor(F::NoConfirmPin), "approval.noPin", "Enter your PIN to confirm.", json!({})),
        (
            floor(F::LotItemCode { max: 128 }),
            "lot.itemCode",
            "give a SKU or barcode of 1 to 128 characters",
            json!({"max": 128}),
        ),
        (
            floor(F::LotQty { max: 1_000_000 }),
            "lot.qtyRange",
            "a quantity is between 1 and 1000000",
            json!({"max": 1_000_000}),
        ),
        (
            floor(F::ZeroAdjustment),
            "movement.zeroAdjustment",
            "An adjustment of 0 changes nothing: enter how many units up or down.",
            json!({}),
        ),
        (
            floor(F::NoAdjustmentReason),
            "movement.noAdjustmentReason",
            "Give a reason for an adjustment.",
            json!({}),
        ),
        (floor(F::NoReversalReason), "movement.noReversalReason", "Give a reason for a reversal.", json!({})),
        (
            floor(F::ReasonTooLong { max: 200 }),
            "movement.reasonTooLong",
            "A reason is at most 200 characters.",
            json!({"max": 200}),
        ),
        (
            floor(F::UnknownReasonCode {
                codes: "damaged, expired, shrinkage, theft, vendor_return, other".into(),
                given: "lost".into(),
            }),
            "movement.unknownReasonCode",
            "Choose a reason code (damaged, expired, shrinkage, theft, vendor_return, other); 'lost' is not one.",
            json!({"codes": "damaged, expired, shrinkage, theft, vendor_return, other", "given": "lost"}),
        ),
        (
            floor(F::OtherNeedsNote),
            "movement.otherNeedsNote",
            "The reason 'other' needs a note saying what happened.",
            json!({}),
        ),
        (
            floor(F::NoTransferInTransit { id: "T-1".into() }),
            "movement.noTransferInTransit",
            "No transfer in transit has the id 'T-1'.",
            json!({"id": "T-1"}),
        ),
        (
            floor(F::NoPostedEvent { id: "E-1".into() }),
            "movement.noPostedEvent",
            "No posted event has the id 'E-1'.",
            json!({"id": "E-1"}),
        ),
        (floor(F::NoSku), "movement.noSku", "Enter a SKU.", json!({})),
        (
            floor(F::SkuTooLong { max: 128 }),
            "movement.skuTooLong",
            "A SKU is at most 128 characters.",
            json!({"max": 128}),
        ),
        (floor(F::NoLocationChosen), "movement.noLocation", "Choose a location.", json!({})),
        (
            floor(F::LocationTooLong { max: 128 }),
            "movement.locationTooLong",
            "A location code is at most 128 characters.",
            json!({"max": 128}),
        ),
        // The label panel's refusals a person can mend.
        (
            AppError::Label(L::Expiry("2026-13-01".into())),
            "label.expiry",
            "expiry \"2026-13-01\" is not a date (YYYY-MM-DD, years 2000 to 2099)",
            json!({"value": "2026-13-01"}),
        ),
        (
            AppError::Label(L::Copies(0)),
            "label.copies",
            "copies 0 is outside 1..=100",
            json!({"copies": 0, "max": 100}),
        ),
        (
            AppError::Label(L::Lot("L 1".into())),
            "label.lot",
            "lot \"L 1\" must be 1 to 20 characters of A-Z, a-z, 0-9, '-', '.' or '/'",
            json!({"value": "L 1"}),
        ),
        (
            AppError::Label(L::Gtin("123".into())),
            "label.gtin",
            "GTIN \"123\" is not a GTIN (8, 12, 13 or 14 digits with a correct check digit)",
            json!({"value": "123"}),
        ),
        (
            AppError::Label(L::Location("W H".into())),
            "label.location",
            "location code \"W H\" is not one the scanner accepts",
            json!({"value": "W H"}),
        ),
        (
            AppError::Label(L::MatrixWithoutGtin("SS-1".into())),
            "label.matrixWithoutGtin",
            "item SS-1 has no GTIN: a GS1 DataMatrix carries a GTIN (print it as gs1-128, a Code 128 of the SKU)",
            json!({"sku": "SS-1"}),
        ),
        (
            AppError::Label(L::Printer {
                printer: "10.0.0.9:9100".into(),
                reason: "connection refused".into(),
            }),
            "label.printer",
            "printer 10.0.0.9:9100 is unreachable: connection refused",
            json!({"printer": "10.0.0.9:9100", "detail": "connection refused"}),
        ),
        // The supervisors' forms: each with its own code.
        (
            sup(S::NoBulkReason { max: 200 }),
            "bulk.noReason",
            "Give one reason for the decision (up to 200 characters).",
            json!({"max": 200}),
        ),
        (
            sup(S::CounterOnlyForRecount),
            "bulk.counterOnlyForRecount",
            "A counter is assigned only to a recount.",
            json!({}),
        ),
        (sup(S::NothingSelected), "bulk.nothingSelected", "Select at least one item to decide.", json!({})),
        (
            sup(S::TooManySelected { max: 200, selected: 201 }),
            "bulk.tooManySelected",
            "At most 200 items at once; 201 were selected.",
            json!({"max": 200, "selected": 201}),
        ),
        (sup(S::CounterNameTooLong), "bulk.counterNameTooLong", "That user name is too long.", json!({})),
        (
            sup(S::CounterDeactivated { name: "cat".into() }),
            "bulk.counterDeactivated",
            "cat is deactivated and cannot recount.",
            json!({"name": "cat"}),
        ),
        (
            sup(S::NoSuchCounter { name: "zed".into() }),
            "bulk.noSuchCounter",
            "No user is called 'zed': choose who recounts.",
            json!({"name": "zed"}),
        ),
        (sup(S::NoDueCountChosen), "count.noDueCountChosen", "Choose a due count to start.", json!({})),
        (
            sup(S::NotDue { plan: "cycle-A:WH1:2026-12".into(), location: "WH1".into() }),
            "count.notDue",
            "cycle-A:WH1:2026-12 is not due at WH1: it has been started already, or has nothing to count.",
            json!({"plan": "cycle-A:WH1:2026-12", "location": "WH1"}),
        ),
        (
            sup(S::UncountedInFullCount { uncounted: 3 }),
            "count.uncountedTick",
            "3 SKUs in this full count were not counted: tick \"count the rest as zero\" to submit them as zero.",
            json!({"uncounted": 3}),
        ),
        (
            sup(S::UncountedInFullCount { uncounted: 1 }),
            "count.uncountedTick",
            "1 SKU in this full count was not counted: tick \"count the rest as zero\" to submit them as zero.",
            json!({"uncounted": 1}),
        ),
        (sup(S::NoCountLocation), "count.noLocation", "Choose the location to count.", json!({})),
        (
            sup(S::OneScopeOnly),
            "count.oneScopeOnly",
            "Count a SKU list, a class or the top N: one of them, not several.",
            json!({}),
        ),
        (
            sup(S::TooManyScopeSkus { max: 1000, given: 1001 }),
            "count.tooManySkus",
            "A SKU list is at most 1000 SKUs; 1001 were given.",
            json!({"max": 1000, "given": 1001}),
        ),
        (
            sup(S::BadClass { class: "D".into() }),
            "count.badClass",
            "Class 'D' must be A, B or C.",
            json!({"class": "D"}),
        ),
        (
            sup(S::TopOutOfRange { max: 10000, top: 0 }),
            "count.topOutOfRange",
            "Top N must be between 1 and 10000, got 0.",
            json!({"max": 10000, "top": 0}),
        ),
        // Free text: one code per source; the UI shows Rust's English.
        (
            AppError::BadRequest("Only the shrink report takes a number of days.".into()),
            "request.refused",
            "Only the shrink report takes a number of days.",
            json!({}),
        ),
        (
            store(StoreError::Auth("user 'x' already exists".into())),
            "auth.refused",
            "user 'x' already exists",
            json!({}),
        ),
    ]
}

#[test]
fn every_error_kind_has_its_code_arguments_and_english_sentence() {
    let mut samples = Vec::new();
    for (error, code, message, args) in table() {
        let wire = serde_json::to_value(&error).expect("serialises");
        assert_eq!(wire, json!({ "code": code, "message": message, "args": args }), "{error:?}");
        assert_eq!(error.code(), code);
        samples.push(wire);
    }
    // The sentence is still the one `user_message` gives (screens and tests read it).
    for (error, _, message, _) in table() {
        assert_eq!(error.user_message(), message);
    }
    let rendered = serde_json::to_string_pretty(&samples).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLES_PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != rendered {
        std::fs::write(&path, &rendered).expect("write the samples");
        panic!("{} is out of date; it has been regenerated: review and commit it", path.display());
    }
}

/// One refused call: the code it must carry, and the call.
type Case<'a> = (&'static str, Box<dyn Fn() -> crate::error::Result<()> + 'a>);

/// The codes of real refusals, from commands on a real SQLite file, as they cross IPC.
#[test]
fn commands_refuse_with_the_codes_the_ui_translates() {
    let (_dir, state) = fresh_demo();
    let code = |error: AppError| serde_json::to_value(&error).unwrap()["code"].as_str().unwrap().to_string();
    let cases: Vec<Case<'_>> = vec![
        ("session.signedOut", Box::new(|| commands::approvals(&state).map(drop))),
        ("signin.wrong", Box::new(|| commands::sign_in(&state, "staff".into(), "9999".into()).map(drop))),
        ("stock.notFound", Box::new(|| commands::item_lookup(&state, "NO-SUCH-ITEM".into()).map(drop))),
        (
            "stock.unknownLocation",
            Box::new(|| {
                let query = StockQuery { sku: None, location: Some("WH9".into()), limit: None };
                commands::stock_levels(&state, query).map(drop)
            }),
        ),
    ];
    for (want, call) in &cases {
        assert_eq!(code(call().expect_err(want)), *want);
    }
    let long_code = "X".repeat(crate::commands::MAX_CODE_LEN + 1);
    let cases: Vec<Case<'_>> = vec![
        ("signin.noName", Box::new(|| commands::sign_in(&state, " ".into(), "1111".into()).map(drop))),
        ("signin.noPin", Box::new(|| commands::sign_in(&state, "staff".into(), String::new()).map(drop))),
        ("stock.noCode", Box::new(|| commands::item_lookup(&state, "  ".into()).map(drop))),
        ("stock.codeTooLong", Box::new(|| commands::item_lookup(&state, long_code.clone()).map(drop))),
    ];
    for (want, call) in &cases {
        assert_eq!(code(call().expect_err(want)), *want);
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let ship = |qty: u32| ShipRequest {
        sku: "SS-00001".into(),
        from: "WH1".into(),
        to: "WH2".into(),
        qty,
        reason: None,
        tag: None,
    };
    let cases: Vec<Case<'_>> = vec![
        ("auth.forbidden", Box::new(|| commands::approvals(&state).map(drop))),
        ("movement.insufficient", Box::new(|| mv::ship_transfer(&state, ship(9_999)).map(drop))),
        ("movement.qtyRange", Box::new(|| mv::ship_transfer(&state, ship(0)).map(drop))),
        (
            "movement.sameLocation",
            Box::new(|| mv::ship_transfer(&state, ShipRequest { to: "WH1".into(), ..ship(1) }).map(drop)),
        ),
        (
            "movement.noSku",
            Box::new(|| mv::ship_transfer(&state, ShipRequest { sku: " ".into(), ..ship(1) }).map(drop)),
        ),
        (
            "movement.noLocation",
            Box::new(|| mv::ship_transfer(&state, ShipRequest { from: String::new(), ..ship(1) }).map(drop)),
        ),
        (
            "movement.noTransferInTransit",
            Box::new(|| {
                let receive =
                    ReceiveTransferRequest { transfer_id: "no-such-id".into(), received: 1, reason: None };
                mv::receive_transfer(&state, receive).map(drop)
            }),
        ),
    ];
    for (want, call) in &cases {
        assert_eq!(code(call().expect_err(want)), *want);
    }
    commands::lock_session(&state).unwrap();
    assert_eq!(code(commands::classify_scan(&state, "SS-00001".into()).unwrap_err()), "session.locked");
}
