//! The Stock and Movements screens and Rust's refusals in Spanish (issue 19): the tab names, a
//! code nobody has refused with Rust's error translated by its code (stock.notFound), a form's
//! own check with a number written the Spanish way, and a shipment Rust refuses for lack of
//! stock (movement.insufficient) in Spanish. Screenshots 84-es-* and 85-es-* go to
//! target/e2e-screens/. Back to English at the end (the harness does it too).

use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT};

/// Picks a language in the sign-in screen's selector as a person does (as spanish.rs).
const PICK: &str = r#"
const select = document.querySelector("[data-testid='language-select']");
select.value = arguments[0];
select.dispatchEvent(new Event("change", { bubbles: true }));
"#;

/// Waits until the element's text contains `want`; returns it.
async fn text_containing(app: &App, id: &str, want: &str) -> Result<String> {
    app.wait_until(&format!("{id} saying {want:?}"), STEP_TIMEOUT, || async {
        let found = app.by_test_id(id).await?;
        let Some(el) = found.first() else { return Ok(None) };
        let text = el.text().await?;
        Ok(text.contains(want).then_some(text))
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn stock_movements_and_refusals_speak_spanish() -> Result<()> {
    let app = App::launch().await?;
    app.wait_for("language-select", STARTUP_TIMEOUT).await?;
    app.client.execute(PICK, vec![serde_json::json!("es")]).await?;
    app.wait_until("the sign-in screen in Spanish", STEP_TIMEOUT, || async {
        Ok((app.text_of("signin-submit").await? == "Iniciar sesión").then_some(()))
    })
    .await?;

    // Staff: the tabs, the Stock screen, and a code nobody has (Rust's stock.notFound).
    app.open_stock_as_staff().await?;
    assert!(app.text_of("tab-stock").await?.starts_with("Existencias"));
    assert!(app.text_of("tab-movements").await?.starts_with("Movimientos"));
    assert_eq!(app.text_of("search-submit").await?, "Buscar");
    assert!(app.text_of("stock-count").await?.starts_with("Mostrando 200 de "), "the count line in Spanish");
    app.search("NOPE-4711").await?;
    let error =
        text_containing(&app, "lookup-error", "Ningún artículo tiene el SKU o código de barras «NOPE-4711»")
            .await?;
    assert!(error.contains("No encontrado"), "{error}");
    app.screenshot("84-es-stock-unknown-code").await?;

    app.click("tab-movements").await?;

    // Movements: the form's own check (a number the Spanish way), then Rust's refusal by code.
    app.wait_for("movements-tab-transfers", STEP_TIMEOUT).await?;
    assert_eq!(app.text_of("movements-tab-writeOff").await?, "Baja");
    app.click("movements-tab-transfers").await?;
    app.fill("ship-sku", "SS-00002").await?;
    app.choose("ship-from", "WH1").await?;
    app.choose("ship-to", "WH2").await?;
    app.fill("ship-qty", "0").await?;
    app.click("ship-submit").await?;
    text_containing(&app, "movements-error", "La cantidad es un número entero de 1 a 1.000.000.").await?;
    app.fill("ship-qty", "999999").await?;
    app.click("ship-submit").await?;
    let refused = text_containing(&app, "movements-error", "quedaría en negativo").await?;
    assert!(refused.contains("En stock en WH1"), "the bucket in Spanish: {refused}");
    app.screenshot("85-es-movements-refused").await?;

    // Back in English for whoever uses this webview next.
    app.sign_out().await?;
    app.wait_for("language-select", STEP_TIMEOUT).await?;
    app.client.execute(PICK, vec![serde_json::json!("en")]).await?;
    assert_eq!(app.text_of("signin-submit").await?, "Sign in");
    app.close().await
}
