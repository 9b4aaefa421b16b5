//! PINs on a real SQLite file: Argon2id at the OWASP minimum, never stored in the clear; five
//! wrong PINs lock the user out, the lockout doubles each time up to a day, holds even for the
//! right PIN, survives a restart and leaves an audit entry; the right PIN after it clears the
//! count.

use chrono::{DateTime, Duration, TimeZone, Utc};
use shelfsync_core::{Lockout, Role};
use shelfsync_store::{Store, StoreError};

const ADMIN_PIN: &str = "739184";
const STAFF_PIN: &str = "518273";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap()
}

fn store_with_users(dir: &tempfile::TempDir) -> Store {
    let mut store = Store::open(dir.path().join("ledger.db")).unwrap();
    let admin = store.add_user("admin", Role::Admin, ADMIN_PIN, None, "ws").unwrap();
    store.add_user("staff", Role::Staff, STAFF_PIN, Some(&admin), "ws").unwrap();
    store
}

fn wrong(store: &mut Store, at: DateTime<Utc>) -> StoreError {
    store.authenticate("staff", "000000", "ws", at).unwrap_err()
}

#[test]
fn pins_are_argon2id_at_the_owasp_minimum_and_never_stored_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_users(&dir);
    let hash: String = shelfsync_store::testing::connection(&store)
        .query_row("SELECT pin_hash FROM users WHERE name = 'staff'", [], |r| r.get(0))
        .unwrap();
    let fields: Vec<&str> = hash.split('$').collect();
    assert_eq!(fields[1], "argon2id", "{hash}");
    let params: Vec<(&str, u32)> = fields[3]
        .split(',')
        .map(|kv| kv.split_once('=').map(|(k, v)| (k, v.parse().unwrap())).unwrap())
        .collect();
    let param = |name: &str| params.iter().find(|(k, _)| *k == name).unwrap().1;
    assert!(param("m") >= 19 * 1024 && param("t") >= 2 && param("p") == 1, "{hash}");
    drop(store);
    for file in ["ledger.db", "ledger.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        for pin in [ADMIN_PIN, STAFF_PIN] {
            assert!(!bytes.windows(pin.len()).any(|w| w == pin.as_bytes()), "{pin} found in {file}");
        }
    }
}

#[test]
fn lockouts_double_up_to_a_day_and_refuse_even_the_right_pin() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_users(&dir);
    let mut now = t0();
    for lockout in 1..=10u32 {
        for attempt in 1..Lockout::FAILURES_PER_LOCKOUT {
            let error = wrong(&mut store, now);
            assert!(matches!(error, StoreError::WrongPin(_)), "lockout {lockout} attempt {attempt}: {error}");
        }
        let error = wrong(&mut store, now);
        let StoreError::LockedOut { until, .. } = &error else { panic!("lockout {lockout}: {error}") };
        let until = DateTime::parse_from_rfc3339(until).unwrap().with_timezone(&Utc);
        let secs = Lockout::duration_secs(lockout);
        assert_eq!((until - now).num_seconds(), secs, "lockout {lockout}");
        assert!(secs <= Lockout::MAX_LOCKOUT_SECS);
        // Locked: the right PIN is refused too, up to the last second.
        let right = store.authenticate("staff", STAFF_PIN, "ws", until - Duration::seconds(1));
        assert!(matches!(right, Err(StoreError::LockedOut { .. })), "lockout {lockout}: {right:?}");
        now = until + Duration::seconds(1);
    }
    assert_eq!(Lockout::duration_secs(10), Lockout::MAX_LOCKOUT_SECS, "the schedule reached its cap");
    let lockouts: i64 = shelfsync_store::testing::connection(&store)
        .query_row("SELECT count(*) FROM audit WHERE action = 'user.lockout'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(lockouts, 10, "every lockout is in the audit chain");
    assert!(store.verify_audit().unwrap().first_break.is_none());
}

#[test]
fn a_lockout_survives_a_restart_and_the_right_pin_after_it_clears_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_users(&dir);
    for _ in 0..Lockout::FAILURES_PER_LOCKOUT - 1 {
        wrong(&mut store, t0());
    }
    drop(store);
    // Four failures before the restart, one after: the count was committed, not kept in memory.
    let mut store = Store::open(dir.path().join("ledger.db")).unwrap();
    assert!(matches!(wrong(&mut store, t0()), StoreError::LockedOut { .. }));
    drop(store);
    let mut store = Store::open(dir.path().join("ledger.db")).unwrap();
    let still = store.authenticate("staff", STAFF_PIN, "ws", t0() + Duration::seconds(60));
    assert!(matches!(still, Err(StoreError::LockedOut { .. })), "{still:?}");
    let after = t0() + Duration::seconds(Lockout::FIRST_LOCKOUT_SECS + 1);
    assert_eq!(store.authenticate("staff", STAFF_PIN, "ws", after).unwrap().role, Role::Staff);
    // Cleared: four more wrong PINs do not lock again.
    for _ in 0..Lockout::FAILURES_PER_LOCKOUT - 1 {
        assert!(matches!(wrong(&mut store, after), StoreError::WrongPin(_)));
    }
    assert!(store.authenticate("staff", STAFF_PIN, "ws", after).is_ok());
}

#[test]
fn an_unknown_user_and_a_wrong_pin_get_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_with_users(&dir);
    let unknown = store.authenticate("nobody", STAFF_PIN, "ws", t0()).unwrap_err().to_string();
    let wrong_pin = wrong(&mut store, t0()).to_string();
    assert_eq!(unknown.replace("nobody", "X"), wrong_pin.replace("staff", "X"));
}
