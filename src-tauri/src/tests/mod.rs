//! The app's commands against real SQLite files, without a window, one module per area; and
//! the bindings check. The fixtures here are shared by several areas: one demo database for the
//! read-only tests, a fresh one for tests that sign in (sessions are per state), and the
//! station's request builders.

use std::sync::OnceLock;

use crate::ipc::*;
use crate::state::{AppState, DemoPolicy};

mod audit_view;
mod bindings;
mod blind;
mod boot;
mod demo_channels;
mod drafts;
mod error_codes;
mod first_run;
mod hub;
mod import;
mod labels;
mod monitoring;
mod movements;
mod packs;
mod playbook;
mod reports;
mod settings;
mod sign_in;
mod station;
mod station_lots;
mod stock;
mod supervisor;
mod sync;
mod user_language;
mod users;
mod workstation;

/// One demo database shared by the read-only tests: loading it takes seconds in debug.
fn demo() -> &'static AppState {
    static DEMO: OnceLock<(tempfile::TempDir, AppState)> = OnceLock::new();
    let (_, state) = DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(dir.path().join("demo.db"));
        state.boot(DemoPolicy::LoadWhenEmpty);
        (dir, state)
    });
    state
}

fn demo_gtin13(n: u32) -> String {
    shelfsync_core::with_check_digit(&format!("590123{n:06}"))
}

/// A demo database of its own, for tests that sign in (sessions are per state).
fn fresh_demo() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(dir.path().join("demo.db"));
    state.boot(DemoPolicy::LoadWhenEmpty);
    (dir, state)
}

fn line(sku: &str, qty: u32) -> CommitLine {
    CommitLine { id: None, sku: sku.into(), qty, tag: None }
}

fn request(mode: StationMode, location: &str, lines: Vec<CommitLine>) -> CommitRequest {
    CommitRequest { mode, location: location.into(), to_location: None, session: None, reason: None, lines }
}

fn shopify_request(name: &str, token: &str) -> NewChannelRequest {
    NewChannelRequest {
        name: name.into(),
        kind: "shopify".into(),
        endpoint: "http://127.0.0.1:9".into(),
        shop: Some("demo.myshopify.com".into()),
        seller_id: None,
        marketplace_id: None,
        auth_endpoint: None,
        secrets: vec![SecretField { name: "access_token".into(), value: token.into() }],
    }
}
