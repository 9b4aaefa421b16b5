//! `shelfsync serve`: the real binary as a back-office PC runs it, against the real simulator
//! (another `shelfsync` process on port 0). With nothing else running, a CLI adjustment reaches
//! the channel within seconds; SIGTERM stops it cleanly and hands the lease over; bad flags are
//! refused with one line before anything starts.

mod support;

use support::{json, ok, shelfsync, write};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "shpat_serve_cli";
const ITEM: &str = "gid://shopify/InventoryItem/11";
/// Bound on how long a change may take to reach the channel here (the engine pushes within a
/// second on loopback; the bound only keeps a broken service from hanging the test).
const REACH_WITHIN: Duration = Duration::from_secs(20);

/// A child `shelfsync` process; its first stdout line is kept. Killed on drop if still running.
struct Process {
    child: Child,
    first_line: String,
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Process {
    fn start(db: Option<&Path>, args: &[&str]) -> Process {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfsync"));
        if let Some(db) = db {
            command.arg("--db").arg(db);
            // The service's log file goes beside the test's database, not into the home folder.
            command.env("SHELFSYNC_LOG_DIR", db.parent().unwrap().join("logs"));
        }
        let mut child = command
            .args(args)
            .env("SHELFSYNC_SECRETS", "file")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first_line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first_line).unwrap();
        Process { child, first_line, _stdout: stdout }
    }

    fn url(&self) -> String {
        let start = self
            .first_line
            .find("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("a URL in {:?}", self.first_line));
        let url: String = self.first_line[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        url.split("/admin").next().unwrap().split("/webhooks").next().unwrap().to_string()
    }

    /// SIGTERM, then waits (bounded) for the exit status.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop within 30 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The simulator's level of the one listed item.
fn channel_level(sim_url: &str) -> Option<i64> {
    let addr = sim_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET /admin/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    state["levels"].as_array()?.iter().find(|l| l["item"] == ITEM).and_then(|l| l["available"].as_i64())
}

fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + REACH_WITHIN;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// A database configured as a user would: a location, an item with 10 units, one Shopify
/// channel and its listing. No sync has run.
fn configured(dir: &Path, sim_url: &str) -> PathBuf {
    let db = dir.join("live.db");
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
        &["channel", "add", "shopify", "main", "--endpoint", sim_url, "--shop", "demo.myshopify.com"],
        &[("SHELFSYNC_SHOPIFY_TOKEN", TOKEN)],
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
            ITEM,
            "--remote-location",
            "gid://shopify/Location/1",
        ],
        &[],
    );
    ok(&db, &["receive", "A-1", "10", "--location", "WH1"], &[]);
    db
}

#[test]
fn serve_alone_pushes_a_cli_adjustment_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Process::start(None, &["sim", "--port", "0", "--seed", "3"]);
    let sim_url = sim.url();
    let db = configured(dir.path(), &sim_url);

    let mut serve = Process::start(Some(&db), &["--workstation", "backoffice", "serve", "--json"]);
    let started: serde_json::Value = serde_json::from_str(serve.first_line.trim()).unwrap();
    let holder = started["holder"].as_str().unwrap().to_string();
    assert!(holder.starts_with("service:backoffice (pid "), "{started}");
    assert!(
        started.get("url").is_some_and(serde_json::Value::is_null),
        "no receiver unless asked for: {started}"
    );

    assert!(eventually(|| channel_level(&sim_url) == Some(10)), "the receipt: {:?}", channel_level(&sim_url));
    // An adjustment made at a terminal while serve runs: nobody runs `sync run`.
    ok(&db, &["adjust", "A-1", "-3", "--location", "WH1", "--reason", "cycle count"], &[]);
    assert!(
        eventually(|| channel_level(&sim_url) == Some(7)),
        "the adjustment: {:?}",
        channel_level(&sim_url)
    );
    // The service holds the lease and ran its jobs: `health` says who and when.
    let health = json(&db, &["health"]);
    assert_eq!(health["lease_holder"], holder.as_str(), "{health}");
    assert!(
        eventually(|| json(&db, &["health"])["service_jobs"]
            .as_array()
            .is_some_and(|jobs| jobs.iter().any(|j| j["job"] == "orders_poll" && j["last_ok"] == true))),
        "no order poll recorded: {}",
        json(&db, &["health"])
    );

    let exit = serve.terminate();
    assert!(exit.success(), "serve exited with {exit:?} on SIGTERM");
    // Its log file says what it did, and holds no channel secret.
    let logs: Vec<_> =
        std::fs::read_dir(dir.path().join("logs")).unwrap().map(|e| e.unwrap().path()).collect();
    let log =
        logs.iter().find(|p| p.to_string_lossy().contains("shelfsync-serve")).expect("a serve log file");
    let text = std::fs::read_to_string(log).unwrap();
    assert!(text.contains("took the sync lease"), "{text}");
    assert!(!text.contains(TOKEN), "the channel token is in the log");
    // The lease was handed over: a one-shot engine starts at once instead of waiting 30 s.
    let started = Instant::now();
    ok(&db, &["sync", "run", "--once"], &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sync run waited {:?} for a lease",
        started.elapsed()
    );
}

#[test]
fn serve_with_a_port_receives_webhooks_and_prints_the_receiver_url() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    ok(&db, &["init"], &[]);
    let mut serve = Process::start(Some(&db), &["serve", "--port", "0"]);
    assert!(serve.first_line.contains("Shopify webhooks at http://127.0.0.1:"), "{:?}", serve.first_line);
    // The receiver answers on that port (a delivery without a signature is refused, not lost).
    let url = serve.url();
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "POST /webhooks/shopify/nope HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    let mut second = String::new();
    serve._stdout.read_line(&mut second).unwrap();
    assert!(second.starts_with("shelfsync: serving "), "{second:?}");
    assert!(serve.terminate().success());
}

#[test]
fn serve_refuses_bad_flags_with_one_line_and_starts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bad.db");
    ok(&db, &["init"], &[]);
    let cases: [(&[&str], &str); 5] = [
        (&["serve", "--port", "0", "--bind", "localhost"], "invalid --bind address 'localhost'"),
        (&["serve", "--bind", "999.0.0.1"], "invalid --bind address"),
        (&["serve", "--poll-minutes", "0"], "--poll-minutes must be 1 to"),
        (&["serve", "--reconcile-hours", "100000"], "--reconcile-hours 1 to"),
        (&["serve", "--poll-minutes", "20000"], "--poll-minutes must be 1 to"),
    ];
    for (args, expected) in cases {
        let out = shelfsync(&db, args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A database that does not exist is not created by serve.
    let missing = dir.path().join("missing.db");
    let out = shelfsync(&missing, &["serve"], &[]);
    assert!(!out.status.success());
    assert!(!missing.exists(), "serve created a database");
}
