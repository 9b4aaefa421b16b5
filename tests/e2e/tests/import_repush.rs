//! The two long jobs with progress bars, in a real window: an admin imports items and stock
//! from CSV files on the Settings screen (the bar reaches done, "Imported N" shows, the items
//! are on the Stock screen; a file with a bad line lists it and imports nothing), and a
//! supervisor re-pushes every listing of a demo channel and watches its bar finish.

use std::time::Duration;

use fantoccini::Locator;
use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// WebKitWebDriver has no file upload: the file goes into the input as the browser would
/// put it there (a `File` in a `DataTransfer`), then `change` fires as after a real pick.
async fn pick_file(app: &App, name: &str, text: &str) -> Result<()> {
    app.wait_for("import-file", STEP_TIMEOUT).await?;
    app.client
        .execute(
            "const [name, text] = arguments; \
             const input = document.querySelector(\"[data-testid='import-file']\"); \
             const files = new DataTransfer(); \
             files.items.add(new File([text], name, { type: 'text/csv' })); \
             input.files = files.files; \
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![name.into(), text.into()],
        )
        .await?;
    Ok(())
}

/// Chooses the kind, picks the file, clicks Import and waits for the settings message of the
/// wanted outcome; returns its text.
async fn import(app: &App, kind: &str, name: &str, text: &str, want_ok: bool) -> Result<String> {
    app.choose("import-kind", kind).await?;
    pick_file(app, name, text).await?;
    app.click("import-run").await?;
    app.wait_until(&format!("the {name} import to end"), STEP_TIMEOUT, || async {
        let found = app.by_test_id("settings-message").await?;
        let Some(el) = found.first() else { return Ok(None) };
        let ok = el.attr("data-ok").await?.as_deref() == Some("true");
        let bar_done = match app.by_test_id("import-progress").await?.first() {
            Some(bar) => bar.attr("data-done").await?.as_deref() == Some("true"),
            None => false,
        };
        if ok != want_ok || !bar_done {
            return Ok(None);
        }
        // The text without the ✓/✕ icon beside it.
        Ok(Some(el.find(Locator::Css("p")).await?.text().await?))
    })
    .await
}

const ITEMS: &str = "sku,name,unit_cost,category,safety_stock,barcodes\n\
                     E2E-0001,Imported widget,2.50,e2e,1,\n\
                     E2E-0002,Imported gadget,3.75,e2e,0,\n\
                     E2E-0003,Imported gizmo,1.00,e2e,2,\n";

#[tokio::test(flavor = "current_thread")]
async fn admin_imports_items_and_stock_from_csv_and_a_bad_line_imports_nothing() -> Result<()> {
    let app = App::launch().await?;
    app.sign_in("admin", "3333").await?;
    app.click("tab-settings").await?;
    app.click("settings-import").await?;

    let message = import(&app, "items", "items.csv", ITEMS, true).await?;
    assert_eq!(message, "Imported 3 items.");
    assert_eq!(app.text_of("import-progress-label").await?, "Imported 3 items");
    let bar = app.wait_for("import-progress", STEP_TIMEOUT).await?;
    let value = bar.find(Locator::Css("progress")).await?.attr("value").await?;
    assert_eq!(value.as_deref(), Some("100"));

    let message = import(&app, "stock", "stock.csv", "sku,location,qty\nE2E-0001,WH1,5\n", true).await?;
    assert_eq!(message, "Imported 1 stock row.");
    app.screenshot("50-settings-import").await?;

    // Line 2 is good, line 3 is not: nothing of the file lands, line 3 is listed.
    let bad = "sku,location,qty\nE2E-0001,WH2,4\nE2E-0001,WH1,x\n";
    let message = import(&app, "stock", "bad.csv", bad, false).await?;
    assert!(message.contains("line 3: qty 'x' must be a whole number"), "{message}");
    let lines = app.by_test_id("import-bad-line").await?;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].attr("data-line").await?.as_deref(), Some("3"));
    assert!(lines[0].text().await?.starts_with("line 3: qty 'x'"));
    assert_eq!(app.text_of("import-progress-label").await?, "Import refused: nothing was imported");
    app.screenshot("51-settings-import-bad-line").await?;

    app.click("tab-stock").await?;
    app.wait_for_stock_rows().await?;
    app.search("E2E-0001").await?;
    assert_eq!(app.text_of("banner-sku").await?, "E2E-0001");
    let rows = app
        .wait_until("the imported item's stock rows", STEP_TIMEOUT, || async {
            let skus = app.row_skus().await?;
            Ok((!skus.is_empty() && skus.iter().all(|s| s == "E2E-0001")).then_some(skus))
        })
        .await?;
    assert_eq!(rows.len(), 1, "only WH1: the refused file's WH2 row was not written");
    assert!(app.text_of("item-banner").await?.contains("Imported widget"));
    app.close().await
}

#[tokio::test(flavor = "current_thread")]
async fn supervisor_repushes_a_demo_channel_and_its_bar_finishes() -> Result<()> {
    let app = App::launch_with(&[("SHELFSYNC_DEMO_CHANNELS", "on"), ("SHELFSYNC_SECRETS", "file")]).await?;
    app.sign_in("super", "2222").await?;
    app.click("tab-sync").await?;
    let card = app
        .wait_until("the demo Shopify card with its re-push button", Duration::from_secs(60), || async {
            for card in app.by_test_id("channel-card").await? {
                if card.attr("data-channel").await?.as_deref() == Some("demo-shopify")
                    && card.find_all(Locator::Css("[data-testid='repush']")).await?.len() == 1
                {
                    return Ok(Some(card));
                }
            }
            Ok(None)
        })
        .await?;
    card.find(Locator::Css("[data-testid='repush']")).await?.click().await?;
    let label = app
        .wait_until("the re-push bar to finish", Duration::from_secs(90), || async {
            let Some(bar) = card.find_all(Locator::Css("[data-testid='repush-progress']")).await?.pop()
            else {
                return Ok(None);
            };
            // Done first, then the label: once the bar says done it stays done, so the label
            // read after it is the final one (read the other way round, a label from just before
            // the last update could pair with done).
            if bar.attr("data-done").await?.as_deref() != Some("true") {
                return Ok(None);
            }
            Ok(Some(bar.find(Locator::Css("[data-testid='repush-progress-label']")).await?.text().await?))
        })
        .await?;
    assert!(label.starts_with("Re-push finished: "), "{label}");
    assert!(!label.starts_with("Re-push finished: 0 "), "the demo maps listings to it: {label}");
    app.screenshot("52-sync-repush-finished").await?;
    app.close().await
}
