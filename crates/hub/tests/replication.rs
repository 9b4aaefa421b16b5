//! Replication against a real PostgreSQL server: convergence, refusals, discrepancies, master
//! data, bad `connect` input, and the lease. One throwaway cluster per test process (nextest
//! runs each test in its own); each test its own database.

mod common;

use common::*;
use shelfsync_hub::{HubError, lease};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workstations_converge_on_the_same_events_and_balances() {
    let pg = cluster();
    let url = pg.database("converge");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1", "S2"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.receive("S1", 10);
    a.sync().await;
    // ws-b started empty: the catalogue and the receipt both came down.
    b.sync().await;
    assert_eq!(b.balances(), a.balances());
    b.adjust("S1", -3);
    b.receive("S2", 4);
    a.adjust("S2", 2);
    for _ in 0..2 {
        a.sync().await;
        b.sync().await;
    }
    assert_eq!(a.events(), b.events());
    assert_eq!(a.events(), hub_events(&url).await);
    assert_eq!(a.balances(), b.balances());
    assert_eq!(a.balances(), hub_balances(&url).await);
    assert_eq!(a.balances()[&("S1".to_string(), "WH1".to_string())][0], 7);
    assert_eq!(a.balances()[&("S2".to_string(), "WH1".to_string())][0], 6);
    // Nothing came back twice: four events, each once, on every side.
    assert_eq!(a.events().len(), 4);
    a.check();
    b.check();
    let status = shelfsync_hub::status(&b.db).await.unwrap();
    assert_eq!((status.connected, status.pending_up, status.lag_events), (true, 0, 0));
    assert_eq!(status.workstation.as_deref(), Some("ws-b"));
    // The hub goes away: recording does not notice; the status says so and counts what waits.
    drop(pg);
    b.adjust("S1", -1);
    let status = shelfsync_hub::status(&b.db).await.unwrap();
    assert_eq!((status.connected, status.pending_up, status.engine), (false, 1, None));
    assert!(status.last_pull.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_id_with_a_different_body_is_refused_on_both_sides() {
    let pg = cluster();
    let url = pg.database("refuse");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = workstation(dir.path(), "ws-b", &["S1"]);
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    let original = a.receive("S1", 5);
    let mut forged = original.clone();
    forged.movement = shelfsync_core::Movement::Receive { sku: sku_("S1"), location: loc("WH1"), qty: 50 };
    b.store().append(&forged).unwrap();
    a.sync().await;
    let report = b.sync().await;
    assert_eq!(report.refused_up, vec![original.id.to_string()]);
    assert_eq!(hub_count(&url, "SELECT count(*) FROM refusals").await, 1);
    // The hub kept the first body; ws-b reports both directions and kept its own.
    let b_refused = b.store().hub_refused().unwrap();
    let directions: Vec<&str> = b_refused.iter().map(|r| r.direction.as_str()).collect();
    assert_eq!(directions, ["up", "down"], "{b_refused:?}");
    assert!(b_refused[0].reason.contains("different body"), "{}", b_refused[0].reason);
    assert_eq!(hub_balances(&url).await[&("S1".to_string(), "WH1".to_string())][0], 5);
    assert_eq!(b.balances()[&("S1".to_string(), "WH1".to_string())][0], 50);
    let status = shelfsync_hub::status(&b.db).await.unwrap();
    assert_eq!((status.refused, status.pending_up), (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_offline_write_offs_of_the_last_unit_become_one_discrepancy() {
    let pg = cluster();
    let url = pg.database("discrepancy");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    let c = empty_workstation(dir.path(), "ws-c");
    for ws in [&a, &b, &c] {
        shelfsync_hub::connect(&ws.db, &url, &ws.name).await.unwrap();
    }
    a.receive("S1", 1);
    a.sync().await;
    b.sync().await;
    // Both offline: each sees one unit and writes it off; each is right locally.
    let first = a.write_off("S1", 1);
    let second = b.write_off("S1", 1);
    a.sync().await;
    b.sync().await;
    a.sync().await;
    c.sync().await;
    assert_eq!(hub_count(&url, "SELECT count(*) FROM discrepancies").await, 1);
    for ws in [&a, &b, &c] {
        let found = ws.store().hub_discrepancies().unwrap();
        assert_eq!(found.len(), 1, "{}", ws.name);
        assert_eq!(found[0].event_id, second.id.to_string());
        assert_eq!(found[0].other_event_id.as_deref(), Some(first.id.to_string().as_str()));
        assert!(found[0].detail.contains("on_hand"), "{}", found[0].detail);
        // Both events kept everywhere; the balance shows the oversold unit.
        assert_eq!(ws.events(), hub_events(&url).await);
        assert_eq!(ws.balances()[&("S1".to_string(), "WH1".to_string())][0], -1);
        ws.check();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_data_last_write_to_reach_the_hub_wins_with_every_version_kept() {
    let pg = cluster();
    let url = pg.database("master");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.sync().await;
    b.sync().await;
    assert_eq!(b.store().item("S1").unwrap().unwrap().name, "Item S1");
    let rename = |ws: &Ws, name: &str| {
        connection(&ws.store()).execute("UPDATE items SET name = ?1 WHERE sku = 'S1'", [name]).unwrap();
    };
    rename(&a, "older");
    std::thread::sleep(std::time::Duration::from_millis(5));
    rename(&b, "newer");
    // ws-b ships first; ws-a's edit, made earlier by its own clock, reaches the hub later. The
    // hub's clock orders them (a workstation's clock could say anything, issue 17): ws-a's wins,
    // everywhere.
    b.sync().await;
    a.sync().await;
    b.sync().await;
    for ws in [&a, &b] {
        assert_eq!(ws.store().item("S1").unwrap().unwrap().name, "older", "{}", ws.name);
    }
    let versions = hub_count(&url, "SELECT count(*) FROM master WHERE kind = 'item' AND key = 'S1'").await;
    assert_eq!(versions, 3, "snapshot, ws-b's edit and ws-a's edit are all kept");
    let current: String = hub(&url)
        .await
        .client
        .query_one("SELECT value::json->>'name' FROM master_current WHERE kind = 'item' AND key = 'S1'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(current, "older");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_connect_input_is_refused_and_changes_nothing() {
    let pg = cluster();
    let url = pg.database("badinput");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let other = workstation(dir.path(), "other", &["S1"]);
    shelfsync_hub::connect(&other.db, &url, "taken").await.unwrap();
    let unreachable = "postgres://u:hunter2@127.0.0.1:1/db";
    let cases: Vec<(String, &str, &str)> = vec![
        ("mysql://x@h/db".into(), "ws-a", "invalid hub URL"),
        ("postgres://".into(), "ws-a", "invalid hub URL"),
        (url.clone(), "bad name!", "invalid workstation name"),
        (unreachable.into(), "ws-a", "cannot reach the hub at u@127.0.0.1:1/db"),
        (url.clone(), "taken", "already joined this hub"),
    ];
    for (bad_url, name, expected) in cases {
        let error = shelfsync_hub::connect(&a.db, &bad_url, name).await.unwrap_err();
        let message = error.to_string();
        assert!(message.contains(expected), "{bad_url} {name}: {message}");
        assert!(!message.contains("hunter2"), "the password leaked: {message}");
        assert!(a.store().hub_config().unwrap().is_none(), "{bad_url}: joined anyway");
        assert!(!dir.path().join("ws-a.db.secrets").exists(), "{bad_url}: a secret was stored");
    }
    assert!(matches!(
        shelfsync_hub::connect(&other.db, &url, "renamed").await,
        Err(HubError::OtherName { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lease_has_one_holder_and_moves_after_expiry() {
    let pg = cluster();
    let url = pg.database("lease");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    let ttl = std::time::Duration::from_millis(600);
    let mut one = hub(&url).await;
    let mut two = hub(&url).await;
    assert_eq!(lease::acquire(&mut one, "ws-a", ttl).await.unwrap(), lease::LeaseState::Held { epoch: 1 });
    assert_eq!(
        lease::acquire(&mut two, "ws-b", ttl).await.unwrap(),
        lease::LeaseState::HeldBy { holder: "ws-a".into(), epoch: 1 }
    );
    // Renewals keep it; a holder that stops renewing loses it after one lifetime.
    assert_eq!(lease::acquire(&mut one, "ws-a", ttl).await.unwrap(), lease::LeaseState::Held { epoch: 1 });
    tokio::time::sleep(ttl + std::time::Duration::from_millis(100)).await;
    assert_eq!(lease::acquire(&mut two, "ws-b", ttl).await.unwrap(), lease::LeaseState::Held { epoch: 2 });
    assert!(matches!(lease::acquire(&mut one, "ws-a", ttl).await.unwrap(), lease::LeaseState::HeldBy { .. }));
    lease::release(&mut two, "ws-b").await.unwrap();
    assert_eq!(lease::acquire(&mut one, "ws-a", ttl).await.unwrap(), lease::LeaseState::Held { epoch: 3 });
    assert_eq!(
        lease::history(&one).await.unwrap(),
        vec![(1, "ws-a".to_string()), (2, "ws-b".to_string()), (3, "ws-a".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shipment_received_twice_offline_is_reported_and_replication_goes_on() {
    let pg = cluster();
    let url = pg.database("twice");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let second = shelfsync_core::Location { code: loc("WH2"), name: "Second".into(), parent: None };
    a.store().upsert_locations(&[second]).unwrap();
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.receive("S1", 5);
    let ship = a.append(shelfsync_core::Movement::TransferShip {
        sku: sku_("S1"),
        from: loc("WH1"),
        to: loc("WH2"),
        qty: 5,
    });
    a.sync().await;
    b.sync().await;
    let receipt = shelfsync_core::Movement::TransferReceive {
        sku: sku_("S1"),
        from: loc("WH1"),
        to: loc("WH2"),
        shipment: ship.id,
        shipped: 5,
        received: 5,
    };
    a.append(receipt.clone());
    b.append(receipt);
    a.sync().await;
    b.sync().await;
    let later = b.receive("S1", 1);
    b.sync().await;
    a.sync().await;
    // Each side refused the other's receipt (its schema allows one per shipment); the hub, which
    // keeps both, names the second as a discrepancy; and what came after still flowed.
    for ws in [&a, &b] {
        let refused = ws.store().hub_refused().unwrap();
        assert_eq!(refused.len(), 1, "{}: {refused:?}", ws.name);
        assert!(refused[0].reason.contains("breaks a rule of this replica"), "{}", refused[0].reason);
        assert!(ws.events().iter().any(|(id, _)| *id == later.id.to_string()), "{}", ws.name);
        ws.check();
    }
    assert_eq!(hub_count(&url, "SELECT count(*) FROM discrepancies").await, 1);
    assert_eq!(shelfsync_hub::status(&a.db).await.unwrap().lag_events, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_the_hub_verifies_the_certificate() {
    let pg = cluster();
    pg.database("tls");
    let ca = pg.enable_tls();
    let url = format!("postgres://postgres@localhost:{}/tls?sslmode=require", pg.port);
    let target = shelfsync_hub::HubTarget::parse(&url).unwrap();
    // A certificate from an unknown CA is refused...
    let refused =
        shelfsync_hub::pg::connect(&target).await.err().expect("an unknown CA is refused").to_string();
    assert!(refused.contains("cannot reach the hub at postgres@localhost"), "{refused}");
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
    // ...one from the trusted CA gives an encrypted session.
    let hub = shelfsync_hub::pg::connect(&target.clone().with_ca_file(&ca)).await.unwrap();
    let encrypted: bool = hub
        .client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(encrypted);
    let missing = shelfsync_hub::pg::connect(&target.with_ca_file("/no/such/ca.pem")).await.err().unwrap();
    assert!(missing.to_string().contains("cannot use the CA file /no/such/ca.pem"), "{missing}");
    // The trusted CA's certificate for another name is refused: the host name is verified
    // (hostaddr reaches this server under a name its certificate does not carry).
    let escaped_ca = ca.display().to_string().replace('/', "%2F");
    let wrong_name = format!(
        "postgres://postgres@hub.example:{}/tls?hostaddr=127.0.0.1&sslmode=require&sslrootcert={escaped_ca}",
        pg.port
    );
    let mismatch = shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(&wrong_name).unwrap())
        .await
        .err()
        .expect("a certificate for another name is refused")
        .to_string();
    assert!(mismatch.contains("certificate not valid for name \"hub.example\""), "{mismatch}");
    // The same URL with the name the certificate carries connects (sslrootcert is honoured).
    let right_name = wrong_name.replace("hub.example", "localhost");
    shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(&right_name).unwrap()).await.unwrap();
    // A hub off this machine with TLS turned down is refused before any connection, although
    // this server would accept it in plain text.
    let plain = format!("postgres://postgres@hub.example:{}/tls?hostaddr=127.0.0.1&sslmode=disable", pg.port);
    let refused = shelfsync_hub::HubTarget::parse(&plain).expect_err("refused").to_string();
    assert!(refused.contains("TLS is required"), "{refused}");
}

/// Seeded runs: three workstations make random receipts, adjustments and write-offs, and sync
/// in a random order with random pauses (some rounds a workstation stays offline). Whatever the
/// order, all four ledgers end with the same events and balances, and each ledger's projection
/// equals its rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_arrival_order_converges() {
    use rand::{Rng, SeedableRng};
    let pg = cluster();
    for seed in 0..4u64 {
        let url = pg.database(&format!("order{seed}"));
        let dir = tempfile::tempdir().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let skus = ["S1", "S2", "S3"];
        let first = workstation(dir.path(), "ws-0", &skus);
        shelfsync_hub::connect(&first.db, &url, "ws-0").await.unwrap();
        first.sync().await;
        let mut all = vec![first];
        for i in 1..3 {
            let ws = empty_workstation(dir.path(), &format!("ws-{i}"));
            shelfsync_hub::connect(&ws.db, &url, &ws.name).await.unwrap();
            ws.sync().await;
            all.push(ws);
        }
        for _ in 0..12 {
            let ws = &all[rng.random_range(0..all.len())];
            let sku = skus[rng.random_range(0..skus.len())];
            match rng.random_range(0..3) {
                0 => drop(ws.receive(sku, rng.random_range(1..5))),
                1 => drop(ws.adjust(sku, rng.random_range(1..3))),
                // Local rules still hold: only write off what this replica sees on the shelf.
                _ => {
                    let on_hand =
                        ws.balances().get(&(sku.to_string(), "WH1".to_string())).map_or(0, |b| b[0]);
                    if on_hand > 0 {
                        ws.write_off(sku, 1);
                    }
                }
            }
            if rng.random_bool(0.5) {
                all[rng.random_range(0..all.len())].sync().await;
            }
        }
        // Reconnect everyone: two passes, so each sees what the others pushed last.
        for _ in 0..2 {
            for ws in &all {
                ws.sync().await;
            }
        }
        let (events, balances) = (hub_events(&url).await, hub_balances(&url).await);
        for ws in &all {
            assert_eq!(ws.events(), events, "seed {seed}: {}", ws.name);
            assert_eq!(ws.balances(), balances, "seed {seed}: {}", ws.name);
            ws.check();
        }
    }
}
