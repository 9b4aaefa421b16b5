//! After a full sync run against the simulator (Shopify, Amazon and eBay, through the real
//! binary, logging at debug), no secret appears in the database file, its `-wal` or `-shm`,
//! the captured stdout/stderr of any command, or any JSON the CLI prints: not the configured
//! credentials, not the access tokens the channels issued. The database and the secrets file
//! are readable by their owner only.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use support::{SimProcess, shelfsync, write};

const SHOPIFY: [(&str, &str); 2] = [
    ("SHELFSYNC_SHOPIFY_TOKEN", "shpat_SECRET_shopify_token"),
    ("SHELFSYNC_SHOPIFY_WEBHOOK_SECRET", "whsec_SECRET_webhook"),
];
/// The simulator's own credentials for Amazon and eBay (shelfsync_sim defaults).
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
/// Prefixes of the access tokens the simulator issues (LWA `Atza|sim-SEED-N`, eBay
/// `v^1.1#i^1#sim-SEED-N`): they live only in the clients' memory.
const ISSUED: [&str; 2] = ["Atza|sim-", "#i^1#sim-"];
/// Debug logging for whatever logger the binary uses, so a leak in a log line shows up here.
const LOUD: [(&str, &str); 2] = [("RUST_LOG", "debug"), ("RUST_BACKTRACE", "1")];

fn secrets() -> Vec<&'static str> {
    let mut all: Vec<&str> = SHOPIFY.iter().map(|(_, v)| *v).collect();
    all.extend([LWA[1].1, LWA[2].1, EBAY[1].1, EBAY[2].1]);
    all.extend(ISSUED);
    all
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

struct Run {
    outputs: Vec<(String, Vec<u8>)>,
}

impl Run {
    fn go(&mut self, db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let env: Vec<(&str, &str)> = env.iter().chain(LOUD.iter()).copied().collect();
        let out = shelfsync(db, args, &env);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        self.outputs.push((format!("{args:?} stdout"), out.stdout.clone()));
        self.outputs.push((format!("{args:?} stderr"), out.stderr.clone()));
        out
    }
}

fn find(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn no_secret_reaches_the_database_logs_or_output_after_a_full_sync_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("ledger.db");
    let mut run = Run { outputs: Vec::new() };
    run.go(&db, &["init"], &[]);
    assert_eq!(mode(&db), 0o600, "the database file is created for its owner only");
    run.go(&db, &["import", "locations", &write(d, "l.csv", "code,name\nWH1,Main\n")], &[]);
    let items =
        "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\nB-1,Cup,1.00,home,0,\n";
    run.go(&db, &["import", "items", &write(d, "i.csv", items)], &[]);

    let sim = SimProcess::start(11);
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
    let url = sim.url.as_str();
    run.go(
        &db,
        &["channel", "add", "shopify", "shop", "--endpoint", url, "--shop", "x.myshopify.com"],
        &SHOPIFY,
    );
    let amazon = [
        "channel",
        "add",
        "amazon",
        "amz",
        "--endpoint",
        url,
        "--seller-id",
        "A2SELLER0TEST",
        "--marketplace",
        "ATVPDKIKX0DER",
    ];
    run.go(&db, &amazon, &LWA);
    run.go(&db, &["channel", "add", "ebay", "eb", "--endpoint", url], &EBAY);
    let secrets_file = d.join("ledger.db.secrets");
    assert_eq!(mode(&secrets_file), 0o600, "the secrets file is for its owner only");
    let stored = std::fs::read_to_string(&secrets_file).unwrap();
    assert!(stored.contains("lwa-secret"), "the file backend holds the secrets (the control)");

    let shop_map = "sku,location,inventory_item_id,location_id\n\
        A-1,WH1,gid://shopify/InventoryItem/11,gid://shopify/Location/1\n\
        B-1,WH1,gid://shopify/InventoryItem/12,gid://shopify/Location/1\n";
    run.go(&db, &["channel", "import-mappings", "shop", &write(d, "s.csv", shop_map)], &[]);
    run.go(
        &db,
        &[
            "channel",
            "import-mappings",
            "amz",
            &write(d, "a.csv", "sku,seller_sku\nA-1,AMZ-A1\nB-1,AMZ-B1\n"),
        ],
        &[],
    );
    run.go(
        &db,
        &["channel", "import-mappings", "eb", &write(d, "e.csv", "sku,offer_id\nA-1,5001\nB-1,5002\n")],
        &[],
    );
    run.go(&db, &["receive", "A-1", "12", "--location", "WH1"], &[]);
    run.go(&db, &["receive", "B-1", "3", "--location", "WH1"], &[]);
    let synced = run.go(&db, &["sync", "run", "--once", "--json"], &[]);
    let report: serde_json::Value = serde_json::from_slice(&synced.stdout).unwrap();
    let pushed: i64 =
        report["channels"].as_array().unwrap().iter().map(|c| c["pushed"].as_i64().unwrap()).sum();
    assert_eq!(pushed, 6, "every channel was really called (tokens were issued): {report}");
    for args in [
        &["channel", "list", "--json"][..],
        &["sync", "status", "--json"],
        &["sync", "explain", "A-1", "--channel", "amz", "--json"],
        &["sync", "dlq", "list", "--json"],
        &["events", "--json"],
        &["health", "--json"],
        &["check"],
        &["audit", "verify"],
    ] {
        run.go(&db, args, &[]);
    }

    let mut files = vec![("ledger.db".to_string(), std::fs::read(&db).unwrap())];
    for suffix in ["-wal", "-shm"] {
        let path = d.join(format!("ledger.db{suffix}"));
        if let Ok(bytes) = std::fs::read(&path) {
            assert_eq!(mode(&path), 0o600, "ledger.db{suffix} follows the database's permissions");
            files.push((format!("ledger.db{suffix}"), bytes));
        }
    }
    let mut leaks = Vec::new();
    for (name, bytes) in files.iter().chain(run.outputs.iter()) {
        for secret in secrets() {
            if find(bytes, secret) {
                leaks.push(format!("{secret:?} in {name}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked: {leaks:?}");
    assert!(run.outputs.len() >= 40, "outputs of every command were checked");
}
