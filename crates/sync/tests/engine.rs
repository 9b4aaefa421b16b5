//! The engine against the simulator over loopback: pushes, compare-and-set, dead letters,
//! lease, metrics and explain.

mod common;

use shelfsync_store::testing::connection;
use std::time::Duration;

use common::*;
use shelfsync_sim::{Faults, SimConfig};
use shelfsync_sync::{Mode, report};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_changes_reach_the_channel_with_their_derivation() {
    let mut f = fixture(3, &["WH1"], SimConfig::default()).await;
    receive(&mut f.store, 0, "WH1", 10);
    receive(&mut f.store, 1, "WH1", 4);
    sale(&mut f.store, 1, "WH1", 1);
    receive(&mut f.store, 2, "WH2", 9); // WH2 is not mapped: S2's WH1 listing stays 0
    let report = drain(&engine(&f, fast_config(1))).await;
    assert_eq!(report.channels[0].throttled, 0);
    assert_eq!(sim_level(&f, 0, "WH1"), Some(10));
    assert_eq!(sim_level(&f, 1, "WH1"), Some(3));
    assert_eq!(sim_level(&f, 2, "WH1"), Some(0));
    assert_eq!(queue_depth(&f), 0);

    let explained = report::explain(&f.store, "S1", CHANNEL).unwrap();
    assert_eq!(explained[0].now["qty"], 3);
    assert_eq!(explained[0].last_push.as_ref().unwrap()["qty"], 3);
    assert_eq!(explained[0].last_push.as_ref().unwrap()["derivation"]["pool"], 3);

    let status = report::status(&f.store).unwrap();
    assert_eq!(status[0].state, "ok");
    assert_eq!(status[0].queue_depth, 0);
    assert!(status[0].p95_latency_ms.is_some());
    assert!(status[0].last_success.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_on_the_channel_between_our_read_and_write_is_not_overwritten() {
    let mut f = fixture(1, &["WH1"], SimConfig::default()).await;
    let engine = engine(&f, fast_config(2));
    receive(&mut f.store, 0, "WH1", 10);
    drain(&engine).await;
    assert_eq!(sim_level(&f, 0, "WH1"), Some(10));
    // A customer buys 3 on the channel; the ledger has not heard of it yet.
    assert_eq!(f.sim.sell(&item_gid(0), &location_gid("WH1"), 3), 3);
    receive(&mut f.store, 0, "WH1", 2);
    let report = drain(&engine).await;
    // Compare-and-set refused 12-from-10; the engine read 7, kept the 3 sold units out.
    assert_eq!(sim_level(&f, 0, "WH1"), Some(9));
    assert_eq!(report.channels[0].stale, 1);
    let changes: i64 = connection(&f.store)
        .query_row("SELECT sum(delta) FROM channel_changes WHERE resolved_at IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(changes, -3, "the difference is handed to capture");
    let explained = report::explain(&f.store, "S0", CHANNEL).unwrap();
    assert_eq!(explained[0].now["channel_adjustment"], -3);
    assert_eq!(f.sim.inspect(|s| s.stats.stale), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_refusals_dead_letter_at_once_and_replay_after_a_fix() {
    let mut f = fixture(2, &["WH1"], SimConfig { strict_items: true, ..SimConfig::default() }).await;
    // The channel does not know S1's item: every push of it is refused for good.
    f.sim.with_levels_removed(&item_gid(1), &location_gid("WH1"));
    receive(&mut f.store, 0, "WH1", 5);
    receive(&mut f.store, 1, "WH1", 6);
    let engine = engine(&f, fast_config(3));
    drain(&engine).await;
    assert_eq!(sim_level(&f, 0, "WH1"), Some(5), "the good row is not held back by the bad one");
    let dead = report::dead_letters(&f.store).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].sku, "S1");
    assert!(dead[0].last_error.contains("INVALID_INVENTORY_ITEM"), "{}", dead[0].last_error);
    assert_eq!(report::status(&f.store).unwrap()[0].dead_letters, 1);

    f.sim.set_level(&item_gid(1), &location_gid("WH1"), 0);
    assert_eq!(
        report::retry_dead_letters(
            &f.store,
            shelfsync_store::By::new("tester", "ws-test"),
            Some(&dead[0].id)
        )
        .unwrap(),
        1
    );
    drain(&engine).await;
    assert_eq!(sim_level(&f, 1, "WH1"), Some(6));
    assert!(report::dead_letters(&f.store).unwrap().is_empty());
    let again = report::retry_dead_letters(
        &f.store,
        shelfsync_store::By::new("tester", "ws-test"),
        Some(&dead[0].id),
    )
    .unwrap_err();
    assert!(again.to_string().contains("already retried"), "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_waits_for_the_lease_then_takes_over() {
    let mut f = fixture(1, &["WH1"], SimConfig::default()).await;
    // A first engine that died holding the lease: it never renews, never releases.
    let dead = shelfsync_sync::lease::acquire(&f.store, "dead-engine", Duration::from_millis(700)).unwrap();
    assert_eq!(dead, shelfsync_sync::lease::Lease::Held);
    receive(&mut f.store, 0, "WH1", 4);
    let mut impatient = fast_config(4);
    impatient.lease_wait = Duration::from_millis(100);
    let refused = engine(&f, impatient).run(Mode::Once, tokio::sync::watch::channel(false).1).await;
    assert!(refused.unwrap_err().to_string().contains("dead-engine"));
    assert_eq!(sim_level(&f, 0, "WH1"), Some(0), "nothing pushed while another engine holds the lease");
    let started = std::time::Instant::now();
    drain(&engine(&f, fast_config(5))).await;
    assert!(started.elapsed() >= Duration::from_millis(300), "waited for the expiry");
    assert_eq!(sim_level(&f, 0, "WH1"), Some(4));
    assert!(shelfsync_sync::lease::holder(&f.store).unwrap().is_none(), "released at the end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_changes_requeue_and_allocation_is_explained() {
    let mut f = fixture(1, &["WH1"], SimConfig::default()).await;
    receive(&mut f.store, 0, "WH1", 20);
    let engine = engine(&f, fast_config(6));
    drain(&engine).await;
    assert_eq!(sim_level(&f, 0, "WH1"), Some(20));
    let change = shelfsync_sync::config::RuleChange {
        percent: Some(50),
        buffer: Some(2),
        cap: Some(Some(7)),
        ..Default::default()
    };
    shelfsync_sync::config::set_rule(
        &f.store,
        shelfsync_store::By::new("tester", "ws-test"),
        CHANNEL,
        &change,
    )
    .unwrap();
    assert_eq!(queue_depth(&f), 1, "a rule change marks the listing dirty");
    drain(&engine).await;
    // 20 * 50% = 10, minus buffer 2 = 8, capped at 7.
    assert_eq!(sim_level(&f, 0, "WH1"), Some(7));
    let explained = report::explain(&f.store, "S0", CHANNEL).unwrap();
    let now = &explained[0].now;
    assert_eq!(
        (now["after_percent"].as_i64(), now["buffer"].as_i64(), now["cap"].as_i64()),
        (Some(10), Some(2), Some(7))
    );
    let faults = Faults::none();
    f.sim.set_faults(faults);
}
