//! Blind counts are blind (issue 17): while a blind count is open at a location, every command
//! that answers with stock sends its figures there as `null` with `blind: true` to a user who
//! may not see expected quantities; a supervisor still sees them, and so does everyone once the
//! count is submitted.

use crate::ipc::*;
use crate::{commands, search};

use super::fresh_demo;
use crate::state::AppState;

const SKU: &str = "SS-00001";

/// What each stock path answered for SKU: (location, buckets), and the totals where it has them.
type Seen = (Vec<(String, Buckets)>, Option<Buckets>);

fn stock_levels(state: &AppState) -> Seen {
    let query = StockQuery { sku: Some(SKU.into()), location: None, limit: None };
    let rows = commands::stock_levels(state, query).unwrap().rows;
    (rows.into_iter().map(|r| (r.location, r.buckets)).collect(), None)
}

fn search_stock(state: &AppState) -> Seen {
    let query = StockSearchQuery { text: SKU.into(), location: None, sort: None, offset: None, limit: None };
    let rows = search::search_stock(state, query).unwrap().rows;
    (rows.into_iter().filter(|r| r.sku == SKU).map(|r| (r.location, r.buckets)).collect(), None)
}

/// The item screen and the station's look-up mode both ask this.
fn item_lookup(state: &AppState) -> Seen {
    let item = commands::item_lookup(state, SKU.into()).unwrap();
    (item.stock.into_iter().map(|r| (r.location, r.buckets)).collect(), Some(item.totals))
}

/// One command that answers with stock, read as [`Seen`].
type Read = fn(&AppState) -> Seen;

const PATHS: [(&str, Read); 3] =
    [("stock_levels", stock_levels), ("search_stock", search_stock), ("item_lookup", item_lookup)];

fn hidden(b: &Buckets) -> bool {
    b.blind
        && [b.on_hand, b.committed, b.reserved, b.damaged, b.in_transit, b.atp].iter().all(Option::is_none)
}

fn shown(b: &Buckets) -> bool {
    !b.blind
        && [b.on_hand, b.committed, b.reserved, b.damaged, b.in_transit, b.atp].iter().all(Option::is_some)
}

/// Every path, as whoever is signed in: the WH1 row hidden or not, the other rows shown, and
/// the totals hidden exactly when a row is (a sum would give the hidden row away).
fn assert_seen(state: &AppState, who: &str, wh1_hidden: bool) {
    for (path, read) in PATHS {
        let (rows, totals) = read(state);
        assert!(rows.len() > 1, "{path}: {SKU} is stocked at several locations");
        for (location, buckets) in &rows {
            let expect_hidden = wh1_hidden && location == "WH1";
            let ok = if expect_hidden { hidden(buckets) } else { shown(buckets) };
            assert!(ok, "{path} as {who}: {location} {buckets:?}");
        }
        if let Some(totals) = totals {
            let ok = if wh1_hidden { hidden(&totals) } else { shown(&totals) };
            assert!(ok, "{path} as {who}: totals {totals:?}");
        }
    }
}

#[test]
fn an_open_blind_count_hides_its_location_from_staff_but_not_from_supervisors() {
    let (_dir, state) = fresh_demo();
    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    assert_seen(&state, "staff before the count", false);
    let session = commands::start_count(&state, "WH1".into()).unwrap();
    assert!(session.blind);
    assert_seen(&state, "staff", true);
    let detail = commands::count_session(&state, session.id.clone()).unwrap();
    assert!(detail.lines.iter().all(|l| l.expected.is_none()), "count progress: blind for staff");

    let history = |state: &AppState| -> (bool, bool) {
        let events = commands::recent_events(state, Some(SKU.into()), Some(500)).unwrap();
        let at = |l: &str| events.iter().any(|e| e.changes.iter().any(|c| c.location == l));
        (at("WH1"), at("WH2"))
    };
    assert_eq!(history(&state), (false, true), "staff: WH1's history would add up to the count");
    let why = crate::why::sku_sync(&state, SKU.into()).unwrap_err().to_string();
    assert!(why.contains("open blind count"), "staff: allocations work from ATP: {why}");

    commands::sign_in(&state, "super".into(), "2222".into()).unwrap();
    assert_seen(&state, "a supervisor", false);
    assert_eq!(history(&state), (true, true), "a supervisor sees the whole history");
    assert!(crate::why::sku_sync(&state, SKU.into()).is_ok(), "a supervisor sees why");

    // Signed out: the paths that answer without a session hide; search refuses.
    commands::sign_out(&state).unwrap();
    for (path, read) in [("stock_levels", stock_levels as Read), ("item_lookup", item_lookup)] {
        let (rows, _) = read(&state);
        assert!(rows.iter().filter(|(l, _)| l == "WH1").all(|(_, b)| hidden(b)), "{path} signed out");
    }
    let query = StockSearchQuery { text: SKU.into(), location: None, sort: None, offset: None, limit: None };
    assert!(search::search_stock(&state, query).is_err(), "search_stock signed out");

    commands::sign_in(&state, "staff".into(), "1111".into()).unwrap();
    let mut count = super::request(StationMode::Count, "WH1", vec![super::line(SKU, 1)]);
    count.session = Some(session.id.clone());
    commands::commit_scans(&state, count).unwrap();
    commands::submit_count(&state, session.id).unwrap();
    assert_seen(&state, "staff after the count is submitted", false);
}
