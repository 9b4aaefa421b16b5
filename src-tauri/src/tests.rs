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
        BarcodeView,
        ItemView,
        BucketChange,
        EventView,
        LocationView,
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
    assert_eq!(info.item_count, 2_000);
    assert!(info.event_count > 2_000 * 3, "every item is received at three locations");
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
    assert!(page.total > 5_000 && page.total <= 6_000, "{}", page.total);
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
