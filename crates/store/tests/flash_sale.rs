//! Flash-sale mode on a real SQLite file: the setting (who may change it, what it accepts), the
//! outbox limiting each listing to its share while an item sells fast (the shares adding up to
//! the stock), the share lifted once the window passes, and a dry run that changes nothing.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{fresh_store, loc, receive, sku};
use shelfsync_core::flash::FlashSaleRule;
use shelfsync_core::{Event, Movement, Role};
use shelfsync_store::flash::FLASH_SALE_KEY;
use shelfsync_store::testing::connection;
use shelfsync_store::{Store, User};

const CHANNELS: [&str; 3] = ["shop", "amazon", "ebay"];

/// One listing of S1 at WH1 on each of three channels, straight into the channel tables.
fn list_everywhere(store: &Store) -> Vec<i64> {
    let conn = connection(store);
    CHANNELS
        .iter()
        .map(|channel| {
            conn.execute(
                "INSERT INTO channels (name, kind, endpoint, created_at) VALUES (?1, 'shopify', 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
                [channel],
            )
            .unwrap();
            conn.execute("INSERT INTO allocation_rules (channel) VALUES (?1)", [channel]).unwrap();
            conn.execute(
                "INSERT INTO listings (channel, sku, location, remote_item) VALUES (?1, 'S1', 'WH1', ?2)",
                [*channel, &format!("{channel}-S1")],
            )
            .unwrap();
            conn.last_insert_rowid()
        })
        .collect()
}

fn admin(store: &mut Store) -> User {
    store.add_user("ada", Role::Admin, "4821", None, "ws-test").unwrap()
}

/// A sale of one unit on `channel`, as capture books it, at `at`.
fn sale(channel: &str, at: DateTime<Utc>) -> Event {
    let movement = Movement::Sale { sku: sku("S1"), location: loc("WH1"), qty: 1 };
    Event::with_identity(uuid::Uuid::now_v7(), at, movement, &format!("channel:{channel}"), "capture")
}

fn queued(store: &Store, listing: i64) -> Option<i64> {
    connection(store)
        .query_row("SELECT desired_qty FROM outbox WHERE listing_id = ?1", [listing], |r| r.get(0))
        .ok()
}

fn setting(store: &Store) -> Option<String> {
    store.setting(FLASH_SALE_KEY).unwrap()
}

#[test]
fn the_setting_takes_a_checked_rule_from_an_admin_only_and_is_audited() {
    let (_dir, mut store) = fresh_store();
    let ada = admin(&mut store);
    let sam = store.add_user("sam", Role::Supervisor, "5930", Some(&ada), "ws-test").unwrap();
    let audit_before = store.verify_audit().unwrap().entries;
    let cases: &[(&User, &str, Option<&str>)] = &[
        // (who, value, the error's words; None: accepted)
        (&sam, r#"{"window_secs":600,"trigger_sales":5}"#, Some("may not")),
        (&ada, r#"{"window_secs":0,"trigger_sales":5}"#, Some("window must be between 1 second")),
        (&ada, r#"{"window_secs":600,"trigger_sales":0}"#, Some("trigger must be between 1")),
        (&ada, "on", Some("is not understood")),
        (&ada, "{\"window_secs\":\n600}", Some("is not understood")),
    ];
    for (who, value, error) in cases {
        let got = store.set_setting(FLASH_SALE_KEY, value, who, "ws-test");
        let message = got.expect_err(value).to_string();
        assert!(message.contains(error.unwrap()), "{value}: {message}");
        assert!(!message.contains('\n'), "one line: {message}");
        assert_eq!(setting(&store), None, "{value} changed the setting");
    }
    assert_eq!(store.verify_audit().unwrap().entries, audit_before, "refusals audit nothing");
    let rule = FlashSaleRule::new(300, 3).unwrap();
    store.set_setting(FLASH_SALE_KEY, &FlashSaleRule::to_setting(Some(rule)), &ada, "ws-test").unwrap();
    assert_eq!(store.flash_sale_rule().unwrap(), Some(rule));
    store.set_setting(FLASH_SALE_KEY, "off", &ada, "ws-test").unwrap();
    assert_eq!(store.flash_sale_rule().unwrap(), None);
    assert_eq!(store.verify_audit().unwrap().entries, audit_before + 2);
}

#[test]
fn while_an_item_sells_fast_its_listings_share_the_stock_and_the_share_lifts_after() {
    let (_dir, mut store) = fresh_store();
    let listings = list_everywhere(&store);
    store.append(&receive("S1", "WH1", 20)).unwrap();
    let ada = admin(&mut store);
    let rule = FlashSaleRule::new(600, 3).unwrap();
    store.set_setting(FLASH_SALE_KEY, &FlashSaleRule::to_setting(Some(rule)), &ada, "ws-test").unwrap();
    let now = Utc::now();
    // Two sales: not yet fast. Every channel lists the whole stock, as without the mode.
    store.append(&sale("shop", now - Duration::seconds(60))).unwrap();
    store.append(&sale("shop", now - Duration::seconds(30))).unwrap();
    for &id in &listings {
        assert_eq!(queued(&store, id), Some(18));
        assert_eq!(store.allocation_for(id).unwrap().flash, None);
    }
    // A third within the window: 17 units shared by weight (shop sold 2 -> 3, amazon 1 -> 2,
    // ebay 0 -> 1): 8.5, 5.67, 2.83 -> 8, 6, 3 by the largest remainders.
    store.append(&sale("amazon", now)).unwrap();
    let shares: Vec<i64> = listings.iter().map(|&id| queued(&store, id).unwrap()).collect();
    assert_eq!(shares, [8, 6, 3]);
    assert_eq!(shares.iter().sum::<i64>(), 17, "the shares add up to the stock");
    let why = store.allocation_for(listings[0]).unwrap();
    let flash = why.flash.expect("the derivation names the share");
    assert_eq!((flash.sales_in_window, flash.shared_units, flash.listings), (3, 17, 3));
    // The dry run of the rule in force shows the same, beside what the rule alone gives.
    let rows = store.flash_sale_dry_run(rule, Utc::now()).unwrap();
    assert_eq!(rows.iter().map(|r| r.under_rule).collect::<Vec<_>>(), shares);
    assert!(rows.iter().all(|r| r.listed_now == r.under_rule));
    // Ten minutes after the last sale the item no longer sells fast: the minute job lifts it.
    let later = now + Duration::seconds(601);
    for &id in &listings {
        assert_eq!(store.allocation_at(id, later).unwrap().qty, 17);
    }
    let flash_items = |store: &Store| -> i64 {
        connection(store).query_row("SELECT count(*) FROM flash_items", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(flash_items(&store), 1, "the item is marked while its listings carry a share");
    // Still inside the window: the job changes nothing.
    assert_eq!(store.release_ended_flash_sales(now + Duration::seconds(60)).unwrap(), 0);
    let changed = store.release_ended_flash_sales(later).unwrap();
    assert_eq!(changed, 3);
    for &id in &listings {
        assert_eq!(queued(&store, id), Some(17));
    }
    assert_eq!(flash_items(&store), 0, "lifted: nothing left for the job");
}

#[test]
fn a_dry_run_of_another_rule_changes_nothing() {
    let (_dir, mut store) = fresh_store();
    let listings = list_everywhere(&store);
    store.append(&receive("S1", "WH1", 10)).unwrap();
    let now = Utc::now();
    for channel in ["shop", "shop", "ebay"] {
        store.append(&sale(channel, now)).unwrap();
    }
    let before: Vec<Option<i64>> = listings.iter().map(|&id| queued(&store, id)).collect();
    assert_eq!(before, [Some(7); 3], "the mode is off: every channel lists all 7");
    let rows = store.flash_sale_dry_run(FlashSaleRule::new(600, 2).unwrap(), now).unwrap();
    let would: Vec<i64> = rows.iter().map(|r| r.under_rule).collect();
    // Weights 3, 1, 2 over 7 units: 3.5, 1.17, 2.33 -> 4, 1, 2.
    assert_eq!(would, [4, 1, 2]);
    assert!(rows.iter().all(|r| r.listed_now == 7));
    let after: Vec<Option<i64>> = listings.iter().map(|&id| queued(&store, id)).collect();
    assert_eq!(after, before);
    assert_eq!(setting(&store), None);
}
