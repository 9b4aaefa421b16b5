//! Reports with charts in a real window (issue 20): a count (one SKU found short, approved by a
//! supervisor with a reason, one exact) booked through the CLI; the supervisor opens Reports,
//! reads the accuracy chart and its table view, exports it as CSV, and saves the month's count
//! pack as PDF. The variance and shrink charts show the same count. Screenshots go to
//! target/e2e-screens/.

use std::path::Path;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

fn json(db: &Path, user: &str, pin: &str, args: &[&str]) -> Result<serde_json::Value> {
    Ok(serde_json::from_str(&shelfsync_e2e::cli_as(db, user, pin, &[args, &["--json"]].concat())?)?)
}

/// WH1's on-hand quantity of `sku`.
fn on_hand(db: &Path, sku: &str) -> Result<i64> {
    let rows = json(db, "admin", "3333", &["stock", sku])?;
    rows.as_array()
        .and_then(|rows| rows.iter().find(|r| r["location"] == "WH1"))
        .and_then(|r| r["on_hand"].as_i64())
        .ok_or_else(|| format!("no WH1 stock of {sku}: {rows}").into())
}

/// Waits until `id`'s `data-ok` says `want_ok`, and returns its text.
async fn result_of(app: &App, id: &str, want_ok: bool) -> Result<String> {
    app.wait_until(&format!("{id} (ok: {want_ok})"), STEP_TIMEOUT, || async {
        let found = app.by_test_id(id).await?;
        let Some(el) = found.first() else { return Ok(None) };
        let ok = el.attr("data-ok").await?.as_deref() == Some("true");
        Ok((ok == want_ok).then_some(el.text().await?))
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_supervisor_reads_the_accuracy_chart_exports_it_and_saves_the_count_pack() -> Result<()> {
    let app = App::launch().await?;
    let db = app.db_path.clone();
    // The CLI needs the demo's users: wait for the demo to be loaded (its users are listed).
    app.wait_for("demo-users", shelfsync_e2e::STARTUP_TIMEOUT).await?;

    // The count, by staff: SS-00030 exact, SS-00031 none found; the supervisor approves.
    let exact = on_hand(&db, "SS-00030")?.to_string();
    // Blind: staff may not see the expected quantities.
    let start = ["count", "start", "--location", "WH1", "--sku", "SS-00030", "--sku", "SS-00031", "--blind"];
    let session = json(&db, "staff", "1111", &start)?["id"].as_str().ok_or("no session id")?.to_string();
    shelfsync_e2e::cli_as(&db, "staff", "1111", &["count", "scan", &session, "SS-00030", &exact])?;
    shelfsync_e2e::cli_as(&db, "staff", "1111", &["count", "scan", &session, "SS-00031", "0"])?;
    shelfsync_e2e::cli_as(&db, "staff", "1111", &["count", "submit", &session])?;
    let waiting = json(&db, "super", "2222", &["approvals", "list"])?;
    for approval in waiting.as_array().ok_or("no approvals list")? {
        let id = approval["id"].as_str().ok_or("no approval id")?;
        shelfsync_e2e::cli_as(
            &db,
            "super",
            "2222",
            &["approvals", "approve", id, "--reason", "shelf found empty"],
        )?;
    }

    app.sign_in("super", "2222").await?;
    app.click("tab-reports").await?;
    app.wait_for("dead-empty", STEP_TIMEOUT).await?;

    // Accuracy: one month, one point, 1 of 2 lines within tolerance.
    app.click("reports-accuracy").await?;
    let chart = app.wait_for("accuracy-chart", STEP_TIMEOUT).await?;
    app.wait_until("the accuracy chart's point", STEP_TIMEOUT, || async {
        Ok((chart.attr("data-points").await?.as_deref() == Some("1")).then_some(()))
    })
    .await?;
    assert_eq!(app.by_test_id("accuracy-chart-point").await?.len(), 1);
    app.screenshot("70-reports-accuracy").await?;
    app.click("accuracy-chart-toggle").await?;
    let table = app.wait_for("accuracy-chart-table", STEP_TIMEOUT).await?.text().await?;
    assert!(table.contains("50.0 %") && table.contains("1 of 2 lines within tolerance"), "{table}");

    // Its CSV, next to the database.
    app.click("export-accuracy").await?;
    let exported = result_of(&app, "export-result", true).await?;
    let path = exported.split(" written to ").nth(1).ok_or_else(|| format!("no path in {exported:?}"))?;
    let csv = std::fs::read_to_string(path)?;
    assert!(csv.starts_with("month,lines,within_tolerance,accuracy_pct,"), "{csv}");
    assert!(csv.contains(",2,1,50.0,"), "{csv}");
    assert!(Path::new(path).starts_with(db.parent().ok_or("no folder")?.join("exports")));

    // The count pack: this month is not a full count's month, so it is refused in one line;
    // the session's pack is saved.
    app.click("pack-save").await?;
    let refused = result_of(&app, "pack-result", false).await?;
    assert!(refused.starts_with("no full count was started in "), "{refused}");
    // Emptied as a person would (select, delete): WebDriver's clear() fires no input event,
    // so the screen would keep the month.
    app.wait_for("pack-month", STEP_TIMEOUT).await?;
    app.client
        .execute(
            "const field = document.querySelector(\"[data-testid='pack-month']\"); \
             field.value = ''; field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await?;
    app.wait_for("pack-session", STEP_TIMEOUT).await?.send_keys(&session).await?;
    app.click("pack-save").await?;
    let saved = result_of(&app, "pack-result", true).await?;
    let pdf_path = saved.split(" saved to ").nth(1).ok_or_else(|| format!("no path in {saved:?}"))?;
    assert!(saved.starts_with(&format!("Count {session}: 2 lines")), "{saved}");
    assert!(std::fs::read(pdf_path)?.starts_with(b"%PDF-"), "a PDF at {pdf_path}");
    app.screenshot("71-reports-count-pack").await?;

    // Variance by count and shrink by reason show the same count.
    app.click("reports-variance").await?;
    app.wait_for("variance-chart-bar", STEP_TIMEOUT).await?;
    app.click("reports-shrink").await?;
    app.wait_for("shrink-chart-bar", STEP_TIMEOUT).await?;
    app.click("shrink-chart-toggle").await?;
    let shrink = app.wait_for("shrink-chart-table", STEP_TIMEOUT).await?.text().await?;
    assert!(shrink.contains("Count variance"), "{shrink}");
    app.screenshot("72-reports-shrink").await?;
    app.close().await
}
