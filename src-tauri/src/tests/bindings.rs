//! The committed TypeScript bindings match the wire types.

use ts_rs::{Config, TS};

use crate::ipc::*;

include!(concat!(env!("OUT_DIR"), "/committed_bindings.rs"));

/// Every exported wire type, by file name. A type missing here is caught by the orphan check.
fn rendered_bindings() -> Vec<(String, String)> {
    let cfg = Config::from_env();
    macro_rules! render {
        ($($ty:ty),* $(,)?) => {
            vec![$((
                format!("{}.ts", <$ty as TS>::ident(&cfg)),
                <$ty as TS>::export_to_string(&cfg).expect("renders"),
            )),*]
        };
    }
    render![
        Phase,
        AppInfo,
        StockQuery,
        Buckets,
        StockLevel,
        StockPage,
        StockSearchQuery,
        StockSearchRow,
        StockSearchView,
        BarcodeView,
        ItemView,
        BucketChange,
        EventView,
        LocationView,
        RoleView,
        UserView,
        DemoUser,
        SessionView,
        StationMode,
        ScanKind,
        ScanOutcome,
        CommitLine,
        CommitRequest,
        CommitResult,
        CountSessionRow,
        CountLineRow,
        CountSessionDetail,
        DueCountView,
        HistoryLine,
        ApprovalView,
        DecisionView,
        BulkDecisionRequest,
        BulkOutcome,
        BulkDecisionLine,
        BulkDecisionResult,
        CountStartRequest,
        DraftLine,
        StationDraft,
        DraftAppend,
        TagKind,
        LineTag,
        LotView,
        LotPickView,
        ItemLotsView,
        ScannerView,
        ChannelCard,
        DeadLetterView,
        SyncDashboard,
        RepushProgress,
        HubView,
        LatencyPointView,
        LocationAtpView,
        AllocationView,
        FlashShareView,
        ScoreLineView,
        ScorecardView,
        FlashSaleView,
        FlashListingView,
        ListingWhyView,
        PushView,
        SkuSyncView,
        AlertView,
        AlertList,
        IncidentView,
        GapView,
        ReconcileRunView,
        DriftRowView,
        DriftReportView,
        DriftRunView,
        ExportKind,
        ExportResult,
        ImportKind,
        ImportLineError,
        ImportStatus,
        ThresholdView,
        ManagedUser,
        NewLocationRequest,
        ToleranceView,
        RuleView,
        ChannelView,
        SecretStatus,
        DeviceView,
        NewChannelRequest,
        SecretField,
        ChannelTestView,
        ShopLocationView,
        WriteOffFromView,
        WriteOffRequest,
        AdjustRequest,
        ShipRequest,
        ReceiveTransferRequest,
        ReturnRequest,
        ReverseRequest,
        TransferInTransitView,
        ReversibleEventView,
        MovementOutcome,
        AuditFilterInput,
        AuditEntryView,
        AuditPageView,
        AuditBreakView,
        AuditVerifyView,
        LabelKind,
        LabelSymbology,
        LabelRequest,
        LabelFormat,
        LabelPreviewView,
        LabelDelivered,
        LinkStatusView,
        LinkRowView,
        LinkReviewView,
        SettingSource,
        WorkstationSettingView,
        DiagnosticsView,
        VarianceGroupView,
        VarianceBarView,
        AccuracyPointView,
        ShrinkBarView,
        ShrinkView,
        ReportCsvKind,
        CountPackRequest,
        CountPackSaved,
        IpcError,
        DayHoursView,
        PeakDayView,
        BusinessHoursView,
        DayHoursInput,
        BusinessHoursChange,
        RootCauseView,
        CauseGroupView,
        IncidentReviewView,
    ]
}

/// Fails when ui/src/bindings differs from what the Rust types generate. `cargo test` also
/// rewrites those files (ts-rs export tests), so after a failure the working tree holds the
/// fresh bindings: review them, commit, rerun.
#[test]
fn bindings_are_committed() {
    let rendered = rendered_bindings();
    let mut stale = Vec::new();
    for (name, text) in &rendered {
        match COMMITTED_BINDINGS.iter().find(|(committed, _)| committed == name) {
            Some((_, committed)) if committed == text => {}
            Some(_) => stale.push(format!("{name} differs from the Rust type")),
            None => stale.push(format!("{name} is missing")),
        }
    }
    for (name, _) in COMMITTED_BINDINGS {
        if !rendered.iter().any(|(r, _)| r == name) {
            stale.push(format!("{name} is committed but no Rust type exports it"));
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/bindings is out of date ({}); it has been regenerated: review and commit it",
        stale.join("; ")
    );
}
