//! `shelfsync user ...`: adding, listing, unlocking and deactivating users.

use serde_json::json;
use shelfsync_core::Role;

use crate::args::{RoleArg, UserCommand};
use crate::auth::{read_secret, sign_in};
use crate::context::Context;
use crate::{CliError, output};

pub fn run(ctx: &Context, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Add { name, role } => add(ctx, &name, role),
        UserCommand::List => list(ctx),
        UserCommand::Passwd { name } => passwd(ctx, &name),
        UserCommand::Unlock { name } => {
            ctx.open_existing()?.unlock_user(&name, &sign_in(ctx)?, &ctx.workstation)?;
            output::line(&format!("{name} unlocked"));
            Ok(())
        }
        UserCommand::Deactivate { name } => set_active(ctx, &name, false),
        UserCommand::Activate { name } => set_active(ctx, &name, true),
    }
}

fn set_active(ctx: &Context, name: &str, active: bool) -> Result<(), CliError> {
    ctx.open_existing()?.set_user_active(name, active, &sign_in(ctx)?, &ctx.workstation)?;
    output::line(&format!("{name} {}", if active { "activated" } else { "deactivated" }));
    Ok(())
}

fn add(ctx: &Context, name: &str, role: RoleArg) -> Result<(), CliError> {
    let role = match role {
        RoleArg::Staff => Role::Staff,
        RoleArg::Supervisor => Role::Supervisor,
        RoleArg::Admin => Role::Admin,
    };
    let mut store = ctx.open_existing()?;
    // Set-up (no users yet) has no creator: the store takes the first user only as an admin.
    let creator = ctx.signed_in();
    let pin = read_secret("SHELFSYNC_NEW_PIN", &format!("new PIN for {name}: "))?;
    let user = store.add_user(name, role, &pin, creator, &ctx.workstation)?;
    if ctx.json {
        output::json(&user);
    } else {
        output::line(&format!("added {} ({})", user.name, user.role));
    }
    Ok(())
}

fn list(ctx: &Context) -> Result<(), CliError> {
    let users = ctx.open_existing()?.users()?;
    if ctx.json {
        output::json(&json!(users));
        return Ok(());
    }
    let rows: Vec<Vec<String>> =
        users.iter().map(|u| vec![u.name.clone(), u.role.to_string(), u.active.to_string()]).collect();
    output::table(&["NAME", "ROLE", "ACTIVE"], &rows);
    Ok(())
}

fn passwd(ctx: &Context, name: &str) -> Result<(), CliError> {
    let mut store = ctx.open_existing()?;
    let by = sign_in(ctx)?;
    let pin = read_secret("SHELFSYNC_NEW_PIN", &format!("new PIN for {name}: "))?;
    store.change_pin(name, &pin, &by, &ctx.workstation)?;
    output::line(&format!("PIN changed for {name}"));
    Ok(())
}
