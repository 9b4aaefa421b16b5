//! What a workstation believes from the hub (issue 17), against a real PostgreSQL server: only
//! the catalogue replicates; people, approval rules and channels stay where an admin set them.

mod common;

use common::*;
use shelfsync_core::Role;

/// Every local-only table, with a row to write on the first workstation. None may reach the hub
/// or the second workstation, whether written before the join (the snapshot) or after it.
const LOCAL_ONLY: [(&str, &str, &str); 6] = [
    (
        "user",
        "users",
        "INSERT INTO users (name, role, pin_hash, created_at) VALUES ('mallory{n}', 'admin', '$argon2id$fake{n}', 'now')",
    ),
    (
        "tolerance",
        "tolerances",
        "INSERT INTO tolerances (category, units, auto_post) VALUES ('cat{n}', 1000000, 1)",
    ),
    (
        "channel",
        "channels",
        "INSERT INTO channels (name, kind, endpoint, shop, created_at) VALUES ('shop{n}', 'shopify', 'https://evil.example/{n}', 'x{n}.myshopify.com', 'now')",
    ),
    (
        "allocation_rule",
        "allocation_rules",
        "INSERT INTO allocation_rules (channel, percent) VALUES ('shop{n}', 0)",
    ),
    (
        "rule_location",
        "rule_locations",
        "INSERT INTO rule_locations (channel, location) VALUES ('shop{n}', 'WH1')",
    ),
    (
        "listing",
        "listings",
        "INSERT INTO listings (channel, sku, location, remote_item) VALUES ('shop{n}', 'S1', 'WH1', 'gid://x/{n}')",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_rules_and_channels_stay_on_their_workstation_and_pin_hashes_never_leave() {
    let pg = cluster();
    let url = pg.database("local_only");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    let write = |ws: &Ws, n: usize| {
        let store = ws.store();
        for (_, _, sql) in LOCAL_ONLY {
            store.connection().execute(&sql.replace("{n}", &n.to_string()), []).unwrap();
        }
    };
    // A real user with a real PIN hash, before the join: the snapshot must not carry it.
    let mut store = a.store();
    store.add_user("alice", Role::Admin, "4711", None, "ws-a").unwrap();
    drop(store);
    write(&a, 1);
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    // And after it: the triggers must not queue them.
    write(&a, 2);
    a.store().connection().execute("UPDATE users SET role = 'staff' WHERE name = 'alice'", []).unwrap();
    a.sync().await;
    b.sync().await;
    assert_eq!(b.store().item("S1").unwrap().unwrap().name, "Item S1", "the catalogue did replicate");
    let kinds: Vec<String> = hub(&url)
        .await
        .client
        .query("SELECT DISTINCT kind FROM master ORDER BY kind", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(kinds, ["item", "location"], "only the catalogue is on the hub");
    let leaked =
        hub_count(&url, "SELECT count(*) FROM master WHERE value LIKE '%argon2%' OR value LIKE '%pin_hash%'")
            .await;
    assert_eq!(leaked, 0, "a PIN hash reached the hub");
    for (kind, table, _) in LOCAL_ONLY {
        let on_b: i64 = b
            .store()
            .connection()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(on_b, 0, "{kind}: reached ws-b");
        let queued: i64 = a
            .store()
            .connection()
            .query_row("SELECT count(*) FROM hub_master_outbox WHERE kind = ?1", [kind], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 0, "{kind}: queued on ws-a");
    }
    // The hub itself refuses such a row, whoever writes it.
    let refused = hub(&url)
        .await
        .client
        .execute(
            "INSERT INTO master (kind, key, value, changed_at, workstation) VALUES ('user', 'x', '{}', 'now', 'ws-a')",
            &[],
        )
        .await
        .unwrap_err();
    let constraint = refused.as_db_error().and_then(|e| e.constraint()).unwrap_or_default().to_string();
    assert_eq!(constraint, "master_catalogue_only", "{refused:?}");
    a.check();
    b.check();
}
