//! Who is acting. `--user NAME` (or SHELFSYNC_USER) is a claim, believed only with NAME's PIN,
//! which comes from SHELFSYNC_PIN or a terminal prompt, never from argv (argv is visible to
//! every process on the machine). What the verified user may do is the role policy's
//! (`shelfsync_core::may`), asked through `access::access_of` for every command.
//!
//! On a database with no users the CLI acts freely: that is how a warehouse is set up (the
//! first admin, locations, items) and there is nobody to check against.

use std::io::IsTerminal;

use shelfsync_core::Action;
use shelfsync_store::{Store, User};

use crate::CliError;
use crate::access::Access;
use crate::context::{Acting, Context};

pub fn read_secret(var: &str, prompt: &str) -> Result<String, CliError> {
    if let Ok(secret) = std::env::var(var) {
        return Ok(secret);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    Err(CliError::Usage(format!("no PIN: set {var} or run on a terminal")))
}

/// Decides who the command acts as, or refuses it (one line, nothing changed but the named
/// user's failed-PIN counter).
pub fn authorize(ctx: &Context, access: &Access) -> Result<Acting, CliError> {
    match access {
        Access::Service => Ok(Acting::Service),
        Access::Open | Access::Delegated => match users_exist(ctx)? {
            Some(mut store) if ctx.user.is_some() => Ok(Acting::User(verify(ctx, &mut store)?)),
            _ => Ok(Acting::Nobody),
        },
        Access::Needs(actions) => {
            let Some(mut store) = users_exist(ctx)? else {
                return Ok(Acting::SetUp);
            };
            if ctx.user.is_none() {
                return Err(CliError::Usage(needs_user(actions)));
            }
            let user = verify(ctx, &mut store)?;
            for &action in actions {
                shelfsync_store::require(&user, action)?;
            }
            Ok(Acting::User(user))
        }
    }
}

/// For a module that checks its own commands (`Access::Delegated`): the verified user if the
/// policy lets them do `action`; on a database with no users, `None` (set-up).
pub fn require(ctx: &Context, action: Action) -> Result<Option<User>, CliError> {
    match authorize(ctx, &Access::Needs(vec![action]))? {
        Acting::User(user) => Ok(Some(user)),
        _ => Ok(None),
    }
}

/// The store, when its database exists and has at least one user.
fn users_exist(ctx: &Context) -> Result<Option<Store>, CliError> {
    if !ctx.db_path.exists() {
        return Ok(None);
    }
    let store = ctx.open()?;
    Ok(if store.user_count()? > 0 { Some(store) } else { None })
}

fn verify(ctx: &Context, store: &mut Store) -> Result<User, CliError> {
    let name = ctx.user.as_deref().expect("checked by the caller");
    let pin = read_secret("SHELFSYNC_PIN", &format!("PIN for {name}: "))?;
    Ok(store.authenticate(name, &pin, &ctx.workstation, chrono::Utc::now())?)
}

fn needs_user(actions: &[Action]) -> String {
    let what = match actions.first() {
        Some(action) => format!("to {}", action.describe()),
        None => "for this command".to_string(),
    };
    format!("name who acts {what}: --user NAME (or SHELFSYNC_USER), with the PIN in SHELFSYNC_PIN")
}

/// The verified user, for a command whose store call needs one. Commands that need a user
/// are `Access::Needs`, so once users exist `authorize` has verified one; on a database with
/// none there is no one to act as.
pub fn sign_in(ctx: &Context) -> Result<User, CliError> {
    ctx.signed_in().cloned().ok_or_else(|| {
        CliError::Usage(
            "this command needs a user, and the database has none yet: add the first admin with \
             `shelfsync user add NAME --role admin`"
                .into(),
        )
    })
}
