//! A supervisor's day on screen (issue 20's story), in a real window: a class-A cycle count
//! started from the plan that is due, staff's three short lines bulk-approved with one reason and
//! one PIN, the accuracy chart read; then the Movements screen: a customer return to damaged and
//! its write-off from damaged under a reason code, a transfer shipped and received short with a
//! reason, and the write-off reversed from the event picker; last, the scorecard. Screenshots
//! 73-*, 90-movements-* and 74-* go to target/e2e-screens/.

use std::path::Path;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// Lines staff find short in the class-A count: the bulk decision's size.
const SHORT_LINES: usize = 3;
/// Units each of them is short: past the default tolerance (2 units), so each waits.
const SHORT_BY: i64 = 10;

/// The CLI as one of the demo's users: its JSON answer, or its text.
fn shelfsync(db: &Path, user: &str, pin: &str, args: &[&str]) -> Result<serde_json::Value> {
    let text = shelfsync_e2e::cli_as(db, user, pin, args)?;
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// Waits for the screen's result line to contain `want`; returns it.
async fn result(app: &App, want: &str) -> Result<String> {
    app.wait_until(&format!("a result saying {want:?}"), STEP_TIMEOUT, || async {
        let found = app.by_test_id("movements-result").await?;
        let Some(el) = found.first() else { return Ok(None) };
        let text = el.text().await?;
        Ok(text.contains(want).then_some(text))
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_supervisors_day_count_approve_chart_movements_scorecard() -> Result<()> {
    let app = App::launch().await?;
    let db = app.db_path.clone();
    app.sign_in("super", "2222").await?;

    // 1. The class-A cycle count that is due at WH1, started from its plan row.
    app.click("tab-counts").await?;
    let due = app
        .wait_until("a class-A plan due at WH1", STEP_TIMEOUT, || async {
            for row in app.by_test_id("due-row").await? {
                let plan = row.attr("data-plan").await?.unwrap_or_default();
                if plan.starts_with("cycle-A:WH1:") {
                    return Ok(Some((row, plan)));
                }
            }
            Ok(None)
        })
        .await?;
    let (row, plan) = due;
    row.find(fantoccini::Locator::Css("[data-testid='due-start']")).await?.click().await?;
    let session = app
        .wait_until("the plan's session", STEP_TIMEOUT, || async {
            for row in app.by_test_id("count-session-row").await? {
                if row.attr("data-plan").await?.as_deref() == Some(plan.as_str()) {
                    return Ok(row.attr("data-id").await?);
                }
            }
            Ok(None)
        })
        .await?;
    let started = app.text_of("counts-done").await?;
    assert!(started.contains(&format!("Started {plan}: ")), "{started}");
    app.screenshot("73-counts-class-a-started").await?;

    // Staff count three of its SKUs, each short (through the CLI: the story is the supervisor's).
    // The session lists no lines before a scan, and a SKU outside its scope is refused: try the
    // demo's SKUs in order until three with stock are counted.
    let mut short: Vec<String> = Vec::new();
    for n in 1..=1000 {
        let sku = format!("SS-{n:05}");
        let rows = shelfsync(&db, "super", "2222", &["stock", &sku, "--json"])?;
        let on_hand = rows
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["location"] == "WH1"))
            .and_then(|r| r["on_hand"].as_i64())
            .unwrap_or(0);
        if on_hand < SHORT_BY {
            continue;
        }
        let found = (on_hand - SHORT_BY).to_string();
        if shelfsync(&db, "staff", "1111", &["count", "scan", &session, &sku, &found]).is_ok() {
            short.push(sku);
        }
        if short.len() == SHORT_LINES {
            break;
        }
    }
    assert_eq!(short.len(), SHORT_LINES, "class A at WH1 has {SHORT_LINES} SKUs with stock");
    shelfsync(&db, "staff", "1111", &["count", "submit", &session])?;

    // 2. The three lines, decided together: one reason, one PIN.
    app.click("tab-approvals").await?;
    app.wait_until("the three lines waiting", STEP_TIMEOUT, || async {
        Ok((app.by_test_id("approval").await?.len() == SHORT_LINES).then_some(()))
    })
    .await?;
    app.click("select-all").await?;
    let selected = app.text_of("bulk-selected").await?;
    assert!(selected.starts_with(&format!("{SHORT_LINES} selected")), "{selected}");
    app.wait_for("bulk-reason", STEP_TIMEOUT).await?.send_keys("shelf checked twice").await?;
    app.wait_for("bulk-pin", STEP_TIMEOUT).await?.send_keys("2222").await?;
    app.click("bulk-approve").await?;
    app.wait_for("approvals-empty", STEP_TIMEOUT).await?;
    let shown = shelfsync(&db, "super", "2222", &["count", "show", &session, "--json"])?;
    let posted = shown["lines"].as_array().map(|lines| {
        lines
            .iter()
            .filter(|l| l["state"] == "posted" && short.iter().any(|sku| l["sku"] == sku.as_str()))
            .count()
    });
    assert_eq!(posted, Some(SHORT_LINES), "each short line posted: {shown}");
    app.screenshot("73-approvals-bulk-approved").await?;

    // 3. The accuracy chart: this month's point holds the class-A count's lines.
    app.click("tab-reports").await?;
    app.click("reports-accuracy").await?;
    let chart = app.wait_for("accuracy-chart", STEP_TIMEOUT).await?;
    app.wait_until("the accuracy chart's point", STEP_TIMEOUT, || async {
        Ok((chart.attr("data-points").await?.as_deref() == Some("1")).then_some(()))
    })
    .await?;
    app.click("accuracy-chart-toggle").await?;
    let table = app.wait_for("accuracy-chart-table", STEP_TIMEOUT).await?.text().await?;
    assert!(table.contains(&format!("0 of {SHORT_LINES} lines within tolerance")), "{table}");
    app.screenshot("73-reports-accuracy").await?;

    // 4. Movements.
    app.click("tab-movements").await?;

    // Two units come back damaged, then are written off from damaged as "damaged".
    app.click("movements-tab-return").await?;
    app.fill("return-sku", "SS-00001").await?;
    // The forms start at the first location in code order (STORE): pick WH1.
    app.choose("return-location", "WH1").await?;
    app.fill("return-qty", "2").await?;
    app.click("return-damaged").await?;
    app.click("return-submit").await?;
    result(&app, "Recorded return of SS-00001 at WH1").await?;

    app.click("movements-tab-writeOff").await?;
    app.fill("writeoff-sku", "SS-00001").await?;
    app.choose("writeoff-location", "WH1").await?;
    app.fill("writeoff-qty", "2").await?;
    app.choose("writeoff-from", "damaged").await?;
    app.choose("writeoff-code", "damaged").await?;
    app.click("writeoff-submit").await?;
    result(&app, "Recorded write off of SS-00001 at WH1").await?;
    app.screenshot("90-movements-write-off").await?;

    // Five shipped to WH2, three arrive: short, with a reason.
    app.click("movements-tab-transfers").await?;
    app.fill("ship-sku", "SS-00002").await?;
    app.choose("ship-from", "WH1").await?;
    app.choose("ship-to", "WH2").await?;
    app.fill("ship-qty", "5").await?;
    app.click("ship-submit").await?;
    result(&app, "Recorded transfer ship of SS-00002 at WH1 -> WH2").await?;
    app.wait_for("transfer-row", STEP_TIMEOUT).await?;
    app.fill("transfer-received", "3").await?;
    // Short without a reason is refused on screen first.
    app.click("transfer-receive").await?;
    let refused = app.text_of("movements-error").await?;
    assert!(refused.contains("2 short: give a reason"), "{refused}");
    app.fill("transfer-reason", "two cases crushed").await?;
    app.screenshot("91-movements-receive-short").await?;
    app.click("transfer-receive").await?;
    result(&app, "Recorded transfer receive of SS-00002").await?;
    app.wait_until("the transfer to leave the list", STEP_TIMEOUT, || async {
        Ok(app.by_test_id("transfer-row").await?.is_empty().then_some(()))
    })
    .await?;

    // The write-off was a mistake: find SS-00001's events and reverse the newest.
    app.click("movements-tab-reverse").await?;
    app.fill("reverse-sku", "SS-00001").await?;
    app.click("reverse-find").await?;
    app.wait_until("SS-00001's events", STEP_TIMEOUT, || async {
        let rows = app.by_test_id("reverse-event-row").await?;
        let Some(first) = rows.first() else { return Ok(None) };
        Ok((first.attr("data-kind").await?.as_deref() == Some("write_off")).then_some(()))
    })
    .await?;
    let picks = app.by_test_id("reverse-pick").await?;
    picks.first().ok_or("no event to pick")?.click().await?;
    app.fill("reverse-reason", "written off by mistake").await?;
    app.click("reverse-submit").await?;
    result(&app, "Recorded reversal of SS-00001").await?;
    app.wait_until("the write-off marked as reversed", STEP_TIMEOUT, || async {
        let rows = app.by_test_id("reverse-event-row").await?;
        if rows.len() < 2 {
            return Ok(None);
        }
        let kinds = (rows[0].attr("data-kind").await?, rows[1].attr("data-kind").await?);
        let reversible = rows[1].attr("data-reversible").await?;
        Ok((kinds.0.as_deref() == Some("reversal")
            && kinds.1.as_deref() == Some("write_off")
            && reversible.as_deref() == Some("false"))
        .then_some(()))
    })
    .await?;
    app.screenshot("92-movements-reversed").await?;

    // 5. The scorecard: the guide's Quick Reference, each measure with its verdict.
    app.click("tab-reports").await?;
    app.click("reports-scorecard").await?;
    app.wait_for("scorecard-table", STEP_TIMEOUT).await?;
    let rows = app.by_test_id("scorecard-row").await?;
    assert_eq!(rows.len(), 7, "the seven Quick Reference measures");
    app.screenshot("74-reports-scorecard").await?;
    app.close().await
}
