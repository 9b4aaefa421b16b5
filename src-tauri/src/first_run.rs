//! The first-run screen: what a new install shows instead of a sign-in nobody can pass.
//!
//! A database with no users cannot be signed into, so the app offers two ways on: "Try the
//! demo" (the demo catalogue and its users go into this empty database, then the normal
//! sign-in) or "Set up this warehouse" (a wizard whose first step creates the first admin).
//!
//! Who may do what, checked here:
//! - [`try_demo`] and [`create_first_admin`] need no session, and only work while the database
//!   has no users at all. Once any user exists they are refused with [`ALREADY_SET_UP`]: the
//!   first-run screen must never become a way round the sign-in.
//! - [`create_first_admin`] signs the new admin in, so the wizard's later steps (locations, CSV
//!   import, channels, the connection test and the link review) run as that admin through the
//!   same role-checked commands Settings uses; nothing after the first step is signed-out.

use std::time::Instant;

use shelfsync_core::Role;
use shelfsync_store::StoreError;

use crate::commands;
use crate::error::{AppError, Result};
use crate::ipc::{AppInfo, SessionView};
use crate::state::AppState;

/// The refusal once the database has a user: the first-run commands are over.
pub const ALREADY_SET_UP: &str =
    "This warehouse is already set up: an admin exists. Sign in, then use Settings to change it.";

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

/// The answer to "Try the demo" in a build without the `demo` feature (the command stays, so
/// the UI gets a sentence rather than an unknown command).
pub const NO_DEMO: &str = "This build has no demo. Choose \"Set up this warehouse\".";

/// "Try the demo": loads the demo catalogue and demo users into this empty database, then
/// starts the demo's simulated channels and the in-process service as a demo start does.
#[cfg(feature = "demo")]
pub fn try_demo(state: &AppState) -> Result<AppInfo> {
    if !state.demo_policy().offers_demo() {
        return Err(bad("The demo is turned off on this computer. Choose \"Set up this warehouse\"."));
    }
    state.load_demo_into_empty()?;
    // The demo's channels first: the service's engine is their client (as at a demo boot).
    state.start_demo_channels();
    state.start_service();
    state.info()
}

/// "Try the demo" in a build without the demo: refused, nothing changes.
#[cfg(not(feature = "demo"))]
pub fn try_demo(_state: &AppState) -> Result<AppInfo> {
    Err(bad(NO_DEMO))
}

/// The first admin: a name and the PIN typed twice. Refused once any user exists. On success
/// the admin is signed in, for the rest of the set-up.
pub fn create_first_admin(
    state: &AppState,
    name: String,
    pin: String,
    pin_again: String,
) -> Result<SessionView> {
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("Enter the admin's user name: the name they will sign in with, like ada."));
    }
    if pin.is_empty() {
        return Err(bad("Choose a PIN for the admin and type it in both PIN fields."));
    }
    if pin.chars().count() > commands::MAX_CREDENTIAL_LEN {
        return Err(bad("A PIN or password must have 4 to 64 characters."));
    }
    if pin != pin_again {
        return Err(bad("The two PINs are not the same. Type the same PIN in both fields."));
    }
    let admin = {
        let mut store = state.store()?;
        // Checked under the same hold of the store as the insert: two windows cannot both
        // create a "first" admin. (The store would refuse the second anyway, in CLI words.)
        if store.user_count()? > 0 {
            return Err(bad(ALREADY_SET_UP));
        }
        store.add_user(name, Role::Admin, &pin, None, state.workstation()).map_err(in_words)?
    };
    tracing::info!(admin = %admin.name, "first admin created on the first-run screen");
    state.sessions.start(admin, Instant::now());
    commands::session_info(state)
}

/// The store's refusals of a user name or PIN, as a sentence for the screen.
fn in_words(error: StoreError) -> AppError {
    match error {
        StoreError::Auth(message) if message.starts_with("invalid user name") => {
            bad("A user name has 1 to 64 letters or digits, and may use '.', '-', '_' or '@'; no spaces.")
        }
        StoreError::Auth(message) => {
            let mut chars = message.chars();
            let sentence = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => message,
            };
            bad(if sentence.ends_with('.') { sentence } else { format!("{sentence}.") })
        }
        other => other.into(),
    }
}
