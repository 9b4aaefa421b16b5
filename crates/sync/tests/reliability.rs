//! Reliability suites over real loopback HTTP: seeded fault injection with a convergence
//! checker, offline then back, and throttling.
//!
//! Convergence: `SHELFSYNC_SYNC_SEEDS=N` runs N seeds (default 50); `SHELFSYNC_SYNC_SEED=S`
//! replays one. A failing seed prints itself with what broke.

mod common;

use shelfsync_store::testing::connection;
use std::collections::HashMap;
use std::time::Duration;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shelfsync_sim::{AppliedEntry, Faults, OrderPlan, SimConfig};
use shelfsync_sync::report;

const SKUS: usize = 6;
const LOCATIONS: [&str; 2] = ["WH1", "WH2"];

fn fault_plan() -> Faults {
    Faults {
        throttle: 0.04,
        server_error: 0.06,
        timeout_after_apply: 0.05,
        slow: 0.10,
        drop_connection: 0.06,
        slow_ms: 20,
        hang_ms: 250,
        ..Faults::none()
    }
}

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("SHELFSYNC_SYNC_SEED").ok().and_then(|v| v.parse().ok()) {
        return vec![seed];
    }
    let count = std::env::var("SHELFSYNC_SYNC_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    (1..=count).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converges_under_seeded_faults() {
    let seeds = seeds();
    let mut failures = Vec::new();
    let mut faults_seen = shelfsync_sim::Stats::default();
    // Five seeds at a time: each is mostly waiting on timeouts and backoffs, so overlapping
    // them keeps the suite short on two cores without starving any one of them.
    for chunk in seeds.chunks(5) {
        let runs = chunk.iter().map(|&seed| async move { (seed, run_seed(seed).await) });
        for (seed, result) in futures_util::future::join_all(runs).await {
            if let Ok(stats) = &result {
                faults_seen.timeouts += stats.timeouts;
                faults_seen.drops += stats.drops;
                faults_seen.server_errors += stats.server_errors;
                faults_seen.throttled += stats.throttled;
                faults_seen.stale += stats.stale;
                faults_seen.units_sold += stats.units_sold;
            }
            if let Err(why) = result {
                eprintln!("convergence failed for seed {seed}: {why} (replay: SHELFSYNC_SYNC_SEED={seed})");
                failures.push(seed);
            }
        }
    }
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
    eprintln!("faults injected over {} seeds: {faults_seen:?}", seeds.len());
    if seeds.len() >= 10 {
        // The suite proves nothing if the faults never fired.
        let fired = [faults_seen.timeouts, faults_seen.drops, faults_seen.server_errors, faults_seen.stale];
        assert!(fired.iter().all(|&n| n > 0), "some fault never fired: {faults_seen:?}");
    }
}

async fn run_seed(seed: u64) -> Result<shelfsync_sim::Stats, String> {
    let sim_config = SimConfig { seed, faults: fault_plan(), ..SimConfig::default() };
    let mut f = fixture(SKUS, &LOCATIONS, sim_config).await;
    f.sim.set_orders(Some(OrderPlan { every: Duration::from_millis(15), max_qty: 2 }));
    let mut config = fast_config(seed);
    config.worker.max_attempts = 12;
    config.worker.max_batch = Some(4);
    config.timeouts.request = Duration::from_millis(150);
    let (stop, handle) = spawn_daemon(&f, config);
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..40 {
        let (i, location) = (rng.random_range(0..SKUS), LOCATIONS[rng.random_range(0..2)]);
        if rng.random_bool(0.3) && atp(&f.store, i, location) > 0 {
            sale(&mut f.store, i, location, 1);
        } else {
            receive(&mut f.store, i, location, rng.random_range(1..=15));
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..25))).await;
    }
    // Faults stop; the engine must now converge.
    f.sim.set_faults(Faults::none());
    f.sim.set_orders(None);
    let drained = eventually(Duration::from_secs(20), || queue_depth(&f) == 0).await;
    let run = stop_daemon(stop, handle).await;
    if !drained {
        return Err(format!("queue still holds {} rows 20 s after faults stopped", queue_depth(&f)));
    }
    check_converged(&f, 12)
        .map_err(|why| format!("{why}; run {:?}", (run.channels[0].calls, run.channels[0].failures)))?;
    Ok(f.sim.inspect(|s| s.stats.clone()))
}

fn check_converged(f: &Fixture, max_attempts: i64) -> Result<(), String> {
    let conn = connection(&f.store);
    let stats = f.sim.inspect(|s| s.stats.clone());
    if stats.keys_applied_twice != 0 || stats.key_mismatches != 0 {
        return Err(format!("idempotency broken: {stats:?}"));
    }
    let over_cap: i64 = conn
        .query_row("SELECT count(*) FROM dead_letters WHERE attempts > ?1", [max_attempts], |r| r.get(0))
        .unwrap();
    if over_cap > 0 {
        return Err(format!("{over_cap} dead letters went past the attempt cap"));
    }
    let dead_keys: Vec<String> = conn
        .prepare("SELECT group_key FROM dead_letters WHERE group_key IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let log = f.sim.inspect(|s| s.log.clone());
    let sold: HashMap<(String, String), i64> =
        f.sim.inspect(|s| s.levels().into_iter().map(|l| ((l.item, l.location), l.sold)).collect());
    for i in 0..SKUS {
        for location in LOCATIONS {
            check_listing(f, i, location, &log, &sold, &dead_keys)?;
        }
    }
    Ok(())
}

/// One listing: the channel holds the ledger's ATP less what the channel itself sold and less
/// the unseen sales seen on the item's other listings (an unseen drop lowers every listing of
/// the item; nothing here books the channel's orders, so they stay open), no listing's open
/// drops exceed what it really sold, and the channel applied exactly our acknowledged pushes,
/// in version order.
fn check_listing(
    f: &Fixture,
    i: usize,
    location: &str,
    log: &[AppliedEntry],
    sold: &HashMap<(String, String), i64>,
    dead_keys: &[String],
) -> Result<(), String> {
    let (item, remote_location) = (item_gid(i), location_gid(location));
    let sold = sold.get(&(item.clone(), remote_location.clone())).copied().unwrap_or(0);
    let seen_here = open_drops(&f.store, i)
        .into_iter()
        .find(|(_, l, _)| l.as_deref() == Some(location))
        .map_or(0, |(_, _, n)| n);
    if seen_here > sold {
        return Err(format!("S{i}@{location}: {seen_here} unseen units recorded, {sold} sold there"));
    }
    let elsewhere = open_drops_elsewhere(&f.store, i, CHANNEL, Some(location));
    let expected = (atp(&f.store, i, location) - sold - elsewhere).max(0);
    let level = sim_level(f, i, location).unwrap_or(0);
    let dead_here = has_dead_letter(f, i, location);
    if level != expected && !dead_here {
        return Err(format!(
            "S{i}@{location}: channel holds {level}, expected {expected} (ATP - {sold} sold - {elsewhere} unseen elsewhere)"
        ));
    }
    let applied: Vec<&str> = log
        .iter()
        .filter(|e| e.item == item && e.location == remote_location)
        .map(|e| e.key.as_str())
        .filter(|k| !dead_keys.iter().any(|d| d == k))
        .collect();
    let pushes: Vec<(String, i64)> = connection(&f.store)
        .prepare(
            "SELECT p.group_key, p.version FROM pushes p JOIN listings l ON l.id = p.listing_id
             WHERE l.sku = ?1 AND l.location = ?2 ORDER BY p.id",
        )
        .unwrap()
        .query_map([sku(i), location.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    if pushes.windows(2).any(|w| w[1].1 <= w[0].1) {
        return Err(format!("S{i}@{location}: acknowledged versions went backwards: {pushes:?}"));
    }
    let acked: Vec<&str> = pushes.iter().map(|(k, _)| k.as_str()).collect();
    if applied != acked {
        return Err(format!("S{i}@{location}: channel applied {applied:?}, engine acknowledged {acked:?}"));
    }
    Ok(())
}

fn has_dead_letter(f: &Fixture, i: usize, location: &str) -> bool {
    connection(&f.store)
        .query_row(
            "SELECT count(*) FROM dead_letters d JOIN listings l ON l.id = d.listing_id WHERE l.sku = ?1 AND l.location = ?2",
            [sku(i), location.to_string()],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
        > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_then_back_loses_nothing_and_keeps_fifo_order() {
    let mut f = fixture(6, &["WH1"], SimConfig::default()).await;
    let mut config = fast_config(20);
    config.worker.max_batch = Some(2);
    // The mappings' first pushes go before the outage, so the order checked below is the
    // outage's alone.
    drain(&engine(&f, config.clone())).await;
    let before = f.sim.inspect(|s| s.log.len());
    let (stop, handle) = spawn_daemon(&f, config);
    let addr = f.server.as_ref().unwrap().addr;
    f.server.take().unwrap().stop().await;
    for i in 0..6 {
        receive(&mut f.store, i, "WH1", (i + 1) as u32);
        // Distinct recorded_at stamps make the FIFO order unambiguous.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let offline = eventually(Duration::from_secs(5), || {
        report::status(&f.store).unwrap()[0].state.starts_with("offline since")
    })
    .await;
    assert!(offline, "status says offline");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let conn = connection(&f.store);
    assert_eq!(queue_depth(&f), 6, "nothing lost while offline");
    let max_attempts: i64 = conn.query_row("SELECT max(attempts) FROM outbox", [], |r| r.get(0)).unwrap();
    assert!(max_attempts <= 2, "offline burns at most the small bound, got {max_attempts}");
    assert!(report::dead_letters(&f.store).unwrap().is_empty());

    let server = f.sim.serve_at(addr).await.unwrap();
    assert!(eventually(Duration::from_secs(10), || queue_depth(&f) == 0).await, "drains on reconnect");
    stop_daemon(stop, handle).await;
    let order: Vec<String> = f.sim.inspect(|s| s.log[before..].iter().map(|e| e.item.clone()).collect());
    let expected: Vec<String> = (0..6).map(item_gid).collect();
    assert_eq!(order, expected, "applied oldest-dirty first");
    for i in 0..6 {
        assert_eq!(sim_level(&f, i, "WH1"), Some(i as i64 + 1));
    }
    assert_eq!(report::status(&f.store).unwrap()[0].state, "ok");
    server.stop().await;
}

/// Found by the whole-system suite: a channel's outage probe that ended in the dead-letter
/// queue (its retries answered by 5xx once the channel was back) left the worker waiting for a
/// probe that no longer existed, so nothing queued afterwards was ever sent. Every later change
/// must still go once the channel answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_probe_that_is_dead_lettered_does_not_stall_the_channel() {
    let mut f = fixture(2, &["WH1"], SimConfig::default()).await;
    let mut config = fast_config(21);
    config.worker.max_attempts = 3;
    drain(&engine(&f, config.clone())).await;
    let (stop, handle) = spawn_daemon(&f, config);
    let addr = f.server.as_ref().unwrap().addr;
    f.server.take().unwrap().stop().await;
    receive(&mut f.store, 0, "WH1", 4);
    let attempts = |f: &Fixture| -> i64 {
        connection(&f.store)
            .query_row("SELECT ifnull(max(attempts), 0) FROM outbox", [], |r| r.get(0))
            .unwrap()
    };
    assert!(
        eventually(Duration::from_secs(5), || attempts(&f) >= 2).await,
        "offline probes burn the small bound"
    );
    // Back, but every answer a 503: the probe's last attempt sends it to the dead-letter queue.
    f.sim.set_faults(Faults { server_error: 1.0, ..Faults::none() });
    let server = f.sim.serve_at(addr).await.unwrap();
    let dead =
        eventually(Duration::from_secs(5), || !report::dead_letters(&f.store).unwrap().is_empty()).await;
    assert!(dead, "the probe is dead-lettered after its third attempt");
    f.sim.set_faults(Faults::none());

    receive(&mut f.store, 1, "WH1", 7);
    let sent = eventually(Duration::from_secs(5), || sim_level(&f, 1, "WH1") == Some(7)).await;
    let left = queue_depth(&f);
    stop_daemon(stop, handle).await;
    assert!(sent, "a change queued after the dead-lettered probe reaches the channel ({left} rows left)");
    assert_eq!(left, 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_drains_with_at_most_one_throttle_per_burst() {
    // A small, fast bucket: 100 points, 1,000/s; each set costs 10.
    let sim_config = SimConfig { bucket_size: 100.0, restore_rate: 1000.0, ..SimConfig::default() };
    let mut f = fixture(300, &["WH1"], sim_config).await;
    for i in 0..300 {
        receive(&mut f.store, i, "WH1", 3);
    }
    let mut config = fast_config(30);
    config.worker.max_batch = Some(5);
    let run = drain(&engine(&f, config.clone())).await;
    assert_eq!(queue_depth(&f), 0);
    assert_eq!(run.channels[0].calls, 60);
    assert_eq!(f.sim.inspect(|s| s.stats.throttled), 0, "a paced backlog is never throttled");

    // Another app spends the whole bucket three times during a second backlog.
    for i in 0..300 {
        receive(&mut f.store, i, "WH1", 1);
    }
    let (stop, handle) = spawn_daemon(&f, config);
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        f.sim.drain_bucket();
    }
    assert!(eventually(Duration::from_secs(10), || queue_depth(&f) == 0).await);
    let run = stop_daemon(stop, handle).await;
    let throttled = f.sim.inspect(|s| s.stats.throttled);
    assert!(throttled <= 3, "at most one THROTTLED per burst, got {throttled}");
    assert_eq!(run.channels[0].throttled, throttled);
    for i in 0..300 {
        assert_eq!(sim_level(&f, i, "WH1"), Some(4));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_429_retry_after_is_honoured_and_burns_no_attempt() {
    let faults = Faults { too_many_requests: 0.5, retry_after_ms: 150, ..Faults::none() };
    let mut f = fixture(20, &["WH1"], SimConfig { faults, ..SimConfig::default() }).await;
    for i in 0..20 {
        receive(&mut f.store, i, "WH1", 2);
    }
    let mut config = fast_config(40);
    config.worker.max_batch = Some(2);
    config.worker.max_attempts = 2;
    let run = drain(&engine(&f, config)).await;
    let stats = f.sim.inspect(|s| s.stats.clone());
    assert!(stats.too_many_requests >= 3, "the fault fired: {stats:?}");
    assert_eq!(stats.retry_after_ignored, 0, "no request before Retry-After passed");
    assert_eq!(run.channels[0].throttled, stats.too_many_requests);
    assert_eq!(queue_depth(&f), 0);
    assert!(report::dead_letters(&f.store).unwrap().is_empty(), "a 429 is a throttle, not a failure");
    for i in 0..20 {
        assert_eq!(sim_level(&f, i, "WH1"), Some(2));
    }
}
