//! Each user's own language (issue 19): picked in the status strip once signed in, kept in the
//! database with the user, shown at their next sign-in; the lock and sign-in screens keep the
//! workstation's language (English here), and another user is not affected.

use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT};

/// Picks a language in a selector as a person does (the change event).
const PICK: &str = r#"
const select = document.querySelector(`[data-testid='${arguments[0]}']`);
select.value = arguments[1];
select.dispatchEvent(new Event("change", { bubbles: true }));
"#;

async fn commit_reads(app: &App, want: &str) -> Result<()> {
    app.wait_until(&format!("the station's Commit reading {want}"), STEP_TIMEOUT, || async {
        Ok((app.text_of("commit").await? == want).then_some(()))
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_users_language_follows_them_and_the_lock_screen_keeps_the_workstations() -> Result<()> {
    let app = App::launch().await?;
    app.wait_for("language-select", STARTUP_TIMEOUT).await?;
    app.sign_in("staff", "1111").await?;
    commit_reads(&app, "Commit").await?;

    // Staff picks Spanish for themselves.
    app.wait_for("user-language-select", STEP_TIMEOUT).await?;
    app.client
        .execute(PICK, vec![serde_json::json!("user-language-select"), serde_json::json!("es")])
        .await?;
    commit_reads(&app, "Registrar").await?;

    // Locked: the workstation's language (English), then the PIN brings staff's back.
    app.click("lock").await?;
    app.wait_until("the lock screen in English", STEP_TIMEOUT, || async {
        Ok((app.text_of("signin-locked").await? == "Locked").then_some(()))
    })
    .await?;
    let pin = app.wait_for("signin-pin", STEP_TIMEOUT).await?;
    pin.send_keys("1111").await?;
    app.click("signin-submit").await?;
    commit_reads(&app, "Registrar").await?;

    // Signed out: English; another user: English; staff again: Spanish, from the database.
    app.sign_out().await?;
    assert_eq!(app.text_of("signin-submit").await?, "Sign in");
    app.sign_in("super", "2222").await?;
    commit_reads(&app, "Commit").await?;
    app.sign_out().await?;
    app.sign_in("staff", "1111").await?;
    commit_reads(&app, "Registrar").await?;

    // Back to following the workstation is a choice of English here; leave staff in English.
    app.client
        .execute(PICK, vec![serde_json::json!("user-language-select"), serde_json::json!("en")])
        .await?;
    commit_reads(&app, "Commit").await?;
    app.close().await
}
