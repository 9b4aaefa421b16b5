//! The capture, reconciliation and monitoring commands end to end: the real `shelfsync` binary
//! against the real simulator and the real webhook receiver (both on port 0), and a table of
//! bad inputs that must each print one `error: ...` line, exit non-zero and change nothing.

mod support;

use support::{json, ok, shelfsync, write};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const TOKEN: &str = "shpat_capture_cli";
const SECRET: &str = "whsec_capture_cli";

/// A child process that prints its URL on the first line; killed by its own handle on drop.
struct Server {
    child: Child,
    url: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(db: Option<&Path>, args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        if let Some(db) = db {
            command.arg("--db").arg(db);
            // `webhook serve` logs to a file: beside the test's database, not the home folder.
            command.env("SHELFSYNC_LOG_DIR", db.parent().unwrap().join("logs"));
        }
        let mut child = command
            .args(args)
            .env("SHELFSYNC_SECRETS", "file")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let start = first.find("http://127.0.0.1:").unwrap_or_else(|| panic!("a URL in {first:?}"));
        let url: String = first[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        let url = url.split("/admin").next().unwrap().split("/webhooks").next().unwrap().to_string();
        Server { child, url, _stdout: stdout }
    }

    /// One HTTP request over a plain socket; returns (status, body).
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        write!(stream, "{head}\r\n{body}").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response[response.find("\r\n\r\n").unwrap() + 4..].to_string();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn setup(dir: &Path, sim: &Server) -> PathBuf {
    let db = dir.join("c.db");
    ok(&db, &["init"], &[]);
    ok(&db, &["import", "locations", &write(dir, "l.csv", "code,name\nWH1,Main\n")], &[]);
    ok(
        &db,
        &[
            "import",
            "items",
            &write(dir, "i.csv", "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Mug,3.50,home,0,\n"),
        ],
        &[],
    );
    ok(
        &db,
        &["channel", "add", "shopify", "main", "--endpoint", &sim.url, "--shop", "demo.myshopify.com"],
        &[("SHELFSYNC_SHOPIFY_TOKEN", TOKEN), ("SHELFSYNC_SHOPIFY_WEBHOOK_SECRET", SECRET)],
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
            "gid://shopify/InventoryItem/11",
            "--remote-location",
            "gid://shopify/Location/1",
        ],
        &[],
    );
    ok(&db, &["receive", "A-1", "10", "--location", "WH1"], &[]);
    ok(&db, &["sync", "run", "--once"], &[]);
    db
}

#[test]
fn capture_commands_work_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Server::start(None, &["sim", "--port", "0", "--seed", "5"]);
    let db = setup(dir.path(), &sim);

    // An order on the channel, found by polling.
    let (status, _) = sim.request(
        "POST",
        "/admin/shop/orders",
        &[("Content-Type", "application/json")],
        r#"{"item":"gid://shopify/InventoryItem/11","location":"gid://shopify/Location/1","qty":2}"#,
    );
    assert_eq!(status, 201);
    let polled = json(&db, &["orders", "poll", "--channel", "main"]);
    assert_eq!(polled[0]["recorded"], 1, "{polled}");
    let stock = json(&db, &["stock", "A-1"]);
    assert_eq!(stock[0]["committed"], 2);
    ok(&db, &["sync", "run", "--once"], &[]);

    // Drift injected on the channel: the dry run reports it in the contract's shape.
    let (status, _) = sim.request(
        "POST",
        "/admin/levels",
        &[("Content-Type", "application/json")],
        r#"[{"item":"gid://shopify/InventoryItem/11","location":"gid://shopify/Location/1","available":3}]"#,
    );
    assert_eq!(status, 200);
    let report = json(&db, &["reconcile", "--channel", "main", "--dry-run"]);
    assert_eq!(report["channel"], "main");
    assert_eq!(report["checked"], 1);
    let gap = &report["gaps"][0];
    for key in ["sku", "expected", "channel_qty", "class", "action"] {
        assert!(gap.get(key).is_some(), "gap has {key}: {report}");
    }
    assert_eq!((gap["expected"].as_i64(), gap["channel_qty"].as_i64()), (Some(8), Some(3)));
    let repaired = json(&db, &["reconcile", "--channel", "main"]);
    assert_eq!(repaired["gaps"][0]["action"], "repush", "{repaired}");
    ok(&db, &["sync", "run", "--once"], &[]);
    assert!(json(&db, &["reconcile", "--channel", "main"])["gaps"].as_array().unwrap().is_empty());

    let drift = json(
        &db,
        &["drift", "report", "--top", "5", "--csv", &dir.path().join("d.csv").display().to_string()],
    );
    assert_eq!(drift["rows"][0]["sku"], "A-1");
    assert_eq!(drift["rows"][0]["velocity_30d"], 2);
    assert!(std::fs::read_to_string(dir.path().join("d.csv")).unwrap().starts_with("sku,channel,"));

    // Each audit is kept with its rows (issue 20): the history newest first, a run with its
    // flagged rows (> 2 units) marked.
    assert_eq!(drift["flagged"], 0, "{drift}");
    let (status, _) = sim.request(
        "POST",
        "/admin/levels",
        &[("Content-Type", "application/json")],
        r#"[{"item":"gid://shopify/InventoryItem/11","location":"gid://shopify/Location/1","available":3}]"#,
    );
    assert_eq!(status, 200);
    assert_eq!(json(&db, &["drift", "report", "--all"])["flagged"], 1);
    let history = json(&db, &["drift", "history", "--limit", "5"]);
    let runs: Vec<(&str, i64, i64)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["scope"].as_str().unwrap(), r["checked"].as_i64().unwrap(), r["flagged"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(runs, [("manual", 1, 1), ("manual", 1, 0)], "{history}");
    assert_eq!(json(&db, &["drift", "history", "--limit", "1"]).as_array().unwrap().len(), 1);
    let newest = history[0]["id"].to_string();
    let shown = json(&db, &["drift", "show", &newest]);
    assert_eq!(shown["run"]["id"], history[0]["id"]);
    let row = &shown["report"]["rows"][0];
    assert_eq!(
        (
            row["sku"].as_str(),
            row["expected"].as_i64(),
            row["channel_qty"].as_i64(),
            row["flagged"].as_bool()
        ),
        (Some("A-1"), Some(8), Some(3), Some(true)),
        "{shown}"
    );

    assert!(json(&db, &["alerts", "list"]).is_array());
    assert_eq!(
        json(&db, &["alerts", "target-add", "http://127.0.0.1:9/hook", "--hours", "8-18"])["from_hour"],
        8
    );
    assert_eq!(json(&db, &["alerts", "targets"]).as_array().unwrap().len(), 1);
    let email =
        json(&db, &["alerts", "target-add", "oncall@shelfsync.test", "--hours", "0-8", "--days", "weekdays"]);
    assert_eq!((email["kind"].as_str(), email["days"].as_str()), (Some("email"), Some("weekdays")));
    let smtp = json(
        &db,
        &[
            "alerts",
            "smtp",
            "--host",
            "127.0.0.1",
            "--port",
            "2525",
            "--security",
            "none",
            "--from",
            "a@shelfsync.test",
        ],
    );
    assert_eq!(smtp["security"], "none");
    // Wednesday 09:00 UTC: the webhook (8-18) is on duty, the night e-mail (0-8) is not.
    let on_duty = json(&db, &["alerts", "contacts", "--at", "2026-11-25T09:00:00Z"]);
    let kinds: Vec<&str> =
        on_duty["contacts"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["webhook"]);
    let at_night = json(&db, &["alerts", "contacts", "--at", "2026-11-25T07:00:00Z"]);
    assert_eq!(at_night["contacts"][0]["target"], "oncall@shelfsync.test");
    assert!(json(&db, &["incidents", "list"]).as_array().unwrap().is_empty());
    let month = json(&db, &["incidents", "report", "--month", "2026-11"]);
    assert_eq!(
        (month["month"].as_str(), month["causes"].as_array().map(Vec::len)),
        (Some("2026-11"), Some(0))
    );
    let health = json(&db, &["health"]);
    assert_eq!(health["channels"][0]["channel"], "main");

    // The receiver: a forged body is refused and records nothing; a signed order is booked.
    let receiver = Server::start(Some(&db), &["webhook", "serve", "--port", "0"]);
    let (status, body) = receiver.request(
        "POST",
        "/webhooks/shopify/main",
        &[
            ("X-Shopify-Topic", "orders/create"),
            ("X-Shopify-Event-Id", "1"),
            ("X-Shopify-Hmac-Sha256", "AAAA"),
        ],
        r#"{"id":1}"#,
    );
    assert_eq!(status, 401, "{body}");
    assert_eq!(json(&db, &["events", "--sku", "A-1"]).as_array().unwrap().len(), 2);
    let (_, placed) = sim.request(
        "POST",
        "/admin/shop/orders",
        &[("Content-Type", "application/json")],
        r#"{"item":"gid://shopify/InventoryItem/11","location":"gid://shopify/Location/1","qty":1}"#,
    );
    let order = serde_json::from_str::<serde_json::Value>(&placed).unwrap()["order"].to_string();
    let signature = shelfsync_capture::webhook::sign(SECRET.as_bytes(), order.as_bytes());
    let (status, body) = receiver.request(
        "POST",
        "/webhooks/shopify/main",
        &[
            ("X-Shopify-Topic", "orders/create"),
            ("X-Shopify-Event-Id", "2"),
            ("X-Shopify-Hmac-Sha256", &signature),
        ],
        &order,
    );
    assert_eq!(status, 200, "{body}");
    let started = std::time::Instant::now();
    while json(&db, &["stock", "A-1"])[0]["committed"] != 3 {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "the delivery is booked within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The same signed body under fresh event ids (the id is outside the HMAC) is a duplicate:
    // stored and booked once.
    let events = ok(&db, &["events", "--json"], &[]);
    for fresh in ["3", "4"] {
        let (status, body) = receiver.request(
            "POST",
            "/webhooks/shopify/main",
            &[
                ("X-Shopify-Topic", "orders/create"),
                ("X-Shopify-Event-Id", fresh),
                ("X-Shopify-Hmac-Sha256", &signature),
            ],
            &order,
        );
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("duplicate"), "{body}");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(ok(&db, &["events", "--json"], &[]), events, "the replays booked nothing");
    assert_eq!(json(&db, &["stock", "A-1"])[0]["committed"], 3);
    drop(receiver);
}

#[test]
fn bad_input_is_refused_with_one_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Server::start(None, &["sim", "--port", "0", "--seed", "6"]);
    let db = setup(dir.path(), &sim);
    let snapshot = |db: &Path| {
        (
            ok(db, &["events", "--json"], &[]),
            ok(db, &["incidents", "list", "--all", "--json"], &[]),
            ok(db, &["stock", "--json"], &[]),
            ok(db, &["alerts", "targets", "--json"], &[]),
        )
    };
    let before = snapshot(&db);
    let missing = dir.path().join("missing.db");
    let cases: Vec<(&Path, Vec<&str>, &str)> = vec![
        (&db, vec!["orders", "poll", "--channel", "nope"], "unknown channel 'nope'"),
        (&db, vec!["reconcile", "--channel", "nope", "--json"], "unknown channel 'nope'"),
        (&db, vec!["drift", "report", "--top", "0"], "--top"),
        (&db, vec!["drift", "report", "--top", "many"], "invalid value"),
        (&db, vec!["drift", "history", "--limit", "0"], "--limit must be 1 to 1000"),
        (&db, vec!["drift", "show", "999"], "no drift audit 999"),
        (&db, vec!["alerts", "ack", "999"], "unknown alert '999'"),
        (&db, vec!["alerts", "ack", "abc"], "unknown alert 'abc'"),
        (&db, vec!["alerts", "threshold", "nope", "1"], "unknown alert rule 'nope'"),
        (&db, vec!["alerts", "threshold", "failures", "NaN"], "threshold"),
        (&db, vec!["alerts", "target-add", "ftp://x"], "invalid webhook URL"),
        (&db, vec!["alerts", "target-add", "http://127.0.0.1:9/h", "--hours", "18-8"], "invalid hours"),
        (&db, vec!["alerts", "target-add", "http://127.0.0.1:9/h", "--hours", "all"], "invalid --hours"),
        (&db, vec!["alerts", "target-add", "oncall", "--kind", "email"], "invalid e-mail address"),
        (&db, vec!["alerts", "target-add", "a@shelfsync.test", "--days", "holidays"], "invalid days"),
        (&db, vec!["alerts", "target-add", "+15550100", "--kind", "sms"], "invalid contact kind"),
        (
            &db,
            vec!["alerts", "smtp", "--host", "mail host", "--from", "a@shelfsync.test"],
            "invalid SMTP host",
        ),
        (&db, vec!["alerts", "smtp", "--host", "mail.test", "--from", "nobody"], "invalid e-mail address"),
        (
            &db,
            vec!["alerts", "smtp", "--host", "mail.test", "--from", "a@shelfsync.test", "--security", "ssl"],
            "none, starttls or tls",
        ),
        (&db, vec!["alerts", "contacts", "--at", "yesterday"], "invalid --at"),
        (&db, vec!["incidents", "show", "42"], "unknown incident '42'"),
        (&db, vec!["incidents", "resolve", "42", "--cause", "x"], "unknown incident '42'"),
        (&db, vec!["incidents", "resolve", "42"], "required arguments"),
        (&db, vec!["incidents", "report", "--month", "2026-13"], "invalid month"),
        (&db, vec!["webhook", "serve", "--bind", "nowhere"], "invalid --bind"),
        (&db, vec!["webhook", "serve", "--poll-minutes", "0"], "--poll-minutes"),
        (&missing, vec!["health"], "no database"),
        (&missing, vec!["reconcile"], "no database"),
        (&missing, vec!["orders", "poll"], "no database"),
    ];
    for (path, args, want) in cases {
        let out = shelfsync(path, &args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(want), "{args:?}: {stderr}");
    }
    assert!(!missing.exists(), "a reading command creates no database");
    assert_eq!(snapshot(&db), before, "nothing changed");
}
