//! `channel test`, `channel link` and `channel add --auth-endpoint` end to end: the real
//! `shelfsync` binary against `shelfsync sim` on a loopback port. Bad input prints one
//! `error: ...` line, exits non-zero and changes nothing.

mod support;

use std::path::Path;

use support::{SimProcess, json, ok, shelfsync, write};

const LWA: [(&str, &str); 3] = [
    ("SHELFSYNC_LWA_CLIENT_ID", "amzn1.application-oa2-client.test"),
    ("SHELFSYNC_LWA_CLIENT_SECRET", "lwa-secret"),
    ("SHELFSYNC_LWA_REFRESH_TOKEN", "Atzr|test-refresh"),
];
const TOKEN: [(&str, &str); 1] = [("SHELFSYNC_SHOPIFY_TOKEN", "shpat_link_cli")];

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("l.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items = "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\nB-1,Cup,1.00,home,0,\nC-1,Jug,2.00,home,0,\n";
    ok(&db, &["import", "items", &write(dir, "i.csv", items)], &[]);
    db
}

fn add_shopify(db: &Path, name: &str, url: &str, shop: &str) {
    ok(db, &["channel", "add", "shopify", name, "--endpoint", url, "--shop", shop], &TOKEN);
}

/// Runs a command that must fail: one `error: ...` line containing `want`, non-zero exit.
fn refused(db: &Path, args: &[&str], env: &[(&str, &str)], want: &str) {
    let out = shelfsync(db, args, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains(want), "{args:?}: {stderr}");
}

fn fingerprint(db: &Path) -> String {
    let channels = ok(db, &["channel", "list", "--json"], &[]);
    let status = ok(db, &["sync", "status", "--json"], &[]);
    format!("{channels}{status}")
}

#[test]
fn channel_test_says_what_worked_and_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sim = SimProcess::start(5);
    add_shopify(&db, "web", &sim.url, "demo.myshopify.com");
    let text = ok(&db, &["channel", "test", "web"], &[]);
    assert_eq!(text.trim(), "web: connected: shop ShelfSync demo (demo.myshopify.com), 1 location");
    let answer = json(&db, &["channel", "test", "web"]);
    assert_eq!(
        (answer["ok"].as_bool(), answer["account"].as_str()),
        (Some(true), Some("demo.myshopify.com"))
    );

    add_shopify(&db, "other", &sim.url, "elsewhere.myshopify.com");
    refused(
        &db,
        &["channel", "test", "other"],
        &[],
        "channel other: not found: shop elsewhere.myshopify.com",
    );

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let amazon = |name: &str, endpoint: &str, env: &[(&str, &str)]| {
        let args = [
            "channel",
            "add",
            "amazon",
            name,
            "--endpoint",
            endpoint,
            "--seller-id",
            "A2SELLER0TEST",
            "--marketplace",
            "ATVPDKIKX0DER",
        ];
        ok(&db, &args, env);
    };
    amazon("az", &sim.url, &LWA);
    assert!(ok(&db, &["channel", "test", "az"], &[]).contains("az: connected: seller A2SELLER0TEST"));
    amazon("down", &closed, &LWA);
    refused(&db, &["channel", "test", "down"], &[], "channel down: unreachable: no connection");
    let wrong = [LWA[0], ("SHELFSYNC_LWA_CLIENT_SECRET", "wrong"), LWA[2]];
    amazon("badkey", &sim.url, &wrong);
    refused(&db, &["channel", "test", "badkey"], &[], "channel badkey: unauthorized");
    // An auth endpoint where nothing listens is where the token is fetched from.
    let mut args = vec![
        "channel",
        "add",
        "amazon",
        "authdown",
        "--endpoint",
        &sim.url,
        "--seller-id",
        "A2SELLER0TEST",
        "--marketplace",
        "ATVPDKIKX0DER",
        "--auth-endpoint",
        &closed,
    ];
    ok(&db, &args, &LWA);
    refused(&db, &["channel", "test", "authdown"], &[], "channel authdown: unreachable");
    let listed = json(&db, &["channel", "list"]);
    let authdown = listed.as_array().unwrap().iter().find(|c| c["name"] == "authdown").unwrap();
    assert_eq!(authdown["auth_endpoint"], closed.as_str());

    // Bad input: one error line, nothing changed.
    let before = fingerprint(&db);
    refused(&db, &["channel", "test", "nope"], &[], "unknown channel 'nope'");
    refused(&db, &["channel", "link", "nope"], &[], "unknown channel 'nope'");
    args[3] = "az2";
    *args.last_mut().unwrap() = "ftp://x.test";
    refused(&db, &args, &LWA, "invalid --auth-endpoint 'ftp://x.test'");
    let bad_endpoint =
        ["channel", "add", "shopify", "w2", "--endpoint", "http://a b", "--shop", "x.myshopify.com"];
    refused(&db, &bad_endpoint, &TOKEN, "invalid endpoint 'http://a b'");
    let shopify_auth = [
        "channel",
        "add",
        "shopify",
        "w3",
        "--endpoint",
        &sim.url,
        "--shop",
        "x.myshopify.com",
        "--auth-endpoint",
        "http://127.0.0.1:1",
    ];
    refused(&db, &shopify_auth, &TOKEN, "--auth-endpoint is for amazon and ebay channels");
    assert_eq!(fingerprint(&db), before);
    let secrets = std::fs::read_to_string(dir.path().join("l.db.secrets")).unwrap();
    for name in ["az2", "w2", "w3"] {
        assert!(!secrets.contains(&format!("\"{name}/")), "no secret stored for refused channel {name}");
    }
}

#[test]
fn channel_link_dry_run_changes_nothing_and_apply_maps_what_sync_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sim = SimProcess::start(6);
    let catalogue = r#"{"items":[{"id":"gid://shopify/InventoryItem/11","sku":"A-1"},
        {"id":"gid://shopify/InventoryItem/12","sku":"b-1"},{"id":"gid://shopify/InventoryItem/13","sku":"Z-9"},
        {"id":"gid://shopify/InventoryItem/14"}],
        "locations":[{"id":"gid://shopify/Location/1","name":"Main"}]}"#;
    sim.request("POST", "/admin/catalogue", catalogue);
    add_shopify(&db, "web", &sim.url, "demo.myshopify.com");

    let before = fingerprint(&db);
    let dry = json(&db, &["channel", "link", "web"]);
    assert_eq!(dry["applied"], false);
    let matched: Vec<(&str, &str, bool)> = dry["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (m["sku"].as_str().unwrap(), m["remote_item"].as_str().unwrap(), m["exact"].as_bool().unwrap())
        })
        .collect();
    assert_eq!(
        matched,
        vec![
            ("A-1", "gid://shopify/InventoryItem/11", true),
            ("B-1", "gid://shopify/InventoryItem/12", false)
        ]
    );
    assert_eq!(dry["unmatched_ours"], serde_json::json!(["C-1"]));
    assert_eq!(dry["unmatched_theirs"].as_array().unwrap().len(), 2, "Z-9 and the item with no SKU");
    assert_eq!(dry["remote_location"]["id"], "gid://shopify/Location/1");
    let text = ok(&db, &["channel", "link", "web"], &[]);
    assert!(text.contains("2 matched") && text.contains("dry run: nothing written"), "{text}");
    assert_eq!(fingerprint(&db), before, "a dry run changes nothing");

    let applied = json(&db, &["channel", "link", "web", "--apply"]);
    assert_eq!(
        (applied["applied"].as_bool(), applied["listings"].as_array().map(Vec::len)),
        (Some(true), Some(2))
    );
    assert_eq!(json(&db, &["channel", "list"])[0]["listings"], 2);
    ok(&db, &["receive", "A-1", "9", "--location", "WH1"], &[]);
    ok(&db, &["receive", "B-1", "4", "--location", "WH1"], &[]);
    let run: serde_json::Value =
        serde_json::from_str(&ok(&db, &["sync", "run", "--once", "--json"], &[])).unwrap();
    assert_eq!(run["channels"][0]["pushed"], 2, "{run}");
    let levels = sim.state()["levels"].clone();
    let level = |item: &str| {
        levels
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["item"] == item)
            .map(|l| l["available"].as_i64().unwrap())
    };
    assert_eq!(level("gid://shopify/InventoryItem/11"), Some(9));
    assert_eq!(level("gid://shopify/InventoryItem/12"), Some(4));
    // Linking again finds both already mapped.
    let again = json(&db, &["channel", "link", "web"]);
    assert_eq!(again["already_mapped"].as_array().unwrap().len(), 2);
    assert_eq!(again["matched"].as_array().unwrap().len(), 0);
}
