//! `shelfsync channel notifications` and `shelfsync orders listen`, end to end: the real
//! binary against `shelfsync sim --port 0` (its SQS queue and SP-API Notifications); bad input
//! prints one `error: ...` line, exits non-zero and stores nothing.

mod support;

use support::{SimProcess, ok, shelfsync, write};

const LWA: [(&str, &str); 3] = [
    ("SHELFSYNC_LWA_CLIENT_ID", "amzn1.application-oa2-client.test"),
    ("SHELFSYNC_LWA_CLIENT_SECRET", "lwa-secret"),
    ("SHELFSYNC_LWA_REFRESH_TOKEN", "Atzr|test-refresh"),
];
/// The simulator's default SQS key pair and queue (shelfsync_sim::sqs::SqsSimConfig).
const AWS: [(&str, &str); 2] = [
    ("SHELFSYNC_AWS_ACCESS_KEY_ID", "AKIASIMULATOR0EXAMPLE"),
    ("SHELFSYNC_AWS_SECRET_ACCESS_KEY", "sim/SecretAccessKey0EXAMPLE"),
];
const QUEUE: &str = "/123456789012/shelfsync-orders";

/// Sale events in the ledger.
fn sales(db: &std::path::Path) -> usize {
    let out = ok(db, &["events", "--json"], &[]);
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sale")
        .count()
}

#[test]
fn notifications_are_set_up_once_and_listen_books_an_amazon_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("n.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir.path(), "l.csv", "code,name\nWH1,Main\n")], &[]);
    ok(
        &db,
        &[
            "import",
            "items",
            &write(
                dir.path(),
                "i.csv",
                "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\n",
            ),
        ],
        &[],
    );
    ok(&db, &["receive", "A-1", "12", "--location", "WH1"], &[]);
    let sim = SimProcess::start(5);
    sim.request("POST", "/amazon/admin/listings", r#"[{"sku":"AMZ-A1","quantity":12}]"#);
    let add = [
        "channel",
        "add",
        "amazon",
        "amz",
        "--endpoint",
        &sim.url,
        "--seller-id",
        "A2SELLER0TEST",
        "--marketplace",
        "ATVPDKIKX0DER",
    ];
    ok(&db, &add, &LWA);
    ok(
        &db,
        &["channel", "import-mappings", "amz", &write(dir.path(), "a.csv", "sku,seller_sku\nA-1,AMZ-A1\n")],
        &[],
    );

    let url = format!("{}{QUEUE}", sim.url);
    let setup = ["channel", "notifications", "amz", "--queue-url", &url, "--region", "us-east-1"];
    let first = ok(&db, &setup, &AWS);
    assert!(
        first.contains("destination sim-destination-1 created")
            && first.contains("subscription sim-subscription-1 created"),
        "{first}"
    );
    let second = ok(&db, &setup, &AWS);
    assert!(second.contains("destination sim-destination-1 found") && second.contains("found"), "{second}");
    let secrets = std::fs::read_to_string(dir.path().join("n.db.secrets")).unwrap();
    assert!(secrets.contains("sim/SecretAccessKey0EXAMPLE"));
    assert!(
        !String::from_utf8_lossy(&std::fs::read(&db).unwrap()).contains("sim/SecretAccessKey0EXAMPLE"),
        "never in SQLite"
    );

    sim.request("POST", "/amazon/admin/orders", r#"{"sku":"AMZ-A1","qty":2}"#);
    let listened: serde_json::Value =
        serde_json::from_str(&ok(&db, &["orders", "listen", "--once", "--json"], &[])).unwrap();
    assert_eq!(listened[0]["recorded"], 1, "{listened}");
    assert_eq!(listened[0]["deleted"], 1, "{listened}");
    assert_eq!(sales(&db), 1);
    let state = sim.request("GET", "/amazon/admin/state", "");
    assert_eq!(state["stats"]["notifications_sent"], 1, "{state}");
}

#[test]
fn bad_notification_commands_print_one_error_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("b.db");
    ok(&db, &["init"], &[]);
    let sim = SimProcess::start(6);
    let add = [
        "channel",
        "add",
        "amazon",
        "amz",
        "--endpoint",
        &sim.url,
        "--seller-id",
        "A2SELLER0TEST",
        "--marketplace",
        "ATVPDKIKX0DER",
    ];
    ok(&db, &add, &LWA);
    let url = format!("{}{QUEUE}", sim.url);
    // (arguments, environment, words the error must contain)
    type Case<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)], &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["channel", "notifications", "amz", "--queue-url", &url, "--region", "us-east-1"],
            &[],
            "SHELFSYNC_AWS_ACCESS_KEY_ID",
        ),
        (
            vec!["channel", "notifications", "nope", "--queue-url", &url, "--region", "us-east-1"],
            &AWS,
            "unknown channel",
        ),
        (
            vec!["channel", "notifications", "amz", "--queue-url", "sqs/queue", "--region", "us-east-1"],
            &AWS,
            "not a URL",
        ),
        (vec!["channel", "notifications", "amz", "--queue-url", &url, "--region", "Mars 1"], &AWS, "region"),
        (vec!["orders", "listen", "--once"], &[], ""),
        (vec!["orders", "listen", "--once", "--channel", "amz"], &[], "no notification queue"),
        (vec!["orders", "listen", "--channel", "nope"], &[], "unknown channel"),
    ];
    for (args, env, want) in cases {
        let out = shelfsync(&db, &args, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if want.is_empty() {
            // Nothing set up anywhere: one long poll of no queue is an empty, successful run.
            assert!(out.status.success(), "{args:?}: {stderr}");
            continue;
        }
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(want), "{args:?}: {stderr}");
    }
    let secrets = std::fs::read_to_string(dir.path().join("b.db.secrets")).unwrap_or_default();
    assert!(!secrets.contains("aws_"), "no AWS secret stored: {secrets}");
    let state = sim.request("GET", "/amazon/admin/state", "");
    assert_eq!(state["stats"]["notifications_sent"], 0);
}
