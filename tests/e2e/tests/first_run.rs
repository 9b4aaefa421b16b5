//! A new user, from a fresh install to a linked Shopify channel without a terminal (issue 15):
//! the first-run screen, "Set up this warehouse", the first admin, a location, items and stock
//! from CSV files, the channel (the simulator, started here as `shelfsync sim`), "Test
//! connection", the link review with the matched SKU, Link, the sign-in as the new admin, and
//! the channel on the Sync screen. Then going live with nothing else running: a CLI adjustment
//! reaches the shop through the app's own engine, and, with the app closed, through `shelfsync
//! serve` alone. `SHELFSYNC_DEMO=ask` gives this debug build the release build's first start.
//! Screenshots 60-* in target/e2e-screens/.

use std::process::{Command, Stdio};
use std::time::Duration;

use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT, Sim};

/// The `shelfsync` CLI next to the app (scripts/e2e.sh builds it), on the app's database, as
/// the admin the set-up created: once users exist a change needs a verified user (issue 17).
fn cli(db: &std::path::Path, args: &[&str]) -> Result<String> {
    let out = Command::new(shelfsync_e2e::app_binary().with_file_name("shelfsync"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SHELFSYNC_USER", "ada")
        .env("SHELFSYNC_PIN", "2468")
        .env("SHELFSYNC_SECRETS", "file")
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("shelfsync {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

const LINKED_ITEM: &str = "gid://shopify/InventoryItem/7001";

async fn fill(app: &App, id: &str, text: &str) -> Result<()> {
    let input = app.wait_for(id, STEP_TIMEOUT).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

/// WebKitWebDriver has no file upload: the file goes into the input as a browser would put it
/// there (a `File` in a `DataTransfer`), then `change` fires as after a real pick.
async fn pick_file(app: &App, id: &str, name: &str, text: &str) -> Result<()> {
    app.wait_for(id, STEP_TIMEOUT).await?;
    app.client
        .execute(
            "const [id, name, text] = arguments; \
             const input = document.querySelector(`[data-testid='${id}']`); \
             const files = new DataTransfer(); \
             files.items.add(new File([text], name, { type: 'text/csv' })); \
             input.files = files.files; \
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![id.into(), name.into(), text.into()],
        )
        .await?;
    Ok(())
}

/// Scrolls the element to the middle of the window, then clicks it: the wizard's panel grows
/// past the window's height, and the status strip covers its bottom edge.
async fn click(app: &App, id: &str) -> Result<()> {
    scroll_to(app, id).await?;
    app.click(id).await
}

async fn scroll_to(app: &App, id: &str) -> Result<()> {
    app.wait_for(id, STEP_TIMEOUT).await?;
    app.client
        .execute(
            "document.querySelector(`[data-testid='${arguments[0]}']`).scrollIntoView({ block: 'center' });",
            vec![id.into()],
        )
        .await?;
    Ok(())
}

/// Waits for an element's attribute to have a value.
async fn wait_attr(app: &App, id: &str, attr: &str, want: &str) -> Result<()> {
    app.wait_until(&format!("{id} {attr}={want}"), STEP_TIMEOUT, || async move {
        for el in app.by_test_id(id).await? {
            if el.attr(attr).await?.as_deref() == Some(want) {
                return Ok(Some(()));
            }
        }
        Ok(None)
    })
    .await
}

async fn import(app: &App, testid: &str, name: &str, text: &str) -> Result<String> {
    pick_file(app, &format!("{testid}-file"), name, text).await?;
    click(app, &format!("{testid}-run")).await?;
    wait_attr(app, &format!("{testid}-message"), "data-ok", "true").await?;
    app.text_of(&format!("{testid}-message")).await
}

const ITEMS: &str = "sku,name,unit_cost,category,safety_stock,barcodes\n\
                     FR-0001,Blue mug,3.50,home,0,\n\
                     FR-0002,Red mug,3.50,home,0,\n";
const STOCK: &str = "sku,location,qty\nFR-0001,WH1,12\nFR-0002,WH1,5\n";

#[tokio::test(flavor = "current_thread")]
async fn a_new_user_sets_up_the_warehouse_and_links_a_shopify_channel() -> Result<()> {
    let sim = Sim::start()?;
    // The shop already sells FR-0001 (one of our SKUs) and something we do not stock.
    sim.add_catalogue(
        r#"{"items": [{"id": "gid://shopify/InventoryItem/7001", "sku": "FR-0001"},
                      {"id": "gid://shopify/InventoryItem/7999", "sku": "THEIRS-ONLY"}],
            "locations": [{"id": "gid://shopify/Location/1", "name": "Main store"}]}"#,
    )?;
    // A database folder of the test's own: it outlives the app, for `shelfsync serve` after it.
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("shelfsync.db");
    let app = App::launch_on(&db, &[("SHELFSYNC_DEMO", "ask"), ("SHELFSYNC_SECRETS", "file")]).await?;

    // The first-run screen, not a sign-in nobody could pass, and no demo loaded.
    app.wait_for("first-run", STARTUP_TIMEOUT).await?;
    app.wait_for("first-run-demo", STEP_TIMEOUT).await?;
    assert!(app.by_test_id("signin-screen").await?.is_empty());
    assert!(app.by_test_id("demo-badge").await?.is_empty());
    app.screenshot("60-first-run").await?;

    // Set up: the admin (a PIN typed twice; a mismatch is refused in words first).
    click(&app, "first-run-setup").await?;
    fill(&app, "first-admin-name", "ada").await?;
    fill(&app, "first-admin-pin", "2468").await?;
    fill(&app, "first-admin-pin-again", "2469").await?;
    click(&app, "first-admin-create").await?;
    let error = app.text_of("first-run-error").await?;
    assert!(error.contains("The two PINs are not the same"), "{error}");
    fill(&app, "first-admin-pin", "2468").await?;
    fill(&app, "first-admin-pin-again", "2468").await?;
    click(&app, "first-admin-create").await?;
    wait_attr(&app, "first-run-panel", "data-step", "locations").await?;

    // A location.
    fill(&app, "first-location-code", "WH1").await?;
    fill(&app, "first-location-name", "Main warehouse").await?;
    click(&app, "first-location-add").await?;
    wait_attr(&app, "first-location", "data-code", "WH1").await?;
    app.screenshot("61-first-run-location").await?;
    click(&app, "first-run-next").await?;
    wait_attr(&app, "first-run-panel", "data-step", "items").await?;

    // Items and stock from CSV.
    let items = import(&app, "first-import-items", "items.csv", ITEMS).await?;
    assert!(items.contains("Imported 2 items"), "{items}");
    let stock = import(&app, "first-import-stock", "stock.csv", STOCK).await?;
    assert!(stock.contains("Imported 2"), "{stock}");
    app.screenshot("62-first-run-items").await?;
    click(&app, "first-run-next").await?;
    wait_attr(&app, "first-run-panel", "data-step", "channel").await?;

    // The channel: the simulator as a Shopify shop.
    fill(&app, "first-channel-name", "shop").await?;
    fill(&app, "first-channel-endpoint", &sim.url).await?;
    fill(&app, "first-channel-shop", "demo.myshopify.com").await?;
    fill(&app, "first-channel-secret-access_token", "shpat_e2e_first_run").await?;
    click(&app, "first-channel-save").await?;
    app.wait_for("first-channel-saved", STEP_TIMEOUT).await?;
    click(&app, "first-channel-test").await?;
    wait_attr(&app, "first-channel-test-result", "data-ok", "true").await?;
    let tested = app.text_of("first-channel-test-result").await?;
    assert!(tested.contains("Connected") && tested.contains("demo.myshopify.com"), "{tested}");
    app.screenshot("63-first-run-channel-test").await?;

    // The link review: FR-0001 matched, FR-0002 ours only, THEIRS-ONLY theirs only.
    click(&app, "first-link-review").await?;
    app.wait_for("first-link-review-result", STEP_TIMEOUT).await?;
    wait_attr(&app, "first-link-count-matched", "data-count", "1").await?;
    wait_attr(&app, "first-link-count-unmatchedOurs", "data-count", "1").await?;
    wait_attr(&app, "first-link-count-unmatchedTheirs", "data-count", "1").await?;
    let mut matched = Vec::new();
    for row in app.by_test_id("first-link-row").await? {
        if row.attr("data-status").await?.as_deref() == Some("matched") {
            matched.push(row.attr("data-sku").await?.unwrap_or_default());
        }
    }
    assert_eq!(matched, ["FR-0001"]);
    assert_eq!(app.text_of("first-link-apply").await?, "Link 1 listing");
    scroll_to(&app, "first-link-apply").await?;
    app.screenshot("64-first-run-link-review").await?;
    click(&app, "first-link-apply").await?;
    app.wait_until("the link to be applied", STEP_TIMEOUT, || async {
        let text = app.text_of("first-link-outcome").await?;
        Ok(text.starts_with("Linked 1 listing").then_some(()))
    })
    .await?;
    click(&app, "first-run-next").await?;
    wait_attr(&app, "first-run-panel", "data-step", "finish").await?;
    app.screenshot("65-first-run-finish").await?;

    // Sign in as the new admin; the Sync screen shows the channel.
    click(&app, "first-run-finish").await?;
    app.sign_in("ada", "2468").await?;
    click(&app, "tab-sync").await?;
    wait_attr(&app, "channel-card", "data-channel", "shop").await?;
    app.screenshot("66-first-run-sync").await?;

    // Going live: nothing but the app runs. The link pushed FR-0001's 12 units, and an
    // adjustment made at a terminal reaches the shop through the app's own engine.
    sim.wait_level(LINKED_ITEM, 12, STEP_TIMEOUT * 2, "the linked listing's first push").await?;
    cli(&db, &["adjust", "FR-0001", "-3", "--location", "WH1", "--reason", "e2e: the app pushes"])?;
    sim.wait_level(LINKED_ITEM, 9, STEP_TIMEOUT * 2, "a CLI adjustment pushed by the app").await?;
    app.close().await?;

    // A back-office PC instead: `shelfsync serve` alone on the same database does the same.
    // (A clean close hands the sync lease over; if the driver ended the app harder, the lease
    // expires within its 30 s lifetime, hence the longer wait.)
    let mut serve = Command::new(shelfsync_e2e::app_binary().with_file_name("shelfsync"))
        .arg("--db")
        .arg(&db)
        .args(["serve"])
        .env("SHELFSYNC_SECRETS", "file")
        .env("SHELFSYNC_LOG_DIR", db.parent().ok_or("no folder")?.join("logs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    cli(&db, &["adjust", "FR-0001", "-2", "--location", "WH1", "--reason", "e2e: serve pushes"])?;
    let served = sim
        .wait_level(LINKED_ITEM, 7, Duration::from_secs(75), "a CLI adjustment pushed by shelfsync serve")
        .await;
    let _ = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status();
    let stopped = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(status) = serve.try_wait()? {
                return Ok::<_, std::io::Error>(status);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if !matches!(stopped, Ok(Ok(status)) if status.success()) {
        let _ = serve.kill();
        return Err(format!("serve did not stop cleanly on SIGTERM: {stopped:?}").into());
    }
    served?;
    drop(sim);
    drop(dir);
    Ok(())
}
