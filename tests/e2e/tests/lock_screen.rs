//! Scans on the lock and sign-in screens (issue 19): a scanner "types" into whatever field has
//! the focus, and on the lock screen that is the PIN. Each such scan is refused visibly, empties
//! the field, and never counts as a PIN attempt: five scans used to lock the worker out.

use std::time::Duration;

use shelfsync_e2e::{App, Result, STEP_TIMEOUT};

/// More scans than the wrong PINs that lock a user out (core's Lockout: 5).
const SCANS_WHILE_LOCKED: usize = 6;

#[tokio::test(flavor = "current_thread")]
async fn scans_on_the_lock_screen_are_refused_and_never_count_as_pins() -> Result<()> {
    let app = App::launch().await?;

    // Signed out: a scan into the focused user field is refused and leaves no characters.
    let name = app.wait_for("signin-name", shelfsync_e2e::STARTUP_TIMEOUT).await?;
    name.click().await?;
    app.type_keys("LOC:WH1", Duration::ZERO, true).await?;
    let error = app.text_of("signin-error").await?;
    assert!(error.contains("Sign in first"), "{error}");
    assert_eq!(app.wait_for("signin-name", STEP_TIMEOUT).await?.prop("value").await?.as_deref(), Some(""));

    app.sign_in("staff", "1111").await?;
    app.click("mode-receive").await?;
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Location WH1").await?;
    app.wedge("SS-00007").await?;
    app.wait_feedback("a line", |t| t.contains("SS-00007")).await?;

    app.click("lock").await?;
    app.wait_for("signin-locked", STEP_TIMEOUT).await?;
    let pin = app.wait_for("signin-pin", STEP_TIMEOUT).await?;
    pin.click().await?; // the PIN field has the focus, as it does when the lock screen opens
    for n in 1..=SCANS_WHILE_LOCKED {
        app.type_keys("SS-00008", Duration::ZERO, true).await?;
        app.wait_until("the refusal", STEP_TIMEOUT, || async {
            let text = app.text_of("signin-error").await?;
            Ok(text.contains("Locked: enter your PIN").then_some(()))
        })
        .await
        .map_err(|e| format!("scan {n}: {e}"))?;
        let left = app.wait_for("signin-pin", STEP_TIMEOUT).await?.prop("value").await?;
        assert_eq!(left.as_deref(), Some(""), "scan {n}: the PIN field is emptied");
    }
    let detail = app.text_of("signin-error").await?;
    assert!(detail.contains("The scan SS-00008 was not recorded"), "{detail}");
    app.screenshot("18-lock-screen-scan-refused").await?;

    // Not locked out: the right PIN unlocks, and the scans added no line.
    app.wait_for("signin-pin", STEP_TIMEOUT).await?.send_keys("1111").await?;
    app.click("signin-submit").await?;
    app.wait_for("scan-screen", STEP_TIMEOUT).await?;
    assert_eq!(app.text_of("line-count").await?, "1", "only the line scanned before the lock");
    app.close().await
}
