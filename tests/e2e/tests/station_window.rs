//! The station's window and floor text (issue 19):
//! - the window's size and position survive a kill -9 and a restart on the same database
//!   (`src-tauri/src/window_fit.rs` saves them once the window is still), and a window saved
//!   larger than the screen and off it comes back inside the screen;
//! - no developer figures for staff: no database path, no device path, no latency; a
//!   supervisor opens them under "Details".

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT};

/// The window's (x, y, width, height), as the WebDriver reports it.
async fn rect(app: &App) -> Result<(i64, i64, i64, i64)> {
    let (x, y, w, h) = app.client.get_window_rect().await?;
    Ok((x as i64, y as i64, w as i64, h as i64))
}

async fn wait_rect(
    app: &App,
    what: &str,
    want: impl Fn((i64, i64, i64, i64)) -> bool,
) -> Result<(i64, i64, i64, i64)> {
    app.wait_until(what, STEP_TIMEOUT, || {
        let want = &want;
        async move {
            let r = rect(app).await?;
            Ok(want(r).then_some(r))
        }
    })
    .await
}

/// SIGKILL, as a crash or a power cut: nothing runs on the way out.
async fn kill_9(app: App) -> Result<()> {
    let pid = app.pid()?;
    assert!(Command::new("kill").args(["-KILL", &pid.to_string()]).status()?.success(), "kill -KILL {pid}");
    for _ in 0..50 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!Path::new(&format!("/proc/{pid}")).exists(), "the app (pid {pid}) is gone");
    drop(app); // ends the dead app's WebDriver session
    Ok(())
}

/// Longer than the app's quiet time before it saves (500 ms), with room for a loaded machine.
const SETTLE: Duration = Duration::from_millis(2_000);

#[tokio::test(flavor = "current_thread")]
async fn the_window_comes_back_where_it_was_and_never_bigger_than_the_screen() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("shelfsync.db");

    let app = App::launch_at(&db, &[]).await?;
    app.wait_for("signin-name", STARTUP_TIMEOUT).await?;
    let first = rect(&app).await?;
    assert_eq!((first.2, first.3), (1280, 720), "a new station opens at tauri.conf.json's size: {first:?}");
    let screen = app.client.execute("return [screen.width, screen.height]", vec![]).await?;
    let screen = (screen[0].as_i64().unwrap_or(0), screen[1].as_i64().unwrap_or(0));
    assert!(screen.0 >= 1000 && screen.1 >= 620, "the display (scripts/e2e.sh: 1280x800): {screen:?}");

    // Moved and resized, then killed: it comes back there.
    app.client.set_window_rect(48, 36, 1000, 620).await?;
    wait_rect(&app, "the window moved and resized", |r| r == (48, 36, 1000, 620)).await?;
    tokio::time::sleep(SETTLE).await;
    kill_9(app).await?;
    let app = App::launch_at(&db, &[]).await?;
    app.wait_for("signin-name", STARTUP_TIMEOUT).await?;
    let back = wait_rect(&app, "the saved size and position", |r| r == (48, 36, 1000, 620)).await;
    assert!(
        back.is_ok(),
        "after a restart the window is at {:?}, not (48, 36, 1000, 620)",
        rect(&app).await?
    );

    // Larger than the screen and past its corner (a station moved to a smaller monitor): it
    // comes back inside the screen, as big as the screen allows.
    let (w, h) = (screen.0 as u32 + 300, screen.1 as u32 + 200);
    app.client.set_window_rect(screen.0 as u32 + 100, screen.1 as u32 + 100, w, h).await?;
    wait_rect(&app, "the window off the screen", |r| (r.2, r.3) == (i64::from(w), i64::from(h))).await?;
    tokio::time::sleep(SETTLE).await;
    kill_9(app).await?;
    let app = App::launch_at(&db, &[]).await?;
    app.wait_for("signin-name", STARTUP_TIMEOUT).await?;
    let inside =
        |r: (i64, i64, i64, i64)| r.0 >= 0 && r.1 >= 0 && r.0 + r.2 <= screen.0 && r.1 + r.3 <= screen.1;
    let fitted = wait_rect(&app, "the window inside the screen", |r| inside(r) && r.2 == screen.0).await;
    assert!(fitted.is_ok(), "after a restart the window is at {:?}, screen {screen:?}", rect(&app).await?);
    app.screenshot("70-window-fitted-to-the-screen").await?;
    app.close().await
}

#[tokio::test(flavor = "current_thread")]
async fn staff_see_no_developer_figures_and_a_supervisor_opens_them_under_details() -> Result<()> {
    let app = App::launch().await?;
    app.sign_in("staff", "1111").await?;
    app.click("tab-scan").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("SS-00007").await?;
    app.wait_feedback("a line", |t| t.contains("SS-00007")).await?;
    app.wedge("LOC:WH2").await?;
    let refused = app.wait_feedback("another location", |t| t == "Commit or undo first").await?;
    assert_eq!(refused, "Commit or undo first");
    let page = app.visible_text(20_000).await?;
    assert!(page.contains("1 line is still for WH1."), "one line, singular: {page}");
    assert!(!page.contains("1 lines"), "{page}");
    let db = app.db_path.display().to_string();
    assert!(!page.contains(&db), "staff see the database path: {page}");
    assert!(!page.contains("p99") && !page.contains(" ms"), "staff see a latency: {page}");
    for id in ["status-db-path", "status-details-toggle", "station-details-toggle", "station-details"] {
        assert!(app.by_test_id(id).await?.is_empty(), "staff have {id}");
    }
    app.screenshot("71-staff-floor-text").await?;
    app.click("undo").await?;
    app.sign_out().await?;

    app.sign_in("super", "2222").await?;
    app.click("tab-scan").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("SS-00007").await?;
    app.wait_feedback("a line", |t| t.contains("SS-00007")).await?;
    assert!(app.by_test_id("station-details").await?.is_empty(), "Details start closed");
    app.click("station-details-toggle").await?;
    let details = app.text_of("station-details").await?;
    // Every scan since the app started counts, whoever made it.
    assert!(
        details.contains("p50 ") && details.contains(" ms over ") && details.contains(" scans"),
        "{details}"
    );
    app.click("status-details-toggle").await?;
    assert_eq!(app.text_of("status-db-path").await?, db);
    app.screenshot("72-supervisor-details").await?;
    app.click("undo").await?;
    app.close().await
}
