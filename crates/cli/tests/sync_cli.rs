//! The channel and sync commands end to end: the real `shelfsync` binary against the real
//! simulator (started with `shelfsync sim --port 0`), and a table of bad inputs that must each
//! print one `error: ...` line, exit non-zero and change nothing.

mod support;

use support::{SimProcess, json, ok, shelfsync, write};

use std::path::Path;

const TOKEN: &str = "shpat_cli_test";

fn setup(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\nWH2,Second\n")], &[]);
    let items =
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,2,\nB-1,Cup,1.00,home,0,\n";
    ok(&db, &["import", "items", &write(dir, "i.csv", items)], &[]);
    db
}

#[test]
fn channel_sync_and_sim_work_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let sim = SimProcess::start(3);
    let added = ok(
        &db,
        &[
            "channel",
            "add",
            "shopify",
            "main",
            "--endpoint",
            &sim.url,
            "--shop",
            "demo.myshopify.com",
            "--json",
        ],
        &[("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)],
    );
    assert!(added.contains("\"file\""), "{added}");
    let secrets = std::fs::read_to_string(dir.path().join("s.db.secrets")).unwrap();
    assert!(secrets.contains(TOKEN));
    let sqlite = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&sqlite).contains(TOKEN), "the token never enters SQLite");

    let mappings = write(
        dir.path(),
        "m.csv",
        "sku,location,inventory_item_id,location_id\nA-1,WH1,gid://shopify/InventoryItem/11,gid://shopify/Location/1\n",
    );
    ok(&db, &["channel", "import-mappings", "main", &mappings], &[]);
    ok(
        &db,
        &[
            "channel",
            "map",
            "main",
            "B-1",
            "--location",
            "WH1",
            "--item",
            "gid://shopify/InventoryItem/12",
            "--remote-location",
            "gid://shopify/Location/1",
        ],
        &[],
    );
    ok(&db, &["channel", "rule", "main", "--locations", "WH1", "--percent", "50", "--buffer", "1"], &[]);
    ok(&db, &["receive", "A-1", "20", "--location", "WH1"], &[]);
    ok(&db, &["receive", "B-1", "4", "--location", "WH1"], &[]);
    let run = ok(&db, &["sync", "run", "--once", "--json"], &[]);
    let run: serde_json::Value = serde_json::from_str(&run).unwrap();
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
    // (20 - safety 2) * 50% = 9, minus buffer 1 = 8. B-1: 4 * 50% = 2, minus 1 = 1.
    assert_eq!(level("gid://shopify/InventoryItem/11"), Some(8));
    assert_eq!(level("gid://shopify/InventoryItem/12"), Some(1));

    let status = json(&db, &["sync", "status"]);
    let main = &status[0];
    for key in ["state", "queue_depth", "last_success", "errors_last_hour", "p95_latency_ms", "dead_letters"]
    {
        assert!(main.get(key).is_some(), "status has {key}: {main}");
    }
    assert_eq!(main["state"], "ok");
    assert_eq!(main["queue_depth"], 0);
    let explained = json(&db, &["sync", "explain", "A-1", "--channel", "main"]);
    assert_eq!(explained[0]["now"]["qty"], 8);
    assert_eq!(explained[0]["now"]["safety_stock"], 2);
    assert_eq!(explained[0]["last_push"]["derivation"]["after_percent"], 9);
    assert_eq!(json(&db, &["sync", "dlq", "list"]), serde_json::json!([]));
    let channels = json(&db, &["channel", "list"]);
    assert_eq!(channels[0]["listings"], 2);
    assert!(!channels.to_string().contains(TOKEN));
}

/// Everything the channel and sync commands could change, read through the CLI itself.
fn fingerprint(db: &Path) -> String {
    let channels = ok(db, &["channel", "list", "--json"], &[]);
    let status = ok(db, &["sync", "status", "--json"], &[]);
    let dlq = ok(db, &["sync", "dlq", "list", "--json"], &[]);
    let explained = ok(db, &["sync", "explain", "A-1", "--channel", "main", "--json"], &[]);
    let events = ok(db, &["events", "--json"], &[]);
    format!("{channels}{status}{dlq}{explained}{events}")
}

#[test]
fn bad_channel_and_sync_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = setup(d);
    let token = [("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)];
    ok(
        &db,
        &[
            "channel",
            "add",
            "shopify",
            "main",
            "--endpoint",
            "http://127.0.0.1:9",
            "--shop",
            "a.myshopify.com",
        ],
        &token,
    );
    ok(
        &db,
        &[
            "channel",
            "map",
            "main",
            "A-1",
            "--location",
            "WH1",
            "--item",
            "gid://shopify/InventoryItem/1",
            "--remote-location",
            "gid://shopify/Location/1",
        ],
        &[],
    );
    let header = write(d, "h.csv", "sku,qty\nA-1,1\n");
    let lines = write(
        d,
        "bad.csv",
        "sku,location,inventory_item_id,location_id\nB-1,WH1,gid://shopify/InventoryItem/2,gid://shopify/Location/1\n\
         NOPE,WH1,gid://shopify/InventoryItem/3,gid://shopify/Location/1\nB-1,WH2,InventoryItem/4,gid://shopify/Location/2\n",
    );
    let taken = write(
        d,
        "taken.csv",
        "sku,location,inventory_item_id,location_id\nB-1,WH1,gid://shopify/InventoryItem/1,gid://shopify/Location/1\n",
    );
    let add = |name: &'static str, endpoint: &'static str, shop: Option<&'static str>| {
        let mut args = vec!["channel", "add", "shopify", name, "--endpoint", endpoint];
        if let Some(shop) = shop {
            args.extend(["--shop", shop]);
        }
        args
    };
    // (arguments, environment, words the error must contain)
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (add("new", "http://x.test", Some("b.myshopify.com")), vec![], "set SHELFSYNC_SHOPIFY_TOKEN"),
        (
            add("bad name", "http://x.test", Some("b.myshopify.com")),
            token.to_vec(),
            "invalid channel name 'bad name'",
        ),
        (
            add("new", "ftp://x.test", Some("b.myshopify.com")),
            token.to_vec(),
            "invalid endpoint 'ftp://x.test'",
        ),
        (add("new", "http://x.test", None), token.to_vec(), "needs --shop"),
        (add("new", "http://x.test", Some("no spaces.com")), token.to_vec(), "invalid shop domain"),
        (
            add("main", "http://x.test", Some("b.myshopify.com")),
            token.to_vec(),
            "channel 'main' already exists",
        ),
        (
            vec!["channel", "add", "amazon", "amz", "--endpoint", "http://x.test"],
            vec![],
            "set SHELFSYNC_LWA_CLIENT_ID",
        ),
        (vec!["channel", "add", "etsy", "e", "--endpoint", "http://x.test"], vec![], "invalid value 'etsy'"),
        (vec!["channel", "rule", "nope", "--percent", "5"], vec![], "unknown channel 'nope'"),
        (vec!["channel", "rule", "main", "--percent", "150"], vec![], "--percent must be 0 to 100, got 150"),
        (vec!["channel", "rule", "main", "--buffer", "-1"], vec![], "--buffer must be 0 to 1000000, got -1"),
        (vec!["channel", "rule", "main", "--cap", "-3"], vec![], "--cap must be 0 to 1000000, got -3"),
        (vec!["channel", "rule", "main", "--locations", "WH1,WH9"], vec![], "unknown location 'WH9'"),
        (vec!["channel", "rule", "main", "--conflict", "maybe"], vec![], "invalid value 'maybe'"),
        (
            vec!["channel", "import-mappings", "main", &header],
            vec![],
            "header must be sku,location,inventory_item_id,location_id",
        ),
        (
            vec!["channel", "import-mappings", "main", &lines],
            vec![],
            "line 3: unknown SKU 'NOPE' (and 1 more bad lines",
        ),
        (vec!["channel", "import-mappings", "main", &taken], vec![], "already mapped"),
        (vec!["channel", "import-mappings", "main", "/no/such.csv"], vec![], "/no/such.csv"),
        (vec!["channel", "import-mappings", "nope", &lines], vec![], "unknown channel 'nope'"),
        (
            vec![
                "channel",
                "map",
                "main",
                "NOPE",
                "--location",
                "WH1",
                "--item",
                "gid://shopify/InventoryItem/7",
                "--remote-location",
                "gid://shopify/Location/1",
            ],
            vec![],
            "unknown SKU 'NOPE'",
        ),
        (
            vec!["channel", "map", "main", "B-1", "--item", "gid://shopify/InventoryItem/7"],
            vec![],
            "needs a location",
        ),
        (
            vec![
                "channel",
                "map",
                "main",
                "B-1",
                "--location",
                "WH1",
                "--item",
                "7",
                "--remote-location",
                "gid://shopify/Location/1",
            ],
            vec![],
            "not a InventoryItem GID",
        ),
        (vec!["sync", "explain", "NOPE", "--channel", "main"], vec![], "unknown SKU 'NOPE'"),
        (
            vec!["sync", "explain", "B-1", "--channel", "main"],
            vec![],
            "no listing of SKU 'B-1' on channel 'main'",
        ),
        (vec!["sync", "explain", "A-1", "--channel", "nope"], vec![], "unknown channel 'nope'"),
        (vec!["sync", "dlq", "retry", "999"], vec![], "unknown dead letter '999'"),
        (vec!["sync", "dlq", "retry", "abc"], vec![], "unknown dead letter 'abc'"),
        (vec!["sim", "--port", "70000"], vec![], "invalid value '70000'"),
    ];
    let before = fingerprint(&db);
    for (args, env, want) in cases {
        let out = shelfsync(&db, &args, &env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr:?}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: wanted {want:?}, got {stderr}");
        assert_eq!(fingerprint(&db), before, "{args:?} changed something");
    }
    let secrets = std::fs::read_to_string(d.join("s.db.secrets")).unwrap();
    assert_eq!(secrets.matches(TOKEN).count(), 1, "failed adds stored no secrets");
}
