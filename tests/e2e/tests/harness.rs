//! The harness itself: a test that fails before `close()` must not leave its WebDriver session
//! open, because the driver serves one session at a time and every later test would then fail
//! with "Maximum number of active sessions" (which is how one slow click once failed three
//! tests in CI).

use shelfsync_e2e::{App, Result};

#[tokio::test(flavor = "current_thread")]
async fn an_app_dropped_without_close_frees_the_driver_for_the_next() -> Result<()> {
    let first = App::launch().await?;
    assert!(!first.by_test_id("status-strip").await?.is_empty(), "the first app is up");
    drop(first); // what an early `?` in a failing test does

    let second = tokio::time::timeout(std::time::Duration::from_secs(90), App::launch())
        .await
        .map_err(|_| "the second session did not start within 90 s")??;
    assert!(!second.by_test_id("status-strip").await?.is_empty(), "the second app is up");
    second.close().await
}
