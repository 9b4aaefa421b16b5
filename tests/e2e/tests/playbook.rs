//! The guide's playbook run by a supervisor in a real window (issue 20): on the Alerts screen,
//! business hours in the warehouse's time zone (a night shift crossing midnight) and a peak
//! day, with a bad zone refused in one line and nothing saved; on the Incidents screen, an
//! oversell incident (a channel sells more than we hold, booked by an order poll from the
//! simulator) resolved with a root-cause category and free text, and the monthly review showing
//! it grouped by that category. Screenshots go to target/e2e-screens/.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::Locator;
use shelfsync_e2e::{App, Result, STEP_TIMEOUT, Sim};

const ITEM: &str = "gid://shopify/InventoryItem/1";
const REMOTE_LOCATION: &str = "gid://shopify/Location/1";

/// The `shelfsync` CLI next to the app binary, as the demo's admin, secrets in the 0600 file.
fn shelfsync(db: &Path, args: &[&str]) -> Result<String> {
    let cli = shelfsync_e2e::app_binary().with_file_name("shelfsync");
    let out = Command::new(cli)
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

/// One request to the simulator's admin API (POST with a JSON body); the whole answer.
fn sim_post(sim: &Sim, path: &str, body: &str) -> Result<String> {
    use std::io::{Read, Write};
    let addr = sim.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if !response.starts_with("HTTP/1.1 2") {
        return Err(format!("the simulator refused {path}: {response}").into());
    }
    Ok(response)
}

/// Types into a form field, replacing what it held.
async fn fill(app: &App, id: &str, text: &str) -> Result<()> {
    let input = app.wait_for(id, STEP_TIMEOUT).await?;
    // Scrolled into view (WebDriver will not type into a field outside the viewport: the hours
    // panel sits below the alerts list), and emptied as a person would (select, delete): WebDriver's clear() fires no input event, so
    // the screen would keep the old value.
    app.client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' }); arguments[0].value = ''; \
             arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::to_value(&input)?],
        )
        .await?;
    if !text.is_empty() {
        input.send_keys(text).await?;
    }
    Ok(())
}

/// Waits for the hours panel's message with `want_ok` and returns its text.
async fn hours_message(app: &App, want_ok: bool, containing: &str) -> Result<String> {
    app.wait_until(&format!("the hours message '{containing}'"), STEP_TIMEOUT, || async {
        let found = app.by_test_id("hours-message").await?;
        let Some(el) = found.first() else { return Ok(None) };
        let ok = el.attr("data-ok").await?.as_deref() == Some("true");
        let text = el.text().await?;
        Ok((ok == want_ok && text.contains(containing)).then_some(text))
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_supervisor_sets_hours_and_a_peak_day_and_resolves_an_incident_by_category() -> Result<()> {
    let app = App::launch_with(&[("SHELFSYNC_SECRETS", "file")]).await?;
    let db = app.db_path.clone();
    // The CLI below needs the demo's users: wait until the demo is loaded (its users listed).
    app.wait_for("demo-users", shelfsync_e2e::STARTUP_TIMEOUT).await?;

    // An oversell: a Shopify channel on the simulator sells far more SS-00001 at WH1 than we
    // hold (its level set high just before the order), and the order poll books it.
    let sim = Sim::start()?;
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
            REMOTE_LOCATION,
        ],
    )?;
    let level = format!(r#"[{{"item":"{ITEM}","location":"{REMOTE_LOCATION}","available":100000}}]"#);
    sim_post(&sim, "/admin/levels", &level)?;
    let order = format!(r#"{{"item":"{ITEM}","location":"{REMOTE_LOCATION}","qty":100000}}"#);
    sim_post(&sim, "/admin/shop/orders", &order)?;
    // The app's own service polls every minute too; the CLI's poll books it now (a refusal
    // while the service holds the channel is left to the service).
    let _ = shelfsync(&db, &["orders", "poll", "--channel", "main"]);

    app.sign_in("super", "2222").await?;

    // Alerts: business hours in New York, a night shift on Friday into Saturday.
    app.click("tab-alerts").await?;
    app.wait_for("hours-panel", STEP_TIMEOUT).await?;
    app.wait_for("hours-utc", STEP_TIMEOUT).await?;
    // A zone that does not exist: refused in one line, nothing saved.
    fill(&app, "hours-zone", "Mars/Olympus").await?;
    fill(&app, "hours-mon", "08:00-18:00").await?;
    app.click("hours-save").await?;
    let refused = hours_message(&app, false, "unknown time zone 'Mars/Olympus'").await?;
    assert!(!refused.contains('\n'), "{refused}");
    assert!(!app.by_test_id("hours-utc").await?.is_empty(), "still the UTC hours: nothing saved");
    app.screenshot("60-hours-bad-zone").await?;
    // A time that does not exist: refused too.
    fill(&app, "hours-zone", "America/New_York").await?;
    fill(&app, "hours-tue", "25:00-26:00").await?;
    app.click("hours-save").await?;
    hours_message(&app, false, "invalid time '25:00'").await?;
    for (day, hours) in [
        ("mon", "08:00-18:00"),
        ("tue", "08:00-18:00"),
        ("wed", "08:00-18:00"),
        ("thu", "08:00-18:00"),
        ("fri", "22:00-06:00"),
        ("sat", ""),
        ("sun", ""),
    ] {
        fill(&app, &format!("hours-{day}"), hours).await?;
    }
    app.click("hours-save").await?;
    hours_message(&app, true, "America/New_York").await?;
    assert!(app.by_test_id("hours-utc").await?.is_empty(), "a zone is set now");
    let friday = app
        .wait_for("hours-table", STEP_TIMEOUT)
        .await?
        .find(Locator::Css("[data-day='fri']"))
        .await?
        .text()
        .await?;
    assert!(friday.contains("to the next day"), "{friday}");
    for day in ["sat", "sun"] {
        let saved = app.wait_for(&format!("hours-{day}"), STEP_TIMEOUT).await?.prop("value").await?;
        assert_eq!(saved.as_deref(), Some(""), "{day} saved closed");
    }
    // A peak day with a note.
    fill(&app, "peak-date", "2026-11-27").await?;
    fill(&app, "peak-note", "Black Friday").await?;
    app.click("peak-add").await?;
    hours_message(&app, true, "Peak day 2026-11-27 added").await?;
    let peak = app.text_of("peak-day").await?;
    assert!(peak.contains("2026-11-27") && peak.contains("Black Friday"), "{peak}");
    app.screenshot("61-hours-and-peak-day").await?;

    // Incidents: the oversell shows (the service's poll books it within a minute or two).
    app.click("tab-incidents").await?;
    app.wait_for("incidents-screen", STEP_TIMEOUT).await?;
    let row = app
        .wait_until("the oversell incident", STEP_TIMEOUT * 10, || async {
            app.click("incidents-all").await?;
            app.click("incidents-open").await?;
            Ok(app.by_test_id("incident-row").await?.into_iter().next())
        })
        .await?;
    // A table row is not a control WebKitWebDriver will click (ElementNotInteractable): the
    // row's own click handler runs as a mouse click would.
    app.client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' }); arguments[0].click();",
            vec![serde_json::to_value(&row)?],
        )
        .await?;
    app.wait_for("incident-detail", STEP_TIMEOUT).await?;
    // Text alone is not enough: the category comes first.
    fill(&app, "incident-cause", "Shopify sold from a level the sync had not lowered yet").await?;
    app.click("incident-resolve").await?;
    assert_eq!(app.text_of("incident-message").await?, "Choose the root-cause category.");
    app.choose("incident-category-select", "peak_timing").await?;
    app.click("incident-resolve").await?;
    app.wait_until("the incident resolved", STEP_TIMEOUT, || async {
        Ok(app.text_of("incident-message").await?.ends_with("resolved.").then_some(()))
    })
    .await?;
    let resolved = app.text_of("incident-resolved").await?;
    assert!(resolved.contains("Timing gap at peak") && resolved.contains("had not lowered"), "{resolved}");

    // The monthly review groups it under its category.
    let review = app
        .wait_until("the review row", STEP_TIMEOUT, || async {
            for row in app.by_test_id("review-row").await? {
                if row.attr("data-category").await?.as_deref() == Some("peak_timing") {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        })
        .await?;
    assert_eq!(review.attr("data-incidents").await?.as_deref(), Some("1"));
    assert!(review.text().await?.contains("Timing gap at peak"));
    app.screenshot("62-incidents-review").await?;
    Ok(())
}
