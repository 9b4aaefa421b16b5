//! The scenario in a real window: staff count by keyboard wedge and by a serial
//! scanner on a pty, submit; a supervisor approves the variance with their PIN; staff cannot
//! reach approvals. A screenshot of each screen goes to target/e2e-screens/.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shelfsync_e2e::{App, Result, STEP_TIMEOUT, Sim};

/// Two linked ptys from socat: the app reads `app_end` as its serial scanner, the test writes
/// scanner bytes into `test_end`. Killed on drop.
struct PtyPair {
    child: Child,
    app_end: PathBuf,
    test_end: PathBuf,
    _dir: tempfile::TempDir,
}

impl PtyPair {
    fn open() -> Result<PtyPair> {
        let dir = tempfile::tempdir()?;
        let app_end = dir.path().join("scanner");
        let test_end = dir.path().join("scanner-test");
        let child = Command::new("socat")
            .arg(format!("pty,raw,echo=0,link={}", app_end.display()))
            .arg(format!("pty,raw,echo=0,link={}", test_end.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("socat is needed for the serial scanner test (scripts/setup.sh): {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(app_end.exists() && test_end.exists()) {
            if Instant::now() > deadline {
                return Err("socat did not create the pty links within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(PtyPair { child, app_end, test_end, _dir: dir })
    }

    /// What a serial scanner sends: the data and a CR LF terminator.
    fn scan(&self, data: &str) -> Result<()> {
        let mut port = std::fs::OpenOptions::new().write(true).open(&self.test_end)?;
        port.write_all(format!("{data}\r\n").as_bytes())?;
        port.flush()?;
        Ok(())
    }
}

impl Drop for PtyPair {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `shelfsync` CLI next to the app binary (scripts/e2e.sh builds it).
fn cli() -> PathBuf {
    shelfsync_e2e::app_binary().with_file_name("shelfsync")
}

/// As the demo's admin: on a database with users a change needs a verified user (issue 17).
fn shelfsync(db: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(cli())
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SHELFSYNC_USER", "admin")
        .env("SHELFSYNC_PIN", "3333")
        .env("SHELFSYNC_SECRETS", "file")
        .env("SHELFSYNC_SHOPIFY_TOKEN", "shpat_e2e")
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("shelfsync {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

const ITEM: &str = "gid://shopify/InventoryItem/1";

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[tokio::test(flavor = "current_thread")]
async fn staff_count_supervisor_approves_staff_cannot_approve() -> Result<()> {
    let started = Instant::now();
    let pty = PtyPair::open()?;
    let app = App::launch_with(&[("SHELFSYNC_SERIAL_SCANNER", path_str(&pty.app_end))]).await?;

    // 1. Sign-in: the demo users are listed; a form without a PIN sends nothing.
    app.wait_for("demo-users", shelfsync_e2e::STARTUP_TIMEOUT).await?;
    let demo = app.text_of("demo-users").await?;
    for user in ["staff", "super", "admin"] {
        assert!(demo.contains(user), "{user} in {demo}");
    }
    app.screenshot("10-sign-in").await?;
    app.wait_for("signin-name", STEP_TIMEOUT).await?.send_keys("staff").await?;
    app.click("signin-submit").await?;
    let error = app.text_of("signin-error").await?;
    assert!(error.contains("Check the form") && error.contains("Enter your PIN."), "{error}");
    app.wait_for("signin-pin", STEP_TIMEOUT).await?.send_keys("9999").await?;
    app.click("signin-submit").await?;
    app.wait_until("wrong PIN message", STEP_TIMEOUT, || async {
        Ok(app.text_of("signin-error").await?.contains("Wrong user or PIN").then_some(()))
    })
    .await?;
    app.screenshot("10-sign-in-wrong-pin").await?;
    app.sign_in("staff", "1111").await?;
    assert!(app.by_test_id("tab-approvals").await?.is_empty(), "staff get no approvals tab");

    // A Shopify channel on the simulator, fed by SS-00001 at WH1, configured with the CLI on
    // the app's own database (the app has it open: SQLite serialises the writers).
    let sim = Sim::start()?;
    let db = app.db_path.clone();
    shelfsync(
        &db,
        &["channel", "add", "shopify", "main", "--endpoint", &sim.url, "--shop", "demo.myshopify.com"],
    )?;
    shelfsync(
        &db,
        &[
            "channel",
            "map",
            "main",
            "SS-00001",
            "--location",
            "WH1",
            "--item",
            ITEM,
            "--remote-location",
            "gid://shopify/Location/1",
        ],
    )?;
    // Nobody runs `sync run`: the app's own service picks the new channel up and pushes.
    let first_push = app
        .wait_until("the app's engine to push the new listing", STEP_TIMEOUT * 2, || async {
            Ok(sim.available(ITEM)?)
        })
        .await?;
    let before = Some(first_push);

    // 2. Scan station, count mode: location by wedge, start a count, scan by wedge and serial.
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    // Staff see the scanner's kind, not its device path (issue 19: the path is in Details).
    app.wait_until("the serial listener listed", STEP_TIMEOUT, || async {
        Ok(app.text_of("scanners").await?.contains("serial scanner listening").then_some(()))
    })
    .await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location feedback", |t| t == "Location WH1").await?;
    app.click("count-start").await?;
    app.wait_feedback("count started", |t| t.starts_with("Count started at WH1")).await?;
    app.wedge("QTY:400").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 400").await?;
    app.wedge("SS-00001").await?;
    app.wait_feedback("wedge item", |t| t.starts_with("+400") && t.contains("SS-00001")).await?;
    assert_eq!(
        app.wait_for("feedback", STEP_TIMEOUT).await?.attr("data-tone").await?.as_deref(),
        Some("good")
    );

    // A code nobody has: red, and nothing added.
    app.wedge("NOPE-4711").await?;
    app.wait_feedback("unknown code", |t| t == "Unknown code NOPE-4711").await?;
    let detail = app.text_of("feedback").await?;
    assert!(detail.contains("No item has the SKU or barcode 'NOPE-4711'"), "{detail}");
    assert_eq!(
        app.wait_for("feedback", STEP_TIMEOUT).await?.attr("data-tone").await?.as_deref(),
        Some("bad")
    );
    app.screenshot("11-scan-error").await?;

    // The serial scanner on the pty: one more unit of SS-00001.
    pty.scan("SS-00001")?;
    app.wait_feedback("serial item", |t| t.starts_with("+1") && t.contains("SS-00001")).await?;
    // A scan to undo before committing.
    app.wedge("SS-00002").await?;
    app.wait_feedback("second item", |t| t.contains("SS-00002")).await?;
    app.click("undo").await?;
    app.wait_feedback("undo", |t| t == "Removed 1 × SS-00002").await?;
    assert_eq!(app.text_of("line-count").await?, "2", "two lines of SS-00001 remain");
    let log = app.text_of("scan-log").await?;
    assert!(log.contains("(serial)"), "the log names the serial scanner: {log}");
    assert!(!log.contains(&pty.app_end.display().to_string()), "and not its device path: {log}");
    app.screenshot("12-scan-station-count").await?;

    // 3. Submit: the lines are committed, then the count is closed.
    app.click("count-submit").await?;
    app.wait_feedback("submitted", |t| t == "Count submitted").await?;
    let detail = app.text_of("feedback").await?;
    assert!(detail.contains("1 variance waits for a supervisor"), "{detail}");
    app.screenshot("13-count-submitted").await?;

    app.click("tab-counts").await?;
    app.wait_until("the submitted session", STEP_TIMEOUT, || async {
        let rows = app.by_test_id("count-session-row").await?;
        Ok((rows.len() == 1).then_some(()))
    })
    .await?;
    app.wait_until("due plans", STEP_TIMEOUT, || async {
        Ok((!app.by_test_id("due-row").await?.is_empty()).then_some(()))
    })
    .await?;
    app.screenshot("14-counts").await?;

    // 4. A supervisor approves the variance; a reason and the PIN are required.
    app.sign_out().await?;
    app.sign_in("super", "2222").await?;
    app.click("tab-approvals").await?;
    let card = app.wait_for("approval", STEP_TIMEOUT).await?;
    assert_eq!(card.attr("data-sku").await?.as_deref(), Some("SS-00001"));
    assert_eq!(app.text_of("approval-counted").await?, "401");
    let expected: i64 = app.text_of("approval-expected").await?.replace(',', "").parse()?;
    let variance = app.text_of("approval-variance").await?;
    assert_eq!(variance.replace('\u{2212}', "-").replace(',', ""), format!("{:+}", 401 - expected));
    app.screenshot("15-approvals").await?;
    app.click("approve").await?;
    assert_eq!(app.text_of("decision-error").await?, "Give a reason for the decision.");
    app.wait_for("decision-reason", STEP_TIMEOUT).await?.send_keys("recounted the bay").await?;
    app.wait_for("decision-pin", STEP_TIMEOUT).await?.send_keys("2222").await?;
    app.click("approve").await?;
    let done = app.text_of("approvals-done").await?;
    assert!(done.contains("Approved: SS-00001 at WH1"), "{done}");
    app.wait_for("approvals-empty", STEP_TIMEOUT).await?;
    app.screenshot("16-approved").await?;

    // 5. The approved count is pushed: the dashboard shows the push, the simulator holds it.
    app.click("tab-sync").await?;
    let card = app.wait_for("channel-card", STEP_TIMEOUT).await?;
    assert_eq!(card.attr("data-channel").await?.as_deref(), Some("main"));
    // The app's engine pushes the posting by itself (no CLI engine runs in this test).
    app.wait_until("the dashboard to show the push", STEP_TIMEOUT, || async {
        let queue = app.text_of("channel-queue").await?;
        let light = app.text_of("channel-light").await?;
        Ok((queue == "0" && light.eq_ignore_ascii_case("In sync")).then_some(()))
    })
    .await?;
    let explained: serde_json::Value = serde_json::from_str(&shelfsync(
        &db,
        &["sync", "explain", "SS-00001", "--channel", "main", "--json"],
    )?)?;
    let want = explained[0]["now"]["qty"].as_i64().ok_or("explain gives the quantity")?;
    let after = sim.available(ITEM)?;
    assert_eq!(after, Some(want), "the simulator holds what the ledger allocates now");
    assert_ne!(after, before, "the count changed what the channel shows");
    // The hub panel: this database never joined a hub, so it says standalone and how to join.
    let hub_note = app
        .wait_until("the hub panel", STEP_TIMEOUT, || async {
            let panel = app.by_test_id("hub-panel").await?;
            let Some(panel) = panel.first() else { return Ok(None) };
            if panel.attr("data-mode").await?.as_deref() != Some("standalone") {
                return Ok(None);
            }
            Ok(Some(app.text_of("hub-note").await?))
        })
        .await?;
    assert_eq!(hub_note, "standalone — `shelfsync hub connect URL --workstation NAME` to join");
    assert_eq!(app.text_of("hub-state").await?.to_lowercase(), "standalone");
    // The card's latency sparkline holds the two pushes (the first sync and the approval).
    let points = app
        .wait_until("the latency sparkline", STEP_TIMEOUT, || async {
            let found = app.by_test_id("latency-sparkline").await?;
            let Some(spark) = found.first() else { return Ok(None) };
            let n: usize = spark.attr("data-points").await?.unwrap_or_default().parse().unwrap_or(0);
            Ok((n >= 2).then_some(n))
        })
        .await?;
    assert_eq!(points, 2, "one point per push");
    app.wait_until("uPlot to draw the sparkline", STEP_TIMEOUT, || async {
        let css = fantoccini::Locator::Css("[data-testid='latency-sparkline'] canvas");
        Ok((app.client.find_all(css).await?.len() == 1).then_some(()))
    })
    .await?;
    app.screenshot("19-sync").await?;

    // Drill-down: an empty box sends nothing; SS-00001 shows the derivation that gives the
    // quantity the simulator holds, and its pushes.
    app.click("why-open").await?;
    assert_eq!(app.text_of("why-form-error").await?, "Scan a barcode or type a SKU.");
    assert!(app.by_test_id("why-screen").await?.is_empty());
    app.wait_for("why-code", STEP_TIMEOUT).await?.send_keys("SS-00001").await?;
    app.click("why-open").await?;
    let listing = app.wait_for("why-listing", STEP_TIMEOUT).await?;
    assert_eq!(listing.attr("data-channel").await?.as_deref(), Some("main"));
    assert_eq!(listing.attr("data-location").await?.as_deref(), Some("WH1"));
    assert_eq!(app.text_of("why-step-qty").await?.replace(',', ""), want.to_string());
    let state = app.text_of("why-listing-state").await?.replace(',', "").to_lowercase();
    assert_eq!(state, format!("channel shows {want}"));
    let pushes = app.client.find_all(fantoccini::Locator::Css("[data-testid='why-pushes'] tbody tr")).await?;
    assert_eq!(pushes.len(), 2, "the first sync and the approved count");
    app.screenshot("22-sync-why").await?;
    app.click("tab-sync").await?;
    app.wait_for("sync-screen", STEP_TIMEOUT).await?;

    // The channel goes away: a receipt queues an update, the engine cannot connect (it marks
    // the channel offline and gives up after its probes), and the offline banner shows on every
    // screen with the number of updates waiting.
    drop(sim);
    assert!(app.by_test_id("offline-banner").await?.is_empty(), "no banner while the channel answered");
    shelfsync(&db, &["receive", "SS-00001", "5", "--location", "WH1", "--reason", "e2e offline"])?;
    app.click("tab-stock").await?;
    let banner = app
        .wait_until("the offline banner", STEP_TIMEOUT, || async {
            let found = app.by_test_id("offline-banner").await?;
            let Some(banner) = found.first() else { return Ok(None) };
            Ok(Some(banner.attr("data-reason").await?))
        })
        .await?;
    assert_eq!(banner.as_deref(), Some("unreachable"));
    assert_eq!(app.text_of("offline-title").await?, "Offline: main is unreachable");
    assert_eq!(app.text_of("offline-pending").await?, "1", "one listing waits: SS-00001 at WH1");
    app.screenshot("21-offline-banner").await?;

    // 6. Staff again: no approvals tab, and its key does nothing.
    app.sign_out().await?;
    app.sign_in("staff", "1111").await?;
    assert!(app.by_test_id("tab-approvals").await?.is_empty());
    app.blur().await?;
    app.type_keys("\u{E036}", Duration::ZERO, false).await?; // F6, the approvals key
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.by_test_id("approvals-screen").await?.is_empty(), "F6 opens nothing for staff");
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    app.screenshot("17-staff-no-approvals").await?;

    // The lock screen.
    app.click("lock").await?;
    app.wait_for("signin-locked", STEP_TIMEOUT).await?;
    app.screenshot("20-locked").await?;
    eprintln!("scenario took {:?}", started.elapsed());
    app.close().await
}

/// The session locks by itself after the configured idle time, and the same user's PIN
/// unlocks it with the uncommitted scan log intact.
#[tokio::test(flavor = "current_thread")]
async fn idle_session_locks_and_unlocks_with_the_pin() -> Result<()> {
    let app = App::launch_with(&[("SHELFSYNC_IDLE_LOCK_SECS", "10")]).await?;
    app.sign_in("staff", "1111").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH2").await?;
    app.wait_feedback("location", |t| t == "Location WH2").await?;
    app.wedge("SS-00005").await?;
    app.wait_feedback("item", |t| t.contains("SS-00005")).await?;
    let idle_started = Instant::now();
    let locked = app.wait_for("signin-locked", Duration::from_secs(25)).await?;
    assert_eq!(locked.text().await?, "Locked");
    let waited = idle_started.elapsed();
    assert!(waited >= Duration::from_secs(9), "locked after {waited:?}, before the idle time");
    let name = app.wait_for("signin-name", STEP_TIMEOUT).await?;
    assert_eq!(name.prop("value").await?.as_deref(), Some("staff"), "the locked user is kept");
    // Scans while locked do nothing.
    app.wedge("SS-00006").await?;
    app.wait_for("signin-pin", STEP_TIMEOUT).await?.send_keys("1111").await?;
    app.click("signin-submit").await?;
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    assert_eq!(app.text_of("line-count").await?, "1", "the uncommitted line survived the lock");
    app.close().await
}
