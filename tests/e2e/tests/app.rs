//! The app in a real window: start-up on a fresh database, look-ups, the item screen.
//! Run through `scripts/e2e.sh`, which provides Xvfb and tauri-driver.

use shelfsync_e2e::{App, Result, STEP_TIMEOUT, demo_gtin13};

#[tokio::test(flavor = "current_thread")]
async fn fresh_database_opens_the_demo_with_stock_rows() -> Result<()> {
    let app = App::launch().await?;
    // The demo takes seconds to load: catch the loading screen when this machine is slow
    // enough to show it (not asserted: a fast machine may skip straight to the table).
    for _ in 0..50 {
        if !app.by_test_id("loading").await?.is_empty() {
            app.screenshot("00-loading").await?;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let rows = app.open_stock_as_staff().await?;
    assert_eq!(rows, 200, "the first page of the stock table");
    let skus = app.row_skus().await?;
    assert_eq!(skus.first().map(String::as_str), Some("SS-00001"), "sorted by SKU");
    assert!(skus.windows(2).all(|w| w[0] <= w[1]), "rows are in SKU order");

    // The status strip names the fresh database, says demo, and counts the demo's events.
    app.wait_until("status ready", STEP_TIMEOUT, || async {
        Ok((app.text_of("status-phase").await? == "Ready").then_some(()))
    })
    .await?;
    // The path is a developer figure: a supervisor's "Details" only (station_window.rs).
    assert!(app.by_test_id("status-db-path").await?.is_empty(), "staff see the database path");
    assert_eq!(app.text_of("status-mode").await?, "Demo mode");
    assert_eq!(app.text_of("demo-badge").await?, "DEMO");
    let events: u64 = app.text_of("status-events").await?.replace(',', "").parse()?;
    assert!(events > 3_000, "1,000 items received at 3 locations, plus sales: got {events}");
    assert!(app.db_path.is_file(), "the app created its database at SHELFSYNC_DB");
    let count = app.text_of("stock-count").await?;
    let total: u32 = count
        .strip_prefix("Showing 200 of ")
        .and_then(|rest| rest.split(' ').next())
        .ok_or_else(|| format!("unexpected row count text: {count}"))?
        .replace(',', "")
        .parse()?;
    assert!(total > 2_500 && total <= 3_000, "about 1,000 items x 3 locations: {count}");

    app.screenshot("01-stock").await?;
    app.close().await
}

#[tokio::test(flavor = "current_thread")]
async fn searching_a_demo_gtin_shows_its_item_and_details() -> Result<()> {
    let app = App::launch().await?;
    app.open_stock_as_staff().await?;
    let gtin = demo_gtin13(1);
    assert_eq!(gtin.len(), 13);

    app.search(&gtin).await?;
    let banner_sku = app.wait_for("banner-sku", STEP_TIMEOUT).await?.text().await?;
    assert_eq!(banner_sku, "SS-00001");
    let skus = app
        .wait_until("table narrowed to SS-00001", STEP_TIMEOUT, || async {
            let skus = app.row_skus().await?;
            Ok(skus.iter().all(|s| s == "SS-00001").then_some(skus))
        })
        .await?;
    assert_eq!(skus.len(), 3, "SS-00001 is stocked at WH1, WH2 and STORE");
    assert!(app.by_test_id("lookup-error").await?.is_empty());
    let banner = app.text_of("item-banner").await?;
    assert!(banner.contains(&gtin), "the banner shows the printed GTIN: {banner}");
    app.screenshot("02-stock-search").await?;

    assert_eq!(app.click_to("open-item", "item-sku").await?.text().await?, "SS-00001");
    let events = app
        .wait_until("item events", STEP_TIMEOUT, || async {
            let rows =
                app.client.find_all(fantoccini::Locator::Css("[data-testid='item-events'] tbody tr")).await?;
            Ok((!rows.is_empty()).then_some(rows.len()))
        })
        .await?;
    assert!(events >= 3, "at least the three opening receipts: {events}");
    let locations = app.text_of("item-locations").await?;
    for location in ["WH1", "WH2", "STORE"] {
        assert!(locations.contains(location), "{location} in {locations}");
    }
    app.screenshot("03-item").await?;
    app.client
        .execute("document.querySelector(\"[data-testid='item-events']\").scrollIntoView()", vec![])
        .await?;
    app.screenshot("03-item-events").await?;

    let banner_sku = app.click_to("back", "banner-sku").await?.text().await?;
    assert_eq!(banner_sku, "SS-00001", "the search survives the trip");
    app.close().await
}

#[tokio::test(flavor = "current_thread")]
async fn unknown_code_shows_an_error_and_changes_nothing() -> Result<()> {
    let app = App::launch().await?;
    app.open_stock_as_staff().await?;
    let before = app.row_skus().await?;
    let count_before = app.text_of("stock-count").await?;

    // A code nobody has, then a GTIN whose check digit is wrong (a misread).
    let wrong_check_digit = {
        let good = demo_gtin13(1);
        let last = good.as_bytes()[12] - b'0';
        format!("{}{}", &good[..12], (last + 1) % 10)
    };
    for code in ["NOPE-4711", wrong_check_digit.as_str()] {
        app.search(code).await?;
        let expected = format!("No item has the SKU or barcode '{code}'");
        let error = app
            .wait_until("the error for this code", STEP_TIMEOUT, || async {
                let error = app.text_of("lookup-error").await?;
                Ok(error.contains(&expected).then_some(error))
            })
            .await?;
        assert!(error.contains("Not found"), "{error}");
        assert!(app.by_test_id("item-banner").await?.is_empty(), "no item is shown");
        assert_eq!(app.row_skus().await?, before, "the table is unchanged");
        assert_eq!(app.text_of("stock-count").await?, count_before);
    }
    app.screenshot("04-unknown-code").await?;

    // A good code afterwards clears the error.
    app.search("SS-00002").await?;
    assert_eq!(app.text_of("banner-sku").await?, "SS-00002");
    assert!(app.by_test_id("lookup-error").await?.is_empty(), "the error is gone");
    app.close().await
}

#[tokio::test(flavor = "current_thread")]
async fn wedge_scan_anywhere_looks_up_and_human_typing_does_not() -> Result<()> {
    let app = App::launch().await?;
    app.open_stock_as_staff().await?;

    // A scanner: keys back to back, then Enter, with no text field focused.
    app.blur().await?;
    app.type_keys("SS-00002", std::time::Duration::ZERO, true).await?;
    assert_eq!(app.text_of("banner-sku").await?, "SS-00002");
    let last_scan = app.text_of("status-last-scan").await?;
    assert!(last_scan.ends_with("SS-00002"), "{last_scan}");
    let input = app.wait_for("search-input", STEP_TIMEOUT).await?;
    assert_eq!(
        input.prop("value").await?.as_deref(),
        Some("SS-00002"),
        "the scan is shown in the search box"
    );

    // A person typing another SKU at 150 ms a key, also outside the search box: not a scan.
    app.blur().await?;
    app.type_keys("SS-00003", std::time::Duration::from_millis(150), true).await?;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(app.text_of("banner-sku").await?, "SS-00002", "slow typing is not taken as a scan");
    assert_eq!(app.text_of("status-last-scan").await?, last_scan);
    app.close().await
}

/// First start with no configuration: the demo's three simulated channels run inside the app
/// and its engine pushes to them; the dashboard shows all three in sync, with the note on
/// connecting real channels.
#[tokio::test(flavor = "current_thread")]
async fn first_start_runs_the_demo_channels_and_pushes_to_them() -> Result<()> {
    let app = App::launch_with(&[("SHELFSYNC_DEMO_CHANNELS", "on"), ("SHELFSYNC_SECRETS", "file")]).await?;
    app.sign_in("staff", "1111").await?;
    app.click("tab-sync").await?;
    let note = app.text_of("demo-channels-note").await?;
    assert!(note.contains("http://127.0.0.1:"), "{note}");
    assert!(note.contains("Settings → Channels"), "{note}");
    let channels = app
        .wait_until("three demo channels in sync", std::time::Duration::from_secs(60), || async {
            let mut seen = Vec::new();
            for card in app.by_test_id("channel-card").await? {
                let light = card.find(fantoccini::Locator::Css("[data-testid='channel-light']")).await?;
                let queue = card.find(fantoccini::Locator::Css("[data-testid='channel-queue']")).await?;
                if !light.text().await?.eq_ignore_ascii_case("In sync") || queue.text().await? != "0" {
                    return Ok(None);
                }
                seen.push(card.attr("data-channel").await?.unwrap_or_default());
            }
            Ok((seen.len() == 3).then_some(seen))
        })
        .await?;
    assert_eq!(channels, ["demo-amazon", "demo-ebay", "demo-shopify"]);
    app.screenshot("23-demo-channels").await?;
    app.close().await
}

/// Part of a name (no code at all) lists every stocked item whose name holds it, with names.
#[tokio::test(flavor = "current_thread")]
async fn typing_part_of_a_name_lists_the_items_that_match() -> Result<()> {
    let app = App::launch().await?;
    app.open_stock_as_staff().await?;
    app.search("balm olive").await?;
    let matches = app.text_of("search-matches").await?;
    assert!(matches.contains("“balm olive”"), "{matches}");
    let skus = app.row_skus().await?;
    assert!(skus.contains(&"SS-00009".to_string()), "SS-00009 (Shea Balm Olive L) is among {skus:?}");
    for cell in app.by_test_id("stock-row-name").await? {
        let name = cell.text().await?;
        assert!(name.to_lowercase().contains("balm olive"), "every row's name holds the words: {name}");
    }
    assert!(app.by_test_id("lookup-error").await?.is_empty(), "a name is not an error");
    app.screenshot("04-stock-name-search").await?;
    app.close().await
}
