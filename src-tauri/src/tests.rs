//! Commands against a real SQLite file, without a window; and the bindings check.

use std::sync::OnceLock;

use ts_rs::{Config, TS};

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

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
        ScannerView,
        ChannelCard,
        DeadLetterView,
        SyncDashboard,
        RepushProgress,
        HubView,
        LatencyPointView,
        LocationAtpView,
        AllocationView,
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
        LinkStatusView,
        LinkRowView,
        LinkReviewView,
        SettingSource,
        WorkstationSettingView,
        DiagnosticsView,
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

/// One demo database shared by the read-only tests: loading it takes seconds in debug.
fn demo() -> &'static AppState {
    static DEMO: OnceLock<(tempfile::TempDir, AppState)> = OnceLock::new();
    let (_, state) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().join("demo.db"));
        state.boot(DemoPolicy::LoadWhenEmpty);
        (dir, state)
    });
    state
}

fn demo_gtin13(n: u32) -> String {
    shelfsync_core::with_check_digit(&format!("590123{n:06}"))
}

#[test]
fn fresh_database_loads_the_demo() {
    let info = commands::app_info(demo()).unwrap();
    assert_eq!(info.phase, Phase::Ready);
    assert!(info.demo);
    assert_eq!(info.item_count, 1_000);
    assert!(info.event_count > 1_000 * 3, "every item is received at three locations");
    assert!(info.error.is_none());
}

#[test]
fn lookup_resolves_sku_gtin_in_any_length_and_internal_code() {
    let gtin13 = demo_gtin13(1);
    for code in [
        "SS-00001".to_string(),
        gtin13.clone(),
        format!("0{gtin13}"),
        "INT-00001".to_string(),
        format!("  {gtin13}\n"),
    ] {
        let item = commands::item_lookup(demo(), code.clone()).unwrap_or_else(|e| panic!("{code:?}: {e}"));
        assert_eq!(item.sku, "SS-00001", "{code:?}");
    }
    let item = commands::item_lookup(demo(), gtin13).unwrap();
    assert_eq!(item.stock.len(), 3, "received at WH1, WH2 and STORE");
    let on_hand: i64 = item.stock.iter().map(|r| r.buckets.on_hand).sum();
    assert_eq!(item.totals.on_hand, on_hand);
    let t = item.totals;
    assert_eq!(t.atp, t.on_hand - t.committed - t.reserved - t.damaged);
    assert!(item.barcodes.iter().any(|b| b.kind == "gtin" && b.code == format!("0{}", demo_gtin13(1))));
}

#[test]
fn lookup_of_an_unknown_code_says_so() {
    for code in ["NOPE-123", "5901230000019", "9999999999994"] {
        let error = commands::item_lookup(demo(), code.into()).unwrap_err();
        assert!(matches!(error, AppError::NotFound(_)), "{code}: {error:?}");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!(format!(
                "No item has the SKU or barcode '{code}'. Check the label and scan again."
            ))
        );
    }
    let error = commands::item_lookup(demo(), "   ".into()).unwrap_err();
    assert!(matches!(error, AppError::BadRequest(_)));
    let error = commands::item_lookup(demo(), "9".repeat(129)).unwrap_err();
    assert!(matches!(error, AppError::BadRequest(_)));
}

#[test]
fn stock_pages_are_bounded_and_filtered() {
    let page = commands::stock_levels(demo(), StockQuery::default()).unwrap();
    assert_eq!(page.rows.len(), commands::DEFAULT_STOCK_ROWS as usize);
    // Every item is received at three locations; a few fast movers sell out at WH1.
    assert!(page.total > 2_500 && page.total <= 3_000, "{}", page.total);
    let page = commands::stock_levels(
        demo(),
        StockQuery { location: Some("WH2".into()), limit: Some(5), ..Default::default() },
    )
    .unwrap();
    assert_eq!(page.rows.len(), 5);
    assert!(page.rows.iter().all(|r| r.location == "WH2"));
    let page =
        commands::stock_levels(demo(), StockQuery { sku: Some("SS-00002".into()), ..Default::default() })
            .unwrap();
    assert!(page.rows.iter().all(|r| r.sku == "SS-00002"));
    assert_eq!(page.total as usize, page.rows.len());
    for bad in [Some(0), Some(commands::MAX_STOCK_ROWS + 1)] {
        let query = StockQuery { limit: bad, ..Default::default() };
        assert!(matches!(commands::stock_levels(demo(), query), Err(AppError::BadRequest(_))));
    }
    let query = StockQuery { location: Some("MOON".into()), ..Default::default() };
    assert_eq!(commands::stock_levels(demo(), query).unwrap_err().to_string(), "unknown location 'MOON'");
}

#[test]
fn recent_events_are_newest_first_and_bounded() {
    let all = commands::recent_events(demo(), Some("SS-00001".into()), Some(500)).unwrap();
    assert!(all.len() >= 3, "three opening receipts at least");
    assert!(all.iter().all(|e| e.sku == "SS-00001"));
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    assert_eq!(all.last().unwrap().kind, "receive", "the oldest is an opening receipt");
    let newest = commands::recent_events(demo(), Some("SS-00001".into()), Some(2)).unwrap();
    assert_eq!(newest.len(), 2);
    assert_eq!((newest[0].seq, newest[1].seq), (all[0].seq, all[1].seq), "the two newest");

    let latest = commands::recent_events(demo(), None, Some(20)).unwrap();
    assert_eq!(latest.len(), 20);
    let info = commands::app_info(demo()).unwrap();
    assert_eq!(latest[0].seq as u64, info.event_count, "the log's last event comes first");
    assert!(commands::recent_events(demo(), None, Some(0)).is_err());
}

#[test]
fn empty_database_without_demo_is_not_demo() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("empty.db"));
    assert!(matches!(commands::stock_levels(&state, StockQuery::default()), Err(AppError::Starting)));
    assert_eq!(commands::app_info(&state).unwrap().phase, Phase::Opening);
    state.boot(DemoPolicy::Never);
    let info = commands::app_info(&state).unwrap();
    assert_eq!((info.phase, info.demo, info.event_count, info.item_count), (Phase::Ready, false, 0, 0));
    assert!(commands::stock_levels(&state, StockQuery::default()).unwrap().rows.is_empty());
}

#[test]
fn a_demo_database_stays_a_demo_after_people_record_events() {
    let (dir, state) = fresh_demo();
    let path = dir.path().join("demo.db");
    {
        let mut store = state.store().unwrap();
        let receive = shelfsync_core::Movement::Receive {
            sku: shelfsync_core::Sku::new("SS-00001").unwrap(),
            location: shelfsync_core::LocationCode::new("WH1").unwrap(),
            qty: 2,
        };
        store.append(&shelfsync_core::Event::new(receive, "staff", "floor-1")).unwrap();
    }
    drop(state);
    // The newest event is now a person's; the database is still the demo on the next start.
    let reopened = AppState::new(path);
    reopened.boot(DemoPolicy::LoadWhenEmpty);
    assert!(reopened.is_demo());
}

#[test]
fn unopenable_database_reports_failure() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be cannot be opened as a database.
    let path = dir.path().join("db");
    std::fs::create_dir(&path).unwrap();
    let state = AppState::new(path);
    state.boot(DemoPolicy::LoadWhenEmpty);
    let info = commands::app_info(&state).unwrap();
    assert_eq!(info.phase, Phase::Failed);
    assert!(info.error.is_some());
    assert!(matches!(commands::locations(&state), Err(AppError::Unavailable(_))));
}

/// A demo database of its own, for tests that sign in (sessions are per state).
fn fresh_demo() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("demo.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    (dir, state)
}

fn line(sku: &str, qty: u32) -> CommitLine {
    CommitLine { id: None, sku: sku.into(), qty }
}

fn request(mode: StationMode, location: &str, lines: Vec<CommitLine>) -> CommitRequest {
    CommitRequest { mode, location: location.into(), to_location: None, session: None, reason: None, lines }
}

#[test]
fn demo_users_sign_in_and_roles_are_held_in_rust() {
    let (_dir, state) = fresh_demo();
    let info = commands::session_info(&state).unwrap();
    assert!(info.user.is_none());
    assert_eq!(info.idle_lock_secs, 300);
    let names: Vec<_> = info.demo_users.iter().map(|u| (u.name.as_str(), u.pin.as_str())).collect();
    assert_eq!(names, [("admin", "3333"), ("staff", "1111"), ("super", "2222")]);

    // Nothing acts before sign-in.
    assert!(matches!(commands::classify_scan(&state, "SS-00001".into()), Err(AppError::SignedOut)));
    assert!(matches!(commands::approvals(&state), Err(AppError::SignedOut)));

    let error = commands::sign_in(&state, "staff".into(), "9999".into()).unwrap_err();
    assert_eq!(error.to_string(), "wrong user or PIN for 'staff'");
    let error = commands::sign_in(&state, " ".into(), "1111".into()).unwrap_err();
    assert!(matches!(error, AppError::BadRequest(_)));

    let info = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_eq!(info.user, Some(UserView { name: "staff".into(), role: RoleView::Staff }));
    assert!(!info.can_approve && !info.locked);
    // Staff may not see or decide approvals: refused in Rust whatever the UI shows.
    let error = commands::approvals(&state).unwrap_err();
    assert_eq!(error.to_string(), "user 'staff' (staff) may not see the approvals inbox");
    let error =
        commands::decide(&state, "x".into(), DecisionView::Approve, "ok".into(), "1111".into()).unwrap_err();
    assert!(error.to_string().contains("may not"), "{error}");

    let info = commands::lock_session(&state).unwrap();
    assert!(info.locked);
    assert!(matches!(commands::classify_scan(&state, "SS-00001".into()), Err(AppError::Locked)));
    let info = commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert!(info.can_approve);
    assert!(commands::approvals(&state).unwrap().is_empty());
    let info = commands::sign_out(&state).unwrap();
    assert!(info.user.is_none());
}

#[test]
fn five_wrong_pins_lock_the_user_out() {
    let (_dir, state) = fresh_demo();
    for _ in 0..4 {
        assert!(commands::sign_in(&state, "staff".into(), "0000".into()).is_err());
    }
    let error = commands::sign_in(&state, "staff".into(), "0000".into()).unwrap_err();
    assert!(error.to_string().starts_with("user 'staff' is locked out until "), "{error}");
    let error = commands::sign_in(&state, "staff".into(), "1111".into()).unwrap_err();
    assert!(error.to_string().contains("locked out"), "even the right PIN waits: {error}");
}

#[test]
fn scans_classify_as_commands_items_or_errors() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let scan = |data: &str| commands::classify_scan(&state, data.into()).unwrap();
    let loc = scan("LOC:WH1");
    assert_eq!((loc.kind, loc.location.as_deref()), (ScanKind::Location, Some("WH1")));
    let bad = scan("LOC:MOON");
    assert_eq!(bad.kind, ScanKind::Error);
    assert!(bad.message.unwrap().contains("No location 'MOON'"));
    assert_eq!(scan("QTY:12").quantity, Some(12));
    assert_eq!(scan("QTY:0").kind, ScanKind::Error);
    assert_eq!(scan("MODE:damage").mode, Some(StationMode::Damage));
    assert_eq!(scan("CMD:UNDO").kind, ScanKind::Undo);
    assert_eq!(scan("CMD:DONE").kind, ScanKind::Done);
    for code in ["SS-00002".to_string(), demo_gtin13(2), format!("0{}", demo_gtin13(2)), "INT-00002".into()] {
        let item = scan(&code);
        assert_eq!((item.kind, item.sku.as_deref()), (ScanKind::Item, Some("SS-00002")), "{code}");
        assert!(item.name.is_some());
    }
    let unknown = scan("NOPE-4711");
    assert_eq!(unknown.kind, ScanKind::Error);
    assert!(unknown.message.unwrap().starts_with("No item has the SKU or barcode 'NOPE-4711'"));
}

#[test]
fn station_commits_receive_transfer_and_damage() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let on_hand = |location: &str| {
        let query = StockQuery { sku: Some("SS-00003".into()), location: Some(location.into()), limit: None };
        commands::stock_levels(&state, query).unwrap().rows.first().map_or(0, |r| r.buckets.on_hand)
    };
    let (wh1, wh2) = (on_hand("WH1"), on_hand("WH2"));
    let result =
        commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00003", 4)]))
            .unwrap();
    assert_eq!((result.committed, result.failed_index), (1, None));
    assert_eq!(on_hand("WH1"), wh1 + 4);

    let mut transfer = request(StationMode::Transfer, "WH1", vec![line("SS-00003", 2)]);
    assert!(matches!(commands::commit_scans(&state, transfer.clone()), Err(AppError::BadRequest(_))));
    transfer.to_location = Some("WH2".into());
    assert_eq!(commands::commit_scans(&state, transfer).unwrap().committed, 1);
    assert_eq!((on_hand("WH1"), on_hand("WH2")), (wh1 + 2, wh2 + 2));

    let mut damage =
        request(StationMode::Damage, "WH1", vec![line("SS-00003", 1), line("NOPE", 1), line("SS-00003", 1)]);
    let error = commands::commit_scans(&state, damage.clone()).unwrap_err();
    assert!(error.to_string().contains("why"), "a reason is required: {error}");
    damage.reason = Some("crushed".into());
    let result = commands::commit_scans(&state, damage).unwrap();
    assert_eq!((result.committed, result.failed_index), (1, Some(1)), "stops at the bad line");
    assert!(result.error.unwrap().starts_with("NOPE"));
}

#[test]
fn count_submit_and_supervisor_approval_with_pin() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let session = commands::start_count(&state, "WH1".into()).unwrap();
    assert_eq!((session.status.as_str(), session.blind), ("open", true));
    let mut count = request(StationMode::Count, "WH1", vec![line("SS-00001", 400), line("SS-00001", 100)]);
    count.session = Some(session.id.clone());
    assert_eq!(commands::commit_scans(&state, count).unwrap().committed, 2);
    let open = commands::count_sessions(&state).unwrap();
    let row = open.iter().find(|s| s.id == session.id).unwrap();
    assert_eq!((row.counted_skus, row.entries), (1, 2));
    let detail = commands::count_session(&state, session.id.clone()).unwrap();
    assert_eq!(detail.lines[0].counted, 500);
    assert_eq!(detail.lines[0].expected, None, "blind for staff");

    let submitted = commands::submit_count(&state, session.id.clone()).unwrap();
    assert_eq!(submitted.status, "submitted");
    assert_eq!(submitted.lines[0].state, "pending");

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let inbox = commands::approvals(&state).unwrap();
    assert_eq!(inbox.len(), 1);
    let item = &inbox[0];
    assert_eq!((item.kind.as_str(), item.sku.as_str(), item.counted), ("count", "SS-00001", Some(500)));
    assert_eq!(item.variance, 500 - item.expected.unwrap());
    assert_eq!(item.counters, ["staff"]);

    let error = commands::decide(&state, item.id.clone(), DecisionView::Approve, "ok".into(), "0000".into())
        .unwrap_err();
    assert!(error.to_string().contains("wrong user or PIN"), "{error}");
    let error = commands::decide(&state, item.id.clone(), DecisionView::Approve, " ".into(), "2222".into())
        .unwrap_err();
    assert!(matches!(error, AppError::BadRequest(_)));
    commands::decide(&state, item.id.clone(), DecisionView::Approve, "recounted shelf".into(), "2222".into())
        .unwrap();
    assert!(commands::approvals(&state).unwrap().is_empty());
    let query = StockQuery { sku: Some("SS-00001".into()), location: Some("WH1".into()), limit: None };
    assert_eq!(commands::stock_levels(&state, query).unwrap().rows[0].buckets.on_hand, 500);
}

#[test]
fn sync_dashboard_lists_configured_channels_and_retry_is_for_supervisors() {
    let (dir, state) = fresh_demo();
    assert!(matches!(commands::sync_status(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert!(commands::sync_status(&state).unwrap().channels.is_empty(), "the demo configures none");
    {
        let store = state.store().unwrap();
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &dir.path().join("demo.db"),
            shelfsync_sync::credentials::Backend::File,
        );
        let new = shelfsync_sync::config::NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: "http://127.0.0.1:9".into(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        shelfsync_sync::config::add_channel(
            store.connection(),
            &secrets,
            &new,
            &[("access_token", shelfsync_sync::credentials::Secret::new("shpat_test").unwrap())],
        )
        .unwrap();
    }
    let dashboard = commands::sync_status(&state).unwrap();
    assert_eq!(dashboard.channels.len(), 1);
    let card = &dashboard.channels[0];
    assert_eq!((card.channel.as_str(), card.kind.as_str(), card.dead_letters), ("shop", "shopify", 0));
    assert!(dashboard.dead_letters.is_empty());
    let error = commands::retry_dead_letters(&state, None).unwrap_err();
    assert!(error.to_string().contains("may not retry dead letters"), "{error}");
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert_eq!(commands::retry_dead_letters(&state, None).unwrap(), 0);
}

fn shopify_request(name: &str, token: &str) -> NewChannelRequest {
    NewChannelRequest {
        name: name.into(),
        kind: "shopify".into(),
        endpoint: "http://127.0.0.1:9".into(),
        shop: Some("demo.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
        auth_endpoint: None,
        secrets: vec![SecretField { name: "access_token".into(), value: token.into() }],
    }
}

/// Settings: admins only where the brief says so, bad input refused with nothing changed,
/// and a channel's secret stored but never returned.
#[test]
fn settings_roles_bad_input_and_secrets() {
    let (dir, state) = fresh_demo();
    // SAFETY of the test: the file backend is chosen per Secrets; force it for this database.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    for error in [
        crate::admin::thresholds(&state).unwrap_err(),
        crate::admin::users(&state).unwrap_err(),
        crate::admin::channels(&state).unwrap_err(),
        crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap_err(),
    ] {
        assert!(error.to_string().contains("may not"), "{error}");
    }
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert!(crate::admin::thresholds(&state).is_ok(), "supervisors read thresholds");
    let error = crate::admin::set_threshold(&state, "queue_depth".into(), 5.0).unwrap_err();
    assert!(error.to_string().contains("may not change alert thresholds"), "{error}");
    let error = crate::admin::add_location(
        &state,
        NewLocationRequest { code: "WH9".into(), name: "x".into(), parent: None },
    )
    .unwrap_err();
    assert!(error.to_string().contains("may not add locations"), "{error}");

    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    let depth = |state: &AppState| {
        crate::admin::thresholds(state).unwrap().into_iter().find(|t| t.rule == "queue_depth").unwrap().value
    };
    for (rule, value, want) in [
        ("queue_depth", -1.0, "number of 0 or more"),
        ("queue_depth", f64::NAN, "number of 0 or more"),
        ("nope", 1.0, "unknown alert rule 'nope'"),
        ("business_end_hour", 6.0, "must start before they end"),
        ("business_start_hour", 7.5, "whole UTC hours"),
    ] {
        let error = crate::admin::set_threshold(&state, rule.into(), value).unwrap_err();
        assert!(error.to_string().contains(want), "{rule}={value}: {error}");
    }
    assert_eq!(depth(&state), 100.0, "nothing changed");
    crate::admin::set_threshold(&state, "queue_depth".into(), 0.0).unwrap();
    assert_eq!(depth(&state), 0.0);

    let bad_location = |code: &str, name: &str, parent: Option<&str>| {
        let request =
            NewLocationRequest { code: code.into(), name: name.into(), parent: parent.map(str::to_string) };
        crate::admin::add_location(&state, request).unwrap_err().to_string()
    };
    assert!(bad_location("WH 9", "x", None).contains("location"), "spaces");
    assert!(bad_location("WH9", " ", None).contains("name"));
    assert!(bad_location("WH9", "x", Some("WH9")).contains("its own parent"));
    assert!(bad_location("WH1", "x", None).contains("already exists"));
    assert!(bad_location("WH9", "x", Some("MOON")).contains("MOON"));
    let locations = crate::admin::add_location(
        &state,
        NewLocationRequest { code: "WH1-A01".into(), name: "Bin A01".into(), parent: Some("WH1".into()) },
    )
    .unwrap();
    assert!(locations.iter().any(|l| l.code == "WH1-A01" && l.parent.as_deref() == Some("WH1")));

    let error = crate::admin::add_user(&state, "ann".into(), RoleView::Staff, "12".into()).unwrap_err();
    assert!(error.to_string().contains("4 to 64"), "{error}");
    let users = crate::admin::add_user(&state, "ann".into(), RoleView::Staff, "4242".into()).unwrap();
    assert_eq!(users.len(), 4);

    let mut no_secret = shopify_request("shop", "x");
    no_secret.secrets.clear();
    let error = crate::admin::add_channel(&state, no_secret).unwrap_err();
    assert!(error.to_string().contains("missing secret 'access_token'"), "{error}");
    let mut wrong = shopify_request("shop", "x");
    wrong.secrets[0].name = "password".into();
    assert!(crate::admin::add_channel(&state, wrong).unwrap_err().to_string().contains("no secret called"));
    let error = crate::admin::add_channel(&state, shopify_request("my shop", "x")).unwrap_err();
    assert!(error.to_string().contains("invalid channel name"), "{error}");
    assert!(crate::admin::channels(&state).unwrap().is_empty(), "nothing was added");

    let token = "shpat_secret_value";
    let channels = crate::admin::add_channel(&state, shopify_request("shop", token)).unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0].secrets, [SecretStatus { name: "access_token".into(), stored: true }]);
    assert!(!serde_json::to_string(&channels).unwrap().contains(token), "never echoed");
    assert!(!format!("{:?}", shopify_request("shop", token)).contains(token), "never logged");
    let stored = std::fs::read_to_string(dir.path().join("demo.db.secrets")).unwrap();
    assert!(stored.contains(token));

    let rule = RuleView {
        locations: vec!["WH1".into()],
        percent: 80,
        buffer: 2,
        cap: None,
        conflict: "flag".into(),
    };
    let mut bad_rule = rule.clone();
    bad_rule.percent = 120;
    assert!(
        crate::admin::set_rule(&state, "shop".into(), bad_rule).unwrap_err().to_string().contains("0 to 100")
    );
    let mut bad_rule = rule.clone();
    bad_rule.conflict = "mine".into();
    assert!(crate::admin::set_rule(&state, "shop".into(), bad_rule).is_err());
    let channels = crate::admin::set_rule(&state, "shop".into(), rule.clone()).unwrap();
    assert_eq!(channels[0].rule, rule);

    let error = crate::admin::set_tolerance(
        &state,
        ToleranceView {
            category: None,
            units: Some(-1),
            percent_bp: None,
            value_cents: None,
            auto_post: true,
        },
    )
    .unwrap_err();
    assert!(error.to_string().contains("cannot be negative"), "{error}");
    let saved = crate::admin::set_tolerance(
        &state,
        ToleranceView {
            category: Some("tools".into()),
            units: Some(2),
            percent_bp: None,
            value_cents: None,
            auto_post: true,
        },
    )
    .unwrap();
    assert_eq!((saved.category.as_deref(), saved.units), (Some("tools"), Some(2)));
}

/// Monitoring: an alert the engine raises is listed, staff cannot acknowledge it, a supervisor
/// can (once), and every list exports to CSV next to the database.
#[test]
fn alerts_incidents_and_exports() {
    let (dir, state) = fresh_demo();
    assert!(matches!(crate::ops::alerts(&state, true), Err(AppError::SignedOut)));
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap();
    crate::admin::set_threshold(&state, "queue_depth".into(), 0.0).unwrap();
    {
        let store = state.store().unwrap();
        let mapping = shelfsync_sync::config::Mapping {
            sku: "SS-00001".into(),
            location: Some("WH1".into()),
            remote_item: "gid://shopify/InventoryItem/1".into(),
            remote_location: Some("gid://shopify/Location/1".into()),
        };
        shelfsync_sync::config::map_one(store.connection(), "shop", &mapping).unwrap();
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let list = crate::ops::alerts(&state, true).unwrap();
    let alert = list.alerts.iter().find(|a| a.rule == "queue_depth").expect("the engine raised it");
    assert_eq!(alert.subject, "shop");
    assert!(list.opened >= 1);
    let error = crate::ops::ack_alert(&state, alert.id.clone()).unwrap_err();
    assert!(error.to_string().contains("may not acknowledge alerts"), "{error}");
    for bad in ["", "abc", "-1", "99999999999999999999999"] {
        assert!(crate::ops::ack_alert(&state, bad.into()).is_err(), "{bad}");
    }
    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    for bad in ["", "x1"] {
        let error = crate::ops::ack_alert(&state, bad.into()).unwrap_err();
        assert!(error.to_string().contains("is not an alert number"), "{error}");
    }
    let acked = crate::ops::ack_alert(&state, alert.id.clone()).unwrap();
    assert_eq!(acked.acked_by.as_deref(), Some("super"));
    assert!(crate::ops::ack_alert(&state, alert.id.clone()).unwrap_err().to_string().contains("already"));

    assert!(crate::ops::incidents(&state, true).unwrap().is_empty());
    assert!(crate::ops::incident(&state, "7".into()).unwrap_err().to_string().contains("unknown incident"));
    let error = crate::ops::resolve_incident(&state, "7".into(), " ".into()).unwrap_err();
    assert!(error.to_string().contains("root cause"), "{error}");
    assert!(crate::ops::reconcile_runs(&state, 10).unwrap().is_empty());
    assert!(crate::ops::reconcile_runs(&state, 0).is_err());
    assert!(crate::ops::run_drift(&state, 0).unwrap_err().to_string().contains("Audit 1 to"));

    let export = crate::ops::export_csv(&state, ExportKind::Alerts).unwrap();
    assert!(export.rows >= 1);
    let path = std::path::PathBuf::from(&export.path);
    assert_eq!(path.parent().unwrap(), dir.path().join("exports"));
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with("id,rule,subject,message,value,threshold,"), "{csv}");
    assert!(csv.contains(",queue_depth,shop,") && csv.contains(",super,"), "{csv}");
    for kind in [ExportKind::Incidents, ExportKind::DeadLetters, ExportKind::Reconciliation] {
        let export = crate::ops::export_csv(&state, kind.clone()).unwrap();
        assert_eq!(export.rows, 0, "{kind:?}");
        assert!(std::fs::read_to_string(&export.path).unwrap().lines().count() == 1, "header only");
    }
    let error = crate::ops::export_csv(&state, ExportKind::Drift).unwrap_err();
    assert_eq!(error.to_string(), "Run a drift audit first, then export it.");
    commands::sign_out(&state).unwrap();
    assert!(matches!(crate::ops::export_csv(&state, ExportKind::Alerts), Err(AppError::SignedOut)));
}

// ---- hub panel ---------------------------------------------------------------------------------

/// An empty database (no demo) with one admin signed in: joining a hub ships every local event,
/// so the hub tests keep the ledger small.
fn signed_in_empty() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("ws.db"));
    state.boot(DemoPolicy::Never);
    state.store().unwrap().add_user("ada", shelfsync_core::Role::Admin, "2468", None, "test").unwrap();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    (dir, state)
}

/// The hub tables and the secret file, to show a failed status changed nothing.
fn hub_footprint(state: &AppState) -> (String, bool) {
    let store = state.store().unwrap();
    let rows: Vec<String> = store
        .connection()
        .prepare(
            "SELECT workstation || hub_id || coalesce(last_push, '') || coalesce(last_error, '')
             FROM hub_config",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let secrets = std::path::PathBuf::from(format!("{}.secrets", state.db_path().display()));
    (rows.join("|"), secrets.exists())
}

#[test]
fn hub_panel_of_a_standalone_database_says_standalone_and_a_joined_one_without_its_url_says_why() {
    // SAFETY: nextest runs each test in its own process; nothing else reads the variable yet.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = signed_in_empty();
    commands::sign_out(&state).unwrap();
    assert!(matches!(commands::hub_status(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let standalone = commands::hub_status(&state).unwrap();
    assert_eq!(standalone.workstation, None, "never joined: standalone, not an error");
    assert!(!standalone.connected);
    assert_eq!((standalone.pending_up, standalone.lag_events, standalone.engine.as_deref()), (0, 0, None));

    // Joined, but the hub's URL is gone from the secret store (a copied database file): the
    // panel gets one clear line saying how to rejoin, and nothing is written anywhere.
    {
        let store = state.store().unwrap();
        shelfsync_hub::local::join(store.connection(), "pack-1", "hub-1", || Ok(())).unwrap();
    }
    let before = hub_footprint(&state);
    let error = commands::hub_status(&state).unwrap_err();
    assert!(matches!(error, AppError::Hub(shelfsync_hub::HubError::NotConnected)), "{error:?}");
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        serde_json::json!(
            "this database is not connected to a hub; run `shelfsync hub connect URL --workstation NAME`"
        )
    );
    assert_eq!(hub_footprint(&state), before);
    assert!(!before.1, "no secret file was created by reading the status");
}

/// A real throwaway PostgreSQL cluster: the panel shows the join, what waits to go up, and the
/// lease holder; with the hub gone it says unreachable and keeps the last known figures.
#[test]
fn hub_panel_names_the_lease_holder_and_survives_the_hub_going_away() {
    use shelfsync_hub::testing::{Durability, PgCluster};
    // SAFETY: as above; the hub URL goes to the secret file (no keychain on CI boxes).
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = signed_in_empty();
    // A location: catalogue, so it goes up (users stay on their workstation, issue 17).
    let main = shelfsync_core::Location {
        code: shelfsync_core::LocationCode::new("WH1").unwrap(),
        name: "Main".into(),
        parent: None,
    };
    state.store().unwrap().upsert_locations(&[main]).unwrap();
    let cluster = PgCluster::start(Durability::Fast);
    let url = cluster.database("hub");
    shelfsync_hub::connect_blocking(state.db_path(), &url, "pack-1").unwrap();

    let joined = commands::hub_status(&state).unwrap();
    assert_eq!(joined.workstation.as_deref(), Some("pack-1"));
    assert!(joined.connected);
    assert!(joined.pending_up > 0, "the location waits to go up: {joined:?}");
    assert_eq!(joined.engine, None, "nobody holds the lease yet");
    let hub = joined.hub.clone().unwrap();
    assert!(hub.contains("127.0.0.1") && hub.ends_with("/hub"), "{hub}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut conn =
            shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(&url).unwrap()).await.unwrap();
        let held = shelfsync_hub::lease::acquire(&mut conn, "pack-2", std::time::Duration::from_secs(60))
            .await
            .unwrap();
        assert!(matches!(held, shelfsync_hub::lease::LeaseState::Held { .. }));
    });
    let leased = commands::hub_status(&state).unwrap();
    assert_eq!(leased.engine.as_deref(), Some("pack-2"), "the panel names the engine's workstation");

    drop(cluster);
    let gone = commands::hub_status(&state).unwrap();
    assert!(!gone.connected);
    assert_eq!(gone.engine, None, "unknown while the hub does not answer");
    assert_eq!(
        (gone.workstation, gone.pending_up, gone.hub),
        (joined.workstation, joined.pending_up, Some(hub))
    );
}

// ---- sync drill-down and sparkline -------------------------------------------------------------

const SIM_ITEM: &str = "gid://shopify/InventoryItem/1";
const SIM_LOCATION: &str = "gid://shopify/Location/1";

/// A Shopify channel "shop" on the in-process simulator (real HTTP over 127.0.0.1), listing
/// SS-00001 at WH1 with a 50 % share and a buffer of 2; one engine pass pushes it.
struct SimChannel {
    runtime: tokio::runtime::Runtime,
    sim: shelfsync_sim::Sim,
    _server: shelfsync_sim::RunningSim,
    db: std::path::PathBuf,
}

impl SimChannel {
    fn start(state: &AppState) -> SimChannel {
        use shelfsync_sync::config;
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sim = shelfsync_sim::Sim::new(shelfsync_sim::SimConfig {
            access_token: Some("shpat_test".into()),
            ..shelfsync_sim::SimConfig::default()
        });
        sim.set_level(SIM_ITEM, SIM_LOCATION, 0);
        let server = runtime.block_on(sim.serve(0)).unwrap();
        let db = state.db_path().to_path_buf();
        let store = state.store().unwrap();
        let new = config::NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: server.url(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &db,
            shelfsync_sync::credentials::Backend::File,
        );
        let token = shelfsync_sync::credentials::Secret::new("shpat_test").unwrap();
        config::add_channel(store.connection(), &secrets, &new, &[(config::SHOPIFY_TOKEN, token)]).unwrap();
        let change = config::RuleChange { percent: Some(50), buffer: Some(2), ..Default::default() };
        config::set_rule(store.connection(), "shop", &change).unwrap();
        let mapping = config::Mapping {
            sku: "SS-00001".into(),
            location: Some("WH1".into()),
            remote_item: SIM_ITEM.into(),
            remote_location: Some(SIM_LOCATION.into()),
        };
        config::map_one(store.connection(), "shop", &mapping).unwrap();
        SimChannel { runtime, sim, _server: server, db }
    }

    /// One `sync run --once` pass, bounded so a hang fails the test.
    fn drain(&self) {
        let secrets = shelfsync_sync::credentials::Secrets::with_backend(
            &self.db,
            shelfsync_sync::credentials::Backend::File,
        );
        let engine = shelfsync_sync::Engine::new(&self.db, secrets, shelfsync_sync::EngineConfig::default());
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let run = engine.run(shelfsync_sync::Mode::Once, stopped);
        let report = self
            .runtime
            .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(60), run).await })
            .expect("one pass within 60 s")
            .unwrap();
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    }

    fn level(&self) -> Option<i64> {
        self.sim.inspect(|s| s.level(SIM_ITEM, SIM_LOCATION))
    }
}

#[test]
fn sku_drill_down_explains_the_pushed_number_and_lists_its_pushes() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let channel = SimChannel::start(&state);
    channel.drain();

    // The card's sparkline has the push; the drill-down (by barcode) explains it.
    let card = commands::sync_status(&state).unwrap().channels.remove(0);
    assert_eq!(card.latencies.len(), 1, "{:?}", card.latencies);
    assert!(card.latencies[0].latency_ms >= 0);
    let why = crate::why::sku_sync(&state, demo_gtin13(1)).unwrap();
    assert_eq!(why.item.sku, "SS-00001");
    assert_eq!(why.listings.len(), 1);
    let listing = &why.listings[0];
    let a = &listing.allocation;
    let wh1 = why.item.stock.iter().find(|r| r.location == "WH1").unwrap().buckets;
    assert_eq!(a.locations, vec![LocationAtpView { location: "WH1".into(), atp: wh1.atp }]);
    assert_eq!(wh1.atp, wh1.on_hand - wh1.committed - wh1.reserved - wh1.damaged);
    assert_eq!((a.pool, a.percent, a.buffer, a.cap), (wh1.atp, 50, 2, None));
    assert_eq!(a.safety_stock, i64::from(why.item.safety_stock));
    assert!(a.qty > 0 && a.qty < a.pool, "half the pool, less the buffer: {a:?}");
    assert_eq!(channel.level(), Some(a.qty), "the channel holds the explained number");
    assert_eq!((listing.channel_qty, listing.queued_qty), (Some(a.qty), None));
    assert_eq!(why.pushes.len(), 1);
    let push = &why.pushes[0];
    assert_eq!((push.channel.as_str(), push.location.as_deref(), push.qty), ("shop", Some("WH1"), a.qty));
    assert_eq!(push.acked_at, card.latencies[0].acked_at);

    // A receipt: the drill-down shows the new number waiting, the channel still on the old one.
    let before = a.qty;
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 40)])).unwrap();
    let queued = crate::why::sku_sync(&state, "SS-00001".into()).unwrap();
    let listing = &queued.listings[0];
    assert_eq!(listing.allocation.pool, wh1.atp + 40);
    assert_eq!(listing.queued_qty, Some(listing.allocation.qty));
    assert!(listing.queued_since.is_some());
    assert_eq!(listing.channel_qty, Some(before));
    channel.drain();
    let after = crate::why::sku_sync(&state, "SS-00001".into()).unwrap();
    assert_eq!(after.pushes.len(), 2, "newest first");
    assert_eq!(after.pushes[0].qty, listing.allocation.qty);
    assert!(after.pushes[0].version > after.pushes[1].version);
    assert_eq!(commands::sync_status(&state).unwrap().channels[0].latencies.len(), 2);

    // A SKU no channel lists: its buckets, no listings, no pushes; not an error.
    let unlisted = crate::why::sku_sync(&state, "SS-00002".into()).unwrap();
    assert!(unlisted.listings.is_empty() && unlisted.pushes.is_empty());
}

#[test]
fn sku_drill_down_refuses_bad_input_with_a_clear_message_and_changes_nothing() {
    let (_dir, state) = fresh_demo();
    assert!(matches!(crate::why::sku_sync(&state, "SS-00001".into()), Err(AppError::SignedOut)));
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let before = state.store().unwrap().connection().total_changes();
    let cases: [(String, &str); 4] = [
        ("".into(), "scan a barcode or type a SKU"),
        ("   ".into(), "scan a barcode or type a SKU"),
        ("9".repeat(129), "a code is at most 128 characters"),
        ("NOPE-1".into(), "No item has the SKU or barcode 'NOPE-1'. Check the label and scan again."),
    ];
    for (code, message) in cases {
        let error = crate::why::sku_sync(&state, code.clone()).unwrap_err();
        assert_eq!(error.to_string(), message, "{code:?}");
    }
    assert_eq!(state.store().unwrap().connection().total_changes(), before);
}

// ---- the demo's simulated channels -------------------------------------------------------------

/// Polls the dashboard until every channel has an empty queue and has pushed `pushed` rows.
fn wait_until_drained(state: &AppState, channels: usize, pushed: i64) -> SyncDashboard {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let dashboard = commands::sync_status(state).unwrap();
        let done = dashboard.channels.len() == channels
            && dashboard.channels.iter().all(|c| c.queue_depth == 0 && c.pushed >= pushed);
        if done {
            return dashboard;
        }
        assert!(std::time::Instant::now() < deadline, "not drained in 90 s: {:?}", dashboard.channels);
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// What each simulated channel holds for demo SKU n: Shopify at WH1, Amazon, eBay.
fn demo_sim_levels(demo: &crate::demo_channels::DemoChannels, n: u32) -> [Option<i64>; 3] {
    let sku = format!("SS-{n:05}");
    let shopify = demo
        .sim
        .inspect(|s| s.level(&format!("gid://shopify/InventoryItem/{n}"), "gid://shopify/Location/1"));
    let amazon = demo.sim.amazon.inspect(|s| s.quantity(&sku));
    let ebay = demo.sim.ebay.inspect(|s| s.items().into_iter().find(|i| i.sku == sku).map(|i| i.listed));
    [shopify, amazon, ebay]
}

/// The explained quantity of each demo listing of SKU n, in the order of `demo_sim_levels`.
fn demo_explained(state: &AppState, n: u32) -> ([Option<i64>; 3], SkuSyncView) {
    use crate::demo_channels::{AMAZON, EBAY, SHOP};
    let why = crate::why::sku_sync(state, format!("SS-{n:05}")).unwrap();
    let qty = |name: &str| why.listings.iter().find(|l| l.channel == name).map(|l| l.allocation.qty);
    ([qty(SHOP), qty(AMAZON), qty(EBAY)], why)
}

#[test]
fn demo_channels_simulate_three_channels_and_the_engine_pushes_to_them_across_restarts() {
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let listed = i64::from(crate::demo_channels::DEMO_LISTED_SKUS);
    let demo = crate::demo_channels::DemoChannels::start(state.db_path()).unwrap();
    assert!(demo.url.starts_with("http://127.0.0.1:"), "{}", demo.url);
    // The pushing is the app's live service, as on any database.
    state.start_service();
    let dashboard = wait_until_drained(&state, 3, listed);
    let kinds: Vec<&str> = dashboard.channels.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["amazon", "ebay", "shopify"]);
    assert!(dashboard.dead_letters.is_empty(), "{:?}", dashboard.dead_letters);
    for n in [1, 25, 50] {
        let (explained, why) = demo_explained(&state, n);
        assert_eq!(
            demo_sim_levels(&demo, n),
            explained,
            "SS-{n:05}: the channels hold the explained numbers"
        );
        assert!(why.listings.iter().all(|l| l.channel_qty == Some(l.allocation.qty)));
    }
    let unlisted = crate::why::sku_sync(&state, "SS-00051".into()).unwrap();
    assert!(unlisted.listings.is_empty(), "only the first {listed} SKUs are listed");

    // Stopped (the app closed), stock received meanwhile, started again: the same endpoint,
    // the simulator seeded with what was acknowledged, so the new number lands and nothing is
    // mistaken for a sale on a channel.
    let url = demo.url.clone();
    state.shutdown();
    demo.stop();
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 7)])).unwrap();
    let (before, _) = demo_explained(&state, 1);
    let demo = crate::demo_channels::DemoChannels::start(state.db_path()).unwrap();
    assert_eq!(demo.url, url);
    state.start_service();
    wait_until_drained(&state, 3, listed + 1);
    let (after, why) = demo_explained(&state, 1);
    assert_eq!(after, before, "the receipt's allocation, not one lowered by phantom channel sales");
    assert_eq!(demo_sim_levels(&demo, 1), after);
    assert!(why.listings.iter().all(|l| l.open_channel_changes == 0), "{:?}", why.listings);
    assert_eq!(demo_sim_levels(&demo, 2), demo_explained(&state, 2).0, "untouched SKUs kept their numbers");
    state.shutdown();
    demo.stop();
}

#[test]
fn demo_channels_are_for_demo_databases_and_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("own.db"));
    state.boot(DemoPolicy::Never);
    state.start_demo_channels();
    assert_eq!(commands::app_info(&state).unwrap().demo_channels, None, "not a demo database");
    // SAFETY: as above.
    unsafe { std::env::set_var(crate::demo_channels::DEMO_CHANNELS_ENV, "off") };
    assert!(!crate::demo_channels::enabled_from_env());
    let (_dir, demo) = fresh_demo();
    demo.start_demo_channels();
    assert_eq!(commands::app_info(&demo).unwrap().demo_channels, None, "switched off");
    let store = demo.store().unwrap();
    assert!(shelfsync_sync::config::list_channels(store.connection()).unwrap().is_empty());
}

/// Re-push all listings: supervisors only; every listing of the channel is marked (bulk, and
/// pushed without compare); the progress is the outbox rows of those listings still waiting,
/// falling as the engine's groups are acknowledged. Bad input is refused and writes nothing.
#[test]
fn repush_marks_every_listing_and_reports_the_rows_still_waiting() {
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    crate::admin::add_channel(&state, shopify_request("shop", "t")).unwrap();
    crate::admin::add_channel(&state, shopify_request("empty", "t")).unwrap();
    {
        let store = state.store().unwrap();
        for n in 1..=5 {
            let mapping = shelfsync_sync::config::Mapping {
                sku: format!("SS-{n:05}"),
                location: Some("WH1".into()),
                remote_item: format!("gid://shopify/InventoryItem/{n}"),
                remote_location: Some("gid://shopify/Location/1".into()),
            };
            shelfsync_sync::config::map_one(store.connection(), "shop", &mapping).unwrap();
        }
        // The engine pushed them all: the outbox is empty and the channel acknowledged each.
        let group = shelfsync_sync::queue::form_group(store.connection(), "shop", 100).unwrap().unwrap();
        shelfsync_sync::queue::ack(store.connection(), "shop", &group).unwrap();
        assert_eq!(shelfsync_sync::queue::queue_depth(store.connection(), "shop").unwrap(), 0);
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let error = crate::repush::repush_channel(&state, "shop".into()).unwrap_err();
    assert!(error.to_string().contains("may not re-push a channel"), "{error}");
    assert!(crate::repush::repush_progress(&state).unwrap().is_empty());

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    let before = state.store().unwrap().connection().total_changes();
    let long = "x".repeat(65);
    let bad: [(&str, &str); 4] = [
        ("", "Choose a channel"),
        ("   ", "Choose a channel"),
        (&long, "at most 64 characters"),
        ("nosuch", "nosuch"),
    ];
    for (input, message) in bad {
        let error = crate::repush::repush_channel(&state, input.into()).unwrap_err();
        assert!(error.to_string().contains(message), "{input:?}: {error}");
    }
    let error = crate::repush::repush_channel(&state, "empty".into()).unwrap_err();
    assert!(error.to_string().contains("has no listings"), "{error}");
    assert_eq!(state.store().unwrap().connection().total_changes(), before, "bad input wrote nothing");
    assert!(crate::repush::repush_progress(&state).unwrap().is_empty());

    let started = crate::repush::repush_channel(&state, " shop ".into()).unwrap();
    assert_eq!((started.channel.as_str(), started.total, started.remaining), ("shop", 5, 5));
    assert_eq!(started.started_by, "super");
    {
        let store = state.store().unwrap();
        let conn = store.connection();
        let bulk: i64 =
            conn.query_row("SELECT count(*) FROM outbox WHERE bulk = 1", [], |r| r.get(0)).unwrap();
        assert_eq!(bulk, 5, "a re-push is bulk: a sale still goes first");
        let group = shelfsync_sync::queue::form_group(conn, "shop", 2).unwrap().unwrap();
        shelfsync_sync::queue::ack(conn, "shop", &group).unwrap();
    }
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let progress = crate::repush::repush_progress(&state).unwrap();
    assert_eq!(progress.len(), 1);
    assert_eq!((progress[0].total, progress[0].remaining), (5, 3));
    {
        let store = state.store().unwrap();
        let group = shelfsync_sync::queue::form_group(store.connection(), "shop", 100).unwrap().unwrap();
        shelfsync_sync::queue::ack(store.connection(), "shop", &group).unwrap();
    }
    assert_eq!(crate::repush::repush_progress(&state).unwrap()[0].remaining, 0);
}

// ---- CSV import --------------------------------------------------------------------------------

/// An empty database (no demo, so it is quick) with two locations, one item and a user of
/// each role; signed out.
fn import_fixture() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("import.db"));
    state.boot(DemoPolicy::Never);
    {
        let mut store = state.store().unwrap();
        let admin = store.add_user("ada", shelfsync_core::Role::Admin, "2468", None, "test").unwrap();
        store.add_user("sam", shelfsync_core::Role::Supervisor, "1357", Some(&admin), "test").unwrap();
        store.add_user("tim", shelfsync_core::Role::Staff, "1122", Some(&admin), "test").unwrap();
        store.import_locations("code,name\nWH1,Main\nWH2,Back\n".as_bytes()).unwrap();
        store
            .import_items(
                "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Bolt,0.10,parts,5,\n".as_bytes(),
            )
            .unwrap();
    }
    (dir, state)
}

/// Everything an import could change.
fn import_footprint(state: &AppState) -> String {
    let store = state.store().unwrap();
    format!(
        "{}|{:?}|{:?}|{:?}",
        store.event_count().unwrap(),
        store.items().unwrap(),
        store.locations().unwrap(),
        store.stock(&shelfsync_store::StockFilter::default()).unwrap()
    )
}

const ITEMS_HEADER: &str = "sku,name,unit_cost,category,safety_stock,barcodes\n";

#[test]
fn import_writes_items_locations_and_stock_and_reports_progress_to_the_end() {
    let (_dir, state) = import_fixture();
    assert!(matches!(crate::import::import_progress(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    assert_eq!(crate::import::import_progress(&state).unwrap(), None, "no import yet");
    let mut items = String::from(ITEMS_HEADER);
    for n in 0..1_203 {
        items.push_str(&format!("N-{n:04},Nut {n},0.05,parts,0,\n"));
    }
    let status = crate::import::import_csv(&state, "items".into(), items).unwrap();
    assert_eq!(
        (status.kind, status.done, status.total, status.finished, status.imported),
        (ImportKind::Items, 1_203, 1_203, true, Some(1_203))
    );
    assert_eq!((status.error, status.bad_lines.len(), status.started_by.as_str()), (None, 0, "ada"));
    assert_eq!(commands::item_lookup(&state, "N-1202".into()).unwrap().name, "Nut 1202");

    let status =
        crate::import::import_csv(&state, "locations".into(), "code,name\nWH3,Annex\n".into()).unwrap();
    assert_eq!(status.imported, Some(1));

    // Stock is for supervisors too; the events carry who received it.
    commands::sign_in(&state, "sam".into(), "1357".into()).unwrap();
    let stock = "sku,location,qty\nA-1,WH3,7\nN-0001,WH1,2\n";
    let status = crate::import::import_csv(&state, " stock ".into(), stock.into()).unwrap();
    assert_eq!((status.kind, status.imported), (ImportKind::Stock, Some(2)));
    let events = commands::recent_events(&state, Some("A-1".into()), Some(1)).unwrap();
    assert_eq!(events[0].actor, "sam");
    commands::sign_in(&state, "tim".into(), "1122".into()).unwrap();
    assert_eq!(crate::import::import_progress(&state).unwrap().unwrap().imported, Some(2), "staff see it");
}

/// Every refusal: a clear message, the database as it was, and (for bad lines) the lines in
/// `import_progress`.
#[test]
fn import_refuses_bad_input_with_a_clear_message_and_changes_nothing() {
    let (_dir, state) = import_fixture();
    let oversized = format!("{ITEMS_HEADER}{}", "X-1,Big,1.00,parts,0,\n".repeat(1_600_000));
    assert!(oversized.len() > crate::import::MAX_IMPORT_BYTES);
    let bad_rows = "sku,location,qty\nA-1,WH1,3\nA-1,WH1,x\nA-1,WH1,0\n";
    // (user, kind, text, message, bad lines in import_progress)
    let cases: Vec<(&str, &str, String, &str, Vec<u64>)> = vec![
        (
            "ada",
            "widgets",
            ITEMS_HEADER.into(),
            "Unknown import 'widgets': choose items, locations or stock",
            vec![],
        ),
        ("ada", "", ITEMS_HEADER.into(), "Unknown import ''", vec![]),
        ("tim", "stock", "sku,location,qty\nA-1,WH1,1\n".into(), "may not import stock", vec![]),
        ("sam", "items", format!("{ITEMS_HEADER}B-1,B,1.00,parts,0,\n"), "may not import items", vec![]),
        ("sam", "locations", "code,name\nWH9,Nine\n".into(), "may not import locations", vec![]),
        ("ada", "items", "".into(), "The file is empty", vec![]),
        ("ada", "items", " \n\n".into(), "The file is empty", vec![]),
        ("ada", "items", ITEMS_HEADER.into(), "header but no rows", vec![]),
        ("ada", "items", oversized, "at most 32 MiB", vec![]),
        ("ada", "stock", "sku,qty\nA-1,1\n".into(), "missing column(s) location", vec![]),
        ("ada", "stock", bad_rows.into(), "line 3: qty 'x' must be a whole number from 1 to", vec![3, 4]),
        // Line 2 passes parsing and is written, then rolled back with the unknown SKU.
        ("ada", "stock", "sku,location,qty\nA-1,WH1,3\nZZ-9,WH1,1\n".into(), "line 3:", vec![3]),
        (
            "ada",
            "items",
            format!("{ITEMS_HEADER}B-1,,1.00,parts,0,\n"),
            "line 2: name must not be empty",
            vec![2],
        ),
        ("ada", "locations", "code,name\n,Nameless\n".into(), "line 2:", vec![2]),
    ];
    for (user, kind, text, message, lines) in cases {
        let pin = match user {
            "ada" => "2468",
            "sam" => "1357",
            _ => "1122",
        };
        commands::sign_in(&state, user.into(), pin.into()).unwrap();
        let before = import_footprint(&state);
        let label = format!("{user} {kind:?} {:?}", text.get(..40.min(text.len())).unwrap_or(""));
        let error = crate::import::import_csv(&state, kind.into(), text).unwrap_err();
        assert!(error.to_string().contains(message), "{label}: {error}");
        assert_eq!(import_footprint(&state), before, "{label}: the database changed");
        if !lines.is_empty() {
            let status = crate::import::import_progress(&state).unwrap().unwrap();
            let got: Vec<u64> = status.bad_lines.iter().map(|l| l.line).collect();
            assert_eq!(got, lines, "{label}");
            assert!(status.finished && status.imported.is_none() && status.done < status.total.max(1));
            assert_eq!(status.error.as_deref(), Some(error.to_string().as_str()));
        }
    }
    // A refused import does not block the next one.
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let ok =
        crate::import::import_csv(&state, "items".into(), format!("{ITEMS_HEADER}C-1,Cog,2.00,parts,1,\n"));
    assert_eq!(ok.unwrap().imported, Some(1));
}

/// The bar moves while the import holds the store: `import_progress` never takes the store
/// lock, and a second import meanwhile is refused at once rather than queued behind it. Held
/// here by the test itself, so nothing depends on timing.
#[test]
fn import_progress_answers_while_the_store_is_held_and_a_second_import_is_refused() {
    let (_dir, state) = import_fixture();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let held = state.store().unwrap();
    std::thread::scope(|scope| {
        let running = scope.spawn(|| {
            crate::import::import_csv(&state, "stock".into(), "sku,location,qty\nA-1,WH1,4\n".into())
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = crate::import::import_progress(&state).unwrap() {
                break status;
            }
            assert!(std::time::Instant::now() < deadline, "the import never started");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!(
            (status.kind, status.finished, status.done, status.total),
            (ImportKind::Stock, false, 0, 0)
        );
        let error = crate::import::import_csv(&state, "locations".into(), "code,name\nWH7,Seven\n".into())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "An import is already running (started by ada). Wait for it to finish."
        );
        drop(held);
        let done = running.join().unwrap().unwrap();
        assert_eq!((done.finished, done.done, done.total, done.imported), (true, 1, 1, Some(1)));
    });
    let received = commands::recent_events(&state, Some("A-1".into()), Some(1)).unwrap();
    assert_eq!((received[0].kind.as_str(), received[0].actor.as_str()), ("receive", "ada"));
    assert_eq!(crate::import::import_progress(&state).unwrap().unwrap().imported, Some(1));
}

/// Going live (issue 15): on a real, non-demo database configured as a user would (a location,
/// an item, a Shopify channel with its listing and rule), the app's in-process service pushes a
/// scanned receipt to the channel with no other program running, and closing the app hands
/// the sync lease over at once.
#[test]
fn on_a_real_database_the_apps_service_pushes_a_scan_with_nothing_else_running() {
    use shelfsync_core::{Item, Location, LocationCode, Role, Sku};
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("warehouse.db"));
    state.boot(DemoPolicy::Never);
    {
        let mut store = state.store().unwrap();
        store
            .upsert_locations(&[Location {
                code: LocationCode::new("WH1").unwrap(),
                name: "Main".into(),
                parent: None,
            }])
            .unwrap();
        store
            .upsert_items(&[shelfsync_store::ItemRecord {
                item: Item {
                    sku: Sku::new("SS-00001").unwrap(),
                    name: "Mug".into(),
                    unit_cost_cents: 350,
                    category: "home".into(),
                    safety_stock: 0,
                },
                barcodes: vec![],
            }])
            .unwrap();
        store.add_user("ada", Role::Admin, "2468", None, "test").unwrap();
    }
    assert!(!state.is_demo());
    let channel = SimChannel::start(&state);
    state.start_service();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    commands::commit_scans(&state, request(StationMode::Receive, "WH1", vec![line("SS-00001", 20)])).unwrap();
    // 50 % of 20, minus the buffer of 2 (the channel's rule).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while channel.level() != Some(8) {
        assert!(std::time::Instant::now() < deadline, "not pushed within 30 s: {:?}", channel.level());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let holder = state.service_status().expect("the service runs").holder;
    assert!(holder.starts_with("service:"), "{holder}");
    let dashboard = commands::sync_status(&state).unwrap();
    let engine = dashboard.channels[0].engine.clone().unwrap_or_default();
    assert!(engine.starts_with(&holder), "the Sync screen names it: {engine}");
    state.shutdown();
    assert!(state.service_status().is_none());
    let store = state.store().unwrap();
    assert_eq!(shelfsync_sync::lease::holder(store.connection()).unwrap(), None, "the lease was handed over");
}

/// Settings' channel form takes Amazon's and eBay's token endpoint (a sandbox, a simulator): it
/// is stored with the channel; on Shopify, or as a bad URL, it is refused and nothing is added.
#[test]
fn a_channel_form_stores_an_auth_endpoint_and_refuses_a_bad_one() {
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "admin".into(), "3333".into()).unwrap();
    let amazon = |name: &str, auth: Option<&str>| NewChannelRequest {
        name: name.into(),
        kind: "amazon".into(),
        endpoint: "https://sellingpartnerapi-na.amazon.com".into(),
        shop: None,
        seller_id: Some("A1SELLER".into()),
        marketplace_id: Some("ATVPDKIKX0DER".into()),
        auth_endpoint: auth.map(str::to_string),
        secrets: ["lwa_client_id", "lwa_client_secret", "lwa_refresh_token"]
            .iter()
            .map(|n| SecretField { name: (*n).into(), value: "x-value".into() })
            .collect(),
    };
    crate::admin::add_channel(&state, amazon("amz-sandbox", Some("https://api.amazon.com/auth/o2/token")))
        .unwrap();
    let stored: Option<String> = state
        .store()
        .unwrap()
        .connection()
        .query_row("SELECT auth_endpoint FROM channels WHERE name = 'amz-sandbox'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.as_deref(), Some("https://api.amazon.com/auth/o2/token"));
    let bad =
        crate::admin::add_channel(&state, amazon("amz-bad", Some("ftp://nowhere"))).unwrap_err().to_string();
    assert!(!bad.is_empty());
    let mut shop = shopify_request("shop-auth", "shpat_x");
    shop.auth_endpoint = Some("https://example.com/token".into());
    let refused = crate::admin::add_channel(&state, shop).unwrap_err().to_string();
    assert!(refused.contains("no separate token endpoint"), "{refused}");
    let names: Vec<String> = crate::admin::channels(&state).unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains(&"amz-sandbox".to_string()));
    assert!(!names.iter().any(|n| n == "amz-bad" || n == "shop-auth"), "{names:?}");
}
