//! The scenario in a real window: staff count by keyboard wedge and by a serial
//! scanner on a pty, submit; a supervisor approves the variance with their PIN; staff cannot
//! reach approvals. A screenshot of each screen goes to target/e2e-screens/.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

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

    // 2. Scan station, count mode: location by wedge, start a count, scan by wedge and serial.
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location feedback", |t| t == "Location WH1").await?;
    app.click("count-start").await?;
    app.wait_feedback("count started", |t| t.starts_with("Count started at WH1")).await?;
    app.wedge("QTY:400").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 400").await?;
    app.wedge("SS-00001").await?;
    app.wait_feedback("wedge item", |t| t.starts_with("+400") && t.contains("SS-00001")).await?;
    assert_eq!(app.wait_for("feedback", STEP_TIMEOUT).await?.attr("data-tone").await?.as_deref(), Some("good"));

    // A code nobody has: red, and nothing added.
    app.wedge("NOPE-4711").await?;
    app.wait_feedback("unknown code", |t| t == "Unknown code NOPE-4711").await?;
    let detail = app.text_of("feedback").await?;
    assert!(detail.contains("No item has the SKU or barcode 'NOPE-4711'"), "{detail}");
    assert_eq!(app.wait_for("feedback", STEP_TIMEOUT).await?.attr("data-tone").await?.as_deref(), Some("bad"));
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
    assert!(log.contains("serial:"), "the log names the serial scanner: {log}");
    app.screenshot("12-scan-station-count").await?;

    // 3. Submit: the lines are committed, then the count is closed.
    app.click("count-submit").await?;
    app.wait_feedback("submitted", |t| t == "Count submitted").await?;
    let detail = app.text_of("feedback").await?;
    assert!(detail.contains("1 variances wait for a supervisor"), "{detail}");
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

    // The sync dashboard: the demo connects no channel, and says how to.
    app.click("tab-sync").await?;
    app.wait_for("sync-empty", STEP_TIMEOUT).await?;
    app.screenshot("19-sync-empty").await?;

    // The lock screen.
    app.click("lock").await?;
    app.wait_for("signin-locked", STEP_TIMEOUT).await?;
    app.screenshot("18-locked").await?;
    eprintln!("scenario took {:?}", started.elapsed());
    app.close().await
}
