//! `shelfsync sync flash-sale` through the real binary on a real database: an admin turns the
//! mode on, `show` and `sync explain` name each listing's share, a dry run of another rule
//! changes nothing, `off` lifts the shares, and bad input is one `error:` line that changes
//! nothing.

mod support;

use std::path::{Path, PathBuf};

use chrono::Utc;
use shelfsync_core::{Event, LocationCode, Movement, Sku};
use shelfsync_store::Store;
use shelfsync_store::testing::connection;
use support::{ok, shelfsync, write};

const ADMIN: [(&str, &str); 2] = [("SHELFSYNC_USER", "ada"), ("SHELFSYNC_PIN", "4821")];

/// A database with A-1 (12 units at WH1) listed on three channels, an admin, and three channel
/// sales of A-1 a moment ago (shop twice, ebay once).
fn setup(dir: &Path) -> PathBuf {
    let db = dir.join("f.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items = "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\n";
    ok(&db, &["import", "items", &write(dir, "i.csv", items)], &[]);
    ok(&db, &["receive", "A-1", "15", "--location", "WH1"], &[]);
    ok(&db, &["user", "add", "ada", "--role", "admin"], &[("SHELFSYNC_NEW_PIN", "4821")]);
    ok(
        &db,
        &["user", "add", "sam", "--role", "supervisor"],
        &[("SHELFSYNC_NEW_PIN", "5930"), ADMIN[0], ADMIN[1]],
    );
    let mut store = Store::open(&db).unwrap();
    {
        let conn = connection(&store);
        for channel in ["shop", "amazon", "ebay"] {
            conn.execute(
                "INSERT INTO channels (name, kind, endpoint, created_at) VALUES (?1, 'shopify', 'http://127.0.0.1:9', '2026-01-01T00:00:00Z')",
                [channel],
            )
            .unwrap();
            conn.execute("INSERT INTO allocation_rules (channel) VALUES (?1)", [channel]).unwrap();
            conn.execute(
                "INSERT INTO listings (channel, sku, location, remote_item) VALUES (?1, 'A-1', 'WH1', ?2)",
                [channel, &format!("{channel}-A-1")],
            )
            .unwrap();
        }
    }
    for channel in ["shop", "shop", "ebay"] {
        let sale = Movement::Sale {
            sku: Sku::new("A-1").unwrap(),
            location: LocationCode::new("WH1").unwrap(),
            qty: 1,
        };
        let event = Event::with_identity(
            uuid::Uuid::now_v7(),
            Utc::now(),
            sale,
            &format!("channel:{channel}"),
            "capture",
        );
        store.append(&event).unwrap();
    }
    db
}

fn json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(db, &all, &[])).unwrap()
}

fn listed(rows: &serde_json::Value, key: &str) -> Vec<i64> {
    rows["listings"].as_array().unwrap().iter().map(|r| r[key].as_i64().unwrap()).collect()
}

#[test]
fn an_admin_turns_flash_sale_mode_on_and_off_and_every_listing_says_its_share() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let off = json(&db, &["sync", "flash-sale", "show"]);
    assert_eq!(off["rule"], serde_json::Value::Null);
    assert_eq!(off["listings"].as_array().unwrap().len(), 0);

    // A dry run of a rule: 12 units by weight 3 (shop), 1 (amazon), 2 (ebay): 6, 2, 4.
    let dry = json(&db, &["sync", "flash-sale", "dry-run", "--window", "10m", "--trigger", "3"]);
    assert_eq!(listed(&dry, "under_rule"), [6, 2, 4]);
    assert_eq!(listed(&dry, "listed_now"), [12, 12, 12], "a dry run changes nothing");
    let again = json(&db, &["sync", "flash-sale", "show"]);
    assert_eq!(again["rule"], serde_json::Value::Null);

    let said = ok(&db, &["sync", "flash-sale", "on", "--window", "10m", "--trigger", "3"], &ADMIN);
    assert!(said.contains("flash-sale mode on: 3 channel sales within 600 s"), "{said}");
    let on = json(&db, &["sync", "flash-sale", "show"]);
    assert_eq!(on["rule"]["window_secs"], 600);
    assert_eq!(listed(&on, "listed_now"), [6, 2, 4]);
    let explain = json(&db, &["sync", "explain", "A-1", "--channel", "amazon"]);
    let text = explain.to_string();
    assert!(text.contains("\"flash\"") && text.contains("\"share\":2"), "{text}");
    let words = ok(&db, &["sync", "explain", "A-1", "--channel", "amazon"], &[]);
    assert!(
        words.contains(
            "flash sale: 3 channel sales in 600 s; this listing's share is 2 of 12 units over 3 listings"
        ),
        "{words}"
    );

    ok(&db, &["sync", "flash-sale", "off"], &ADMIN);
    let lifted = json(&db, &["sync", "flash-sale", "show"]);
    assert_eq!(lifted["rule"], serde_json::Value::Null);
    let explain = json(&db, &["sync", "explain", "A-1", "--channel", "amazon"]).to_string();
    assert!(!explain.contains("\"flash\""), "{explain}");
}

#[test]
fn bad_flash_sale_input_is_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sam = [("SHELFSYNC_USER", "sam"), ("SHELFSYNC_PIN", "5930")];
    let cases: &[(&[&str], &[(&str, &str)], &str)] = &[
        (&["sync", "flash-sale", "on", "--window", "0"], &ADMIN, "window must be between 1 second"),
        (&["sync", "flash-sale", "on", "--window", "2d"], &ADMIN, "window '2d' is not a duration"),
        (&["sync", "flash-sale", "on", "--window", "25h"], &ADMIN, "window must be between 1 second"),
        (&["sync", "flash-sale", "on", "--trigger", "0"], &ADMIN, "trigger must be between 1"),
        (&["sync", "flash-sale", "on", "--trigger", "-4"], &ADMIN, "error:"),
        (&["sync", "flash-sale", "dry-run", "--window", "ten"], &[], "window 'ten' is not a duration"),
        (&["sync", "flash-sale", "on"], &sam, "may not"),
        (&["sync", "flash-sale", "off"], &[], "name who acts to change settings"),
    ];
    let fingerprint = |db: &Path| {
        let store = Store::open(db).unwrap();
        let conn = connection(&store);
        let outbox: Vec<i64> = conn
            .prepare("SELECT desired_qty FROM outbox ORDER BY listing_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let audit: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
        (store.setting("flash_sale").unwrap(), outbox, audit)
    };
    let before = fingerprint(&db);
    for (args, env, words) in cases {
        let out = shelfsync(&db, args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end().lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{args:?}: {stderr}"
        );
        assert_eq!(fingerprint(&db), before, "{args:?} changed the database");
    }
}
