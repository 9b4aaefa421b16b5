//! Packs (issues 21 and 19), in a real window: an admin imports a packs file on the Settings
//! screen ("Imported 1 pack."), then scans the pack's barcode at the station in receive mode and
//! the line says what one scan is: "1 pack = 12". Written by H7; not run yet (the lead runs the
//! e2e suite).

use fantoccini::Locator;
use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// As import_repush.rs: WebKitWebDriver has no file upload, so the file goes into the input
/// as the browser would put it there, then `change` fires.
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

#[tokio::test(flavor = "current_thread")]
async fn admin_imports_a_pack_and_its_scan_shows_one_pack_is_twelve() -> Result<()> {
    let app = App::launch().await?;
    app.sign_in("admin", "3333").await?;
    app.click("tab-settings").await?;
    app.click("settings-import").await?;

    app.choose("import-kind", "packs").await?;
    assert_eq!(app.text_of("import-header").await?, "barcode,sku,qty");
    pick_file(&app, "packs.csv", "barcode,sku,qty\nE2E-CASE-12,SS-00003,12\n").await?;
    app.click("import-run").await?;
    let message = app
        .wait_until("the packs import to end", STEP_TIMEOUT, || async {
            let found = app.by_test_id("settings-message").await?;
            let Some(el) = found.first() else { return Ok(None) };
            Ok(Some(el.find(Locator::Css("p")).await?.text().await?))
        })
        .await?;
    assert_eq!(message, "Imported 1 pack.");

    app.click("tab-scan").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("E2E-CASE-12").await?;
    app.wait_feedback("the pack's line", |t| t.starts_with("+1") && t.contains("E2E-CASE-12")).await?;
    assert_eq!(app.text_of("line-pack").await?, "1 pack = 12");
    app.screenshot("52-station-pack-line").await?;
    app.close().await
}
