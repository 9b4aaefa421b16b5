//! No secret in any log line, through the real subscriber ([`shelfsync_logging::init`]) at
//! trace level: a wrong and a right PIN in scope while the app's sign-in error is logged the way
//! the app logs errors (`{error}` and `{error:?}`), a Shopify token held by a real channel client
//! whose Debug output is logged, and, as a careless call site would, the channel's config (a
//! plain struct with the token inside) and raw token-shaped strings: the redaction path must
//! hide those. Then the file is read back. One test per file: `init` is once per process.

use std::path::Path;

const PIN: &str = "918273645";
const WRONG_PIN: &str = "546372819";
const TOKEN: &str = "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";
const ENV_SECRET: &str = "lwa-client-secret-31415926";

fn log_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("log folder") {
        let path = entry.expect("entry").path();
        text.push_str(&std::fs::read_to_string(&path).expect("log file"));
    }
    text
}

#[test]
fn no_pin_or_channel_token_reaches_the_log_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    // SAFETY: set before `init` starts any thread of ours; libtest's other threads do not read
    // the environment while this single test runs.
    unsafe {
        std::env::set_var("SHELFSYNC_LOG", "trace");
        std::env::set_var("SHELFSYNC_LWA_CLIENT_SECRET", ENV_SECRET);
    }
    let guard = shelfsync_logging::init(Some(logs.clone()), "secrets-test").expect("init logging");

    // A PIN in scope: the store refuses a wrong PIN and accepts the right one.
    let mut store = shelfsync_store::Store::open(dir.path().join("t.db")).expect("store");
    store.add_user("ada", shelfsync_core::Role::Admin, PIN, None, "ws1").expect("add user");
    let refused = store.authenticate("ada", WRONG_PIN, "ws1", chrono::Utc::now()).expect_err("wrong PIN");
    tracing::warn!(user = "ada", "sign-in refused: {refused}");
    tracing::debug!(user = "ada", error = ?refused, "sign-in refused");
    let user = store.authenticate("ada", PIN, "ws1", chrono::Utc::now()).expect("right PIN");
    tracing::info!(user = %user.name, role = ?user.role, "signed in");

    // A channel token in scope: the client holds it; its Debug output must not show it.
    let config = shelfsync_channels::shopify::ShopifyConfig {
        endpoint: "http://127.0.0.1:9".into(),
        access_token: TOKEN.into(),
        timeouts: Default::default(),
        shop: Some("demo.myshopify.com".into()),
    };
    let client = shelfsync_channels::shopify::ShopifyClient::new(config.clone()).expect("client");
    tracing::info!(client = ?client, "channel client ready");
    // Careless call sites the audit did not find today; the redaction path must catch them.
    tracing::error!(config = ?config, "channel config");
    tracing::error!("request headers: X-Shopify-Access-Token: {TOKEN}");
    tracing::warn!("token refresh: refresh_token=Atzr|IwEBIA-x9y8z7&grant_type=refresh_token");
    tracing::warn!(secret = ENV_SECRET, "a value read from a secret environment variable");

    guard.flush();
    let text = log_text(&logs);
    assert!(
        text.contains("sign-in refused") && text.contains("channel client ready"),
        "lines were written:\n{text}"
    );
    assert!(text.contains("request headers"), "the careless line is there, redacted:\n{text}");
    for secret in [PIN, WRONG_PIN, TOKEN, &TOKEN[6..], "Atzr|IwEBIA", "IwEBIA-x9y8z7", ENV_SECRET] {
        assert!(!text.contains(secret), "{secret} leaked into the log:\n{text}");
    }
    assert!(text.contains("[redacted]"), "the redaction path ran:\n{text}");
    assert!(!text.contains("[redacted]]"), "one marker per secret:\n{text}");
}
