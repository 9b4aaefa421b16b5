//! ShelfSync's desktop shell.
//!
//! Architecture invariant: this is the only crate that knows Tauri, and it holds no business
//! logic. The commands the webview may call are listed once, in `command_table.rs`; `handler.rs`
//! generates their Tauri wrappers, the invoke handler and the typed TypeScript client from it.
//! Their bodies (`commands.rs` and the screen modules) call the engine crates and convert the
//! results to wire types (`ipc/`) that are exported to TypeScript; the webview never sees a
//! database or a channel, only these commands, each granted by name in `capabilities/`.

pub mod admin;
pub mod approvals_bulk;
pub mod audit_view;
pub mod commands;
pub mod counts_scoped;
#[cfg(feature = "demo")]
pub mod demo_channels;
pub mod diagnostics;
pub mod drafts;
pub mod drift_history;
pub mod error;
pub mod export;
pub mod first_run;
pub mod flash_sale;
pub mod floor_refusal;
pub mod handler;
pub mod import;
pub mod instance;
pub mod ipc;
pub mod labels;
pub mod link;
pub mod logging;
pub mod lots_view;
pub mod movements;
pub mod ops;
pub mod playbook;
pub mod reports;
pub mod repush;
pub mod scanners;
pub mod search;
pub mod service;
pub mod session;
pub mod state;
pub mod station;
pub mod supervisor_refusal;
pub mod user_language;
pub mod why;
pub mod window_fit;
pub mod workstation_settings;

#[cfg(test)]
mod tests;

use tauri::Manager;

use crate::scanners::Scanners;
use crate::state::AppState;

pub fn run() {
    let db_path = match state::db_path_from_env() {
        Ok(path) => path,
        Err(error) => {
            tracing::error!(%error, "no database path");
            eprintln!("shelfsync-app: {error}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        // First: a second start on this database must hand over before anything else starts.
        .plugin(instance::plugin(&db_path))
        .plugin(logging::plugin())
        // Size and position per workstation and database; restored as the window opens.
        .plugin(window_fit::plugin(&db_path))
        .manage(AppState::with_idle(db_path, session::idle_from_env()))
        .manage(Scanners::default())
        .setup(|app| {
            window_fit::watch_main_window(app.handle());
            let handle = app.handle().clone();
            std::thread::Builder::new().name("boot".into()).spawn(move || {
                let state = handle.state::<AppState>();
                state.boot_from_env();
                // The idle lock, and the values the service and the demo channels start from.
                workstation_settings::boot_snapshot(&state);
                // The demo's simulated channels first: the service's engine is their client.
                state.start_demo_channels();
                state.start_service();
            })?;
            Ok(())
        })
        .invoke_handler(handler::handler())
        .build(tauri::generate_context!())
        .expect("error while building the ShelfSync app")
        .run(|app, event| {
            // The engine finishes its round and hands the lease over before the process ends, so
            // another workstation's service takes over at once instead of after the lease expiry.
            if let tauri::RunEvent::Exit = event {
                app.state::<AppState>().shutdown();
            }
        });
}
