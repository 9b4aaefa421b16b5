//! Packs through the hub (issue 21), against a real PostgreSQL server: a pack defined at one
//! workstation (its barcode and how many units it holds) replicates with the catalogue, so a
//! case scanned at another books the same units; and a change and a removal follow it.

mod common;

use common::*;
use shelfsync_store::By;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_defined_at_one_workstation_scans_the_same_at_another() {
    let pg = cluster();
    let url = pg.database("packs");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["MUG"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.store()
        .import_packs("barcode,sku,qty\nCASE-12,MUG,12\nINNER-3,MUG,3\n".as_bytes(), "tester", "ws-a")
        .unwrap();
    a.sync().await;
    b.sync().await;
    let units = |ws: &Ws, code: &str| ws.store().resolve_units(code).map(|r| (r.sku.to_string(), r.units));
    assert_eq!(units(&b, "CASE-12").unwrap(), ("MUG".to_string(), 12));
    assert_eq!(units(&b, "INNER-3").unwrap(), ("MUG".to_string(), 3));
    assert_eq!(hub_count(&url, "SELECT count(DISTINCT key) FROM master WHERE kind = 'pack'").await, 2);

    // A new size and a removal at ws-b reach ws-a; so does a new name for the item ws-b pulled.
    b.store().import_packs("barcode,sku,qty\nCASE-12,MUG,24\n".as_bytes(), "tester", "ws-b").unwrap();
    let renamed = "sku,name,unit_cost,category,safety_stock,barcodes\nMUG,Mug (blue),2.00,home,0,\n";
    b.store().import_items(renamed.as_bytes(), "tester", "ws-b").unwrap();
    b.store().remove_pack(By::new("tester", "ws-b"), "INNER-3").unwrap();
    for _ in 0..2 {
        b.sync().await;
        a.sync().await;
    }
    assert_eq!(units(&a, "CASE-12").unwrap(), ("MUG".to_string(), 24));
    assert!(units(&a, "INNER-3").is_err(), "the removed pack is gone at ws-a too");
    assert_eq!(a.store().packs(None).unwrap(), b.store().packs(None).unwrap());
    assert_eq!(a.store().item("MUG").unwrap().unwrap().name, "Mug (blue)");
    a.check();
    b.check();
}
