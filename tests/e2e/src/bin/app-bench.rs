//! The desktop app's benchmark against issue #8's targets, measured inside the real window.
//!
//! Run by `scripts/bench.d/80-app.sh` (under Xvfb, with tauri-driver listening); prints one
//! Markdown section. WebDriver only sets things up: every figure is read from the webview's own
//! clock or from /proc, never from a WebDriver round trip.
//!
//! - Cold start: from the app process's start (its /proc start time) to the first frame of the
//!   sign-in screen (a `performance.mark` the screen sets), on a fresh database (the demo loads
//!   first) and again on that same, now existing, database; then from the sign-in click to the
//!   first frame of the scan station. Scanning needs a signed-in user, so "scan-ready" is the
//!   sum of the two.
//! - Scan-to-feedback: keydown events dispatched in the page as a wedge scanner types them
//!   (characters back to back, then Enter); the time from the Enter keydown to the frame after
//!   the feedback panel shows the scanned SKU. Every 400 scans a `CMD:DONE` scan commits the
//!   lines (the station holds at most 500 uncommitted lines); commits are not timed.
//! - Memory: RSS and PSS of the app process and of each of its descendants (WebKit's web and
//!   network processes), at idle on the scan station and after the scans; and a series taken
//!   after the first 1,000 scans and then every tenth of the run, with the page's DOM node
//!   count, to tell a leak (growth without end, nodes piling up) from caches and garbage that
//!   level off (issue 19's target: under 20 MiB of growth after the first 1,000 scans).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::wd::TimeoutConfiguration;
use serde_json::{Value, json};
use shelfsync_e2e::{App, Result, STARTUP_TIMEOUT, STEP_TIMEOUT};

/// Scans per committed batch: under the station's 500-line limit.
const BATCH: usize = 400;
/// One batch must finish within this (400 scans at even 100 ms each is 40 s).
const BATCH_TIMEOUT: Duration = Duration::from_secs(300);
/// Idle time on the scan station before the idle memory reading.
const IDLE: Duration = Duration::from_secs(10);
/// Distinct demo SKUs cycled through (consecutive scans differ, so each feedback is new).
const SKUS: usize = 1000;
/// Where the memory series starts: the station's first lines, commits and caches are warm.
const WARM_SCANS: usize = 1000;
/// Issue 19's limit on the station's growth after the first 1,000 scans.
const GROWTH_LIMIT_MIB: f64 = 20.0;

/// The app's processes and the page's element count after `scans` scans.
struct Sample {
    scans: usize,
    procs: Vec<Proc>,
    dom_nodes: u64,
}

fn sum(procs: &[Proc]) -> Mem {
    procs.iter().fold(Mem::default(), |acc, p| Mem {
        rss_kib: acc.rss_kib + p.mem.rss_kib,
        pss_kib: acc.pss_kib + p.mem.pss_kib,
    })
}

fn named(procs: &[Proc], prefix: &str) -> Mem {
    let mine: Vec<Proc> = procs
        .iter()
        .filter(|p| p.name.starts_with(prefix))
        .map(|p| Proc { name: p.name.clone(), mem: p.mem })
        .collect();
    sum(&mine)
}

/// Dispatches one batch of wedge scans in the page and answers each scan's latency (ms), or
/// null for a scan the page split. Synthetic keys are stamped when dispatched, so a pause of the
/// page's main thread (a garbage collection) between two of them looks like a gap longer than
/// the wedge's 30 ms: the burst splits and the tail arrives as an unknown code. A real scanner's
/// keys carry the windowing system's timestamps and do not split that way, so such a scan is
/// counted (a sign of a long pause) and the run goes on.
const SCAN_JS: &str = r#"
const codes = arguments[0], commitAfter = arguments[1], done = arguments[arguments.length - 1];
const title = () => document.querySelector('[data-testid="feedback-title"]')?.textContent ?? "";
const codeOf = (c) => /[a-z]/i.test(c) ? "Key" + c.toUpperCase() : /[0-9]/.test(c) ? "Digit" + c
  : c === "-" ? "Minus" : c === ":" ? "Semicolon" : "";
const key = (k, shift) => window.dispatchEvent(new KeyboardEvent("keydown",
  { key: k, code: k === "Enter" ? "Enter" : codeOf(k), shiftKey: shift, bubbles: true, cancelable: true }));
const split = (code) => (t) => t.startsWith("Unknown code") && code.endsWith(t.slice(13)) && t.length > 13;
const scan = (code, want) => new Promise((resolve, reject) => {
  const cut = split(code.replace(/^LOC:/, ""));
  let settled = false, t0 = 0;
  const check = () => {
    if (settled) return;
    const seen = title(), ok = want(seen);
    if (!ok && !(cut(seen) && seen !== before)) return;
    settled = true; obs.disconnect(); clearTimeout(timer);
    requestAnimationFrame(() => resolve(ok ? performance.now() - t0 : null));
  };
  const before = title();
  for (const c of code) key(c, /[A-Z:]/.test(c));
  const obs = new MutationObserver(check);
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  const timer = setTimeout(() => { obs.disconnect(); reject(new Error(`no feedback for ${code} in 10 s: '${title()}'`)); }, 10000);
  t0 = performance.now();
  key("Enter", false);
  check();
});
(async () => {
  const out = [];
  // A location label answers "Location WH1"; an item "+1  SS-00042".
  for (const code of codes) out.push(await scan(code, (t) => t.endsWith(code.replace(/^LOC:/, ""))));
  if (commitAfter) await scan("CMD:DONE", (t) => t.startsWith("Committed "));
  return out;
})().then((v) => done({ ok: v }), (e) => done({ error: String(e) }));
"#;

#[derive(Clone, Copy, Default)]
struct Mem {
    rss_kib: u64,
    pss_kib: u64,
}

/// One process and what it holds.
struct Proc {
    name: String,
    mem: Mem,
}

fn read_kib(text: &str, field: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn proc_mem(pid: u32) -> Option<Proc> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let name = status.lines().next()?.trim_start_matches("Name:").trim().to_string();
    Some(Proc { name, mem: Mem { rss_kib: read_kib(&status, "VmRSS:"), pss_kib: read_kib(&rollup, "Pss:") } })
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name may hold spaces and parentheses: fields resume after the last ')'.
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|d| d.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// The `shelfsync-app` process whose environment names `db`.
fn app_pid(db: &Path) -> Option<u32> {
    let needle = format!("SHELFSYNC_DB={}", db.display());
    all_pids().into_iter().find(|pid| {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        exe.to_string_lossy().ends_with("shelfsync-app")
            && environ.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
    })
}

/// The app and every process below it (WebKit starts its web and network processes as
/// children, possibly through a sandbox launcher).
fn app_tree(root: u32) -> Vec<Proc> {
    let pids = all_pids();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(pids.iter().copied().filter(|p| parent_of(*p) == Some(parent)));
        i += 1;
    }
    tree.into_iter().filter_map(proc_mem).filter(|p| p.mem.rss_kib > 0).collect()
}

/// The process's start as Unix milliseconds: its start tick after boot, with boot time taken
/// from /proc/uptime (centiseconds; /proc/stat's btime is whole seconds).
fn process_start_ms(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let ticks: f64 =
        stat.rsplit_once(')').ok_or("bad stat")?.1.split_whitespace().nth(19).ok_or("bad stat")?.parse()?;
    let uptime: f64 =
        std::fs::read_to_string("/proc/uptime")?.split_whitespace().next().ok_or("bad uptime")?.parse()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64() * 1000.0;
    // USER_HZ is 100 on Linux for every architecture this runs on.
    Ok(now - uptime * 1000.0 + ticks * 10.0)
}

/// Unix milliseconds of the page's `shelfsync:<name>-ready` mark, once it is set.
async fn ready_mark(app: &App, name: &str, timeout: Duration) -> Result<f64> {
    let script = format!(
        "const m = performance.getEntriesByName('shelfsync:{name}-ready'); \
         return m.length ? performance.timeOrigin + m[m.length - 1].startTime : null;"
    );
    app.wait_until(&format!("the {name} screen"), timeout, || {
        let script = script.clone();
        async move { Ok(app.client.execute(&script, vec![]).await?.as_f64()) }
    })
    .await
}

struct Start {
    app: App,
    pid: u32,
    to_sign_in_ms: f64,
}

async fn cold_start(db: &Path) -> Result<Start> {
    // As a user starts it: the demo's channels running, WebKit's compositing at the app's default.
    // The demo loaded on a fresh database: a release build asks first (the first-run screen),
    // and the bench times a station with stock, not that choice.
    let env =
        [("SHELFSYNC_DEMO", "on"), ("SHELFSYNC_DEMO_CHANNELS", "on"), ("SHELFSYNC_GPU_COMPOSITING", "off")];
    let app = App::launch_on(db, &env).await?;
    let pid = app_pid(db).ok_or("the app process was not found")?;
    let ready = ready_mark(&app, "signin", STARTUP_TIMEOUT).await?;
    Ok(Start { to_sign_in_ms: ready - process_start_ms(pid)?, app, pid })
}

/// Signs in as staff; answers ms from the click to the scan station's first frame.
async fn sign_in_to_station(app: &App) -> Result<f64> {
    app.wait_for("signin-name", STEP_TIMEOUT).await?.send_keys("staff").await?;
    app.wait_for("signin-pin", STEP_TIMEOUT).await?.send_keys("1111").await?;
    let clicked = app
        .client
        .execute(
            "const t = performance.timeOrigin + performance.now(); \
             document.querySelector('[data-testid=\"signin-submit\"]').click(); return t;",
            vec![],
        )
        .await?
        .as_f64()
        .ok_or("no click time")?;
    Ok(ready_mark(app, "scan", STEP_TIMEOUT).await? - clicked)
}

async fn close(start: Start) -> Result<()> {
    start.app.close().await?;
    // The next cold start must not find this one still holding the database.
    for _ in 0..100 {
        if !Path::new(&format!("/proc/{}", start.pid)).exists() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the app did not exit within 10 s of closing".into())
}

async fn sample(app: &App, pid: u32, scans: usize) -> Result<Sample> {
    let nodes = app.client.execute("return document.getElementsByTagName('*').length", vec![]).await?;
    Ok(Sample { scans, procs: app_tree(pid), dom_nodes: nodes.as_u64().unwrap_or(0) })
}

/// Latencies of the scans that arrived whole, how many the page split (see `SCAN_JS`), and the
/// memory series: after `WARM_SCANS`, then every tenth of the run (runs of 10,000 scans or more).
async fn run_scans(app: &App, pid: u32, scans: usize) -> Result<(Vec<f64>, usize, Vec<Sample>)> {
    app.client.update_timeouts(TimeoutConfiguration::new(Some(BATCH_TIMEOUT), None, None)).await?;
    app.click("mode-receive").await?;
    // Every item scan needs the location: a split label would fail the whole run later.
    if batch(app, vec!["LOC:WH1".into()], false).await?.iter().any(Option::is_none) {
        return Err("the location label was split; try again on a quieter machine".into());
    }
    let codes: Vec<String> = (0..scans).map(|i| format!("SS-{:05}", i % SKUS + 1)).collect();
    let mut out = Vec::with_capacity(scans);
    let mut samples = Vec::new();
    let every = (scans / 10).max(1);
    let mut next = if scans >= 10 * WARM_SCANS { WARM_SCANS } else { usize::MAX };
    for chunk in codes.chunks(BATCH) {
        out.extend(batch(app, chunk.to_vec(), true).await?);
        if out.len() >= next {
            samples.push(sample(app, pid, out.len()).await?);
            next = if next == WARM_SCANS { every } else { next + every };
        }
    }
    let split = out.iter().filter(|l| l.is_none()).count();
    Ok((out.into_iter().flatten().collect(), split, samples))
}

/// The series as a table, and the growth after the first 1,000 scans against issue 19's limit.
fn memory_series(samples: &[Sample]) {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else { return };
    println!(
        "\nMemory over the run (MiB; RSS / PSS), sampled between batches of {BATCH} committed scans, with the page's element count:\n"
    );
    println!("| scans | shelfsync-app | WebKit web | WebKit network | all processes | page elements |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for s in samples {
        let cell = |m: Mem| format!("{:.0} / {:.0}", mib(m.rss_kib), mib(m.pss_kib));
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            s.scans,
            cell(named(&s.procs, "shelfsync-app")),
            cell(named(&s.procs, "WebKitWebProc")),
            cell(named(&s.procs, "WebKitNetwork")),
            cell(sum(&s.procs)),
            s.dom_nodes
        );
    }
    let growth = |m: fn(&[Proc]) -> Mem| mib(m(&last.procs).rss_kib) - mib(m(&first.procs).rss_kib);
    let all = growth(|p| sum(p));
    let pss = mib(sum(&last.procs).pss_kib) - mib(sum(&first.procs).pss_kib);
    println!(
        "\n- growth from {} to {} scans: {all:.1} MiB RSS ({pss:.1} MiB PSS) over all processes (web process {:.1}, app {:.1}); target < {GROWTH_LIMIT_MIB:.0} MiB: {}",
        first.scans,
        last.scans,
        growth(|p| named(p, "WebKitWebProc")),
        growth(|p| named(p, "shelfsync-app")),
        verdict(all < GROWTH_LIMIT_MIB)
    );
    println!(
        "- page elements: {} after {} scans, {} after {}",
        first.dom_nodes, first.scans, last.dom_nodes, last.scans
    );
}

async fn batch(app: &App, codes: Vec<String>, commit: bool) -> Result<Vec<Option<f64>>> {
    let answer = app.client.execute_async(SCAN_JS, vec![json!(codes), json!(commit)]).await?;
    if let Some(error) = answer.get("error") {
        return Err(format!("scan batch failed: {error}").into());
    }
    let list = answer.get("ok").and_then(Value::as_array).ok_or("no latencies")?;
    Ok(list.iter().map(Value::as_f64).collect())
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn memory_rows(when: &str, procs: &[Proc]) -> Mem {
    let mut sum = Mem::default();
    for p in procs {
        println!("| {when} | {} | {:.0} | {:.0} |", p.name, mib(p.mem.rss_kib), mib(p.mem.pss_kib));
        sum.rss_kib += p.mem.rss_kib;
        sum.pss_kib += p.mem.pss_kib;
    }
    println!(
        "| {when} | **all {} processes** | **{:.0}** | **{:.0}** |",
        procs.len(),
        mib(sum.rss_kib),
        mib(sum.pss_kib)
    );
    sum
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let scans: usize = std::env::var("APP_BENCH_SCANS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let build = std::env::var("APP_BENCH_BUILD").unwrap_or_else(|_| "unknown".into());
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("shelfsync.db");

    let fresh = cold_start(&db).await?;
    let fresh_ms = fresh.to_sign_in_ms;
    // Let the demo's first pushes finish before closing, as a person would look around first.
    tokio::time::sleep(Duration::from_secs(2)).await;
    close(fresh).await?;

    let start = cold_start(&db).await?;
    let existing_ms = start.to_sign_in_ms;
    let to_station_ms = sign_in_to_station(&start.app).await?;
    tokio::time::sleep(IDLE).await;
    let idle = app_tree(start.pid);
    let (mut latencies, split, samples) = run_scans(&start.app, start.pid, scans).await?;
    let after = app_tree(start.pid);
    latencies.sort_by(f64::total_cmp);

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("?");
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("## Desktop app ({build} build, in the webview under Xvfb)\n");
    println!(
        "Machine: {cpus} CPUs, load average {load} when the scans ended (other work on the machine slows every figure here).\n"
    );
    println!(
        "Cold start: from the app process's start to the sign-in screen's first frame (webview clock and /proc); scanning needs a signed-in user, so \"scan-ready\" adds the sign-in click to the scan station's first frame. The demo's three simulated channels and its sync engine run in-process, as on a user's first start.\n"
    );
    println!("| measure | figure | target | |");
    println!("| --- | --- | --- | --- |");
    let fresh_ready = fresh_ms + to_station_ms;
    let existing_ready = existing_ms + to_station_ms;
    println!("| cold start to sign-in, fresh database (demo load) | {fresh_ms:.0} ms | | |");
    println!("| cold start to sign-in, existing database | {existing_ms:.0} ms | | |");
    println!("| sign-in click to scan station | {to_station_ms:.0} ms | | |");
    println!(
        "| cold start to scan-ready, fresh database | {fresh_ready:.0} ms | < 2000 ms | {} |",
        verdict(fresh_ready < 2000.0)
    );
    println!(
        "| cold start to scan-ready, existing database | {existing_ready:.0} ms | < 2000 ms | {} |",
        verdict(existing_ready < 2000.0)
    );
    if latencies.is_empty() {
        return Err("no scan was measured".into());
    }
    let (p50, p99, max) = (quantile(&latencies, 0.5), quantile(&latencies, 0.99), quantile(&latencies, 1.0));
    println!(
        "| scan-to-feedback over {} wedge scans (Enter keydown to the frame after the feedback) | p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms | p99 < 50 ms | {} |",
        latencies.len(),
        verdict(p99 < 50.0)
    );
    println!(
        "| scans split by a page pause over the wedge's 30 ms gap (synthetic keys only; not timed) | {split} of {scans} | | |"
    );
    println!();
    println!(
        "Memory (MiB). RSS counts shared pages in every process that maps them, so the RSS sum overstates the total; PSS splits shared pages between their users and sums honestly. The target is judged on the RSS sum.\n"
    );
    println!("| when | process | RSS | PSS |");
    println!("| --- | --- | --- | --- |");
    let idle_sum = memory_rows("idle, scan station", &idle);
    let after_sum = memory_rows(&format!("after {} scans", latencies.len()), &after);
    println!();
    for (when, sum) in [("idle", idle_sum), ("after the scans", after_sum)] {
        println!(
            "- {when}: {:.0} MiB RSS summed over the app and its WebKit processes ({:.0} MiB PSS); target < 200 MB RSS: {}",
            mib(sum.rss_kib),
            mib(sum.pss_kib),
            verdict(sum.rss_kib as f64 * 1024.0 < 200e6)
        );
    }
    memory_series(&samples);
    let web = |procs: &[Proc]| {
        procs.iter().filter(|p| p.name.starts_with("WebKitWebProc")).map(|p| p.mem.rss_kib).sum::<u64>()
    };
    let own = |procs: &[Proc]| {
        procs.iter().filter(|p| p.name == "shelfsync-app").map(|p| p.mem.rss_kib).sum::<u64>()
    };
    println!("\nWhere a target is missed:\n");
    if fresh_ready >= 2000.0 {
        println!(
            "- Fresh database: the first start writes the demo catalogue into the new database before the sign-in screen (sign-in needs the demo's users, a scan needs its items), so it cannot be moved off the path to a scan-ready screen; it happens once. Every later start is the existing-database figure."
        );
    }
    if p99 >= 50.0 {
        println!(
            "- Scan-to-feedback: each scan is a round trip to Rust (classify_scan: the item look-up) and a re-render of the station; on this shared 2-core machine the p99 includes waiting for a CPU (see the load average above)."
        );
    }
    if idle_sum.rss_kib as f64 * 1024.0 >= 200e6 || after_sum.rss_kib as f64 * 1024.0 >= 200e6 {
        println!(
            "- Memory: WebKitGTK's web content process holds {:.0} MiB at idle on its own (the app process {:.0} MiB); it grew by {:.0} MiB over the scans while the app process changed by {:.0} MiB. Whether that growth is JavaScript garbage WebKit has not collected yet or a leak in the page was not determined here.",
            mib(web(&idle)),
            mib(own(&idle)),
            mib(web(&after)).max(0.0) - mib(web(&idle)),
            mib(own(&after)) - mib(own(&idle))
        );
    }
    close(start).await
}
