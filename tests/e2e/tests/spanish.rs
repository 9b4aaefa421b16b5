//! The floor in Spanish (issue 19): the language picked on the sign-in screen, then the scan
//! station and the lock screen speaking it, numbers and plural forms included. The choice is
//! kept in the webview's storage, which outlives the app: the next launch starts in Spanish, and
//! the harness puts English back for every other test (`App::launch`).

use std::time::Duration;

use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT};

/// Under Xvfb the frame a screenshot gets can lag the page by a few hundred ms.
const FRAME_LAG: Duration = Duration::from_millis(800);

/// Picks a language in the sign-in screen's selector as a person does (the change event).
const PICK: &str = r#"
const select = document.querySelector("[data-testid='language-select']");
select.value = arguments[0];
select.dispatchEvent(new Event("change", { bubbles: true }));
"#;

/// A 10" tablet at 150% scaling (as layouts.rs).
const TABLET: (u32, u32) = (853, 533);

/// Whether the station fits: no scrolling, Commit on screen, every mode's name inside its button.
const FITS: &str = r#"
const doc = document.documentElement;
const main = document.querySelector("main");
const commit = document.querySelector("[data-testid='commit']").getBoundingClientRect();
const modes = [...document.querySelectorAll("[data-testid^='mode-']")];
return {
  across: doc.scrollWidth > window.innerWidth + 1 || main.scrollWidth > main.clientWidth + 1,
  down: doc.scrollHeight > window.innerHeight + 1 || main.scrollHeight > main.clientHeight + 1,
  commit: commit.bottom <= window.innerHeight && commit.right <= window.innerWidth && commit.width > 0,
  modesOverflow: modes.some((m) => m.scrollWidth > m.clientWidth + 1),
};
"#;

#[tokio::test(flavor = "current_thread")]
async fn the_floor_speaks_spanish_once_picked_on_the_sign_in_screen() -> Result<()> {
    let app = App::launch().await?;
    app.wait_for("language-select", STARTUP_TIMEOUT).await?;
    assert_eq!(app.text_of("signin-submit").await?, "Sign in", "English by default");

    app.client.execute(PICK, vec![serde_json::json!("es")]).await?;
    app.wait_until("the sign-in screen in Spanish", STEP_TIMEOUT, || async {
        Ok((app.text_of("signin-submit").await? == "Iniciar sesión").then_some(()))
    })
    .await?;
    tokio::time::sleep(FRAME_LAG).await;
    app.screenshot("80-es-sign-in").await?;

    // The form's own check, in Spanish.
    let name = app.wait_for("signin-name", STEP_TIMEOUT).await?;
    name.send_keys("staff").await?;
    app.click("signin-submit").await?;
    let error = app.text_of("signin-error").await?;
    assert!(error.contains("Revise el formulario") && error.contains("Introduzca su PIN."), "{error}");

    app.sign_in("staff", "1111").await?;
    app.click("mode-receive").await?;
    assert_eq!(app.text_of("mode-receive").await?, "Recepción");
    app.wedge("LOC:WH1").await?;
    app.wait_feedback("location", |t| t == "Ubicación WH1").await?;
    app.wedge("SS-00007").await?;
    app.wait_feedback("a line", |t| t.contains("SS-00007")).await?;
    app.wedge("LOC:WH2").await?;
    app.wait_feedback("refused", |t| t == "Registre o deshaga primero").await?;
    let page = app.visible_text(20_000).await?;
    assert!(page.contains("1 línea sigue pendiente para WH1."), "singular, in Spanish: {page}");
    assert_eq!(app.text_of("commit").await?, "Registrar");
    tokio::time::sleep(FRAME_LAG).await;
    app.screenshot("81-es-scan-station").await?;

    // A scan Rust refuses: the title and Rust's sentence under it, both in Spanish (the code
    // Rust sends with the refusal, translated by the station).
    app.wedge("LOC:MOON").await?;
    app.wait_feedback("an unknown location", |t| t == "Ubicación desconocida LOC:MOON").await?;
    let page = app.visible_text(20_000).await?;
    assert!(
        page.contains(
            "No hay ninguna ubicación «MOON» en este almacén. Escanee una etiqueta de estantería de aquí."
        ),
        "Rust's refusal in Spanish: {page}"
    );
    assert!(!page.contains("No location 'MOON'"), "no English left on the station: {page}");
    tokio::time::sleep(FRAME_LAG).await;
    app.screenshot("81-es-scan-refused").await?;

    // Spanish words are longer: on a 10" tablet at 150% (853x533) the station still fits.
    app.client.set_window_size(TABLET.0, TABLET.1).await?;
    app.wait_until("the window at the tablet's size", STEP_TIMEOUT, || async {
        let width = app.client.execute("return window.innerWidth", vec![]).await?.as_u64().unwrap_or(0);
        Ok((width <= u64::from(TABLET.0) && width + 40 >= u64::from(TABLET.0)).then_some(()))
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await; // Xvfb's first frames at a new size come late
    let fits = app.client.execute(FITS, vec![]).await?;
    app.screenshot("83-es-scan-tablet-853x533").await?;
    assert_eq!(fits["across"], false, "the station scrolls across in Spanish: {fits}");
    assert_eq!(fits["down"], false, "the station scrolls down in Spanish: {fits}");
    assert_eq!(fits["commit"], true, "Registrar is off screen: {fits}");
    assert_eq!(fits["modesOverflow"], false, "a mode's name does not fit its button: {fits}");

    // Locked: a scan is refused in Spanish and counts as no PIN.
    app.click("lock").await?;
    app.wait_until("the lock screen in Spanish", STEP_TIMEOUT, || async {
        Ok((app.text_of("signin-locked").await? == "Bloqueado").then_some(()))
    })
    .await?;
    app.wait_for("signin-pin", STEP_TIMEOUT).await?.click().await?;
    app.type_keys("SS-00008", Duration::ZERO, true).await?;
    app.wait_until("the refusal in Spanish", STEP_TIMEOUT, || async {
        Ok(app.text_of("signin-error").await?.contains("Bloqueado: introduzca su PIN").then_some(()))
    })
    .await?;
    assert!(app.text_of("signin-error").await?.contains("El escaneo SS-00008 no se ha registrado"));
    tokio::time::sleep(FRAME_LAG).await;
    app.screenshot("82-es-lock-scan-refused").await?;

    // Back in English for whoever uses this webview next (the harness does it again anyway).
    app.client.execute(PICK, vec![serde_json::json!("en")]).await?;
    assert_eq!(app.text_of("signin-submit").await?, "Unlock");
    app.close().await
}
