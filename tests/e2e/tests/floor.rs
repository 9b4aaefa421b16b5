//! The station on the floor (issue 19): a line over this workstation's confirmation limit asks
//! first (QTY:400 then an item, in a receipt), and the limit is a Settings choice.

use std::time::Duration;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

#[tokio::test(flavor = "current_thread")]
async fn a_big_receipt_line_asks_first_and_the_limit_is_a_setting() -> Result<()> {
    let app = App::launch().await?;
    app.sign_in("super", "2222").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;

    // 400 is over the default limit of 50: nothing is recorded until it is confirmed.
    app.wedge("QTY:400").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 400").await?;
    app.wedge("SS-00009").await?;
    app.wait_feedback("the question", |t| t == "Confirm 400 × SS-00009?").await?;
    assert!(app.text_of("confirm-line").await?.contains("400 × SS-00009"));
    assert_eq!(app.text_of("line-count").await?, "0");
    app.screenshot("19-confirm-big-line").await?;
    // The same item scanned again confirms it.
    app.wedge("SS-00009").await?;
    app.wait_feedback("recorded", |t| t.starts_with("+400") && t.contains("SS-00009")).await?;
    assert_eq!(app.text_of("line-count").await?, "1");
    assert!(app.by_test_id("confirm-line").await?.is_empty());

    // Cancel drops the line and puts the quantity back to 1.
    app.wedge("QTY:60").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 60").await?;
    app.wedge("SS-00010").await?;
    app.wait_feedback("the question", |t| t == "Confirm 60 × SS-00010?").await?;
    app.click("confirm-line-no").await?;
    app.wait_feedback("cancelled", |t| t == "Not recorded: 60 × SS-00010").await?;
    assert_eq!(app.text_of("line-count").await?, "1");

    // Settings: a bad limit is refused; 500 is saved and a 400 line then goes straight in.
    app.click("tab-settings").await?;
    app.click("settings-workstation").await?;
    let field = app.wait_for("floor-confirm-above", STEP_TIMEOUT).await?;
    field.clear().await?;
    field.send_keys("0").await?;
    app.click("floor-confirm-save").await?;
    assert!(app.text_of("floor-problem").await?.contains("1 to 100,000"));
    let field = app.wait_for("floor-confirm-above", STEP_TIMEOUT).await?;
    field.clear().await?;
    field.send_keys("500").await?;
    app.click("floor-confirm-save").await?;
    assert!(app.text_of("floor-saved").await?.contains("over 500"));
    app.click("tab-scan").await?;
    app.wedge("QTY:400").await?;
    app.wait_feedback("quantity", |t| t == "Quantity 400").await?;
    app.wedge("SS-00011").await?;
    app.wait_feedback("recorded at once", |t| t.starts_with("+400") && t.contains("SS-00011")).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.text_of("line-count").await?, "2");
    app.close().await
}
