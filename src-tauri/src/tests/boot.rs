//! Start-up: a fresh database gets the demo, an empty one without it does not, a demo stays a
//! demo, and an unopenable file is reported.

use crate::commands;
use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

use super::{demo, fresh_demo};

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
        store.append(&shelfsync_store::new_event(receive, "staff", "floor-1")).unwrap();
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
