//! ShelfSync's desktop shell.
//!
//! Architecture invariant: this is the only crate that knows Tauri, and it holds no business
//! logic. Commands (`commands.rs`) call `shelfsync_store` and `shelfsync_core` and convert the
//! results to wire types (`ipc.rs`) that are exported to TypeScript; the webview never sees a
//! database or a channel, only these commands, each granted by name in `capabilities/`.

pub mod commands;
pub mod error;
pub mod ipc;
pub mod state;

#[cfg(test)]
mod tests;

use tauri::{Manager, State};

use crate::error::Result;
use crate::ipc::{AppInfo, EventView, ItemView, LocationView, StockPage, StockQuery};
use crate::state::{AppState, DemoPolicy};

// Async so they run on Tauri's worker pool, not the main thread that paints the window.

#[tauri::command]
async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    commands::app_info(&state)
}

#[tauri::command]
async fn stock_levels(state: State<'_, AppState>, query: StockQuery) -> Result<StockPage> {
    commands::stock_levels(&state, query)
}

#[tauri::command]
async fn recent_events(
    state: State<'_, AppState>,
    sku: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<EventView>> {
    commands::recent_events(&state, sku, limit)
}

#[tauri::command]
async fn item_lookup(state: State<'_, AppState>, code: String) -> Result<ItemView> {
    commands::item_lookup(&state, code)
}

#[tauri::command]
async fn locations(state: State<'_, AppState>) -> Result<Vec<LocationView>> {
    commands::locations(&state)
}

pub fn run() {
    let db_path = match state::db_path_from_env() {
        Ok(path) => path,
        Err(error) => {
            eprintln!("shelfsync-app: {error}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        .manage(AppState::new(db_path))
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("boot".into())
                .spawn(move || handle.state::<AppState>().boot(DemoPolicy::from_env()))?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            app_info,
            stock_levels,
            recent_events,
            item_lookup,
            locations
        ])
        .run(tauri::generate_context!())
        .expect("error while running the ShelfSync app");
}
