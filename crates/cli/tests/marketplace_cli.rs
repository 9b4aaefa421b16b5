//! `channel add amazon|ebay`, their mappings and a sync run, end to end: the real `shelfsync`
//! binary against `shelfsync sim --port 0`; and a table of bad inputs for the new forms, each
//! printing one `error: ...` line, exiting non-zero and changing nothing.

mod support;

use support::{SimProcess, json, ok, shelfsync, write};

use std::path::Path;

/// The simulator's default credentials (shelfsync_sim::amazon/ebay defaults).
const LWA: [(&str, &str); 3] = [
    ("SHELFSYNC_LWA_CLIENT_ID", "amzn1.application-oa2-client.test"),
    ("SHELFSYNC_LWA_CLIENT_SECRET", "lwa-secret"),
    ("SHELFSYNC_LWA_REFRESH_TOKEN", "Atzr|test-refresh"),
];
const EBAY: [(&str, &str); 3] = [
    ("SHELFSYNC_EBAY_CLIENT_ID", "ShelfSyn-test-PRD"),
    ("SHELFSYNC_EBAY_CLIENT_SECRET", "PRD-secret"),
    ("SHELFSYNC_EBAY_REFRESH_TOKEN", "v^1.1#i^1#test-refresh"),
];
const SELLER: &str = "A2SELLER0TEST";

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("m.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items =
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\nB-1,Cup,1.00,home,0,\n";
    ok(&db, &["import", "items", &write(dir, "i.csv", items)], &[]);
    db
}

#[test]
fn amazon_and_ebay_channels_sync_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sim = SimProcess::start(4);
    sim.request(
        "POST",
        "/amazon/admin/listings",
        r#"[{"sku":"AMZ-A1","quantity":0},{"sku":"AMZ-B1","quantity":0}]"#,
    );
    sim.request(
        "POST",
        "/ebay/admin/items",
        r#"[{"sku":"A-1","offer_id":"5001","quantity":0},{"sku":"B-1","offer_id":"5002","quantity":0}]"#,
    );
    ok(
        &db,
        &[
            "channel",
            "add",
            "amazon",
            "amz",
            "--endpoint",
            &sim.url,
            "--seller-id",
            SELLER,
            "--marketplace",
            "ATVPDKIKX0DER",
        ],
        &LWA,
    );
    ok(&db, &["channel", "add", "ebay", "eb", "--endpoint", &sim.url], &EBAY);
    let secrets = std::fs::read_to_string(dir.path().join("m.db.secrets")).unwrap();
    assert!(secrets.contains("lwa-secret") && secrets.contains("PRD-secret"));
    let sqlite = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&sqlite).contains("lwa-secret"), "secrets never enter SQLite");

    ok(
        &db,
        &[
            "channel",
            "import-mappings",
            "amz",
            &write(dir.path(), "a.csv", "sku,seller_sku\nA-1,AMZ-A1\nB-1,AMZ-B1\n"),
        ],
        &[],
    );
    // B-1's offer id is left empty: looked up by SKU (getOffers) at push time.
    ok(
        &db,
        &["channel", "import-mappings", "eb", &write(dir.path(), "e.csv", "sku,offer_id\nA-1,5001\nB-1,\n")],
        &[],
    );
    ok(&db, &["receive", "A-1", "12", "--location", "WH1"], &[]);
    ok(&db, &["receive", "B-1", "3", "--location", "WH1"], &[]);
    let run: serde_json::Value =
        serde_json::from_str(&ok(&db, &["sync", "run", "--once", "--json"], &[])).unwrap();
    let pushed: i64 = run["channels"].as_array().unwrap().iter().map(|c| c["pushed"].as_i64().unwrap()).sum();
    assert_eq!(pushed, 4, "{run}");

    let amazon = sim.request("GET", "/amazon/admin/state", "");
    let qty = |sku: &str| {
        amazon["listings"].as_array().unwrap().iter().find(|l| l["sku"] == sku).unwrap()["quantity"].clone()
    };
    assert_eq!((qty("AMZ-A1"), qty("AMZ-B1")), (serde_json::json!(12), serde_json::json!(3)));
    let ebay = sim.request("GET", "/ebay/admin/state", "");
    let listed = |sku: &str| {
        ebay["items"].as_array().unwrap().iter().find(|l| l["sku"] == sku).unwrap()["listed"].clone()
    };
    assert_eq!((listed("A-1"), listed("B-1")), (serde_json::json!(12), serde_json::json!(3)));
    assert_eq!(ebay["stats"]["offer_lookups"], 1);

    let channels = json(&db, &["channel", "list"]);
    let amz = channels.as_array().unwrap().iter().find(|c| c["name"] == "amz").unwrap();
    assert_eq!(amz["seller_id"], SELLER);
    assert_eq!(amz["marketplace_id"], "ATVPDKIKX0DER");
    assert_eq!(amz["listings"], 2);
    let status = json(&db, &["sync", "status"]);
    assert!(status.as_array().unwrap().iter().all(|c| c["queue_depth"] == 0), "{status}");
}

/// Arguments, environment, and the text the one error line must contain.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);

fn fingerprint(db: &Path) -> String {
    let channels = ok(db, &["channel", "list", "--json"], &[]);
    let status = ok(db, &["sync", "status", "--json"], &[]);
    format!("{channels}\n{status}")
}

#[test]
fn bad_amazon_and_ebay_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = setup(d);
    ok(
        &db,
        &[
            "channel",
            "add",
            "amazon",
            "amz",
            "--endpoint",
            "http://127.0.0.1:9",
            "--seller-id",
            SELLER,
            "--marketplace",
            "ATVPDKIKX0DER",
        ],
        &LWA,
    );
    ok(&db, &["channel", "add", "ebay", "eb", "--endpoint", "http://127.0.0.1:9"], &EBAY);
    let lwa = LWA.to_vec();
    let ebay = EBAY.to_vec();
    let lwa_partial = LWA[..2].to_vec();
    let amazon = |name: &'static str, seller: Option<&'static str>, market: Option<&'static str>| {
        let mut args = vec!["channel", "add", "amazon", name, "--endpoint", "http://x.test"];
        if let Some(s) = seller {
            args.extend(["--seller-id", s]);
        }
        if let Some(m) = market {
            args.extend(["--marketplace", m]);
        }
        args
    };
    let header = write(
        d,
        "h.csv",
        "sku,location,inventory_item_id,location_id\nA-1,WH1,gid://shopify/InventoryItem/1,gid://shopify/Location/1\n",
    );
    let amz_bad = write(d, "ab.csv", "sku,seller_sku\nA-1,AMZ A1\nNOPE,AMZ-X\n");
    let amz_dup = write(d, "ad.csv", "sku,seller_sku\nA-1,AMZ-1\nB-1,AMZ-1\n");
    let eb_bad = write(d, "eb.csv", "sku,offer_id\nA-1,abc\n");
    let eb_header = write(d, "eh.csv", "sku,seller_sku\nA-1,x\n");
    let cases: Vec<Case<'_>> = vec![
        (
            amazon("new", Some(SELLER), Some("ATVPDKIKX0DER")),
            vec![],
            "set SHELFSYNC_LWA_CLIENT_ID, SHELFSYNC_LWA_CLIENT_SECRET, SHELFSYNC_LWA_REFRESH_TOKEN",
        ),
        (amazon("new", Some(SELLER), Some("ATVPDKIKX0DER")), lwa_partial, "set SHELFSYNC_LWA_REFRESH_TOKEN"),
        (amazon("new", None, Some("ATVPDKIKX0DER")), lwa.clone(), "needs --seller-id"),
        (amazon("new", Some(SELLER), None), lwa.clone(), "needs --marketplace"),
        (
            amazon("new", Some("bad seller"), Some("ATVPDKIKX0DER")),
            lwa.clone(),
            "invalid --seller-id 'bad seller'",
        ),
        (amazon("new", Some(SELLER), Some("atvp")), lwa.clone(), "invalid --marketplace 'atvp'"),
        (amazon("amz", Some(SELLER), Some("ATVPDKIKX0DER")), lwa.clone(), "channel 'amz' already exists"),
        (
            vec![
                "channel",
                "add",
                "amazon",
                "new",
                "--endpoint",
                "ftp://x",
                "--seller-id",
                SELLER,
                "--marketplace",
                "ATVPDKIKX0DER",
            ],
            lwa.clone(),
            "invalid endpoint 'ftp://x'",
        ),
        (
            vec![
                "channel",
                "add",
                "amazon",
                "new",
                "--endpoint",
                "http://x.test",
                "--seller-id",
                SELLER,
                "--marketplace",
                "ATVPDKIKX0DER",
                "--shop",
                "a.myshopify.com",
            ],
            lwa.clone(),
            "--shop is for shopify channels",
        ),
        (
            vec!["channel", "add", "ebay", "new", "--endpoint", "http://x.test"],
            vec![],
            "set SHELFSYNC_EBAY_CLIENT_ID",
        ),
        (
            vec!["channel", "add", "ebay", "new", "--endpoint", "http://x.test", "--seller-id", SELLER],
            ebay.clone(),
            "--seller-id and --marketplace are for amazon channels",
        ),
        (
            vec!["channel", "add", "ebay", "bad name", "--endpoint", "http://x.test"],
            ebay.clone(),
            "invalid channel name",
        ),
        (vec!["channel", "import-mappings", "amz", &header], vec![], "header must be sku,seller_sku"),
        (
            vec!["channel", "import-mappings", "amz", &amz_bad],
            vec![],
            "line 2: seller_sku 'AMZ A1' must be 1 to 40 characters",
        ),
        (vec!["channel", "import-mappings", "amz", &amz_dup], vec![], "AMZ-1 appears twice"),
        (vec!["channel", "import-mappings", "eb", &eb_bad], vec![], "offer_id 'abc' must be digits"),
        (vec!["channel", "import-mappings", "eb", &eb_header], vec![], "header must be sku,offer_id"),
        (
            vec!["channel", "map", "amz", "A-1", "--item", "AMZ-1", "--location", "WH1"],
            vec![],
            "an amazon mapping has no location",
        ),
    ];
    let before = fingerprint(&db);
    let secrets_before = std::fs::read_to_string(d.join("m.db.secrets")).unwrap();
    for (args, env, want) in cases {
        let out = shelfsync(&db, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: wanted {want:?}, got {stderr}");
        assert_eq!(fingerprint(&db), before, "{args:?} changed something");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("m.db.secrets")).unwrap(),
        secrets_before,
        "failed adds stored no secrets"
    );
}
