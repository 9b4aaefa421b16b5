//! Every IPC command tried as every role (signed out, staff, supervisor, admin) on a real
//! database with users. Who may call a command comes from the one role policy
//! (`shelfsync_core::may`) over the actions its row declares, the same policy the CLI's role
//! table (crates/cli/tests/roles.rs) reads: a refused call answers "signed out" or "may not"
//! and changes no table; a permitted one passes the role check. A last test reads lib.rs and
//! fails when a `#[tauri::command]` has no row.

use shelfsync_core::{Action, Role, may};

use crate::error::AppError;
use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};
use crate::{admin, commands, drafts, import, link, ops, repush, scanners, why, workstation_settings};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    SignedOut,
    Staff,
    Supervisor,
    Admin,
}

const EVERY_ROLE: [As; 4] = [As::SignedOut, As::Staff, As::Supervisor, As::Admin];

impl As {
    fn role(self) -> Option<Role> {
        match self {
            As::SignedOut => None,
            As::Staff => Some(Role::Staff),
            As::Supervisor => Some(Role::Supervisor),
            As::Admin => Some(Role::Admin),
        }
    }

    fn credentials(self) -> Option<(&'static str, &'static str)> {
        match self {
            As::SignedOut => None,
            As::Staff => Some(("tim", "1122")),
            As::Supervisor => Some(("sam", "1357")),
            As::Admin => Some(("ada", "2468")),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Needs {
    /// Anyone, signed in or not (read before sign-in, or the session itself).
    Open,
    /// A signed-in user whose role the policy lets do every action listed (none: anyone
    /// signed in).
    User(&'static [Action]),
}

impl Needs {
    fn permits(self, who: As) -> bool {
        match self {
            Needs::Open => true,
            Needs::User(actions) => who.role().is_some_and(|role| actions.iter().all(|a| may(role, *a))),
        }
    }
}

type Call = fn(&AppState) -> Result<(), AppError>;

struct Row {
    command: &'static str,
    needs: Needs,
    call: Call,
}

use Action as A;
use Needs::{Open, User};

const ANYONE_SIGNED_IN: Needs = User(&[]);

fn s(text: &str) -> String {
    text.to_string()
}

const TABLE: &[Row] = &[
    Row { command: "app_info", needs: Open, call: |st| commands::app_info(st).map(drop) },
    Row {
        command: "stock_levels",
        needs: Open,
        call: |st| {
            commands::stock_levels(st, StockQuery { sku: None, location: None, limit: None }).map(drop)
        },
    },
    Row {
        command: "recent_events",
        needs: Open,
        call: |st| commands::recent_events(st, None, None).map(drop),
    },
    Row { command: "item_lookup", needs: Open, call: |st| commands::item_lookup(st, s("A-1")).map(drop) },
    Row { command: "locations", needs: Open, call: |st| commands::locations(st).map(drop) },
    Row { command: "session_info", needs: Open, call: |st| commands::session_info(st).map(drop) },
    Row { command: "session_ping", needs: Open, call: |st| commands::session_ping(st).map(drop) },
    Row { command: "lock_session", needs: Open, call: |st| commands::lock_session(st).map(drop) },
    Row { command: "sign_out", needs: Open, call: |st| commands::sign_out(st).map(drop) },
    Row {
        command: "wedge_max_gap_ms",
        needs: Open,
        call: |st| workstation_settings::wedge_max_gap_ms(st).map(drop),
    },
    Row {
        command: "classify_scan",
        needs: ANYONE_SIGNED_IN,
        call: |st| commands::classify_scan(st, s("A-1")).map(drop),
    },
    Row {
        command: "commit_scans",
        needs: User(&[A::Receive]),
        call: |st| {
            let request = CommitRequest {
                mode: StationMode::Receive,
                location: s("WH1"),
                to_location: None,
                session: None,
                reason: None,
                lines: vec![CommitLine { id: None, sku: s("A-1"), qty: 1 }],
            };
            commands::commit_scans(st, request).map(drop)
        },
    },
    Row {
        command: "save_station_draft",
        needs: ANYONE_SIGNED_IN,
        call: |st| {
            let draft = StationDraft {
                mode: StationMode::Receive,
                location: Some(s("WH1")),
                to_location: None,
                session: None,
                reason: None,
                lines: vec![],
            };
            drafts::save(st, draft)
        },
    },
    Row { command: "station_draft", needs: ANYONE_SIGNED_IN, call: |st| drafts::load(st).map(drop) },
    Row {
        command: "discard_station_draft",
        needs: ANYONE_SIGNED_IN,
        call: |st| drafts::discard(st).map(drop),
    },
    Row {
        command: "start_count",
        needs: User(&[A::CountStart]),
        call: |st| commands::start_count(st, s("WH2")).map(drop),
    },
    Row {
        command: "count_sessions",
        needs: ANYONE_SIGNED_IN,
        call: |st| commands::count_sessions(st).map(drop),
    },
    Row {
        command: "count_session",
        needs: ANYONE_SIGNED_IN,
        call: |st| commands::count_session(st, s("no-such-session")).map(drop),
    },
    Row {
        command: "submit_count",
        needs: User(&[A::CountSubmit]),
        call: |st| commands::submit_count(st, s("no-such-session")).map(drop),
    },
    Row { command: "due_counts", needs: ANYONE_SIGNED_IN, call: |st| commands::due_counts(st).map(drop) },
    Row {
        command: "approvals",
        needs: User(&[A::ApprovalsView]),
        call: |st| commands::approvals(st).map(drop),
    },
    Row {
        command: "decide",
        needs: User(&[A::ApprovalsDecide]),
        // The signed-in user's own PIN, so only the unknown id stops a permitted call.
        call: |st| {
            let pin = match commands::session_info(st)?.user.map(|u| u.name).as_deref() {
                Some("ada") => "2468",
                Some("sam") => "1357",
                _ => "1122",
            };
            commands::decide(st, s("no-such"), DecisionView::Approve, s("checked"), s(pin))
        },
    },
    Row {
        command: "decide_many",
        needs: User(&[A::ApprovalsDecide]),
        call: |st| {
            let request = BulkDecisionRequest {
                ids: vec![s("no-such")],
                decision: DecisionView::Reject,
                reason: s("checked"),
                pin: s("0000"),
                counter: None,
            };
            crate::approvals_bulk::decide_many(st, request).map(drop)
        },
    },
    Row {
        command: "approvals_waiting",
        needs: User(&[A::ApprovalsView]),
        call: |st| crate::approvals_bulk::approvals_waiting(st).map(drop),
    },
    Row {
        command: "start_count_scoped",
        // Not blind: the counter sees what the ledger expects.
        needs: User(&[A::CountStart, A::CountSeeExpected]),
        call: |st| {
            let request = CountStartRequest {
                location: s("WH2"),
                skus: vec![s("A-1")],
                class: None,
                top: None,
                blind: false,
                full: false,
            };
            crate::counts_scoped::start_count_scoped(st, request).map(drop)
        },
    },
    Row {
        command: "start_due_count",
        needs: User(&[A::CountGenerate]),
        call: |st| crate::counts_scoped::start_due_count(st, s("WH1"), s("no-such-plan")).map(drop),
    },
    Row {
        command: "submit_count_confirmed",
        needs: User(&[A::CountSubmit]),
        call: |st| crate::counts_scoped::submit_count_confirmed(st, s("no-such-session"), true).map(drop),
    },
    Row { command: "sync_status", needs: ANYONE_SIGNED_IN, call: |st| commands::sync_status(st).map(drop) },
    Row {
        command: "retry_dead_letters",
        needs: User(&[A::DeadLetterRetry]),
        call: |st| commands::retry_dead_letters(st, None).map(drop),
    },
    Row {
        command: "repush_channel",
        needs: User(&[A::Repush]),
        call: |st| repush::repush_channel(st, s("shop")).map(drop),
    },
    Row {
        command: "repush_progress",
        needs: ANYONE_SIGNED_IN,
        call: |st| repush::repush_progress(st).map(drop),
    },
    Row {
        command: "import_csv",
        needs: User(&[A::ImportLocations]),
        call: |st| import::import_csv(st, s("locations"), s("code,name\nWH9,Nine\n")).map(drop),
    },
    Row {
        command: "import_progress",
        needs: ANYONE_SIGNED_IN,
        call: |st| import::import_progress(st).map(drop),
    },
    Row { command: "sku_sync", needs: ANYONE_SIGNED_IN, call: |st| why::sku_sync(st, s("A-1")).map(drop) },
    Row { command: "hub_status", needs: ANYONE_SIGNED_IN, call: |st| commands::hub_status(st).map(drop) },
    Row { command: "restart_scanners", needs: User(&[A::ScannerRestart]), call: scanners::may_restart },
    Row { command: "alerts", needs: ANYONE_SIGNED_IN, call: |st| ops::alerts(st, false).map(drop) },
    Row {
        command: "ack_alert",
        needs: User(&[A::AlertAck]),
        call: |st| ops::ack_alert(st, s("999")).map(drop),
    },
    Row { command: "incidents", needs: ANYONE_SIGNED_IN, call: |st| ops::incidents(st, true).map(drop) },
    Row { command: "incident", needs: ANYONE_SIGNED_IN, call: |st| ops::incident(st, s("999")).map(drop) },
    Row {
        command: "resolve_incident",
        needs: User(&[A::IncidentResolve]),
        call: |st| ops::resolve_incident(st, s("999"), s("late-sync")).map(drop),
    },
    Row {
        command: "reconcile_runs",
        needs: ANYONE_SIGNED_IN,
        call: |st| ops::reconcile_runs(st, 5).map(drop),
    },
    Row {
        command: "run_reconcile",
        needs: User(&[A::Reconcile]),
        call: |st| ops::run_reconcile(st).map(drop),
    },
    Row { command: "run_drift", needs: User(&[A::DriftAudit]), call: |st| ops::run_drift(st, 5).map(drop) },
    Row { command: "last_drift", needs: ANYONE_SIGNED_IN, call: |st| ops::last_drift(st).map(drop) },
    Row {
        command: "export_csv",
        needs: ANYONE_SIGNED_IN,
        call: |st| ops::export_csv(st, ExportKind::Alerts).map(drop),
    },
    Row {
        command: "test_channel",
        needs: User(&[A::ChannelTest]),
        call: |st| link::test_channel(st, s("shop")).map(drop),
    },
    Row {
        command: "link_channel",
        needs: User(&[A::ChannelLink]),
        call: |st| link::link_channel(st, s("shop"), false, None, None).map(drop),
    },
    Row {
        command: "thresholds",
        needs: User(&[A::AlertThresholdView]),
        call: |st| admin::thresholds(st).map(drop),
    },
    Row {
        command: "set_threshold",
        needs: User(&[A::AlertThresholdSet]),
        call: |st| admin::set_threshold(st, s("queue_depth"), 150.0).map(drop),
    },
    Row { command: "users", needs: User(&[A::UserList]), call: |st| admin::users(st).map(drop) },
    Row {
        command: "add_user",
        needs: User(&[A::UserAdd]),
        // Only admins pass, once: one new name is enough.
        call: |st| admin::add_user(st, s("newbie"), RoleView::Staff, s("9090")).map(drop),
    },
    Row {
        command: "add_location",
        needs: User(&[A::AddLocation]),
        call: |st| {
            let request = NewLocationRequest { code: s("WH7"), name: s("New"), parent: None };
            admin::add_location(st, request).map(drop)
        },
    },
    Row {
        command: "tolerance",
        needs: User(&[A::ToleranceView]),
        call: |st| admin::tolerance(st, None).map(drop),
    },
    Row {
        command: "set_tolerance",
        needs: User(&[A::ToleranceSet]),
        call: |st| {
            let view = ToleranceView {
                category: None,
                units: Some(3),
                percent_bp: None,
                value_cents: None,
                auto_post: true,
            };
            admin::set_tolerance(st, view).map(drop)
        },
    },
    Row { command: "channels", needs: User(&[A::ChannelView]), call: |st| admin::channels(st).map(drop) },
    Row {
        command: "add_channel",
        needs: User(&[A::ChannelAdd]),
        call: |st| admin::add_channel(st, shop_request("shop2")).map(drop),
    },
    Row {
        command: "set_rule",
        needs: User(&[A::ChannelRule]),
        call: |st| {
            let rule =
                RuleView { locations: vec![], percent: 90, buffer: 0, cap: None, conflict: s("central") };
            admin::set_rule(st, s("shop"), rule).map(drop)
        },
    },
    Row {
        command: "scanner_devices",
        needs: ANYONE_SIGNED_IN,
        call: |st| admin::scanner_devices(st).map(drop),
    },
    Row {
        command: "workstation_settings",
        needs: User(&[A::WorkstationSettingsView]),
        call: |st| workstation_settings::workstation_settings(st).map(drop),
    },
    Row {
        command: "set_workstation_setting",
        needs: User(&[A::WorkstationSettingSet]),
        call: |st| workstation_settings::set_workstation_setting(st, s("idle_lock_secs"), s("600")).map(drop),
    },
    Row {
        command: "save_diagnostics",
        needs: User(&[A::DiagnosticsSave]),
        call: |st| crate::diagnostics::save_diagnostics(st).map(drop),
    },
];

/// Commands this table does not call, and why.
const ELSEWHERE: &[(&str, &str)] = &[
    ("sign_in", "the session itself: tests.rs demo_users_sign_in_and_roles_are_held_in_rust"),
    ("try_demo", "first run only, refused once any user exists: tests_first_run.rs"),
    ("create_first_admin", "first run only, refused once any user exists: tests_first_run.rs"),
    (
        "start_scanners",
        "needs the window's handle; starts the listeners the settings name and writes no data",
    ),
];

fn shop_request(name: &str) -> NewChannelRequest {
    NewChannelRequest {
        name: name.to_string(),
        kind: s("shopify"),
        endpoint: s("http://127.0.0.1:9"),
        shop: Some(s("x.myshopify.com")),
        seller_id: None,
        marketplace_id: None,
        auth_endpoint: None,
        secrets: vec![SecretField {
            name: s(shelfsync_sync::config::SHOPIFY_TOKEN),
            value: s("shpat_roles"),
        }],
    }
}

/// A database with a user of each role, two locations, an item with stock and a channel that
/// never answers (port 9, discard, on loopback).
fn fixture() -> (tempfile::TempDir, AppState) {
    // SAFETY: nextest runs each test in its own process; set before any thread reads it.
    unsafe { std::env::set_var("SHELFSYNC_SECRETS", "file") };
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("roles.db"));
    state.boot(DemoPolicy::Never);
    {
        let mut store = state.store().unwrap();
        let admin = store.add_user("ada", Role::Admin, "2468", None, "test").unwrap();
        store.add_user("sam", Role::Supervisor, "1357", Some(&admin), "test").unwrap();
        store.add_user("tim", Role::Staff, "1122", Some(&admin), "test").unwrap();
        store.import_locations("code,name\nWH1,Main\nWH2,Back\n".as_bytes()).unwrap();
        store
            .import_items(
                "sku,name,unit_cost,category,safety_stock,barcodes\nA-1,Bolt,0.10,parts,5,\n".as_bytes(),
            )
            .unwrap();
        store.import_stock("sku,location,qty\nA-1,WH1,50\nA-1,WH2,5\n".as_bytes(), "ada", "test").unwrap();
    }
    commands::sign_in(&state, s("ada"), s("2468")).unwrap();
    admin::add_channel(&state, shop_request("shop")).unwrap();
    commands::sign_out(&state).unwrap();
    (dir, state)
}

/// Every row of every table except the sign-in counters, which a refused PIN may move.
fn footprint(state: &AppState) -> String {
    let store = state.store().unwrap();
    let conn = store.connection();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for table in tables {
        let sql = if table == "users" {
            "SELECT name, role, pin_hash, active FROM users ORDER BY name".to_string()
        } else {
            format!("SELECT * FROM \"{table}\"")
        };
        let mut stmt = conn.prepare(&sql).unwrap();
        let cols = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut lines = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..cols).map(|i| format!("{:?}", row.get_ref(i).unwrap())).collect();
            lines.push(format!("{table}:{}", values.join("|")));
        }
        lines.sort();
        out.push_str(&lines.join("\n"));
    }
    out
}

fn is_role_refusal(error: &AppError) -> bool {
    matches!(error, AppError::SignedOut | AppError::Locked) || error.to_string().contains("may not")
}

fn check(state: &AppState, row: &Row, who: As) -> Result<(), String> {
    match who.credentials() {
        Some((name, pin)) => drop(commands::sign_in(state, s(name), s(pin)).unwrap()),
        None => drop(commands::sign_out(state).unwrap()),
    }
    let before = footprint(state);
    let outcome = (row.call)(state);
    match (row.needs.permits(who), outcome) {
        (true, Ok(())) => Ok(()),
        (true, Err(error)) if is_role_refusal(&error) => Err(format!("permitted but refused: {error}")),
        // Past the role check: an unknown id, a channel that does not answer.
        (true, Err(_)) => Ok(()),
        (false, Ok(())) => Err("refused by the policy but it succeeded".into()),
        (false, Err(error)) if !is_role_refusal(&error) => Err(format!("refused, but not by role: {error}")),
        (false, Err(_)) if footprint(state) != before => Err("refused, yet the database changed".into()),
        (false, Err(_)) => Ok(()),
    }
}

#[test]
fn every_ipc_command_as_every_role_follows_the_policy() {
    let (_dir, state) = fixture();
    let mut failures = Vec::new();
    let mut tried = 0;
    for row in TABLE {
        for who in EVERY_ROLE {
            tried += 1;
            if let Err(why) = check(&state, row, who) {
                failures.push(format!("{} as {who:?}: {why}", row.command));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} cases disagree with the policy:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tried, TABLE.len() * EVERY_ROLE.len());
}

/// The commands lib.rs hands to Tauri: each `#[tauri::command]` function's name.
fn ipc_commands() -> Vec<String> {
    let source = include_str!("lib.rs");
    let mut names = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[tauri::command]" {
            continue;
        }
        let signature = lines.by_ref().find(|l| l.contains("fn ")).expect("a function follows the attribute");
        let name = signature.split("fn ").nth(1).unwrap().split(['(', '<']).next().unwrap().trim();
        names.push(name.to_string());
    }
    names
}

#[test]
fn the_table_covers_every_ipc_command() {
    let commands = ipc_commands();
    assert!(commands.len() > 50, "found {} commands in lib.rs", commands.len());
    let missing: Vec<&String> = commands
        .iter()
        .filter(|c| !TABLE.iter().any(|r| r.command == c.as_str()) && !ELSEWHERE.iter().any(|(e, _)| e == c))
        .collect();
    assert!(missing.is_empty(), "IPC commands with no row in the role table: {missing:?}");
    let unknown: Vec<&str> =
        TABLE.iter().map(|r| r.command).filter(|c| !commands.iter().any(|k| k == c)).collect();
    assert!(unknown.is_empty(), "rows for commands lib.rs does not have: {unknown:?}");
}
