//! The first-run screen's policy and commands, against real SQLite files without a window.

use shelfsync_core::{Item, Sku};
use shelfsync_store::ItemRecord;
use shelfsync_store::testing;

use crate::error::AppError;
use crate::first_run::{self, ALREADY_SET_UP};
use crate::ipc::{NewLocationRequest, Phase};
use crate::state::{AppState, DemoPolicy};
use crate::{admin, commands};

fn booted(policy: DemoPolicy) -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("first-run.db"));
    state.boot(policy);
    (dir, state)
}

fn message(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.to_string(),
    }
}

/// Every row of the rows the release build and `SHELFSYNC_DEMO` make together.
#[test]
fn demo_policy_by_build_and_variable() {
    use DemoPolicy::*;
    let cases: &[(bool, Option<&str>, DemoPolicy)] = &[
        // Unset or empty: debug builds keep the demo start, release builds ask.
        (true, None, LoadWhenEmpty),
        (false, None, Ask),
        (true, Some(""), LoadWhenEmpty),
        (false, Some(""), Ask),
        // Forced on, in any build.
        (false, Some("on"), LoadWhenEmpty),
        (true, Some("on"), LoadWhenEmpty),
        (false, Some("1"), LoadWhenEmpty),
        (false, Some("yes"), LoadWhenEmpty),
        (false, Some(" ON "), LoadWhenEmpty),
        // Never, in any build (the values that worked before).
        (true, Some("off"), Never),
        (false, Some("off"), Never),
        (true, Some("0"), Never),
        (true, Some("false"), Never),
        (true, Some("no"), Never),
        (true, Some("Off"), Never),
        // The first-run screen, also in a debug build (the e2e test).
        (true, Some("ask"), Ask),
        (false, Some("ask"), Ask),
        (true, Some("first-run"), Ask),
        // Unknown values fall back to the build's default.
        (true, Some("maybe"), LoadWhenEmpty),
        (false, Some("maybe"), Ask),
    ];
    for (debug, value, want) in cases {
        assert_eq!(DemoPolicy::choose(*debug, *value), *want, "debug={debug} value={value:?}");
    }
    assert!(Ask.offers_demo() && LoadWhenEmpty.offers_demo() && !Never.offers_demo());
}

#[test]
fn an_empty_database_is_not_seeded_unless_the_policy_loads_the_demo() {
    for (policy, offered) in [(DemoPolicy::Ask, true), (DemoPolicy::Never, false)] {
        let (_dir, state) = booted(policy);
        let info = commands::app_info(&state).unwrap();
        assert_eq!((info.phase, info.demo, info.event_count, info.item_count), (Phase::Ready, false, 0, 0));
        assert!(info.needs_setup, "{policy:?}: nobody can sign in, so the first-run screen shows");
        assert_eq!(info.demo_offered, offered, "{policy:?}");
        assert_eq!(state.store().unwrap().user_count().unwrap(), 0);
    }
    let (_dir, state) = booted(DemoPolicy::LoadWhenEmpty);
    let info = commands::app_info(&state).unwrap();
    assert!(info.demo && info.item_count > 0 && !info.needs_setup && !info.demo_offered);
}

#[test]
fn first_admin_bad_input_is_refused_in_words_and_creates_nobody() {
    let (_dir, state) = booted(DemoPolicy::Ask);
    let cases: &[(&str, &str, &str, &str)] = &[
        ("", "2468", "2468", "Enter the admin's user name"),
        ("   ", "2468", "2468", "Enter the admin's user name"),
        ("ada", "", "", "Choose a PIN"),
        ("ada", "2468", "2469", "The two PINs are not the same"),
        ("ada", "2468", "", "The two PINs are not the same"),
        ("ada", "123", "123", "A PIN or password must have 4 to 64 characters."),
        ("ada lovelace", "2468", "2468", "A user name has 1 to 64 letters or digits"),
        ("ada", &"9".repeat(65), &"9".repeat(65), "4 to 64 characters"),
    ];
    for (name, pin, again, want) in cases {
        let got = message(first_run::create_first_admin(
            &state,
            name.to_string(),
            pin.to_string(),
            again.to_string(),
        ));
        assert!(got.contains(want), "name={name:?} pin={pin:?} again={again:?}: {got}");
        assert!(!got.contains("--user") && !got.contains("StoreError"), "developer text: {got}");
    }
    assert_eq!(state.store().unwrap().user_count().unwrap(), 0);
    assert!(commands::session_info(&state).unwrap().user.is_none());
    assert!(commands::app_info(&state).unwrap().needs_setup);
}

#[test]
fn the_first_admin_is_signed_in_and_then_set_up_is_refused() {
    let (_dir, state) = booted(DemoPolicy::Ask);
    let session =
        first_run::create_first_admin(&state, " ada ".into(), "2468".into(), "2468".into()).unwrap();
    let user = session.user.expect("signed in");
    assert_eq!((user.name.as_str(), session.locked, session.can_approve), ("ada", false, true));
    let info = commands::app_info(&state).unwrap();
    assert!(!info.needs_setup && !info.demo_offered && !info.demo);

    // Once an admin exists, neither first-run command works, signed in or out.
    for signed_in in [true, false] {
        if !signed_in {
            commands::sign_out(&state).unwrap();
        }
        let again =
            message(first_run::create_first_admin(&state, "eve".into(), "1357".into(), "1357".into()));
        assert_eq!(again, ALREADY_SET_UP);
        assert_eq!(message(first_run::try_demo(&state)), ALREADY_SET_UP);
    }
    let store = state.store().unwrap();
    assert_eq!(store.user_count().unwrap(), 1);
    assert_eq!((store.event_count().unwrap(), store.items().unwrap().len()), (0, 0));
    drop(store);
    // The new admin signs in with the PIN chosen.
    let view = commands::sign_in(&state, "ada".into(), "2468".into()).unwrap();
    assert_eq!(view.user.unwrap().name, "ada");
}

#[test]
fn set_up_locations_as_the_new_admin_and_a_duplicate_is_refused() {
    let (_dir, state) = booted(DemoPolicy::Never);
    // Signed out, the wizard's later steps are refused: only the first admin is signed-out.
    let request =
        |code: &str, name: &str| NewLocationRequest { code: code.into(), name: name.into(), parent: None };
    assert!(matches!(admin::add_location(&state, request("WH1", "Main")), Err(AppError::SignedOut)));
    first_run::create_first_admin(&state, "ada".into(), "2468".into(), "2468".into()).unwrap();

    let list = admin::add_location(&state, request("WH1", "Main warehouse")).unwrap();
    assert_eq!(list.iter().map(|l| l.code.as_str()).collect::<Vec<_>>(), ["WH1"]);
    admin::add_location(&state, request("WH2", "Back store")).unwrap();
    let before = testing::connection(&state.store().unwrap()).total_changes();
    for (code, name, want) in [
        ("WH1", "Again", "Location 'WH1' already exists."),
        ("", "Nameless", ""),
        ("WH 3", "Spaced", ""),
        ("WH3", "  ", "Give the location a name"),
    ] {
        let got = message(admin::add_location(&state, request(code, name)));
        assert!(got.contains(want), "{code:?}: {got}");
    }
    assert_eq!(
        testing::connection(&state.store().unwrap()).total_changes(),
        before,
        "a refusal wrote nothing"
    );
    assert_eq!(commands::locations(&state).unwrap().len(), 2);
}

#[test]
fn try_the_demo_loads_it_once_and_only_into_an_empty_database() {
    // Turned off: refused, nothing loaded.
    let (_dir, off) = booted(DemoPolicy::Never);
    assert!(message(first_run::try_demo(&off)).contains("turned off"));
    assert_eq!(off.store().unwrap().event_count().unwrap(), 0);

    // A database with a catalogue but no users: the set-up only.
    let (_dir2, filled) = booted(DemoPolicy::Ask);
    filled
        .store()
        .unwrap()
        .upsert_items(&[ItemRecord {
            item: Item {
                sku: Sku::new("OWN-1").unwrap(),
                name: "Our own part".into(),
                unit_cost_cents: 100,
                category: "parts".into(),
                safety_stock: 0,
            },
            barcodes: vec![],
        }])
        .unwrap();
    let info = commands::app_info(&filled).unwrap();
    assert!(info.needs_setup && !info.demo_offered);
    assert!(message(first_run::try_demo(&filled)).contains("already holds items"));
    assert_eq!(filled.store().unwrap().items().unwrap().len(), 1);

    // Empty and asked: the demo and its users, then the normal sign-in.
    let (_dir3, state) = booted(DemoPolicy::Ask);
    let info = first_run::try_demo(&state).unwrap();
    assert!(info.demo && info.item_count > 0 && !info.needs_setup);
    assert!(state.is_demo());
    assert_eq!(commands::sign_in(&state, "admin".into(), "3333".into()).unwrap().user.unwrap().name, "admin");
    let events = state.store().unwrap().event_count().unwrap();
    assert_eq!(message(first_run::try_demo(&state)), ALREADY_SET_UP);
    assert_eq!(state.store().unwrap().event_count().unwrap(), events);
    state.shutdown();
}

// ---- the channel step: test connection and link review against the real simulator ----------

/// The channel simulator on a loopback port, on a runtime of its own (the commands under test
/// make their own blocking calls, as on the app's blocking threads).
struct SimShop {
    sim: shelfsync_sim::Sim,
    runtime: tokio::runtime::Runtime,
    running: Option<shelfsync_sim::RunningSim>,
}

impl SimShop {
    const TOKEN: &str = "shpat_first_run";

    fn start() -> SimShop {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let sim = shelfsync_sim::Sim::new(shelfsync_sim::SimConfig {
            access_token: Some(SimShop::TOKEN.into()),
            ..Default::default()
        });
        let running = runtime.block_on(sim.serve(0)).unwrap();
        sim.add_location("gid://shopify/Location/1", "Main store");
        sim.add_inventory_item("gid://shopify/InventoryItem/101", Some("FR-1"));
        sim.add_inventory_item("gid://shopify/InventoryItem/109", Some("THEIRS-9"));
        SimShop { sim, runtime, running: Some(running) }
    }

    fn url(&self) -> String {
        format!("http://{}", self.running.as_ref().unwrap().addr)
    }
}

impl Drop for SimShop {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.stop());
        }
        let _ = &self.sim;
    }
}

fn shopify_request(name: &str, endpoint: &str, shop: &str, token: &str) -> crate::ipc::NewChannelRequest {
    serde_json::from_value(serde_json::json!({
        "name": name, "kind": "shopify", "endpoint": endpoint, "shop": shop,
        "sellerId": null, "marketplaceId": null,
        "secrets": [{ "name": "access_token", "value": token }],
    }))
    .unwrap()
}

/// The wizard's path after the admin: a location, items by CSV, a channel; then the test.
fn set_up_with_items(state: &AppState) {
    first_run::create_first_admin(state, "ada".into(), "2468".into(), "2468".into()).unwrap();
    admin::add_location(state, NewLocationRequest { code: "WH1".into(), name: "Main".into(), parent: None })
        .unwrap();
    let items = "sku,name,unit_cost,category,safety_stock,barcodes\nFR-1,Linked widget,2.50,parts,0,\nFR-2,Our own gadget,1.00,parts,0,\n";
    crate::import::import_csv(state, "items".into(), items.into()).unwrap();
}

#[test]
fn test_connection_and_link_review_against_the_simulator() {
    let shop = SimShop::start();
    let (_dir, state) = booted(DemoPolicy::Never);
    set_up_with_items(&state);
    admin::add_channel(&state, shopify_request("shop", &shop.url(), "demo.myshopify.com", SimShop::TOKEN))
        .unwrap();

    let test = crate::link::test_channel(&state, "shop".into()).unwrap();
    assert!(test.ok, "{test:?}");
    assert!(
        test.message.starts_with("Connected: shop ") && test.message.contains("demo.myshopify.com"),
        "{test:?}"
    );
    assert_eq!(
        test.shop_locations.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["gid://shopify/Location/1"]
    );

    // The review writes nothing.
    let review = crate::link::link_channel(&state, "shop".into(), false, None, None).unwrap();
    let counts = (review.matched, review.unmatched_ours, review.unmatched_theirs, review.ambiguous);
    assert_eq!(counts, (1, 1, 1, 0), "{review:?}");
    let matched: Vec<_> =
        review.rows.iter().filter(|r| r.status == crate::ipc::LinkStatusView::Matched).collect();
    assert_eq!(
        (matched[0].sku.as_str(), matched[0].theirs[0].as_str()),
        ("FR-1", "gid://shopify/InventoryItem/101")
    );
    assert_eq!(review.linked, None);
    assert_eq!(review.location.as_deref(), Some("WH1"));
    assert_eq!(admin::channels(&state).unwrap()[0].listings, 0);

    // Link: the matched listing, once.
    let linked = crate::link::link_channel(&state, "shop".into(), true, Some("WH1".into()), None).unwrap();
    assert_eq!(linked.linked, Some(1));
    assert_eq!(admin::channels(&state).unwrap()[0].listings, 1);
    let again = crate::link::link_channel(&state, "shop".into(), false, None, None).unwrap();
    assert_eq!((again.matched, again.already_linked), (0, 1));
}

#[test]
fn a_failed_connection_test_says_what_to_check_and_links_nothing() {
    let shop = SimShop::start();
    let (_dir, state) = booted(DemoPolicy::Never);
    set_up_with_items(&state);
    // A closed port, a token the shop refuses, a shop domain that is not the one there.
    admin::add_channel(
        &state,
        shopify_request("closed", "http://127.0.0.1:9", "demo.myshopify.com", "shpat_x"),
    )
    .unwrap();
    admin::add_channel(&state, shopify_request("badtoken", &shop.url(), "demo.myshopify.com", "shpat_wrong"))
        .unwrap();
    admin::add_channel(
        &state,
        shopify_request("othershop", &shop.url(), "other.myshopify.com", SimShop::TOKEN),
    )
    .unwrap();
    for (channel, words) in [
        ("closed", "No connection to the channel. Check the endpoint address"),
        ("badtoken", "The channel refused the credentials"),
        ("othershop", "The shop or seller was not found"),
    ] {
        let test = crate::link::test_channel(&state, channel.into()).unwrap();
        assert!(!test.ok && test.message.starts_with(words), "{channel}: {test:?}");
        let before = testing::connection(&state.store().unwrap()).total_changes();
        let refused = message(crate::link::link_channel(&state, channel.into(), true, None, None));
        assert!(refused.starts_with(words), "{channel}: {refused}");
        assert_eq!(testing::connection(&state.store().unwrap()).total_changes(), before);
    }
    assert!(admin::channels(&state).unwrap().iter().all(|c| c.listings == 0));
    assert!(
        message(crate::link::test_channel(&state, "nope".into()))
            .contains("There is no channel called 'nope'")
    );

    // Only an admin tests or links.
    commands::sign_out(&state).unwrap();
    assert!(matches!(crate::link::test_channel(&state, "closed".into()), Err(AppError::SignedOut)));
    assert!(matches!(
        crate::link::link_channel(&state, "closed".into(), false, None, None),
        Err(AppError::SignedOut)
    ));
}
