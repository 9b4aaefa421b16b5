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
            connection(&store).execute(&sql.replace("{n}", &n.to_string()), []).unwrap();
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
    connection(&a.store()).execute("UPDATE users SET role = 'staff' WHERE name = 'alice'", []).unwrap();
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
        let on_b: i64 = connection(&b.store())
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(on_b, 0, "{kind}: reached ws-b");
        let queued: i64 = connection(&a.store())
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

fn item_name(ws: &Ws) -> String {
    ws.store().item("S1").unwrap().unwrap().name
}

/// (action, subject) of every `hub.master*` audit entry on a workstation.
fn hub_audit(ws: &Ws) -> Vec<(String, String)> {
    let store = ws.store();
    let mut stmt = connection(&store)
        .prepare("SELECT action, subject FROM audit WHERE action LIKE 'hub.master%' ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_stamps_master_times_a_future_row_is_not_believed_and_all_applied_is_audited() {
    let pg = cluster();
    let url = pg.database("stamps");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.sync().await;
    b.sync().await;
    assert_eq!(
        hub_audit(&b),
        [("hub.master".into(), "location WH1".into()), ("hub.master".into(), "item S1".into())]
    );
    let admin = hub(&url).await;
    let forge = |name: &str| {
        format!(
            "INSERT INTO master (kind, key, value, changed_at, workstation) VALUES ('item', 'S1', \
             '{{\"sku\":\"S1\",\"name\":\"{name}\",\"unit_cost_cents\":1,\"category\":\"general\",\"safety_stock\":0}}', \
             '2099-01-01T00:00:00.000Z', 'ws-z')"
        )
    };
    // 1. A row claiming 2099: the hub stamps it with its own now(), so a later edit still wins.
    admin.client.batch_execute(&forge("claims 2099")).await.unwrap();
    let stamped: String = admin
        .client
        .query_one("SELECT changed_at FROM master WHERE value LIKE '%claims 2099%'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(stamped.starts_with("20") && *stamped < *"2099", "{stamped}");
    b.sync().await;
    assert_eq!(item_name(&b), "claims 2099", "the forged row was the latest write, so far");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    connection(&a.store()).execute("UPDATE items SET name = 'later' WHERE sku = 'S1'", []).unwrap();
    a.sync().await;
    b.sync().await;
    assert_eq!(item_name(&b), "later");
    a.sync().await;
    assert_eq!(item_name(&a), "later");
    // 2. A 2099 row written around the stamping (the trigger off: a hub from before this
    // change, or its owner): the workstation does not believe it, and says so in its audit.
    admin.client.batch_execute("ALTER TABLE master DISABLE TRIGGER master_stamp").await.unwrap();
    admin.client.batch_execute(&forge("from the future")).await.unwrap();
    b.sync().await;
    assert_eq!(item_name(&b), "later", "a far-future row was believed");
    let last = hub_audit(&b).pop().unwrap();
    assert_eq!(last, ("hub.master.refused".into(), "item S1".into()));
    let reason: String = connection(&b.store())
        .query_row("SELECT detail ->> '$.reason' FROM audit ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert!(reason.contains("ahead of this workstation's clock"), "{reason}");
    // 3. Every version applied from the hub is in b's audit chain, and `audit verify` checks it:
    // cutting the last entries off (which leaves a valid chain) is found.
    b.check();
    let applied = hub_audit(&b).iter().filter(|(action, _)| action == "hub.master").count();
    assert_eq!(applied, 4, "location, item, the stamped forgery, the later edit");
    let store = b.store();
    connection(&store)
        .execute("DELETE FROM audit WHERE seq >= (SELECT max(seq) - 1 FROM audit)", [])
        .unwrap();
    let report = store.verify_audit().unwrap();
    let broken = report.first_break.expect("a missing hub.master entry is found").reason;
    assert!(broken.contains("item S1 came from the hub without an audit entry"), "{broken}");
}

/// The clock is a parameter: the far-future rule is the same at any time.
#[test]
fn a_version_further_ahead_than_max_ahead_is_refused_and_audited() {
    use chrono::TimeZone;
    let dir = tempfile::tempdir().unwrap();
    let ws = workstation(dir.path(), "ws-a", &["S1"]);
    ws.store().hub_join::<shelfsync_store::StoreError>("ws-a", "hub-1", || Ok(())).unwrap();
    let clock = chrono::Utc.with_ymd_and_hms(2030, 6, 1, 12, 0, 0).unwrap();
    let row = |seq: i64, at: &str, name: &str| shelfsync_store::replication::master::PulledMaster {
        seq,
        kind: "item".into(),
        key: "S1".into(),
        value: Some(format!(
            "{{\"sku\":\"S1\",\"name\":\"{name}\",\"unit_cost_cents\":1,\"category\":\"general\",\"safety_stock\":0}}"
        )),
        changed_at: at.into(),
        workstation: "ws-b".into(),
    };
    // (time, believed): within MAX_AHEAD of the clock is drift; beyond it is not believed.
    let cases = [
        ("2030-06-01T12:00:00.000Z", true),
        ("2030-06-01T12:09:59.999Z", true),
        ("2030-06-01T12:10:00.001Z", false),
        ("2099-01-01T00:00:00.000Z", false),
    ];
    for (seq, (at, believed)) in cases.iter().enumerate() {
        let name = format!("v{seq}");
        let applied = ws.store().hub_apply_master_at(&[row(seq as i64 + 1, at, &name)], clock).unwrap();
        assert_eq!(applied == 1, *believed, "{at}");
        assert_eq!(item_name(&ws) == name, *believed, "{at}");
    }
    ws.check();
}

/// The server's words for a refused statement.
fn refusal(error: &tokio_postgres::Error) -> String {
    error.as_db_error().map(|e| e.message().to_string()).unwrap_or_else(|| error.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_workstation_has_its_own_login_and_writes_only_as_itself() {
    let pg = cluster();
    pg.require_passwords();
    let url = pg.database("roles");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    // Joined with the owner's login; each keeps only its own role's generated password.
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    a.receive("S1", 3);
    a.sync().await;
    b.sync().await;
    assert_eq!(b.balances(), a.balances());
    let login = shelfsync_hub::login(&a.db).unwrap();
    assert_eq!(login.user(), "ws-a");
    let stored = shelfsync_hub::pg::url_with_user(&url, "ws-a").unwrap();
    assert_eq!(
        shelfsync_hub::login(&a.db).unwrap().to_string(),
        shelfsync_hub::HubTarget::parse(&stored).unwrap().to_string()
    );
    let mut as_a = shelfsync_hub::pg::connect(&login).await.unwrap();
    let me: String = as_a.client.query_one("SELECT current_user::text", &[]).await.unwrap().get(0);
    assert_eq!(me, "ws-a");
    // ws-a's password does not open ws-b, and no password opens nothing.
    for (what, target) in [
        ("ws-a's password as ws-b", login.clone().with_user("ws-b")),
        ("no password", shelfsync_hub::HubTarget::parse(&stored).unwrap()),
    ] {
        let refused =
            shelfsync_hub::pg::connect(&target).await.err().unwrap_or_else(|| panic!("{what}: logged in"));
        assert!(refused.to_string().contains("password"), "{what}: {refused}");
    }
    // (what ws-a tries, the statement, part of the server's refusal)
    let rls = "violates row-level security policy";
    let cases = [
        (
            "an event from ws-b",
            "INSERT INTO events (id, body, body_hash, origin, sku) VALUES ('f1', '{}', 'h', 'ws-b', 'S1')",
            rls,
        ),
        (
            "an event from the owner",
            "INSERT INTO events (id, body, body_hash, origin, sku) VALUES ('f2', '{}', 'h', 'postgres', 'S1')",
            rls,
        ),
        (
            "master data as ws-b",
            "INSERT INTO master (kind, key, value, changed_at, workstation) VALUES ('item', 'S1', '{}', 'x', 'ws-b')",
            rls,
        ),
        (
            "a refusal as ws-b",
            "INSERT INTO refusals (event_id, workstation, offered_hash, kept_hash) VALUES ('e', 'ws-b', 'x', 'y')",
            rls,
        ),
        (
            "a discrepancy as ws-b",
            "INSERT INTO discrepancies (event_id, workstation, sku, location, detail) SELECT id, 'ws-b', 'S1', 'WH1', 'x' FROM events LIMIT 1",
            rls,
        ),
        ("another workstation", "INSERT INTO workstations (name) VALUES ('ws-c')", rls),
        (
            "the lease for ws-b",
            "INSERT INTO lease (id, holder, epoch, acquired_at, expires_at) VALUES (1, 'ws-b', 1, now(), now() + interval '1 hour')",
            rls,
        ),
        (
            "a lease tenure for ws-b",
            "INSERT INTO lease_history (epoch, holder, acquired_at) VALUES (99, 'ws-b', now())",
            rls,
        ),
        ("an event rewritten", "UPDATE events SET body = '{}'", "permission denied"),
        ("an event deleted", "DELETE FROM events", "permission denied"),
        ("a master version rewritten", "UPDATE master SET value = NULL", "permission denied"),
        ("the policies turned off", "ALTER TABLE events DISABLE ROW LEVEL SECURITY", "must be owner"),
        ("a table made", "CREATE TABLE x (id int)", "permission denied"),
        ("a role made", "CREATE ROLE evil LOGIN", "permission denied"),
    ];
    for (what, sql, part) in cases {
        let refused =
            as_a.client.batch_execute(sql).await.err().unwrap_or_else(|| panic!("{what}: accepted"));
        assert!(refusal(&refused).contains(part), "{what}: {}", refusal(&refused));
    }
    // Another's row is out of reach for an update: nothing matches.
    let touched = as_a
        .client
        .execute("UPDATE workstations SET last_push = now() WHERE name = 'ws-b'", &[])
        .await
        .unwrap();
    assert_eq!(touched, 0);
    // The real push, asked to write a new event as ws-b, is refused; as itself it goes through.
    a.receive("S1", 1);
    let watermark = a.store().hub_config().unwrap().unwrap().push_watermark;
    let pending = a.store().hub_pending_events(watermark, 10).unwrap();
    assert_eq!(pending.len(), 1);
    let forged = shelfsync_hub::replicate::push_batch(&mut as_a, "ws-b", &pending).await.unwrap_err();
    assert!(forged.to_string().contains(rls), "{forged}");
    let held = shelfsync_hub::lease::acquire(&mut as_a, "ws-b", std::time::Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(held.to_string().contains(rls), "{held}");
    a.sync().await;
    let origins: Vec<(String, String)> = hub(&url)
        .await
        .client
        .query("SELECT id, origin FROM events ORDER BY seq", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(origins.len(), 2);
    assert!(origins.iter().all(|(_, origin)| origin == "ws-a"), "{origins:?}");
    // A body may claim any workstation; the hub's origin may not, and the receiving workstation
    // records both: the event's entry with the claim, a hub.event entry with who sent it.
    let claim = shelfsync_store::new_event(
        shelfsync_core::Movement::Receive { sku: sku_("S1"), location: loc("WH1"), qty: 1 },
        "bob",
        "ws-b",
    );
    a.store().append(&claim).unwrap();
    a.sync().await;
    b.sync().await;
    let id = claim.id.to_string();
    let entries: Vec<(String, String, String)> = {
        let store = b.store();
        let mut stmt = connection(&store)
            .prepare("SELECT action, workstation, detail FROM audit WHERE subject = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].1, "ws-b", "the body's claim: {entries:?}");
    assert_eq!(entries[1].0, "hub.event");
    assert!(entries[1].2.contains("\"origin\":\"ws-a\""), "who sent it: {entries:?}");
    // A wrong password is refused by the server.
    let c = empty_workstation(dir.path(), "ws-c");
    let refused = shelfsync_hub::connect_with(&c.db, &stored, Some("wrong"), "ws-a").await.unwrap_err();
    assert!(refused.to_string().contains("password authentication failed"), "{refused}");
    // A workstation's login cannot make another workstation's: it is told what to do instead.
    let secret = secrets_of(&a.db);
    let cannot = shelfsync_hub::connect_with(&c.db, &stored, Some(&secret), "ws-c").await.unwrap_err();
    assert!(
        cannot.to_string().contains("ws-a cannot create the hub login for workstation 'ws-c'"),
        "{cannot}"
    );
    // A name that is a role but not a workstation is not taken over.
    let taken = shelfsync_hub::connect(&c.db, &url, "postgres").await.unwrap_err();
    assert!(matches!(taken, shelfsync_hub::HubError::NotWorkstationRole(_)), "{taken}");
    hub(&url).await.client.batch_execute("CREATE ROLE payroll LOGIN").await.unwrap();
    let taken = shelfsync_hub::connect(&c.db, &url, "payroll").await.unwrap_err();
    assert!(matches!(taken, shelfsync_hub::HubError::RoleInUse(_)), "{taken}");
    assert!(c.store().hub_config().unwrap().is_none(), "ws-c joined anyway");
    a.check();
    b.check();
}

/// The generated password ws-a keeps in its secrets file (tests use the file, not a keychain).
fn secrets_of(db: &std::path::Path) -> String {
    shelfsync_sync::credentials::Secrets::for_database(db)
        .get("@hub", "password")
        .unwrap()
        .unwrap()
        .expose()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_lease_is_not_taken_by_force_and_an_expired_one_moves() {
    let pg = cluster();
    let url = pg.database("lease_rls");
    let dir = tempfile::tempdir().unwrap();
    let a = workstation(dir.path(), "ws-a", &["S1"]);
    let b = empty_workstation(dir.path(), "ws-b");
    shelfsync_hub::connect(&a.db, &url, "ws-a").await.unwrap();
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    let mut as_a = shelfsync_hub::pg::connect(&shelfsync_hub::login(&a.db).unwrap()).await.unwrap();
    let mut as_b = shelfsync_hub::pg::connect(&shelfsync_hub::login(&b.db).unwrap()).await.unwrap();
    let ttl = std::time::Duration::from_millis(800);
    use shelfsync_hub::lease::{self, LeaseState};
    assert_eq!(lease::acquire(&mut as_a, "ws-a", ttl).await.unwrap(), LeaseState::Held { epoch: 1 });
    // The ordinary way: told who holds it.
    assert_eq!(
        lease::acquire(&mut as_b, "ws-b", ttl).await.unwrap(),
        LeaseState::HeldBy { holder: "ws-a".into(), epoch: 1 }
    );
    // By force: the server does not let ws-b's login touch a live lease it does not hold.
    let forced = as_b
        .client
        .execute("UPDATE lease SET holder = 'ws-b', expires_at = now() + interval '1 hour' WHERE id = 1", &[])
        .await
        .unwrap();
    assert_eq!(forced, 0);
    let released =
        as_b.client.execute("UPDATE lease SET expires_at = now() WHERE id = 1", &[]).await.unwrap();
    assert_eq!(released, 0, "ws-b ended ws-a's lease");
    assert_eq!(lease::holder(&as_a).await.unwrap().as_deref(), Some("ws-a"));
    // Once it has expired, it moves.
    tokio::time::sleep(ttl + std::time::Duration::from_millis(200)).await;
    assert_eq!(lease::acquire(&mut as_b, "ws-b", ttl).await.unwrap(), LeaseState::Held { epoch: 2 });
    lease::release(&mut as_b, "ws-b").await.unwrap();
    assert_eq!(lease::acquire(&mut as_a, "ws-a", ttl).await.unwrap(), LeaseState::Held { epoch: 3 });
}

/// A workstation database from before this change (schema 18) that had applied ws-b's item
/// without an audit entry and queued a user for the hub: migration 19 drops the queued user and
/// the user triggers, forgets the unaudited version, and the next sync pulls it again, audited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgraded_workstation_pulls_unaudited_versions_again_with_their_entries() {
    let pg = cluster();
    let url = pg.database("upgrade");
    let dir = tempfile::tempdir().unwrap();
    let b = workstation(dir.path(), "ws-b", &["S1"]);
    shelfsync_hub::connect(&b.db, &url, "ws-b").await.unwrap();
    b.sync().await;
    let hub_id: String =
        hub(&url).await.client.query_one("SELECT hub_id FROM hub_meta", &[]).await.unwrap().get(0);
    let a = Ws { name: "ws-a".into(), db: dir.path().join("ws-a.db") };
    {
        let mut conn = shelfsync_store::testing::rusqlite::Connection::open(&a.db).unwrap();
        shelfsync_store::MIGRATIONS.to_version(&mut conn, 18).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO hub_config (id, workstation, hub_id, connected_at, master_watermark)
                 VALUES (1, 'ws-a', '{hub_id}', '2026-01-01T00:00:00.000Z', 99);
             INSERT INTO hub_applying (id) VALUES (1);
             INSERT INTO locations (code, name) VALUES ('WH1', 'Main');
             INSERT INTO items (sku, name, unit_cost_cents, category, safety_stock)
                 VALUES ('S1', 'Item S1', 100, 'general', 0);
             INSERT INTO hub_master_versions VALUES ('location', 'WH1', '1970-01-01T00:00:00.000Z', 'ws-b');
             INSERT INTO hub_master_versions VALUES ('item', 'S1', '1970-01-01T00:00:00.000Z', 'ws-b');
             DELETE FROM hub_applying;
             INSERT INTO users (name, role, pin_hash, created_at) VALUES ('ada', 'admin', '$argon2id$x', 'now');"
        ))
        .unwrap();
        let queued: i64 = conn
            .query_row("SELECT count(*) FROM hub_master_outbox WHERE kind = 'user'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, 1, "schema 18 queued the user for the hub");
    }
    shelfsync_sync::credentials::Secrets::for_database(&a.db)
        .set("@hub", "url", &shelfsync_sync::credentials::Secret::new(url.as_str()).unwrap())
        .unwrap();
    // Opening migrates to 19.
    let store = a.store();
    let count = |sql: &str| -> i64 { connection(&store).query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM hub_master_outbox"), 0);
    assert_eq!(count("SELECT count(*) FROM hub_master_versions"), 0);
    assert_eq!(count("SELECT master_watermark FROM hub_config"), 0);
    assert_eq!(
        count("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hub_users_%'"),
        0
    );
    connection(&store).execute("UPDATE users SET role = 'staff'", []).unwrap();
    assert_eq!(count("SELECT count(*) FROM hub_master_outbox"), 0, "a user change was queued");
    drop(store);
    a.sync().await;
    assert_eq!(
        hub_audit(&a),
        [("hub.master".into(), "location WH1".into()), ("hub.master".into(), "item S1".into())]
    );
    a.check();
    assert_eq!(hub_count(&url, "SELECT count(*) FROM master WHERE kind = 'user'").await, 0);
}
