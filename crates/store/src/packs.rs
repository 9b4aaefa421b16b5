//! Packs (issue 21): a barcode that stands for `qty` units of one item, such as a case of 12 or
//! a 3-pack. Receiving, counting and writing off by a pack's barcode book `qty` units per scan.
//!
//! Where a scanned code becomes units: [`Store::resolve_units`]. A SKU or an item barcode is one
//! unit, a pack barcode its `qty`. Every path that books a movement from a scanned code asks it
//! (the count scan here, the app's station). [`Store::resolve_code`] stays items only, so a
//! caller that forgets packs refuses a pack's barcode instead of booking one unit for a case.
//!
//! Rules, all checked here before a write (the migration's CHECKs and triggers back them up):
//! one code has one meaning (a pack barcode is never an item barcode nor a SKU); a pack holds
//! 1 to [`MAX_PACK_QTY`] units of an item that is not a kit (a kit holds no stock).

use std::collections::HashMap;
use std::io::Read;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use shelfsync_core::{Barcode, MAX_QTY, Sku, printable};

use crate::import::ImportKind;
use crate::{By, CsvLineError, ImportSummary, Result, Store, StoreError};

/// Most units one pack holds: also the largest `QTY:` label the station takes. A case or pallet
/// past that is beyond the sellers this tool serves, so a larger figure is a typo (a GTIN
/// pasted into the qty column). Kept equal to the migration's CHECK (23-packs).
pub const MAX_PACK_QTY: u32 = 100_000;

/// Most packs `pack list` returns: a catalogue of a few thousand items with a few pack sizes
/// each fits many times over; the bound keeps one call's answer small.
pub const MAX_PACKS_LISTED: usize = 50_000;

/// One pack: scanning `barcode` is `qty` units of `sku`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pack {
    pub barcode: String,
    pub sku: String,
    pub qty: u32,
}

/// What one scan of a code books: `units` of `sku`; `pack` names the pack barcode, if it was one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub sku: Sku,
    pub units: u32,
    pub pack: Option<String>,
}

impl Resolved {
    /// The units that `scans` scans of this code book: refused past one event's limit
    /// ([`MAX_QTY`]) rather than wrapped or clipped.
    pub fn units_for(&self, scans: u32) -> Result<u32> {
        scans.checked_mul(self.units).filter(|total| *total <= MAX_QTY).ok_or(StoreError::TooManyUnits {
            scans,
            units: self.units,
            max: MAX_QTY,
        })
    }
}

/// One row of a packs CSV (`barcode,sku,qty`).
#[derive(Deserialize)]
pub(crate) struct PackCsv {
    barcode: String,
    sku: String,
    qty: String,
}

/// A parsed row: the barcode normalised as an item barcode is (GTIN-14, or an internal code).
pub(crate) struct PackRow {
    barcode: String,
    sku: Sku,
    qty: u32,
}

pub(crate) const HEADER: [&str; 3] = ["barcode", "sku", "qty"];

pub(crate) fn parse_row(raw: PackCsv) -> std::result::Result<PackRow, String> {
    let barcode = Barcode::classify(&raw.barcode).map_err(|e| e.to_string())?.code;
    let sku = Sku::new(raw.sku).map_err(|e| e.to_string())?;
    let qty = match raw.qty.parse::<u32>() {
        Ok(qty) if (1..=MAX_PACK_QTY).contains(&qty) => qty,
        _ => {
            return Err(format!(
                "qty '{}' must be a whole number of units from 1 to {MAX_PACK_QTY}",
                printable(&raw.qty)
            ));
        }
    };
    Ok(PackRow { barcode, sku, qty })
}

/// A barcode twice in one file is refused on its second line, naming the first: which of the
/// two is meant cannot be guessed.
pub(crate) fn refuse_repeats(rows: &[(u64, PackRow)]) -> Result<()> {
    let mut first: HashMap<&str, u64> = HashMap::new();
    let mut errors = Vec::new();
    for (line, row) in rows {
        if let Some(earlier) = first.insert(&row.barcode, *line) {
            first.insert(&row.barcode, earlier);
            errors.push(CsvLineError {
                line: *line,
                message: format!("barcode '{}' is already on line {earlier} of this file", row.barcode),
            });
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(StoreError::Csv(errors)) }
}

/// Adds the pack, or sets the quantity of the same item's pack already under that barcode.
pub(crate) fn write_row(tx: &Transaction<'_>, row: &PackRow) -> Result<()> {
    let known = tx
        .prepare_cached("SELECT 1 FROM items WHERE sku = ?1")?
        .query_row([row.sku.as_str()], |_| Ok(()))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::UnknownSku(row.sku.to_string()));
    }
    if crate::kits::is_kit(tx, row.sku.as_str())? {
        return Err(StoreError::PackOfKit(row.sku.to_string()));
    }
    if let Some(what) = other_meaning(tx, &row.barcode, row.sku.as_str())? {
        return Err(StoreError::PackCodeTaken { code: row.barcode.clone(), what });
    }
    tx.prepare_cached(
        "INSERT INTO packs (barcode, sku, qty) VALUES (?1, ?2, ?3)
         ON CONFLICT (barcode) DO UPDATE SET qty = excluded.qty",
    )?
    .execute(params![row.barcode, row.sku.as_str(), row.qty])?;
    Ok(())
}

/// What `code` already means, other than a pack of `sku`: a SKU, an item's barcode, or another
/// item's pack. `None`: it is free (or already this item's pack).
fn other_meaning(conn: &Connection, code: &str, sku: &str) -> Result<Option<String>> {
    let is_sku = conn
        .prepare_cached("SELECT 1 FROM items WHERE sku = ?1")?
        .query_row([code], |_| Ok(()))
        .optional()?;
    if is_sku.is_some() {
        return Ok(Some("a SKU".into()));
    }
    let item: Option<String> = conn
        .prepare_cached("SELECT sku FROM barcodes WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()?;
    if let Some(owner) = item {
        return Ok(Some(format!("an item barcode of SKU '{owner}' (one unit)")));
    }
    let pack: Option<(String, u32)> = conn
        .prepare_cached("SELECT sku, qty FROM packs WHERE barcode = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(pack
        .filter(|(owner, _)| owner != sku)
        .map(|(owner, qty)| format!("a pack of {qty} x SKU '{owner}' (remove it first)")))
}

/// The pack under `code` (normalised), if any: for the item import's own check that a new item
/// barcode is not a pack's.
pub(crate) fn pack_at(conn: &Connection, code: &str) -> Result<Option<Pack>> {
    Ok(conn
        .prepare_cached("SELECT barcode, sku, qty FROM packs WHERE barcode = ?1")?
        .query_row([code], read_pack)
        .optional()?)
}

/// The item's packs: a kit's definition is refused while its SKU has any.
pub(crate) fn packs_of(conn: &Connection, sku: &str) -> Result<Vec<Pack>> {
    Ok(conn
        .prepare_cached("SELECT barcode, sku, qty FROM packs WHERE sku = ?1 ORDER BY barcode")?
        .query_map([sku], read_pack)?
        .collect::<Result<_, _>>()?)
}

fn read_pack(row: &rusqlite::Row<'_>) -> rusqlite::Result<Pack> {
    Ok(Pack { barcode: row.get(0)?, sku: row.get(1)?, qty: row.get(2)? })
}

/// The stored form of a scanned or typed code: a GTIN of any length as its GTIN-14, anything
/// else as given.
fn normalised(code: &str) -> String {
    Barcode::classify(code).map(|b| b.code).unwrap_or_else(|_| code.to_string())
}

impl Store {
    /// Loads packs from `barcode,sku,qty` rows, all or nothing: one bad row refuses the whole
    /// file with a line naming the row, and nothing changes. One `import.packs` audit entry.
    pub fn import_packs(
        &mut self,
        reader: impl Read,
        actor: &str,
        workstation: &str,
    ) -> Result<ImportSummary> {
        self.import(ImportKind::Packs { actor, workstation }, reader, &mut |_, _| {})
    }

    /// Every pack, or one item's, by barcode; at most [`MAX_PACKS_LISTED`].
    pub fn packs(&self, sku: Option<&str>) -> Result<Vec<Pack>> {
        let limit = MAX_PACKS_LISTED as i64;
        let mut stmt = self.conn.prepare_cached(
            "SELECT barcode, sku, qty FROM packs WHERE ?1 IS NULL OR sku = ?1 ORDER BY barcode LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![sku, limit], read_pack)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Removes the pack under `barcode` (as scanned or typed), with its `pack.remove` audit entry
    /// (the pack as it was) in the same transaction.
    pub fn remove_pack(&mut self, by: By<'_>, barcode: &str) -> Result<Pack> {
        let code = normalised(barcode);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let pack = pack_at(&tx, &code)?.ok_or_else(|| StoreError::UnknownPack(printable(barcode)))?;
        tx.prepare_cached("DELETE FROM packs WHERE barcode = ?1")?.execute([&code])?;
        let detail = serde_json::json!({ "before": { "sku": pack.sku, "qty": pack.qty } });
        crate::audit::record(&tx, by, "pack.remove", &code, &detail)?;
        tx.commit()?;
        Ok(pack)
    }

    /// What one scan of `code` books: a SKU or an item barcode (a GTIN in any length) is one
    /// unit of that item; a pack barcode is the pack's `qty` units of its item.
    pub fn resolve_units(&self, code: &str) -> Result<Resolved> {
        match self.resolve_code(code) {
            Ok(sku) => return Ok(Resolved { sku, units: 1, pack: None }),
            Err(StoreError::UnknownBarcode(_)) => {}
            Err(other) => return Err(other),
        }
        match pack_at(&self.conn, &normalised(code))? {
            Some(pack) => {
                Ok(Resolved { sku: Sku::new(pack.sku)?, units: pack.qty, pack: Some(pack.barcode) })
            }
            None => Err(StoreError::UnknownBarcode(code.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_matches_the_migration() {
        let sql = include_str!("../../../migrations/workstation/23-packs/up.sql");
        assert!(sql.contains(&format!("qty BETWEEN 1 AND {MAX_PACK_QTY}")));
    }

    #[test]
    fn units_for_refuses_past_one_event() {
        let r = Resolved { sku: Sku::new("A").unwrap(), units: 12, pack: Some("X".into()) };
        assert_eq!(r.units_for(3).unwrap(), 36);
        assert_eq!(r.units_for(MAX_QTY / 12).unwrap(), MAX_QTY / 12 * 12);
        let refused = r.units_for(MAX_QTY / 12 + 1).unwrap_err().to_string();
        assert_eq!(
            refused,
            "83334 scans of a pack of 12 is more than 1000000 units in one line: book it in parts"
        );
        assert!(r.units_for(u32::MAX).is_err());
    }
}
