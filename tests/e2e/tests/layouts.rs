//! The floor's screens (issue 19): a 1366x768 monitor (the window a little smaller, for the
//! taskbar) and a 10" tablet at 150% scaling (about 853x533). At both the scan station is usable
//! without scrolling, the navigation is one row with its F-keys shown, and Commit is on screen.

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// (name, width, height) of the window.
const SIZES: [(&str, u32, u32); 3] =
    [("1366x768", 1366, 728), ("1280x800", 1280, 800), ("tablet-853x533", 853, 533)];

/// What the page measures of itself: scrolling, the tabs' rows, Commit's place.
const MEASURE: &str = r#"
const doc = document.documentElement;
const main = document.querySelector("main");
const tabs = [...document.querySelectorAll("[data-testid^='tab-']")];
const rows = new Set(tabs.map((t) => Math.round(t.getBoundingClientRect().top)));
const keys = tabs.filter((t) => { const k = t.querySelector("kbd"); return k && k.offsetWidth > 0; }).length;
const commit = document.querySelector("[data-testid='commit']").getBoundingClientRect();
const feedback = document.querySelector("[data-testid='feedback']").getBoundingClientRect();
return {
  width: window.innerWidth, height: window.innerHeight,
  scrollsDown: doc.scrollHeight > window.innerHeight + 1 || main.scrollHeight > main.clientHeight + 1,
  scrollsAcross: doc.scrollWidth > window.innerWidth + 1 || main.scrollWidth > main.clientWidth + 1,
  tabRows: rows.size, tabs: tabs.length, keysShown: keys,
  navScrolls: document.querySelector("header nav").scrollWidth > document.querySelector("header nav").clientWidth + 1,
  commitVisible: commit.bottom <= window.innerHeight && commit.right <= window.innerWidth && commit.width > 0,
  feedbackVisible: feedback.bottom <= window.innerHeight && feedback.height > 0,
};
"#;

#[tokio::test(flavor = "current_thread")]
async fn the_scan_station_fits_a_1366x768_monitor_and_a_10_inch_tablet() -> Result<()> {
    let app = App::launch().await?;
    // An admin: the longest navigation (every screen).
    app.sign_in("admin", "3333").await?;
    app.click("tab-scan").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("SS-00012").await?;
    app.wait_feedback("a line", |t| t.contains("SS-00012")).await?;
    for (name, width, height) in SIZES {
        app.client.set_window_size(width, height).await?;
        app.wait_until(&format!("the window at {name}"), STEP_TIMEOUT, || async {
            let m = app.client.execute(MEASURE, vec![]).await?;
            let inner = (m["width"].as_u64().unwrap_or(0), m["height"].as_u64().unwrap_or(0));
            // Resizing is asynchronous: measure once the viewport has the new size.
            Ok((inner.0 <= u64::from(width) && inner.0 + 40 >= u64::from(width)).then_some(()))
        })
        .await?;
        // Under Xvfb with no window manager the new size's first frames come late; a shot
        // taken at once shows the old frame cut to the new size.
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let measured = app.client.execute(MEASURE, vec![]).await?;
        app.screenshot(&format!("60-scan-{name}")).await?;
        let m = &measured;
        assert_eq!(m["scrollsDown"], false, "{name}: the station scrolls down: {m}");
        assert_eq!(m["scrollsAcross"], false, "{name}: the page scrolls across: {m}");
        assert_eq!(m["tabRows"], 1, "{name}: the navigation wraps: {m}");
        assert_eq!(m["keysShown"], m["tabs"], "{name}: every tab shows its F-key: {m}");
        // On a monitor every tab is in view; a tablet's row may scroll sideways (by design).
        if width >= 1280 {
            assert_eq!(m["navScrolls"], false, "{name}: a tab is off the navigation's row: {m}");
        }
        assert_eq!(m["commitVisible"], true, "{name}: Commit is off screen: {m}");
        assert_eq!(m["feedbackVisible"], true, "{name}: the feedback is off screen: {m}");
    }
    app.close().await
}
