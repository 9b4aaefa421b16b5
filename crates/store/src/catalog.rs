//! Master data: items with their barcodes, and locations.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use shelfsync_core::{Barcode, BarcodeKind, Item, Location, LocationCode, Sku};

use crate::{Result, Store, StoreError};

/// An item and every barcode that identifies it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemRecord {
    #[serde(flatten)]
    pub item: Item,
    pub barcodes: Vec<Barcode>,
}

pub type LocationRecord = Location;

impl Store {
    /// Adds or updates items and their barcodes in one transaction.
    pub fn upsert_items(&mut self, records: &[ItemRecord]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for record in records {
            upsert_item(&tx, record)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn upsert_locations(&mut self, locations: &[Location]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for location in locations {
            upsert_location(&tx, location)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Adds or renames one location as a person does it (Settings > Locations), with its
    /// `location.add` entry (the row before, if any, and after) in the same transaction.
    /// [`Store::upsert_locations`] is the set-up and fixtures' bulk form, unaudited; a person's
    /// import goes through [`Store::import_locations`], audited.
    pub fn add_location(&mut self, by: crate::By<'_>, location: &Location) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before: Option<(String, Option<String>)> = tx
            .query_row("SELECT name, parent FROM locations WHERE code = ?1", [location.code.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        upsert_location(&tx, location)?;
        let detail = serde_json::json!({
            "before": before.map(|(name, parent)| serde_json::json!({ "name": name, "parent": parent })),
            "after": { "name": location.name, "parent": location.parent.as_ref().map(|p| p.as_str()) },
        });
        crate::audit::record(&tx, by, "location.add", location.code.as_str(), &detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn item(&self, sku: &str) -> Result<Option<Item>> {
        let item = self
            .conn
            .prepare_cached(
                "SELECT sku, name, unit_cost_cents, category, safety_stock FROM items WHERE sku = ?1",
            )?
            .query_row([sku], read_item)
            .optional()?;
        Ok(item.transpose()?)
    }

    pub fn items(&self) -> Result<Vec<Item>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sku, name, unit_cost_cents, category, safety_stock FROM items ORDER BY sku",
        )?;
        let rows = stmt.query_map([], read_item)?;
        let mut items = Vec::new();
        for row in rows {
            items.push(row??);
        }
        Ok(items)
    }

    pub fn barcodes_of(&self, sku: &str) -> Result<Vec<Barcode>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT code, kind FROM barcodes WHERE sku = ?1 ORDER BY code")?;
        let rows = stmt.query_map([sku], |row| {
            let kind: String = row.get(1)?;
            Ok(Barcode {
                code: row.get(0)?,
                kind: if kind == "gtin" { BarcodeKind::Gtin } else { BarcodeKind::Internal },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Resolves a SKU or any of an item's barcodes (a GTIN in any length) to its SKU.
    pub fn resolve_code(&self, code: &str) -> Result<Sku> {
        if self.item(code)?.is_some() {
            return Ok(Sku::new(code)?);
        }
        let lookup = Barcode::classify(code).map(|b| b.code).unwrap_or_else(|_| code.to_string());
        let sku: Option<String> = self
            .conn
            .prepare_cached("SELECT sku FROM barcodes WHERE code = ?1")?
            .query_row([lookup], |row| row.get(0))
            .optional()?;
        match sku {
            Some(sku) => Ok(Sku::new(sku)?),
            None => Err(StoreError::UnknownBarcode(code.to_string())),
        }
    }

    pub fn locations(&self) -> Result<Vec<Location>> {
        let mut stmt = self.conn.prepare_cached("SELECT code, name, parent FROM locations ORDER BY code")?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (code, name, parent) = row?;
            out.push(Location {
                code: LocationCode::new(code)?,
                name,
                parent: parent.map(LocationCode::new).transpose()?,
            });
        }
        Ok(out)
    }

    pub fn location_exists(&self, code: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM locations WHERE code = ?1")?
            .query_row([code], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

type ItemRow = std::result::Result<Item, shelfsync_core::DomainError>;

fn read_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRow> {
    let sku: String = row.get(0)?;
    Ok(Sku::new(sku).map(|sku| Item {
        sku,
        name: row.get(1).unwrap_or_default(),
        unit_cost_cents: row.get(2).unwrap_or_default(),
        category: row.get(3).unwrap_or_default(),
        safety_stock: row.get(4).unwrap_or_default(),
    }))
}

pub(crate) fn upsert_item(tx: &Transaction<'_>, record: &ItemRecord) -> Result<()> {
    let item = &record.item;
    tx.prepare_cached(
        "INSERT INTO items (sku, name, unit_cost_cents, category, safety_stock) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, unit_cost_cents = excluded.unit_cost_cents,
             category = excluded.category, safety_stock = excluded.safety_stock",
    )?
    .execute(params![
        item.sku.as_str(),
        item.name,
        item.unit_cost_cents,
        item.category,
        item.safety_stock
    ])?;
    for barcode in &record.barcodes {
        let owner: Option<String> = tx
            .prepare_cached("SELECT sku FROM barcodes WHERE code = ?1")?
            .query_row([&barcode.code], |row| row.get(0))
            .optional()?;
        match owner {
            Some(owner) if owner != item.sku.as_str() => {
                return Err(StoreError::BarcodeTaken { code: barcode.code.clone(), owner });
            }
            Some(_) => {}
            None => {
                if let Some(pack) = crate::packs::pack_at(tx, &barcode.code)? {
                    return Err(StoreError::BarcodeIsPack {
                        code: pack.barcode,
                        sku: pack.sku,
                        qty: pack.qty,
                    });
                }
                let kind = match barcode.kind {
                    BarcodeKind::Gtin => "gtin",
                    BarcodeKind::Internal => "internal",
                };
                tx.prepare_cached("INSERT INTO barcodes (code, sku, kind) VALUES (?1, ?2, ?3)")?
                    .execute(params![barcode.code, item.sku.as_str(), kind])?;
            }
        }
    }
    Ok(())
}

pub(crate) fn upsert_location(tx: &Transaction<'_>, location: &Location) -> Result<()> {
    if let Some(parent) = &location.parent {
        let known = tx
            .prepare_cached("SELECT 1 FROM locations WHERE code = ?1")?
            .query_row([parent.as_str()], |_| Ok(()))
            .optional()?
            .is_some();
        if !known {
            return Err(StoreError::UnknownLocation(parent.to_string()));
        }
    }
    tx.prepare_cached(
        "INSERT INTO locations (code, name, parent) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent",
    )?
    .execute(params![
        location.code.as_str(),
        location.name,
        location.parent.as_ref().map(|p| p.as_str())
    ])?;
    Ok(())
}
