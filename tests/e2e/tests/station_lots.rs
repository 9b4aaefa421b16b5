//! Lots at the station and on the Movements screen (issue 21), in a real window: a lot-tracked
//! item's GS1 label (GTIN, expiry, lot) scanned in receive mode makes a line of that lot, its
//! plain barcode is refused on the spot, and the commit books the lot; then a write-off on the
//! Movements screen takes the lot the first-expiry-first-out suggestion names, and a transfer at
//! the station of a later lot is noted ("take L0 first"). Screenshots 56-station-lot-line,
//! 57-movements-lot-suggestion and 58-station-fefo-note go to target/e2e-screens/.

use std::path::Path;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

const GTIN: &str = "09506000134352";

/// The CLI as the demo's admin, with `--json`: its answer.
fn shelfsync(db: &Path, args: &[&str]) -> Result<serde_json::Value> {
    let text = shelfsync_e2e::cli_as(db, "admin", "3333", &[args, &["--json"]].concat())?;
    Ok(serde_json::from_str(&text)?)
}

/// (lot, on hand) of E2E-MILK at WH1, as `stock --json` lists them.
fn lots(db: &Path) -> Result<Vec<(String, i64)>> {
    let rows = shelfsync(db, &["stock", "E2E-MILK", "--location", "WH1"])?;
    let lots = rows[0]["lots"].as_array().ok_or("no lots in the stock row")?;
    Ok(lots
        .iter()
        .map(|l| (l["lot"].as_str().unwrap_or("").to_string(), l["on_hand"].as_i64().unwrap_or(-1)))
        .collect())
}

#[tokio::test(flavor = "current_thread")]
async fn a_gs1_lot_label_books_its_lot_and_the_write_off_takes_the_first_to_expire() -> Result<()> {
    let app = App::launch().await?;
    let db = app.db_path.clone();
    // The CLI needs the demo's users: wait for the demo to be loaded (its users are listed).
    app.wait_for("demo-users", shelfsync_e2e::STARTUP_TIMEOUT).await?;
    let dir = tempfile::tempdir()?;
    let items = dir.path().join("items.csv");
    std::fs::write(
        &items,
        format!(
            "sku,name,unit_cost,category,safety_stock,barcodes,tracking\nE2E-MILK,Milk 1 l,1.00,food,0,{GTIN},lot\n"
        ),
    )?;
    shelfsync(&db, &["import", "items", items.to_str().ok_or("path")?])?;

    app.sign_in("staff", "1111").await?;
    app.click("tab-scan").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    // The item's own barcode carries no lot: refused, nothing recorded.
    app.wedge(GTIN).await?;
    app.wait_feedback("the refusal", |t| t == "E2E-MILK not recorded").await?;
    // Its GS1 label: (01) GTIN, (17) expiry 2027-03-31, (10) lot L1 (last, so no separator).
    for _ in 0..2 {
        app.wedge(&format!("]C101{GTIN}1727033110L1")).await?;
        app.wait_feedback("the lot's line", |t| t.starts_with("+1") && t.contains("E2E-MILK")).await?;
    }
    app.wait_until("both scans on the lot's row", STEP_TIMEOUT, || async {
        let row = app.text_of("line").await?;
        Ok(row.ends_with("× 2").then_some(row))
    })
    .await?;
    assert_eq!(app.text_of("line-lot").await?, "Lot L1 · expires 2027-03-31");
    app.screenshot("56-station-lot-line").await?;
    app.wedge("CMD:DONE").await?;
    app.wait_feedback("the commit", |t| t.starts_with("Committed 2 lines")).await?;
    let booked = app
        .wait_until("the lot in the ledger", STEP_TIMEOUT, || async {
            let now = lots(&db)?;
            Ok((now == [("L1".to_string(), 2)]).then_some(now))
        })
        .await?;
    assert_eq!(booked, [("L1".to_string(), 2)]);

    // A second, earlier lot by the CLI; the Movements screen suggests it first.
    shelfsync(
        &db,
        &["receive", "E2E-MILK", "3", "--location", "WH1", "--lot", "L0", "--expiry", "2027-01-31"],
    )?;
    app.sign_out().await?;
    app.sign_in("admin", "3333").await?;
    app.click("tab-movements").await?;
    app.click("movements-tab-writeOff").await?;
    app.fill("writeoff-sku", "E2E-MILK").await?;
    app.choose("writeoff-location", "WH1").await?;
    app.fill("writeoff-qty", "1").await?;
    let suggestion = app
        .wait_until("the first-expiry suggestion", STEP_TIMEOUT, || async {
            let found = app.by_test_id("writeoff-lot-fefo").await?;
            let Some(el) = found.first() else { return Ok(None) };
            let text = el.text().await?;
            Ok(text.contains("First to expire").then_some(text))
        })
        .await?;
    assert!(suggestion.contains("L0 (2027-01-31) × 1"), "{suggestion}");
    app.click("writeoff-lot-use").await?;
    app.choose("writeoff-from", "onHand").await?;
    app.choose("writeoff-code", "expired").await?;
    app.screenshot("57-movements-lot-suggestion").await?;
    app.click("writeoff-submit").await?;
    app.wait_until("the write-off", STEP_TIMEOUT, || async {
        let found = app.by_test_id("movements-result").await?;
        let Some(el) = found.first() else { return Ok(None) };
        let text = el.text().await?;
        Ok(text.contains("Recorded write off of E2E-MILK at WH1").then_some(text))
    })
    .await?;
    assert_eq!(lots(&db)?, [("L0".to_string(), 2), ("L1".to_string(), 2)]);

    // At the station, moving L1 while L0 expires first: recorded, with a note to take L0.
    app.click("tab-scan").await?;
    app.click("mode-transfer").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("from", |t| t == "Location WH1").await?;
    app.wedge("LOC:WH2").await?;
    app.wait_feedback("to", |t| t == "To WH2").await?;
    app.wedge(&format!("]C101{GTIN}1727033110L1")).await?;
    app.wait_feedback("the transfer line", |t| t.starts_with("+1") && t.contains("E2E-MILK")).await?;
    let note = app
        .wait_until("the first-expiry note", STEP_TIMEOUT, || async {
            let found = app.by_test_id("station-fefo").await?;
            let Some(el) = found.first() else { return Ok(None) };
            Ok(Some(el.text().await?))
        })
        .await?;
    assert_eq!(note, "L1 is not the first to expire here: take L0 (2027-01-31) first if you can.");
    app.screenshot("58-station-fefo-note").await?;
    app.close().await
}
