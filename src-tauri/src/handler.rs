//! Where IPC commands come from: `command_table.rs`, expanded here.
//!
//! The table is the one list of what the webview may call. This module turns it into the
//! `#[tauri::command]` wrappers (thin: they only unwrap Tauri's state and pick the thread),
//! the invoke handler `run()` installs, the list of names (`COMMANDS`) and the typed TypeScript
//! client `ui/src/client.ts`. `build.rs` reads the same table for the permission list, and a
//! test holds `capabilities/main.json` to it, so a command cannot be added to one place and
//! forgotten in another.
//!
//! The bodies live in the screen modules (`commands`, `ops`, `admin`, ...), take `&AppState`
//! and are tested without a window.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{AppError, Result};
use crate::ipc::*;
use crate::scanners::{self, Scanners};
use crate::state::AppState;
// The modules the table names the bodies in.
use crate::audit_view;
use crate::drift_history;
use crate::labels;
use crate::lots_view;
use crate::movements;
use crate::playbook;
use crate::reports;
use crate::{
    admin, approvals_bulk, commands, counts_scoped, diagnostics, drafts, first_run, flash_sale, import, link,
    ops, repush, search, user_language, why, workstation_settings,
};

/// Where the generated client is committed, relative to the crate.
pub const CLIENT_PATH: &str = "../ui/src/client.ts";

/// Expands the table: one wrapper per line, then the handler, the names and the client.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty => $kind:ident $body:path;
    )*) => {
        $( wrapper!($kind [$($doc)*] $name ($($arg: $ty),*) -> $ret => $body); )*

        /// The invoke handler: every command of the table, and nothing else.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command's name, in the table's order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The TypeScript client: one typed function per command, argument and return types
        /// named as ts-rs names them in `ui/src/bindings/`.
        pub fn typescript_client() -> String {
            let cfg = ts_rs::Config::new();
            let mut client = Client::default();
            $(
                client.command(
                    stringify!($name),
                    &[$($doc),*],
                    &[$((stringify!($arg), <$ty as TS>::name(&cfg))),*],
                    &<$ret as TS>::name(&cfg),
                );
            )*
            client.render()
        }
    };
}

/// One `#[tauri::command]` per table line; `kind` picks the thread and what the body receives.
macro_rules! wrapper {
    (state [$($doc:literal)*] $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty => $body:path) => {
        $(#[doc = $doc])*
        #[tauri::command]
        async fn $name(state: State<'_, AppState>, $($arg: $ty),*) -> Result<$ret> {
            $body(&state, $($arg),*)
        }
    };
    (blocking [$($doc:literal)*] $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty => $body:path) => {
        $(#[doc = $doc])*
        #[tauri::command]
        async fn $name(app: AppHandle, $($arg: $ty),*) -> Result<$ret> {
            blocking(app, move |state| $body(state, $($arg),*)).await
        }
    };
    (app [$($doc:literal)*] $name:ident ($($arg:ident : $ty:ty),*) -> $ret:ty => $body:path) => {
        $(#[doc = $doc])*
        #[tauri::command]
        async fn $name(app: AppHandle, $($arg: $ty),*) -> Result<$ret> {
            $body(&app, $($arg),*)
        }
    };
}

include!("command_table.rs");

/// Runs `job` on Tauri's blocking pool: the async workers stay free to answer the quick
/// commands (progress, status) while it takes seconds.
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    job: impl FnOnce(&AppState) -> Result<T> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(move || job(&app.state::<AppState>()))
        .await
        .map_err(|e| AppError::Unavailable(format!("the job stopped: {e}")))?
}

/// Starts the serial/HID listeners once (the scan station calls it when it opens).
fn start_listeners(app: &AppHandle) -> Result<Vec<ScannerView>> {
    Ok(app.state::<Scanners>().start(app))
}

/// Stops and restarts the serial/HID listeners with the scanner settings as saved now
/// (supervisors and admins, after changing them on Settings).
fn restart_listeners(app: &AppHandle) -> Result<Vec<ScannerView>> {
    scanners::may_restart(&app.state::<AppState>())?;
    Ok(app.state::<Scanners>().restart(app))
}

/// The client as it is rendered: the binding types it imports and one entry per command.
#[derive(Default)]
struct Client {
    imports: BTreeSet<String>,
    entries: String,
}

impl Client {
    fn command(&mut self, name: &str, docs: &[&str], args: &[(&str, String)], ret: &str) {
        // `()` is `null` to ts-rs; a command that returns nothing resolves to `void`.
        let ret = if ret == "null" { "void" } else { ret };
        for ty in args.iter().map(|(_, ty)| ty.as_str()).chain([ret]) {
            self.imports.extend(binding_names(ty));
        }
        let docs: Vec<&str> = docs.iter().map(|d| d.strip_prefix(' ').unwrap_or(d)).collect();
        match docs.as_slice() {
            [] => {}
            [one] => writeln!(self.entries, "  /** {one} */").unwrap(),
            many => {
                self.entries.push_str("  /**\n");
                for line in many {
                    writeln!(self.entries, "   * {line}").unwrap();
                }
                self.entries.push_str("   */\n");
            }
        }
        let params: Vec<String> = args.iter().map(|(arg, ty)| format!("{}: {ty}", camel_case(arg))).collect();
        let payload = if args.is_empty() {
            String::new()
        } else {
            let keys: Vec<String> = args.iter().map(|(arg, _)| camel_case(arg)).collect();
            format!(", {{ {} }}", keys.join(", "))
        };
        writeln!(
            self.entries,
            "  {}: ({}): Promise<{ret}> => invoke<{ret}>({name:?}{payload}),",
            camel_case(name),
            params.join(", "),
        )
        .unwrap();
    }

    fn render(&self) -> String {
        let mut out = String::from(
            "// Generated from src-tauri/src/command_table.rs by src-tauri/src/handler.rs: do not edit.\n\
             // `cargo test -p shelfsync-app client_is_committed` rewrites it when the table changes.\n\
             // Screens import `api` from ./api, which adds the event listeners to these commands.\n\
             import { invoke } from \"@tauri-apps/api/core\";\n\n",
        );
        for ty in &self.imports {
            writeln!(out, "import type {{ {ty} }} from \"./bindings/{ty}\";").unwrap();
        }
        out.push_str(
            "\n/** Every command of the table. A rejected call rejects with a string: the message to show a person. */\n",
        );
        out.push_str("export const commands = {\n");
        out.push_str(&self.entries);
        out.push_str("};\n");
        out
    }
}

/// The binding types a TypeScript type names: its capitalised identifiers, less TypeScript's
/// own generics (`Array<EventView>` names `EventView`).
fn binding_names(ty: &str) -> impl Iterator<Item = String> + '_ {
    ty.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|word| !matches!(*word, "Array" | "Record" | "Partial"))
        .map(str::to_string)
}

/// `pin_again` -> `pinAgain`: Tauri's default for argument keys, and the client's names.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
