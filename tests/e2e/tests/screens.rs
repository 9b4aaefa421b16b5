//! The monitoring and settings screens in a real window: an admin configures a channel and a
//! threshold in Settings (bad input refused with a clear message and nothing saved), the alert
//! the engine raises shows on the Alerts screen and acknowledging it marks it seen, each list
//! exports to CSV, and staff see none of the admin controls. A screenshot of every screen goes
//! to target/e2e-screens/.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// The `shelfsync` CLI next to the app binary (scripts/e2e.sh builds it), as the demo's admin:
/// on a database with users a change needs a verified user (issue 17).
fn shelfsync(db: &Path, args: &[&str]) -> Result<String> {
    let cli: PathBuf = shelfsync_e2e::app_binary().with_file_name("shelfsync");
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SHELFSYNC_USER", "admin")
        .env("SHELFSYNC_PIN", "3333")
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("shelfsync {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Types into a form field, replacing what it held.
async fn fill(app: &App, id: &str, text: &str) -> Result<()> {
    let input = app.wait_for(id, STEP_TIMEOUT).await?;
    input.clear().await?;
    if !text.is_empty() {
        input.send_keys(text).await?;
    }
    Ok(())
}

/// Waits for the settings message and returns (ok, text).
async fn settings_message(app: &App, want_ok: bool) -> Result<String> {
    app.wait_until("the settings message", STEP_TIMEOUT, || async {
        let found = app.by_test_id("settings-message").await?;
        let Some(el) = found.first() else { return Ok(None) };
        let ok = el.attr("data-ok").await?.as_deref() == Some("true");
        Ok((ok == want_ok).then_some(el.text().await?))
    })
    .await
}

/// The alert row of one rule, once it shows with the wanted state.
async fn alert_row(app: &App, rule: &str, state: &str) -> Result<fantoccini::elements::Element> {
    app.wait_until(&format!("the {rule} alert, {state}"), STEP_TIMEOUT, || async {
        for row in app.by_test_id("alert-row").await? {
            if row.attr("data-rule").await?.as_deref() == Some(rule)
                && row.attr("data-state").await?.as_deref() == Some(state)
            {
                return Ok(Some(row));
            }
        }
        Ok(None)
    })
    .await
}

const TOKEN: &str = "shpat_e2e_never_shown";

#[tokio::test(flavor = "current_thread")]
async fn admin_settings_alert_ack_exports_and_staff_limits() -> Result<()> {
    let app = App::launch_with(&[("SHELFSYNC_SECRETS", "file")]).await?;
    app.sign_in("admin", "3333").await?;

    // Settings: thresholds. A word where a number goes is refused and nothing is saved.
    app.click("tab-settings").await?;
    app.wait_for("settings-screen", STEP_TIMEOUT).await?;
    fill(&app, "threshold-queue_depth", "lots").await?;
    app.click("threshold-save-queue_depth").await?;
    let refused = settings_message(&app, false).await?;
    assert!(refused.contains("A threshold is a number of 0 or more"), "{refused}");
    // Business hours are no longer here: they are set per weekday in a zone on the Alerts
    // screen (tests/playbook.rs).
    assert!(app.by_test_id("threshold-business_end_hour").await?.is_empty(), "no UTC-hour field");
    app.screenshot("30-settings-bad-threshold").await?;
    // Reloading the section shows the stored values: unchanged.
    app.click("settings-tolerances").await?;
    app.click("settings-alerts").await?;
    app.wait_until("the stored threshold, unchanged", STEP_TIMEOUT, || async {
        let input = app.wait_for("threshold-queue_depth", STEP_TIMEOUT).await?;
        Ok((input.prop("value").await?.as_deref() == Some("100")).then_some(()))
    })
    .await?;
    // Any queued update raises the queue-depth alert from now on.
    fill(&app, "threshold-queue_depth", "0").await?;
    app.click("threshold-save-queue_depth").await?;
    let saved = settings_message(&app, true).await?;
    assert!(saved.contains("Queue depth set to 0"), "{saved}");
    app.screenshot("31-settings-thresholds").await?;

    // Settings: a channel. An empty form sends nothing; a good one stores the token in the
    // secret store, and the screen says "stored" without ever showing it.
    app.click("settings-channels").await?;
    app.wait_for("channels-empty", STEP_TIMEOUT).await?;
    app.click("channel-add").await?;
    let refused = settings_message(&app, false).await?;
    assert!(refused.contains("A channel name has 1 to 64"), "{refused}");
    assert!(!app.by_test_id("channels-empty").await?.is_empty(), "no channel was added");
    fill(&app, "channel-name", "shop").await?;
    fill(&app, "channel-endpoint", "http://127.0.0.1:9").await?;
    fill(&app, "channel-shop", "demo.myshopify.com").await?;
    app.click("channel-add").await?;
    let refused = settings_message(&app, false).await?;
    assert!(refused.ends_with("Enter the access token."), "{refused}");
    fill(&app, "channel-secret-access_token", TOKEN).await?;
    app.click("channel-add").await?;
    let added = settings_message(&app, true).await?;
    assert!(added.contains("Channel shop added"), "{added}");
    let status = app.text_of("secret-status").await?;
    assert_eq!(status, "access_token: stored");
    assert!(!app.client.source().await?.contains(TOKEN), "the token is not in the page");
    let secrets = std::fs::read_to_string(format!("{}.secrets", app.db_path.display()))?;
    assert!(secrets.contains(TOKEN), "the token went to the secret file");
    app.screenshot("32-settings-channels").await?;

    // Users: a two-digit PIN is refused before anything is sent.
    app.click("settings-users").await?;
    fill(&app, "user-name", "ann").await?;
    fill(&app, "user-pin", "12").await?;
    app.click("user-add").await?;
    let refused = settings_message(&app, false).await?;
    assert!(refused.ends_with("A PIN has 4 to 64 characters."), "{refused}");
    assert_eq!(app.by_test_id("user-row").await?.len(), 3, "still the three demo users");
    fill(&app, "user-pin", "4242").await?;
    app.click("user-add").await?;
    settings_message(&app, true).await?;
    assert_eq!(app.by_test_id("user-row").await?.len(), 4);
    // The admin deactivates the new user, then lets them sign in again (issue 17).
    let row = |name: &'static str| {
        let app = &app;
        async move {
            let rows = app.by_test_id("user-row").await?;
            for row in rows {
                if row.attr("data-user").await?.as_deref() == Some(name) {
                    return Ok::<_, Box<dyn std::error::Error + Send + Sync>>(row);
                }
            }
            Err(format!("no row for {name}").into())
        }
    };
    row("ann")
        .await?
        .find(fantoccini::Locator::Css("[data-testid='user-deactivate']"))
        .await?
        .click()
        .await?;
    assert!(settings_message(&app, true).await?.contains("ann: deactivated"));
    assert!(row("ann").await?.text().await?.contains("no"));
    row("ann").await?.find(fantoccini::Locator::Css("[data-testid='user-activate']")).await?.click().await?;
    assert!(settings_message(&app, true).await?.contains("ann: active again"));
    app.screenshot("33-settings-users").await?;
    app.click("settings-scanners").await?;
    app.wait_for("scan-test", STEP_TIMEOUT).await?;
    app.wedge("SS-00007").await?;
    app.wait_until("the test scan", STEP_TIMEOUT, || async {
        let rows = app.by_test_id("scan-test-row").await?;
        Ok(match rows.first() {
            Some(row) => row.text().await?.contains("SS-00007").then_some(()),
            None => None,
        })
    })
    .await?;
    app.screenshot("34-settings-scanners").await?;

    // The engine raises the alert: one listing queued for the channel, threshold 0.
    shelfsync(
        &app.db_path,
        &[
            "channel",
            "map",
            "shop",
            "SS-00001",
            "--location",
            "WH1",
            "--item",
            "gid://shopify/InventoryItem/1",
            "--remote-location",
            "gid://shopify/Location/1",
        ],
    )?;
    app.click("tab-alerts").await?;
    app.wait_for("alerts-screen", STEP_TIMEOUT).await?;
    app.click("alerts-check").await?;
    let row = alert_row(&app, "queue_depth", "Open").await?;
    assert!(row.text().await?.contains("shop"), "the alert names the channel");
    app.screenshot("35-alerts-open").await?;
    row.find(fantoccini::Locator::Css("[data-testid='alert-ack']")).await?.click().await?;
    let row = alert_row(&app, "queue_depth", "Seen by admin").await?;
    let buttons = row.find_all(fantoccini::Locator::Css("[data-testid='alert-ack']")).await?;
    assert!(buttons.is_empty(), "an acknowledged alert has nothing left to acknowledge");
    app.click("export-alerts").await?;
    let exported = app.text_of("export-result").await?;
    let path = exported.split(" written to ").nth(1).ok_or_else(|| format!("no path in {exported:?}"))?;
    let csv = std::fs::read_to_string(path)?;
    assert!(csv.starts_with("id,rule,subject,message,"), "{csv}");
    assert!(csv.contains(",queue_depth,shop,") && csv.contains(",admin,"), "{csv}");
    assert!(Path::new(path).starts_with(app.db_path.parent().unwrap().join("exports")));
    app.screenshot("36-alerts-acked").await?;

    // Incidents and reports: every screen opens and exports.
    app.click("tab-incidents").await?;
    app.wait_for("incidents-empty", STEP_TIMEOUT).await?;
    app.click("export-incidents").await?;
    assert!(app.text_of("export-result").await?.starts_with("0 rows written to "));
    app.screenshot("37-incidents").await?;
    app.click("tab-reports").await?;
    app.wait_for("dead-empty", STEP_TIMEOUT).await?;
    app.screenshot("38-reports-dead-letters").await?;
    app.click("reports-reconcile").await?;
    app.wait_for("reconcile-empty", STEP_TIMEOUT).await?;
    app.screenshot("39-reports-reconciliation").await?;
    app.click("reports-drift").await?;
    app.wait_for("drift-empty", STEP_TIMEOUT).await?;
    app.click("export-drift").await?;
    let refused = app.text_of("export-result").await?;
    assert_eq!(refused, "Run a drift audit first, then export it.");
    fill(&app, "drift-top", "0").await?;
    app.click("drift-run").await?;
    assert_eq!(app.text_of("reports-note").await?, "The number of SKUs must be 1 to 10,000.");
    app.screenshot("40-reports-drift").await?;

    // Staff: no settings tab, no acknowledge button, the settings key opens nothing.
    app.sign_out().await?;
    app.sign_in("staff", "1111").await?;
    assert!(app.by_test_id("tab-settings").await?.is_empty(), "staff get no settings tab");
    app.click("tab-alerts").await?;
    alert_row(&app, "queue_depth", "Seen by admin").await?;
    assert!(app.by_test_id("alert-ack").await?.is_empty(), "staff cannot acknowledge any alert");
    app.blur().await?;
    app.type_keys("\u{E03C}", std::time::Duration::ZERO, false).await?; // F12, the settings key
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.by_test_id("settings-screen").await?.is_empty(), "F12 opens nothing for staff");
    app.close().await
}
