//! The hub panel: standalone, joined without its URL, and against a real PostgreSQL hub.

use shelfsync_store::testing;

use crate::commands;
use crate::error::AppError;
use crate::state::{AppState, DemoPolicy};

// ---- hub panel ---------------------------------------------------------------------------------

/// An empty database (no demo) with one admin signed in: joining a hub ships every local event,
/// so the hub tests keep the ledger small.
fn signed_in_empty() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("ws.db"));
    state.boot(DemoPolicy::Never);
    state.store().unwrap().add_user("ada", shelfsync_core::Role::Admin, "2468", None, "test").unwrap();
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    (dir, state)
}

/// The hub tables and the secret file, to show a failed status changed nothing.
fn hub_footprint(state: &AppState) -> (String, bool) {
    let store = state.store().unwrap();
    let rows: Vec<String> = testing::connection(&store)
        .prepare(
            "SELECT workstation || hub_id || coalesce(last_push, '') || coalesce(last_error, '')
             FROM hub_config",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let secrets = std::path::PathBuf::from(format!("{}.secrets", state.db_path().display()));
    (rows.join("|"), secrets.exists())
}

#[test]
fn hub_panel_of_a_standalone_database_says_standalone_and_a_joined_one_without_its_url_says_why() {
    // SAFETY: nextest runs each test in its own process; nothing else reads the variable yet.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = signed_in_empty();
    commands::sign_out(&state).unwrap();
    assert!(matches!(commands::hub_status(&state), Err(AppError::SignedOut)));
    commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    let standalone = commands::hub_status(&state).unwrap();
    assert_eq!(standalone.workstation, None, "never joined: standalone, not an error");
    assert!(!standalone.connected);
    assert_eq!((standalone.pending_up, standalone.lag_events, standalone.engine.as_deref()), (0, 0, None));

    // Joined, but the hub's URL is gone from the secret store (a copied database file): the
    // panel gets one clear line saying how to rejoin, and nothing is written anywhere.
    {
        let store = state.store().unwrap();
        store.hub_join::<shelfsync_store::StoreError>("pack-1", "hub-1", || Ok(())).unwrap();
    }
    let before = hub_footprint(&state);
    let error = commands::hub_status(&state).unwrap_err();
    assert!(matches!(error, AppError::Hub(shelfsync_hub::HubError::NotConnected)), "{error:?}");
    // What the UI receives (issue 19): a code, and Rust's sentence for the English screen.
    let sent = serde_json::to_value(&error).unwrap();
    assert_eq!(sent["code"], "hub.error");
    assert_eq!(
        sent["message"],
        serde_json::json!(
            "this database is not connected to a hub; run `shelfsync hub connect URL --workstation NAME`"
        )
    );
    assert_eq!(hub_footprint(&state), before);
    assert!(!before.1, "no secret file was created by reading the status");
}

/// A real throwaway PostgreSQL cluster: the panel shows the join, what waits to go up, and the
/// lease holder; with the hub gone it says unreachable and keeps the last known figures.
#[test]
fn hub_panel_names_the_lease_holder_and_survives_the_hub_going_away() {
    use shelfsync_hub::testing::{Durability, PgCluster};
    // SAFETY: as above; the hub URL goes to the secret file (no keychain on CI boxes).
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let (_dir, state) = signed_in_empty();
    // A location: catalogue, so it goes up (users stay on their workstation, issue 17).
    let main = shelfsync_core::Location {
        code: shelfsync_core::LocationCode::new("WH1").unwrap(),
        name: "Main".into(),
        parent: None,
    };
    state.store().unwrap().upsert_locations(&[main]).unwrap();
    let cluster = PgCluster::start(Durability::Fast);
    let url = cluster.database("hub");
    shelfsync_hub::connect_blocking(state.db_path(), &url, "pack-1").unwrap();

    let joined = commands::hub_status(&state).unwrap();
    assert_eq!(joined.workstation.as_deref(), Some("pack-1"));
    assert!(joined.connected);
    assert!(joined.pending_up > 0, "the location waits to go up: {joined:?}");
    assert_eq!(joined.engine, None, "nobody holds the lease yet");
    let hub = joined.hub.clone().unwrap();
    assert!(hub.contains("127.0.0.1") && hub.ends_with("/hub"), "{hub}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut conn =
            shelfsync_hub::pg::connect(&shelfsync_hub::HubTarget::parse(&url).unwrap()).await.unwrap();
        let held = shelfsync_hub::lease::acquire(&mut conn, "pack-2", std::time::Duration::from_secs(60))
            .await
            .unwrap();
        assert!(matches!(held, shelfsync_hub::lease::LeaseState::Held { .. }));
    });
    let leased = commands::hub_status(&state).unwrap();
    assert_eq!(leased.engine.as_deref(), Some("pack-2"), "the panel names the engine's workstation");

    drop(cluster);
    let gone = commands::hub_status(&state).unwrap();
    assert!(!gone.connected);
    assert_eq!(gone.engine, None, "unknown while the hub does not answer");
    assert_eq!(
        (gone.workstation, gone.pending_up, gone.hub),
        (joined.workstation, joined.pending_up, Some(hub))
    );
}
