//! Durable scanning (issue 19): lines scanned at the station survive the app being killed with
//! SIGKILL (what a crash or a power cut does to it), come back when the app starts again, and
//! are committed once.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// Events the scan station recorded for `sku` (reference "scan-station"), read with the CLI
/// (read-only: no user needed).
fn station_events(db: &Path, sku: &str) -> Result<usize> {
    let out = Command::new(shelfsync_e2e::app_binary().with_file_name("shelfsync"))
        .arg("--db")
        .arg(db)
        .args(["events", "--sku", sku, "--json"])
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("shelfsync events: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let events: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
    Ok(events.iter().filter(|e| e.to_string().contains("\"scan-station\"")).count())
}

#[tokio::test(flavor = "current_thread")]
async fn scanned_lines_survive_kill_9_and_are_committed_once() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("shelfsync.db");

    let app = App::launch_at(&db, &[]).await?;
    app.sign_in("staff", "1111").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("SS-00003").await?;
    app.wait_feedback("first line", |t| t.starts_with("+1") && t.contains("SS-00003")).await?;
    app.wedge("QTY:4").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 4").await?;
    app.wedge("SS-00004").await?;
    app.wait_feedback("second line", |t| t.starts_with("+4") && t.contains("SS-00004")).await?;
    assert_eq!(app.text_of("line-count").await?, "2");
    let before = (station_events(&db, "SS-00003")?, station_events(&db, "SS-00004")?);
    assert_eq!(before, (0, 0), "the demo has no station events of its own");

    // The feedback showed, so the lines are in the draft: kill the app with no chance to save.
    let pid = app.pid()?;
    let killed = Command::new("kill").args(["-KILL", &pid.to_string()]).status()?;
    assert!(killed.success(), "kill -KILL {pid}");
    for _ in 0..50 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the app (pid {pid}) is gone");
    drop(app); // ends the dead app's WebDriver session
    assert_eq!(
        (station_events(&db, "SS-00003")?, station_events(&db, "SS-00004")?),
        before,
        "nothing was committed"
    );

    let app = App::launch_at(&db, &[]).await?;
    app.sign_in("staff", "1111").await?;
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    let restored = app.wait_feedback("the draft restored", |t| t == "2 lines not yet committed").await?;
    assert_eq!(restored, "2 lines not yet committed");
    assert_eq!(app.text_of("line-count").await?, "2", "both lines are back");
    assert_eq!(app.text_of("station-location").await?, "WH1");
    app.screenshot("16-draft-restored").await?;

    app.click("commit").await?;
    app.wait_feedback("committed", |t| t == "Committed 2 lines").await?;
    assert_eq!(app.text_of("line-count").await?, "0");
    assert_eq!(
        (station_events(&db, "SS-00003")?, station_events(&db, "SS-00004")?),
        (1, 1),
        "each line recorded once"
    );

    // Signing out with a line not committed asks; "keep" keeps it for this user only.
    app.wedge("SS-00005").await?;
    app.wait_feedback("a line to keep", |t| t.contains("SS-00005")).await?;
    app.click("sign-out").await?;
    let question = app.text_of("signout-dialog").await?;
    assert!(question.contains("1 scanned line is not committed"), "{question}");
    app.screenshot("17-sign-out-with-lines").await?;
    app.click("signout-keep").await?;
    app.wait_for("signin-screen", STEP_TIMEOUT).await?;
    app.sign_in("super", "2222").await?;
    app.click("tab-scan").await?;
    assert_eq!(app.text_of("line-count").await?, "0", "another user does not see staff's draft");
    app.sign_out().await?;
    app.sign_in("staff", "1111").await?;
    app.click("tab-scan").await?;
    app.wait_until("staff's kept line", STEP_TIMEOUT, || async {
        Ok((app.text_of("line-count").await? == "1").then_some(()))
    })
    .await?;

    // "Discard" throws it away: signing in again starts clean.
    app.click("sign-out").await?;
    app.click("signout-discard").await?;
    app.wait_for("signin-screen", STEP_TIMEOUT).await?;
    app.sign_in("staff", "1111").await?;
    app.click("tab-scan").await?;
    tokio::time::sleep(Duration::from_millis(500)).await; // a restore would land by now
    assert_eq!(app.text_of("line-count").await?, "0", "the discarded line is gone");
    assert_eq!(station_events(&db, "SS-00005")?, 0, "and was never recorded");
    app.close().await
}
