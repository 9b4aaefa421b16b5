//! A kit listing (issue 21) on a channel follows its components over the simulator: the kit
//! holds no stock, the engine pushes the number of whole kits its components make, and a
//! component's change (a receipt, a sale of the component alone) reaches the kit's listing.

mod common;

use common::*;
use shelfsync_core::kit::parse_component;
use shelfsync_sim::SimConfig;
use shelfsync_sync::report;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kit_listing_follows_its_components_on_the_channel() {
    // S0, S1 and S2 listed at WH1; S2 is the kit: two S0 and one S1.
    let mut f = fixture(3, &["WH1"], SimConfig::default()).await;
    let parts = [parse_component("S0:2").unwrap(), parse_component("S1:1").unwrap()];
    f.store.kit_set("S2", &parts, "tester", "ws-test").unwrap();
    let engine = engine(&f, fast_config(21));

    receive(&mut f.store, 0, "WH1", 9);
    receive(&mut f.store, 1, "WH1", 6);
    drain(&engine).await;
    // 9 / 2 = 4 kits (S0 limits), 6 S1 would make 6.
    assert_eq!(
        (sim_level(&f, 0, "WH1"), sim_level(&f, 1, "WH1"), sim_level(&f, 2, "WH1")),
        (Some(9), Some(6), Some(4))
    );

    // S1 sold on its own: five gone, one left, so one kit.
    sale(&mut f.store, 1, "WH1", 5);
    drain(&engine).await;
    assert_eq!((sim_level(&f, 1, "WH1"), sim_level(&f, 2, "WH1")), (Some(1), Some(1)));

    // More S1 arrives: S0 limits again.
    receive(&mut f.store, 1, "WH1", 20);
    drain(&engine).await;
    assert_eq!(sim_level(&f, 2, "WH1"), Some(4));

    // Explain names the limiting component of what was pushed.
    let explained = report::explain(&f.store, "S2", CHANNEL).unwrap();
    assert_eq!(explained[0].now["qty"], 4);
    assert_eq!(explained[0].now["kit"][0]["limiting_component"], "S0");
    assert_eq!(explained[0].last_push.as_ref().unwrap()["derivation"]["kit"][0]["atp"], 4);
}
