//! Drives the built `shelfsync-app` in a real window through tauri-driver (WebDriver).
//!
//! `scripts/e2e.sh` starts Xvfb and tauri-driver and then runs these tests one at a time (the
//! driver serves one session at a time). Each [`App`] launches the app on a fresh, empty database of its
//! own: tauri-driver cannot pass environment variables, so the "application" it launches is a
//! two-line wrapper script that sets `SHELFSYNC_DB` and `exec`s the real binary.
//!
//! Every wait has a deadline: a test that cannot find what it expects fails with a screenshot
//! and a message instead of hanging.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long the app may take to open, load the demo (~2 s in a debug build) and show rows.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(90);
/// How long one UI reaction (a look-up, a screen change) may take.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);
/// Enough of the page's text to see which screen and which message was showing.
const PAGE_TEXT_IN_ERROR_CHARS: usize = 1_500;
/// A click that did not navigate is tried again this many times (see [`App::click_to`]).
const CLICK_ATTEMPTS: u32 = 3;

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// The repository root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root exists")
}

/// `$SHELFSYNC_APP`, else `$CARGO_TARGET_DIR/debug/shelfsync-app`, else `target/debug/...`.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SHELFSYNC_APP") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let target = if target.is_relative() { workspace_root().join(target) } else { target };
    target.join("debug/shelfsync-app")
}

/// Runs the `shelfsync` CLI next to the app binary (scripts/e2e.sh builds it) on `db` as one of
/// the demo's users; its standard output, or its error line.
pub fn cli_as(db: &Path, user: &str, pin: &str, args: &[&str]) -> Result<String> {
    let out = std::process::Command::new(app_binary().with_file_name("shelfsync"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SHELFSYNC_USER", user)
        .env("SHELFSYNC_PIN", pin)
        .stdin(std::process::Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!("shelfsync {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Where screenshots go: `target/e2e-screens/`.
pub fn screens_dir() -> PathBuf {
    let dir =
        app_binary().parent().and_then(Path::parent).map(|t| t.join("e2e-screens")).expect("target dir");
    std::fs::create_dir_all(&dir).expect("create screenshot folder");
    dir
}

pub fn webdriver_url() -> String {
    std::env::var("TAURI_DRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".into())
}

/// The GTIN-13 printed on demo item `SS-{n:05}`: the demo loader's rule, with core's check digit.
pub fn demo_gtin13(n: u32) -> String {
    shelfsync_core::with_check_digit(&format!("590123{n:06}"))
}

/// One running app on its own fresh database.
pub struct App {
    pub client: Client,
    pub db_path: PathBuf,
    /// The WebDriver session, ended by [`App::close`] or, when a test fails before it gets
    /// there, by `Drop`: the driver serves one session at a time, so a session left open makes
    /// every later test fail with "Maximum number of active sessions".
    session_id: Option<String>,
    /// The fresh database's folder, removed with the app; `None` for a database the caller owns.
    _dir: Option<tempfile::TempDir>,
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(session) = self.session_id.take() {
            // Drop cannot await, and the client's own task runs on the test's runtime, which
            // is blocked here; so this is one plain HTTP request on loopback.
            if let Err(error) = delete_session(&webdriver_url(), &session) {
                eprintln!("e2e: could not end WebDriver session {session}: {error}");
            }
        }
    }
}

/// `DELETE /session/{id}` (W3C WebDriver "Delete Session"), which closes the app's window.
fn delete_session(base_url: &str, session: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let authority = base_url.trim_start_matches("http://").trim_end_matches('/');
    let address = std::net::ToSocketAddrs::to_socket_addrs(authority)?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("no address for {authority}")))?;
    let mut stream = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    // The driver waits for the app to close before it answers; 30 s as in `close`.
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut status = [0u8; 12];
    stream.read_exact(&mut status)?;
    if !status.starts_with(b"HTTP/1.1 2") {
        return Err(std::io::Error::other(format!("answer {:?}", String::from_utf8_lossy(&status))));
    }
    Ok(())
}

impl App {
    pub async fn launch() -> Result<App> {
        App::launch_with(&[]).await
    }

    /// Launches with extra environment variables (e.g. a serial scanner's path).
    pub async fn launch_with(env: &[(&str, &str)]) -> Result<App> {
        let dir = tempfile::tempdir()?;
        let db_path = dir.path().join("shelfsync.db");
        assert!(!db_path.exists());
        let mut app = App::launch_on(&db_path, env).await?;
        app._dir = Some(dir);
        app.tune_wedge().await?;
        Ok(app)
    }

    /// Launches on `db_path`, in a folder the caller owns (so the database outlives this app:
    /// a restart test launches again on it), tuned as [`App::launch_with`] is.
    pub async fn launch_at(db_path: &Path, env: &[(&str, &str)]) -> Result<App> {
        let app = App::launch_on(db_path, env).await?;
        app.tune_wedge().await?;
        Ok(app)
    }

    /// The app's process id: the `shelfsync-app` whose environment names this database.
    pub fn pid(&self) -> Result<u32> {
        let wanted = format!("SHELFSYNC_DB={}", self.db_path.display());
        for entry in std::fs::read_dir("/proc")? {
            let entry = entry?;
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let (Ok(environ), Ok(exe)) =
                (std::fs::read(entry.path().join("environ")), std::fs::read_link(entry.path().join("exe")))
            else {
                continue; // gone meanwhile, or not ours to read
            };
            let ours = exe.file_name().is_some_and(|n| n == "shelfsync-app");
            if ours && environ.split(|b| *b == 0).any(|var| var == wanted.as_bytes()) {
                return Ok(pid);
            }
        }
        Err(format!("no shelfsync-app process on {}", self.db_path.display()).into())
    }

    /// Launches on `db_path` (fresh or not; its folder must exist and hold the launcher too),
    /// without the wedge tuning's page reload: what the benchmark times is the first load.
    pub async fn launch_on(db_path: &Path, env: &[(&str, &str)]) -> Result<App> {
        let binary = app_binary();
        assert!(
            binary.is_file(),
            "{} is missing: run scripts/build-app.sh first (it builds the UI into the binary)",
            binary.display()
        );
        let folder = db_path.parent().ok_or("the database path has no folder")?;
        // The demo's simulated channels are one test's subject (app.rs); the others configure
        // channels of their own and run the CLI's engine, which the app's would hold off.
        //
        // WebKit's GPU compositing on: the app turns it off by default (main.rs), and then
        // WebKitWebDriver's screenshot now and then never returns under Xvfb (seen about once in
        // six shots, after which every WebDriver command waits behind it). The benchmark
        // (app-bench) runs the app's default and passes "off".
        let defaults = [("SHELFSYNC_DEMO_CHANNELS", "off"), ("SHELFSYNC_GPU_COMPOSITING", "on")];
        let defaults = defaults.iter().filter(|(k, _)| !env.iter().any(|(e, _)| e == k));
        let env: Vec<(&str, &str)> = env.iter().copied().chain(defaults.copied()).collect();
        let launcher = folder.join("shelfsync-app-e2e");
        std::fs::write(
            &launcher,
            format!(
                "#!/bin/sh\n{}SHELFSYNC_DB='{}' exec '{}' \"$@\"\n",
                env.iter().map(|(k, v)| format!("{k}='{v}' ")).collect::<String>(),
                db_path.display(),
                binary.display()
            ),
        )?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&launcher, std::fs::Permissions::from_mode(0o755))?;

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": launcher }));
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&webdriver_url()),
        )
        .await
        .map_err(|_| "no WebDriver session within 60 s: is tauri-driver running (scripts/e2e.sh)?")??;
        let session_id = client.session_id().await?;
        Ok(App { client, db_path: db_path.to_path_buf(), session_id, _dir: None })
    }

    /// WebDriver keystrokes on a loaded 2-core VM can arrive more than the default 30 ms apart,
    /// which splits a wedge scan. This workstation setting (the same one a site with slow
    /// scanners would use) allows 100 ms, still well below a person's 150 ms in the typing test.
    /// The webview's storage outlives the app (it belongs to the app's identifier, not to the
    /// database), so the station's floor settings go back to their defaults here too, and the
    /// language to English (what the tests read), whatever a test or a person chose before.
    async fn tune_wedge(&self) -> Result<()> {
        self.wait_until("the page", STARTUP_TIMEOUT, || async move {
            Ok((!self.by_test_id("status-strip").await?.is_empty()).then_some(()))
        })
        .await?;
        self.client
            .execute(
                "localStorage.setItem('shelfsync.wedge', JSON.stringify({ maxGapMs: 100 })); \
                 localStorage.removeItem('shelfsync.floor'); \
                 localStorage.setItem('shelfsync.language', 'en'); \
                 setTimeout(() => location.reload(), 0);",
                vec![],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.wait_until("the page after reload", STARTUP_TIMEOUT, || async move {
            Ok((!self.by_test_id("status-strip").await?.is_empty()).then_some(()))
        })
        .await
    }

    /// Ends the session (closing the app). Call at the end of every test.
    pub async fn close(mut self) -> Result<()> {
        let closing = tokio::time::timeout(Duration::from_secs(30), self.client.clone().close()).await;
        if matches!(closing, Ok(Ok(()))) {
            self.session_id = None;
        }
        closing.map_err(|_| "close timed out")??;
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        assert!(png.starts_with(b"\x89PNG"), "WebDriver returned a PNG");
        let path = screens_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Polls until `probe` returns `Some`, or fails after `timeout` with `what` and a screenshot.
    pub async fn wait_until<T, F, Fut>(&self, what: &str, timeout: Duration, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + timeout;
        let mut last_error = None;
        loop {
            match probe().await {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(error) => last_error = Some(error.to_string()),
            }
            if Instant::now() >= deadline {
                let shot = self.screenshot(&format!("FAILED-{}", what.replace(' ', "-"))).await.ok();
                // The screenshot stays on the machine that ran the test; the page's text goes
                // into the failure message, which is what a CI log keeps.
                let page =
                    self.visible_text(PAGE_TEXT_IN_ERROR_CHARS).await.unwrap_or_else(|e| format!("<{e}>"));
                return Err(format!(
                    "timed out after {timeout:?} waiting for {what} (last error: {last_error:?}; screenshot: {shot:?}; page text: {page:?})"
                )
                .into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for a screen's first usable frame: the `shelfsync:<name>-ready` mark the UI sets
    /// (ui/src/lib/readyMark.ts). Key timing tests start after it, when the webview is no longer
    /// busy painting its first frame.
    pub async fn wait_ready(&self, name: &str, timeout: Duration) -> Result<()> {
        let script = format!("return performance.getEntriesByName('shelfsync:{name}-ready').length > 0");
        self.wait_until(&format!("{name} ready"), timeout, || {
            let script = script.clone();
            async move { Ok(self.client.execute(&script, vec![]).await?.as_bool().unwrap_or(false).then_some(())) }
        })
        .await
    }

    /// The page's visible text (`innerText`), cut to `max_chars`.
    pub async fn visible_text(&self, max_chars: usize) -> Result<String> {
        let text = self.client.execute("return document.body ? document.body.innerText : ''", vec![]).await?;
        Ok(text.as_str().unwrap_or_default().chars().take(max_chars).collect())
    }

    pub async fn by_test_id(&self, id: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(&format!("[data-testid='{id}']"))).await?)
    }

    /// Waits for exactly one element with this test id and returns it.
    pub async fn wait_for(&self, id: &str, timeout: Duration) -> Result<Element> {
        self.wait_until(id, timeout, || async move {
            let mut found = self.by_test_id(id).await?;
            Ok(if found.len() == 1 { found.pop() } else { None })
        })
        .await
    }

    pub async fn text_of(&self, id: &str) -> Result<String> {
        Ok(self.wait_for(id, STEP_TIMEOUT).await?.text().await?)
    }

    /// Waits for the sign-in screen (the demo loads first), then signs in.
    pub async fn sign_in(&self, name: &str, pin: &str) -> Result<()> {
        let input = self.wait_for("signin-name", STARTUP_TIMEOUT).await?;
        input.clear().await?;
        input.send_keys(name).await?;
        let pin_input = self.wait_for("signin-pin", STEP_TIMEOUT).await?;
        pin_input.clear().await?;
        pin_input.send_keys(pin).await?;
        self.wait_for("signin-submit", STEP_TIMEOUT).await?.click().await?;
        self.wait_until("signed in", STEP_TIMEOUT, || async move {
            let who = self.by_test_id("signed-in-user").await?;
            match who.first() {
                Some(el) => Ok(el.text().await?.starts_with(name).then_some(())),
                None => Ok(None),
            }
        })
        .await
    }

    pub async fn sign_out(&self) -> Result<()> {
        self.wait_for("sign-out", STEP_TIMEOUT).await?.click().await?;
        self.wait_for("signin-screen", STEP_TIMEOUT).await?;
        Ok(())
    }

    /// Clicks `id`. A tab (`tab-NAME`) is clicked until its screen (`NAME-screen`) shows, as
    /// [`App::click_to`] does.
    pub async fn click(&self, id: &str) -> Result<()> {
        if let Some(screen) = id.strip_prefix("tab-") {
            self.click_to(id, &format!("{screen}-screen")).await?;
            return Ok(());
        }
        let element = self.wait_for(id, STEP_TIMEOUT).await?;
        // As a person scrolls to a button below the fold: WebKitWebDriver answers "element not
        // interactable" rather than scrolling a button inside a scrolled container itself.
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' })",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    /// Clicks `id` until `shows` appears, at most [`CLICK_ATTEMPTS`] times. For navigation
    /// only (clicking twice must be harmless): on a loaded CI machine a click that lands while
    /// the screen re-renders under it is lost, and a person would simply click again.
    pub async fn click_to(&self, id: &str, shows: &str) -> Result<Element> {
        let per_attempt = STEP_TIMEOUT / CLICK_ATTEMPTS;
        for attempt in 1..=CLICK_ATTEMPTS {
            let buttons = self.by_test_id(id).await?;
            // Already navigated (the previous click landed late): do not click what is gone.
            if buttons.is_empty() && attempt > 1 {
                return self.wait_for(shows, STEP_TIMEOUT).await;
            }
            let button = self.wait_for(id, STEP_TIMEOUT).await?;
            // A tab scrolled out of the navigation's row (a narrow window) is scrolled to first,
            // as a person would; WebKitWebDriver would answer "element not interactable".
            self.client
                .execute(
                    "arguments[0].scrollIntoView({ inline: 'nearest' })",
                    vec![serde_json::to_value(&button)?],
                )
                .await?;
            button.click().await?;
            let deadline = Instant::now() + per_attempt;
            while Instant::now() < deadline {
                let mut found = self.by_test_id(shows).await?;
                if found.len() == 1 {
                    return Ok(found.remove(0));
                }
                tokio::time::sleep(POLL).await;
            }
            eprintln!("e2e: clicking {id} did not show {shows} within {per_attempt:?} (attempt {attempt})");
        }
        self.wait_for(shows, STEP_TIMEOUT).await
    }

    /// Signs in as the demo's staff user and opens the Stock screen.
    pub async fn open_stock_as_staff(&self) -> Result<usize> {
        self.sign_in("staff", "1111").await?;
        self.click("tab-stock").await?;
        self.wait_for_stock_rows().await
    }

    /// Waits until the scan station's feedback title matches `want`; returns it.
    pub async fn wait_feedback(&self, what: &str, want: impl Fn(&str) -> bool) -> Result<String> {
        self.wait_until(what, STEP_TIMEOUT, || {
            let want = &want;
            async move {
                let title = self.text_of("feedback-title").await?;
                Ok(want(&title).then_some(title))
            }
        })
        .await
    }

    /// A keyboard-wedge scan: keys back to back, then Enter, with no field focused.
    pub async fn wedge(&self, code: &str) -> Result<()> {
        self.blur().await?;
        self.type_keys(code, Duration::ZERO, true).await
    }

    /// Waits for the demo to load and the stock table to fill; returns the row count.
    pub async fn wait_for_stock_rows(&self) -> Result<usize> {
        self.wait_until("stock rows", STARTUP_TIMEOUT, || async move {
            let rows = self.by_test_id("stock-row").await?;
            Ok((!rows.is_empty()).then_some(rows.len()))
        })
        .await
    }

    /// SKU of every row in the stock table, in order.
    pub async fn row_skus(&self) -> Result<Vec<String>> {
        let mut skus = Vec::new();
        for row in self.by_test_id("stock-row").await? {
            skus.push(row.attr("data-sku").await?.unwrap_or_default());
        }
        Ok(skus)
    }

    /// Sends keystrokes to whatever has focus, `gap` apart, optionally ending with Enter: a
    /// scanner (gap ~0) or a person (gap 100 ms+) at the keyboard.
    pub async fn type_keys(&self, text: &str, gap: Duration, enter: bool) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        let enter_key = char::from(fantoccini::key::Key::Enter);
        let chars: Vec<char> = text.chars().chain(enter.then_some(enter_key)).collect();
        for (i, ch) in chars.iter().enumerate() {
            if i > 0 && !gap.is_zero() {
                keys = keys.then(KeyAction::Pause { duration: gap });
            }
            keys = keys.then(KeyAction::Down { value: *ch }).then(KeyAction::Up { value: *ch });
        }
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Sets a select as a pick from its list would: clicking an option opens WebKitGTK's native
    /// pop-up, which nobody closes under Xvfb.
    pub async fn choose(&self, id: &str, value: &str) -> Result<()> {
        self.wait_for(id, STEP_TIMEOUT).await?;
        self.client
            .execute(
                "const select = document.querySelector(`[data-testid='${arguments[0]}']`); \
                 select.value = arguments[1]; \
                 select.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![id.into(), value.into()],
            )
            .await?;
        Ok(())
    }

    /// Replaces a field's text (WebDriver's clear, then the keys).
    pub async fn fill(&self, id: &str, text: &str) -> Result<()> {
        let field = self.wait_for(id, STEP_TIMEOUT).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Moves focus off any input, as when a worker has just clicked a row or the background.
    pub async fn blur(&self) -> Result<()> {
        self.client.execute("document.activeElement && document.activeElement.blur()", vec![]).await?;
        Ok(())
    }

    /// Types `code` into the search box and submits it with Enter, as a person would.
    pub async fn search(&self, code: &str) -> Result<()> {
        let input = self.wait_for("search-input", STEP_TIMEOUT).await?;
        input.clear().await?;
        input.send_keys(code).await?;
        self.wait_for("search-submit", STEP_TIMEOUT).await?.click().await?;
        Ok(())
    }
}

/// The channel simulator (`shelfsync sim --port 0 --seed 3`, next to the app), killed on drop.
pub struct Sim {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`: the simulated Shopify's endpoint.
    pub url: String,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Sim {
    pub fn start() -> Result<Sim> {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(app_binary().with_file_name("shelfsync"))
            .args(["sim", "--port", "0", "--seed", "3"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut stdout = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        stdout.read_line(&mut first)?;
        let start = first.find("http://127.0.0.1:").ok_or_else(|| format!("no URL in {first:?}"))?;
        let url = first[start..].split("/admin").next().unwrap_or_default().trim().to_string();
        Ok(Sim { child, url, _stdout: stdout })
    }

    /// One HTTP/1.1 request to the simulator's admin API; the whole answer.
    fn admin(&self, request_line: &str, body: &str) -> Result<String> {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{request_line} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response)
    }

    /// The shop's catalogue: what a merchant's Shopify already lists (POST /admin/catalogue).
    pub fn add_catalogue(&self, body: &str) -> Result<()> {
        let response = self.admin("POST /admin/catalogue", body)?;
        if !response.starts_with("HTTP/1.1 200") {
            return Err(format!("the simulator refused the catalogue: {response}").into());
        }
        Ok(())
    }

    /// The simulator's available quantity for one inventory item, if it holds one.
    pub fn available(&self, item: &str) -> Result<Option<i64>> {
        let response = self.admin("GET /admin/state", "")?;
        let body = &response[response.find("\r\n\r\n").ok_or("no HTTP body")? + 4..];
        let state: serde_json::Value = serde_json::from_str(body)?;
        Ok(state["levels"]
            .as_array()
            .and_then(|levels| levels.iter().find(|l| l["item"] == item))
            .and_then(|l| l["available"].as_i64()))
    }

    /// Waits (at most `within`) until the item's level is `want`.
    pub async fn wait_level(&self, item: &str, want: i64, within: Duration, what: &str) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            let now = self.available(item)?;
            if now == Some(want) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{what}: the channel shows {now:?}, not {want}").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
