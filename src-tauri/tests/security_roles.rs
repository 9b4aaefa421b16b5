//! Every IPC command the window is granted, tried as every role (signed out, staff, a staff
//! session locked after idling, supervisor, admin) through the same functions the Tauri
//! wrappers call, on a real demo database. Who passes comes from the one role policy
//! (`shelfsync_core::may`) over the actions each row declares, the policy the CLI's role table
//! (crates/cli/tests/roles.rs) reads too. A refusal is
//! `SignedOut`, `Locked` or the store's `Forbidden`, and writes no row; a permitted call
//! passes the role check (it may still fail on its input). Every successful answer is also
//! searched for the channel secrets configured in the database: none may cross IPC.
//!
//! The table must cover every command granted in `capabilities/*.json`: a new command fails
//! this test until it has a row.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use shelfsync_app::drift_history;
use shelfsync_app::error::AppError;
use shelfsync_app::ipc::{CountPackRequest, ReportCsvKind, VarianceGroupView};
use shelfsync_app::ipc::{DecisionView, ExportKind, RoleView};
use shelfsync_app::reports;
use shelfsync_app::state::{AppState, DemoPolicy};
use shelfsync_app::{
    admin, approvals_bulk, commands, counts_scoped, diagnostics, drafts, first_run, import, link, ops,
    repush, scanners, user_language, why, workstation_settings,
};
use shelfsync_core::{Action, Role, may};
use shelfsync_store::StoreError;
use shelfsync_sync::config::{NewChannel, SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET, add_channel};
use shelfsync_sync::credentials::{Backend, Secret, Secrets};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum As {
    SignedOut,
    Staff,
    LockedStaff,
    Supervisor,
    Admin,
}

const EVERY_ROLE: [As; 5] = [As::SignedOut, As::Staff, As::LockedStaff, As::Supervisor, As::Admin];

/// Who passes the role check.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Before sign-in too: the session itself, app status, and reading stock and the catalogue
    /// (a shared warehouse screen shows stock to whoever stands at it).
    Anyone,
    /// An unlocked session of any role.
    SignedIn,
    /// An unlocked session whose role the policy lets do every action listed.
    May(&'static [Action]),
}

impl Need {
    fn permits(self, who: As) -> bool {
        let role = match who {
            As::SignedOut | As::LockedStaff => return matches!(self, Need::Anyone),
            As::Staff => Role::Staff,
            As::Supervisor => Role::Supervisor,
            As::Admin => Role::Admin,
        };
        match self {
            Need::Anyone | Need::SignedIn => true,
            Need::May(actions) => actions.iter().all(|a| may(role, *a)),
        }
    }
}

const TABLE: &[(&str, Need)] = &[
    ("app_info", Need::Anyone),
    ("stock_levels", Need::Anyone),
    ("recent_events", Need::Anyone),
    ("item_lookup", Need::Anyone),
    ("locations", Need::Anyone),
    ("session_info", Need::Anyone),
    ("sign_in", Need::Anyone),
    ("sign_out", Need::Anyone),
    ("lock_session", Need::Anyone),
    ("session_ping", Need::Anyone),
    ("set_user_language", Need::SignedIn),
    // First run: no session needed, but refused in Rust (in words, not by role) once the
    // database has any user, as this demo database has; tests_first_run.rs covers the rest.
    ("try_demo", Need::Anyone),
    ("create_first_admin", Need::Anyone),
    // Starts the serial/HID listeners: needs the window's AppHandle, so it is not called
    // here; it records nothing and every scan it emits goes through commit_scans.
    ("start_scanners", Need::Anyone),
    ("classify_scan", Need::SignedIn),
    ("search_stock", Need::SignedIn),
    ("commit_scans", Need::SignedIn),
    ("start_count", Need::SignedIn),
    ("count_sessions", Need::SignedIn),
    ("count_session", Need::SignedIn),
    ("submit_count", Need::SignedIn),
    ("due_counts", Need::SignedIn),
    ("sync_status", Need::SignedIn),
    ("hub_status", Need::SignedIn),
    ("sku_sync", Need::SignedIn),
    ("repush_progress", Need::SignedIn),
    ("approvals", Need::May(&[Action::ApprovalsView])),
    ("decide", Need::May(&[Action::ApprovalsDecide])),
    ("retry_dead_letters", Need::May(&[Action::DeadLetterRetry])),
    ("repush_channel", Need::May(&[Action::Repush])),
    ("import_progress", Need::SignedIn),
    // Receiving stock by file, as a supervisor corrects stock by approving a count.
    ("import_csv", Need::May(&[Action::ImportStock])),
    // Not a command of its own: import_csv of items, which changes the catalogue.
    ("import_csv items", Need::May(&[Action::ImportItems])),
    // import_csv of packs: item master data, as the CLI's `import packs`.
    ("import_csv packs", Need::May(&[Action::ImportItems])),
    // Monitoring: anyone signed in reads it; acting on it is for supervisors.
    ("alerts", Need::SignedIn),
    ("incidents", Need::SignedIn),
    ("incident", Need::SignedIn),
    ("reconcile_runs", Need::SignedIn),
    ("last_drift", Need::SignedIn),
    ("drift_history", Need::SignedIn),
    // The Reports screen's charts and their CSV: read like the CLI's open reports.
    ("report_variance", Need::SignedIn),
    ("report_accuracy", Need::SignedIn),
    ("report_shrink", Need::SignedIn),
    ("export_report_csv", Need::SignedIn),
    // The pack a supervisor signs shows every expected quantity, blind counts' too.
    ("save_count_pack", Need::May(&[Action::ApprovalsView])),
    ("scorecard", Need::SignedIn),
    ("label_preview", Need::SignedIn),
    ("save_label", Need::SignedIn),
    ("send_label", Need::SignedIn),
    ("flash_sale", Need::SignedIn),
    ("set_flash_sale", Need::May(&[Action::ChannelRule])),
    ("export_csv", Need::SignedIn),
    ("scanner_devices", Need::SignedIn),
    ("ack_alert", Need::May(&[Action::AlertAck])),
    ("resolve_incident", Need::May(&[Action::IncidentResolve])),
    ("run_reconcile", Need::May(&[Action::Reconcile])),
    ("run_drift", Need::May(&[Action::DriftAudit])),
    ("thresholds", Need::May(&[Action::AlertThresholdView])),
    ("tolerance", Need::May(&[Action::ToleranceView])),
    ("set_tolerance", Need::May(&[Action::ToleranceSet])),
    ("channels", Need::May(&[Action::ChannelView])),
    // Settings that change who may do what, or where stock and credentials go.
    ("set_threshold", Need::May(&[Action::AlertThresholdSet])),
    ("users", Need::May(&[Action::UserList])),
    ("add_user", Need::May(&[Action::UserAdd])),
    // On the user add_user made just before (as the admin), so the demo's users stay usable.
    ("unlock_user", Need::May(&[Action::UserUnlock])),
    ("set_user_active", Need::May(&[Action::UserDeactivate])),
    ("reset_user_pin", Need::May(&[Action::UserResetPin])),
    ("add_location", Need::May(&[Action::AddLocation])),
    ("add_channel", Need::May(&[Action::ChannelAdd])),
    ("set_rule", Need::May(&[Action::ChannelRule])),
    // A real call to the channel, and linking its listings (writes mappings with apply).
    ("test_channel", Need::May(&[Action::ChannelTest])),
    ("link_channel", Need::May(&[Action::ChannelLink])),
    // This workstation: the wedge timing is read before sign-in; its settings and the
    // diagnostics folder are for supervisors.
    ("wedge_max_gap_ms", Need::Anyone),
    ("workstation_settings", Need::May(&[Action::WorkstationSettingsView])),
    ("set_workstation_setting", Need::May(&[Action::WorkstationSettingSet])),
    ("save_diagnostics", Need::May(&[Action::DiagnosticsSave])),
    // The scan station's draft: each user's own, on this workstation.
    ("save_station_draft", Need::SignedIn),
    ("append_station_draft_line", Need::SignedIn),
    ("station_draft", Need::SignedIn),
    ("discard_station_draft", Need::SignedIn),
    // The approvals and counts screens.
    ("approvals_waiting", Need::May(&[Action::ApprovalsView])),
    ("decide_many", Need::May(&[Action::ApprovalsDecide])),
    // The audit viewer.
    ("audit_entries", Need::May(&[Action::AuditView])),
    ("verify_audit", Need::May(&[Action::AuditView])),
    // Not blind: the counter sees what the ledger expects.
    ("start_count_scoped", Need::May(&[Action::CountStart, Action::CountSeeExpected])),
    ("start_due_count", Need::May(&[Action::CountGenerate])),
    ("submit_count_confirmed", Need::May(&[Action::CountSubmit])),
    // Needs the window's AppHandle to start listeners; its role check is tried alone.
    ("restart_scanners", Need::May(&[Action::ScannerRestart])),
    // The Movements screen: each movement's own action; the adjustment is tried with override.
    ("loss_reason_codes", Need::May(&[Action::WriteOff])),
    ("write_off", Need::May(&[Action::WriteOff])),
    ("adjust_stock", Need::May(&[Action::Adjust, Action::OverrideNegative])),
    ("ship_transfer", Need::May(&[Action::Transfer])),
    ("transfers_in_transit", Need::May(&[Action::Transfer])),
    ("receive_transfer", Need::May(&[Action::Transfer])),
    ("customer_return", Need::May(&[Action::Return])),
    // Lots read like stock: anyone signed in (a blind count hides the quantities).
    ("item_lots", Need::SignedIn),
    ("reversible_events", Need::May(&[Action::Reverse])),
    ("reverse_event", Need::May(&[Action::Reverse])),
    // The playbook (issue 20): hours and causes for anyone signed in to read; changing them,
    // and resolving, per the policy.
    ("business_hours", Need::SignedIn),
    ("set_business_hours", Need::May(&[Action::BusinessHoursSet])),
    ("add_peak_day", Need::May(&[Action::BusinessHoursSet])),
    ("remove_peak_day", Need::May(&[Action::BusinessHoursSet])),
    ("root_causes", Need::SignedIn),
    ("resolve_incident_categorised", Need::May(&[Action::IncidentResolve])),
    ("incident_review", Need::SignedIn),
];

const NOT_CALLABLE_WITHOUT_A_WINDOW: [&str; 1] = ["start_scanners"];

const SECRETS: [&str; 2] = ["shpat_SECRET_ipc_token", "whsec_SECRET_ipc_webhook"];

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    sku: String,
    location: String,
    count: String,
    /// The default tolerance as the settings screen reads it, to write back.
    tolerance: Value,
}

fn credentials(role: As) -> Option<(&'static str, &'static str)> {
    match role {
        As::SignedOut => None,
        As::Staff | As::LockedStaff => Some(("staff", "1111")),
        As::Supervisor => Some(("super", "2222")),
        As::Admin => Some(("admin", "3333")),
    }
}

fn become_(state: &AppState, role: As) {
    commands::sign_out(state).unwrap();
    if let Some((name, pin)) = credentials(role) {
        commands::sign_in(state, name.into(), pin.into()).unwrap();
    }
    if role == As::LockedStaff {
        commands::lock_session(state).unwrap();
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let state = AppState::new(db.clone());
    state.boot(DemoPolicy::LoadWhenEmpty);
    {
        let store = state.store().unwrap();
        let new = NewChannel {
            name: "shop".into(),
            kind: shelfsync_channels::ChannelKind::Shopify,
            endpoint: "http://127.0.0.1:9".into(),
            shop: Some("demo.myshopify.com".into()),
            seller_id: None,
            marketplace_id: None,
        };
        let creds = [
            (SHOPIFY_TOKEN, Secret::new(SECRETS[0]).unwrap()),
            (SHOPIFY_WEBHOOK_SECRET, Secret::new(SECRETS[1]).unwrap()),
        ];
        add_channel(
            &store,
            shelfsync_store::By::new("tester", "ws-test"),
            &Secrets::with_backend(&db, Backend::File),
            &new,
            &creds,
        )
        .unwrap();
    }
    let page =
        commands::stock_levels(&state, serde_json::from_value(json!({ "limit": 1 })).unwrap()).unwrap();
    let row = serde_json::to_value(&page.rows[0]).unwrap();
    let (sku, location) =
        (row["sku"].as_str().unwrap().to_string(), row["location"].as_str().unwrap().to_string());
    become_(&state, As::Staff);
    let count = commands::start_count(&state, location.clone()).unwrap().id;
    become_(&state, As::Admin);
    let tolerance = serde_json::to_value(admin::tolerance(&state, None).unwrap()).unwrap();
    Fixture { _dir: dir, state, sku, location, count, tolerance }
}

/// Calls one command; the answer as JSON, or the error.
fn call(f: &Fixture, command: &str, role: As) -> Result<Value, AppError> {
    let s = &f.state;
    fn j<T: serde::Serialize>(r: Result<T, AppError>) -> Result<Value, AppError> {
        r.map(|v| serde_json::to_value(v).unwrap())
    }
    let pin = credentials(role).map_or("0000", |(_, p)| p);
    match command {
        "app_info" => j(commands::app_info(s)),
        "stock_levels" => {
            j(commands::stock_levels(s, serde_json::from_value(json!({ "limit": 5 })).unwrap()))
        }
        "recent_events" => j(commands::recent_events(s, None, Some(5))),
        "item_lookup" => j(commands::item_lookup(s, f.sku.clone())),
        "locations" => j(commands::locations(s)),
        "session_info" => j(commands::session_info(s)),
        "sign_in" => j(commands::sign_in(s, "staff".into(), "1111".into())),
        "sign_out" => j(commands::sign_out(s)),
        "lock_session" => j(commands::lock_session(s)),
        "session_ping" => j(commands::session_ping(s)),
        "set_user_language" => j(user_language::set_user_language(s, Some("es".into()))),
        "try_demo" => j(first_run::try_demo(s)),
        "create_first_admin" => {
            j(first_run::create_first_admin(s, "eve".into(), "1357".into(), "1357".into()))
        }
        "classify_scan" => j(commands::classify_scan(s, f.sku.clone())),
        "search_stock" => j(shelfsync_app::search::search_stock(
            s,
            serde_json::from_value(json!({ "text": f.sku, "limit": 5 })).unwrap(),
        )),
        "commit_scans" => {
            let request =
                json!({ "mode": "receive", "location": f.location, "lines": [{ "sku": f.sku, "qty": 1 }] });
            j(commands::commit_scans(s, serde_json::from_value(request).unwrap()))
        }
        "start_count" => j(commands::start_count(s, f.location.clone())),
        "count_sessions" => j(commands::count_sessions(s)),
        "count_session" => j(commands::count_session(s, f.count.clone())),
        "submit_count" => j(commands::submit_count(s, f.count.clone())),
        "due_counts" => j(commands::due_counts(s)),
        "sync_status" => j(commands::sync_status(s)),
        "hub_status" => j(commands::hub_status(s)),
        "sku_sync" => j(why::sku_sync(s, f.sku.clone())),
        "approvals" => j(commands::approvals(s)),
        "decide" => j(commands::decide(
            s,
            "no-such-approval".into(),
            DecisionView::Approve,
            "checked".into(),
            pin.into(),
        )),
        "retry_dead_letters" => j(commands::retry_dead_letters(s, None)),
        "repush_channel" => j(repush::repush_channel(s, "shop".into())),
        "repush_progress" => j(repush::repush_progress(s)),
        "import_progress" => j(import::import_progress(s)),
        "import_csv" => {
            let csv = format!("sku,location,qty\n{},{},1\n", f.sku, f.location);
            j(import::import_csv(s, "stock".into(), csv))
        }
        "import_csv items" => {
            let csv = "sku,name,unit_cost,category,safety_stock,barcodes\nIPC-NEW,New part,1.00,parts,0,\n";
            j(import::import_csv(s, "items".into(), csv.into()))
        }
        "import_csv packs" => {
            let csv = format!("barcode,sku,qty\nIPC-PACK-6,{},6\n", f.sku);
            j(import::import_csv(s, "packs".into(), csv))
        }
        "alerts" => j(ops::alerts(s, false)),
        "incidents" => j(ops::incidents(s, false)),
        "incident" => j(ops::incident(s, "1".into())),
        "reconcile_runs" => j(ops::reconcile_runs(s, 5)),
        "last_drift" => j(ops::last_drift(s)),
        "drift_history" => j(drift_history::drift_history(s, None)),
        "report_variance" => j(reports::report_variance(s, VarianceGroupView::Location)),
        "report_accuracy" => j(reports::report_accuracy(s)),
        "report_shrink" => j(reports::report_shrink(s, 30)),
        "export_report_csv" => j(reports::export_report_csv(s, ReportCsvKind::Accuracy, None)),
        "save_count_pack" => {
            j(reports::save_count_pack(s, CountPackRequest { session: Some(f.count.clone()), month: None }))
        }
        "scorecard" => j(ops::scorecard(s, 7)),
        "label_preview" => j(shelfsync_app::labels::label_preview(s, item_label(&f.sku))),
        "save_label" => {
            j(shelfsync_app::labels::save_label(s, item_label(&f.sku), shelfsync_app::ipc::LabelFormat::Pdf))
        }
        // Port 9 (discard) on loopback: nobody listens, so a permitted call fails on the printer.
        "send_label" => j(shelfsync_app::labels::send_label(s, item_label(&f.sku), "127.0.0.1:9".into())),
        "flash_sale" => j(shelfsync_app::flash_sale::flash_sale(s)),
        "set_flash_sale" => j(shelfsync_app::flash_sale::set_flash_sale(s, false, 600, 5)),
        "export_csv" => j(ops::export_csv(s, ExportKind::Alerts)),
        "scanner_devices" => j(admin::scanner_devices(s)),
        "ack_alert" => j(ops::ack_alert(s, "no-such-alert".into())),
        "resolve_incident" => j(ops::resolve_incident(s, "no-such-incident".into(), "checked".into())),
        "run_reconcile" => j(ops::run_reconcile(s)),
        "run_drift" => j(ops::run_drift(s, 5)),
        "thresholds" => j(admin::thresholds(s)),
        "tolerance" => j(admin::tolerance(s, None)),
        "set_tolerance" => j(admin::set_tolerance(s, serde_json::from_value(f.tolerance.clone()).unwrap())),
        "channels" => j(admin::channels(s)),
        "set_threshold" => j(admin::set_threshold(s, "no-such-rule".into(), 1.0)),
        "users" => j(admin::users(s)),
        "add_user" => j(admin::add_user(s, "newcomer".into(), RoleView::Staff, "4321".into())),
        "unlock_user" => j(admin::unlock_user(s, "newcomer".into())),
        "set_user_active" => j(admin::set_user_active(s, "newcomer".into(), false)),
        "reset_user_pin" => j(admin::reset_user_pin(s, "newcomer".into(), "8642".into())),
        "add_location" => {
            let request = json!({ "code": "WH-NEW", "name": "New", "parent": null });
            j(admin::add_location(s, serde_json::from_value(request).unwrap()))
        }
        "add_channel" => {
            let request = json!({
                "name": "shop2", "kind": "shopify", "endpoint": "http://127.0.0.1:9",
                "shop": "b.myshopify.com", "sellerId": null, "marketplaceId": null, "secrets": []
            });
            j(admin::add_channel(s, serde_json::from_value(request).unwrap()))
        }
        "set_rule" => {
            let rule =
                json!({ "locations": [], "percent": 100, "buffer": 0, "cap": null, "conflict": "central" });
            j(admin::set_rule(s, "shop".into(), serde_json::from_value(rule).unwrap()))
        }
        // The fixture's channel points at a closed port: the admin gets "no connection".
        "test_channel" => j(link::test_channel(s, "shop".into())),
        "link_channel" => j(link::link_channel(s, "shop".into(), true, None, None)),
        "wedge_max_gap_ms" => j(workstation_settings::wedge_max_gap_ms(s)),
        "workstation_settings" => j(workstation_settings::workstation_settings(s)),
        "set_workstation_setting" => {
            j(workstation_settings::set_workstation_setting(s, "serial_baud".into(), "19200".into()))
        }
        "save_diagnostics" => j(diagnostics::save_diagnostics(s)),
        "restart_scanners" => j(scanners::may_restart(s)),
        "save_station_draft" => {
            let draft = json!({ "mode": "receive", "location": f.location, "lines": [] });
            j(drafts::save(s, serde_json::from_value(draft).unwrap()))
        }
        "append_station_draft_line" => {
            let line = json!({ "id": "0b7f3c1e-5d2a-4f6b-8c9d-1e2f3a4b5c6d", "sku": "SS-00001", "name": "Widget", "qty": 1, "source": "wedge" });
            let append = json!({ "after": 0, "mode": "receive", "location": f.location, "line": line });
            j(drafts::append(s, serde_json::from_value(append).unwrap()))
        }
        "station_draft" => j(drafts::load(s)),
        "discard_station_draft" => j(drafts::discard(s)),
        "approvals_waiting" => j(approvals_bulk::approvals_waiting(s)),
        "audit_entries" => {
            let filter = json!({ "kind": "event", "limit": 5 });
            j(shelfsync_app::audit_view::audit_entries(s, serde_json::from_value(filter).unwrap()))
        }
        "verify_audit" => j(shelfsync_app::audit_view::verify_audit(s)),
        "decide_many" => {
            let request =
                json!({ "ids": ["no-such-approval"], "decision": "reject", "reason": "checked", "pin": pin });
            j(approvals_bulk::decide_many(s, serde_json::from_value(request).unwrap()))
        }
        "start_count_scoped" => {
            let request = json!({ "location": f.location, "skus": [f.sku], "blind": false, "full": false });
            j(counts_scoped::start_count_scoped(s, serde_json::from_value(request).unwrap()))
        }
        "start_due_count" => j(counts_scoped::start_due_count(s, f.location.clone(), "no-such-plan".into())),
        "submit_count_confirmed" => j(counts_scoped::submit_count_confirmed(s, "no-such-count".into(), true)),
        "loss_reason_codes" => j(shelfsync_app::movements::loss_reason_codes(s)),
        "write_off" => {
            let request = json!({ "sku": f.sku, "location": f.location, "qty": 1, "from": "onHand",
                                  "code": "damaged", "note": null });
            j(shelfsync_app::movements::write_off(s, serde_json::from_value(request).unwrap()))
        }
        "adjust_stock" => {
            let request = json!({ "sku": f.sku, "location": f.location, "delta": 1, "reason": "found",
                                  "overrideNegative": true });
            j(shelfsync_app::movements::adjust_stock(s, serde_json::from_value(request).unwrap()))
        }
        "ship_transfer" => {
            let request = json!({ "sku": f.sku, "from": f.location, "to": "no-such-place", "qty": 1 });
            j(shelfsync_app::movements::ship_transfer(s, serde_json::from_value(request).unwrap()))
        }
        "transfers_in_transit" => j(shelfsync_app::movements::transfers_in_transit(s)),
        "item_lots" => {
            j(shelfsync_app::lots_view::item_lots(s, f.sku.to_string(), f.location.to_string(), Some(1)))
        }
        "receive_transfer" => {
            let request = json!({ "transferId": "no-such-transfer", "received": 1 });
            j(shelfsync_app::movements::receive_transfer(s, serde_json::from_value(request).unwrap()))
        }
        "customer_return" => {
            let request = json!({ "sku": f.sku, "location": f.location, "qty": 1, "damaged": true });
            j(shelfsync_app::movements::customer_return(s, serde_json::from_value(request).unwrap()))
        }
        "reversible_events" => j(shelfsync_app::movements::reversible_events(s, f.sku.clone(), Some(5))),
        "reverse_event" => {
            let request = json!({ "eventId": "no-such-event", "reason": "checked" });
            j(shelfsync_app::movements::reverse_event(s, serde_json::from_value(request).unwrap()))
        }
        "business_hours" => j(shelfsync_app::playbook::business_hours(s)),
        "set_business_hours" => {
            let change =
                json!({ "zone": "America/New_York", "days": [{ "day": "mon", "hours": "08:00-18:00" }] });
            j(shelfsync_app::playbook::set_business_hours(s, serde_json::from_value(change).unwrap()))
        }
        "add_peak_day" => {
            j(shelfsync_app::playbook::add_peak_day(s, "2026-11-27".into(), "Black Friday".into()))
        }
        "remove_peak_day" => j(shelfsync_app::playbook::remove_peak_day(s, "2026-11-28".into())),
        "root_causes" => j(shelfsync_app::playbook::root_causes(s)),
        "resolve_incident_categorised" => j(shelfsync_app::playbook::resolve_incident_categorised(
            s,
            "no-such-incident".into(),
            "other".into(),
            "checked".into(),
        )),
        "incident_review" => j(shelfsync_app::playbook::incident_review(s, "2026-11".into())),
        other => panic!("no invocation for command {other}: add one to call()"),
    }
}

/// Rows this database connection has inserted, updated or deleted since it opened. The app
/// holds its one connection, so a refused call that wrote anything moves it; hashing 60,000
/// demo events per case instead would take minutes.
fn fingerprint(state: &AppState) -> u64 {
    shelfsync_store::testing::connection(&state.store().unwrap()).total_changes()
}

fn refused(error: &AppError) -> bool {
    matches!(error, AppError::SignedOut | AppError::Locked | AppError::Store(StoreError::Forbidden { .. }))
}

/// Commands granted to any window in capabilities/*.json.
fn granted() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for p in cap["permissions"].as_array().unwrap() {
                if let Some(command) = p.as_str().and_then(|p| p.strip_prefix("allow-")) {
                    out.insert(command.replace('-', "_"));
                }
            }
        }
    }
    out
}

#[test]
fn the_table_covers_every_granted_command() {
    let declared: BTreeSet<String> = TABLE.iter().map(|(c, _)| c.to_string()).collect();
    let missing: Vec<String> = granted().into_iter().filter(|c| !declared.contains(c)).collect();
    assert!(missing.is_empty(), "granted commands without a row in TABLE: {missing:?}");
}

#[test]
fn every_ipc_command_as_every_role_matches_the_table() {
    let f = fixture();
    let mut failures = Vec::new();
    let mut tried = 0;
    for (command, need) in TABLE {
        if NOT_CALLABLE_WITHOUT_A_WINDOW.contains(command) {
            continue;
        }
        for role in EVERY_ROLE {
            become_(&f.state, role);
            let before = fingerprint(&f.state);
            tried += 1;
            let outcome = call(&f, command, role);
            let verdict = match (&outcome, need.permits(role)) {
                (Err(e), true) if refused(e) => Some(format!("permitted by the table, refused: {e}")),
                (Ok(_), false) => Some("refused by the table, but it succeeded".into()),
                (Err(e), false) if !refused(e) => Some(format!("refused, but not by a role check: {e}")),
                (Err(_), false) if fingerprint(&f.state) != before => {
                    Some("refused, yet the database changed".into())
                }
                _ => None,
            };
            if let Some(why) = verdict {
                failures.push(format!("{command} as {role:?}: {why}"));
            }
            if let Ok(answer) = &outcome {
                let text = answer.to_string();
                for secret in SECRETS {
                    if text.contains(secret) {
                        failures.push(format!("{command} as {role:?}: the answer carries a secret"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {tried} cases disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(tried >= 100, "{tried} cases");
}

/// An item label of one copy, for the label commands' rows.
fn item_label(sku: &str) -> shelfsync_app::ipc::LabelRequest {
    shelfsync_app::ipc::LabelRequest {
        kind: shelfsync_app::ipc::LabelKind::Item,
        code: sku.into(),
        lot: None,
        expiry: None,
        copies: 1,
        symbology: None,
    }
}
