//! Who is acting: `--user NAME`, with the PIN from SHELFSYNC_PIN or a terminal prompt, never
//! from argv (argv is visible to every process on the machine).

use std::io::IsTerminal;

use shelfsync_store::{Store, User, require_supervisor};

use crate::CliError;
use crate::context::Context;

pub fn read_secret(var: &str, prompt: &str) -> Result<String, CliError> {
    if let Ok(secret) = std::env::var(var) {
        return Ok(secret);
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password(prompt)?);
    }
    Err(CliError::Usage(format!("no PIN: set {var} or run on a terminal")))
}

/// Signs in the `--user`, or refuses with the reason.
pub fn sign_in(ctx: &Context, store: &mut Store) -> Result<User, CliError> {
    let name = ctx.user.as_deref().ok_or_else(|| CliError::Usage("this command needs --user NAME".into()))?;
    let pin = read_secret("SHELFSYNC_PIN", &format!("PIN for {name}: "))?;
    Ok(store.authenticate(name, &pin, &ctx.workstation, chrono::Utc::now())?)
}

/// A supervisor's sign-off to let a bucket go negative; returns who gave it.
pub fn supervisor_override(ctx: &Context, store: &mut Store) -> Result<String, CliError> {
    if ctx.user.is_none() {
        return Err(CliError::Usage("--override needs --user with the supervisor or admin role".into()));
    }
    let user = sign_in(ctx, store)?;
    require_supervisor(&user, "override a negative balance")?;
    Ok(user.name)
}
