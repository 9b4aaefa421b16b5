//! `shelfsync pack ...` (issue 21): the packs `import packs FILE.csv` loaded (a barcode that
//! is `qty` units of one item per scan), listed and removed. The table and its rules are the
//! store's (`shelfsync_store::packs`); this module parses and prints.

use clap::Subcommand;
use serde_json::json;
use shelfsync_store::By;

use crate::context::Context;
use crate::{CliError, output};

#[derive(Subcommand)]
pub enum PackCommand {
    /// Every pack (or one item's): barcode, SKU and the units one scan of it books
    List {
        #[arg(long)]
        sku: Option<String>,
    },
    /// The barcode stops being a pack: a scan of it is refused until it is imported again (admin)
    Remove { barcode: String },
}

pub fn run(ctx: &Context, command: PackCommand) -> Result<(), CliError> {
    match command {
        PackCommand::List { sku } => {
            let packs = ctx.open_existing()?.packs(sku.as_deref())?;
            if ctx.json {
                output::json(&packs);
                return Ok(());
            }
            let rows: Vec<Vec<String>> =
                packs.iter().map(|p| vec![p.barcode.clone(), p.sku.clone(), p.qty.to_string()]).collect();
            output::table(&["BARCODE", "SKU", "QTY"], &rows);
        }
        PackCommand::Remove { barcode } => {
            let actor = ctx.actor();
            let pack = ctx.open_existing()?.remove_pack(By::new(&actor, &ctx.workstation), &barcode)?;
            if ctx.json {
                output::json(&json!({ "removed": pack }));
            } else {
                output::line(&format!("pack {} ({} x {}) removed", pack.barcode, pack.qty, pack.sku));
            }
        }
    }
    Ok(())
}
