//! The scan station: what a scan is, the lines a person commits, the saved draft, the
//! serial/HID listeners.

use super::refusal::IpcError;

wire! {
    pub enum StationMode {
        Count,
        Damage,
        Receive,
        Transfer,
        Lookup,
    }

    pub enum ScanKind {
        Item,
        Location,
        Quantity,
        Mode,
        Done,
        Undo,
        Error,
    }

    /// One scan, classified and resolved in Rust: an item, a command label, or an error. The
    /// same shape comes from a `classify_scan` call (keyboard wedge) and from a `scan` event
    /// (serial and HID scanners, read by a listener thread).
    pub struct ScanOutcome {
        /// "wedge", or the device (`serial:/dev/ttyACM0`, `hid:...`).
        pub source: String,
        /// What was scanned, printable (GS shown as `<GS>`).
        pub data: String,
        pub kind: ScanKind,
        pub sku: Option<String>,
        pub name: Option<String>,
        pub location: Option<String>,
        /// For `quantity`: the QTY label's. For `item`: the units a GS1 count on the label
        /// (AI 30 or 37) gives the line, in place of the station's quantity.
        pub quantity: Option<u32>,
        pub mode: Option<StationMode>,
        /// For `error`: what went wrong, for a person.
        pub message: Option<String>,
        /// An item scanned by a pack's barcode (issue 21): the units one scan books, shown on
        /// the line as "1 pack = 12". Absent for a SKU or an item's own barcode.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pack_units: Option<u32>,
        /// The item's tracking (issue 21) when it is tracked by lot or serial: a line of it
        /// needs a lot or serial, which a GS1 scan carries (AI 10 or 21). Absent: untracked.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tracking: Option<TagKind>,
        /// The lot or serial the scan carried, for a tracked item (an untracked item's lot is
        /// not kept: many labels print one).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
        /// For `error`: the refusal as every refusal crosses IPC (a code the screen translates,
        /// its values and `message`'s English), so the station speaks the worker's language.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refusal: Option<IpcError>,
    }

    /// How an item is tracked, and what a line's tag is: a lot (batch) or one serial.
    pub enum TagKind {
        Lot,
        Serial,
    }

    /// A line's lot or serial, from a GS1 scan: AI 10 or 21, with AI 17's expiry.
    pub struct LineTag {
        pub kind: TagKind,
        pub code: String,
        /// YYYY-MM-DD.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub expiry: Option<String>,
    }

    /// One lot (or serial) of an item at a location. Quantities are absent where an open blind
    /// count hides them from this user.
    pub struct LotView {
        pub code: String,
        pub expiry: Option<String>,
        #[ts(type = "number | null")]
        pub on_hand: Option<i64>,
        #[ts(type = "number | null")]
        pub damaged: Option<i64>,
    }

    /// Take `qty` of lot `code`: one line of a first-expiry-first-out suggestion.
    pub struct LotPickView {
        pub code: String,
        pub expiry: Option<String>,
        #[ts(type = "number")]
        pub qty: i64,
    }

    /// A tracked item's lots at a location, first expiry first, and (for a quantity) which to
    /// take. `tracking` absent: the item has no lots. `uncovered`: units no lot holds.
    pub struct ItemLotsView {
        pub sku: String,
        pub tracking: Option<TagKind>,
        pub hidden: bool,
        pub lots: Vec<LotView>,
        pub picks: Vec<LotPickView>,
        #[ts(type = "number")]
        pub uncovered: i64,
    }

    pub struct CommitLine {
        /// The event id this line is recorded under (the draft line's id, a UUID): a line
        /// already recorded under it is counted as committed and not recorded again. Without
        /// one, a fresh id is made.
        #[ts(optional)]
        #[serde(default)]
        pub id: Option<String>,
        pub sku: String,
        pub qty: u32,
        /// A tracked item's lot or serial (required for one).
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// One scanned, uncommitted line of the station's draft.
    pub struct DraftLine {
        /// A UUID the station gives the line when it is scanned; the line is committed under it.
        pub id: String,
        pub sku: String,
        pub name: String,
        pub qty: u32,
        /// Which scanner (or "screen") the line came from.
        pub source: String,
        /// A line scanned by a pack's barcode: the units one scan books (ScanOutcome's), kept
        /// so a reopened draft still shows "1 pack = 12". Display only: the commit books
        /// what the pack holds then.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub pack_units: Option<u32>,
        /// A tracked item's lot or serial, as scanned.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub tag: Option<LineTag>,
    }

    /// One scanned line added at the end of the saved draft: the station's usual step, sent
    /// as one line instead of the whole draft (up to 500 lines) on every scan.
    pub struct DraftAppend {
        /// How many lines the saved draft holds before this one, as the station last saved
        /// it. Another count, or another mode or place, is refused and nothing changes (the
        /// station then saves its whole draft).
        pub after: u32,
        /// The id of the last of those lines (none when there are none): a saved draft that
        /// ends in another line is refused too.
        pub last_id: Option<String>,
        pub mode: StationMode,
        pub location: Option<String>,
        pub to_location: Option<String>,
        pub session: Option<String>,
        pub reason: Option<String>,
        pub line: DraftLine,
    }

    /// The station's uncommitted work, saved on every scan before its feedback shows, per
    /// user and workstation, so a crash, a reload or a sign-out loses nothing.
    pub struct StationDraft {
        pub mode: StationMode,
        pub location: Option<String>,
        pub to_location: Option<String>,
        pub session: Option<String>,
        pub reason: Option<String>,
        pub lines: Vec<DraftLine>,
    }

    /// The scan log of the station, committed in one go.
    pub struct CommitRequest {
        pub mode: StationMode,
        pub location: String,
        /// Transfer only: where the units go.
        pub to_location: Option<String>,
        /// Count only: the session the lines are counted into.
        pub session: Option<String>,
        /// Damage only (required there).
        pub reason: Option<String>,
        pub lines: Vec<CommitLine>,
    }

    /// Lines are committed in order; the first failure stops the rest.
    pub struct CommitResult {
        /// Lines recorded (posted, counted, or parked for approval).
        pub committed: u32,
        /// Of those, damage lines that wait for a supervisor (worth more than the threshold).
        pub awaiting_approval: u32,
        /// Index of the line that failed, and why. Lines after it were not tried.
        pub failed_index: Option<u32>,
        /// "SKU: why", in English (the CLI's and the log's form).
        pub error: Option<String>,
        /// Why the line failed, as every refusal crosses IPC (a code the screen translates,
        /// its values, Rust's English): the station shows it in the workstation's language.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub refusal: Option<IpcError>,
    }

    pub struct ScannerView {
        /// `serial:/dev/ttyUSB0` or `hid:auto`.
        pub device: String,
        pub kind: String,
        pub status: String,
    }
}

impl From<shelfsync_scan::Mode> for StationMode {
    fn from(mode: shelfsync_scan::Mode) -> StationMode {
        match mode {
            shelfsync_scan::Mode::Count => StationMode::Count,
            shelfsync_scan::Mode::Damage => StationMode::Damage,
            shelfsync_scan::Mode::Receive => StationMode::Receive,
            shelfsync_scan::Mode::Transfer => StationMode::Transfer,
            shelfsync_scan::Mode::Lookup => StationMode::Lookup,
        }
    }
}

impl ScanOutcome {
    /// An outcome of `kind` with nothing resolved yet.
    pub fn new(source: &str, data: &str, kind: ScanKind) -> ScanOutcome {
        ScanOutcome {
            source: source.to_string(),
            data: data.replace('\x1d', "<GS>"),
            kind,
            sku: None,
            name: None,
            location: None,
            quantity: None,
            mode: None,
            message: None,
            pack_units: None,
            tracking: None,
            tag: None,
            refusal: None,
        }
    }

    /// A scan the station cannot use: Rust's English in `message`, the coded refusal beside it.
    pub fn refused(source: &str, data: &str, error: impl Into<crate::error::AppError>) -> ScanOutcome {
        let error = error.into();
        ScanOutcome {
            message: Some(error.user_message()),
            refusal: Some(error.to_ipc()),
            ..ScanOutcome::new(source, data, ScanKind::Error)
        }
    }
}
