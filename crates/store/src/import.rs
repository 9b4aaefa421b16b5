//! CSV imports: all or nothing, with every bad line reported by its line number.

use std::io::Read;

use serde::{Deserialize, Serialize};
use shelfsync_core::{
    Barcode, Item, KitComponent, Location, LocationCode, Movement, Sku, Tracking, parse_cents,
};

use crate::catalog::{ItemRecord, upsert_item, upsert_location};
use crate::ledger::{append_in, new_event};
use crate::{By, CsvLineError, Result, Store, StoreError};

/// Most rows one import takes. A catalogue of a million lines is already past any brand this
/// tool serves; the bound keeps a wrong file from filling memory.
const MAX_ROWS: usize = 1_000_000;
/// Most bad lines collected before giving up: enough to fix a file, not a flood.
const MAX_REPORTED_ERRORS: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub rows: usize,
}

#[derive(Deserialize)]
struct ItemCsv {
    sku: String,
    name: String,
    unit_cost: String,
    category: String,
    safety_stock: String,
    #[serde(default)]
    barcodes: String,
    /// Optional (issue 21): none, lot or serial. An absent column or empty cell leaves an
    /// item's tracking as it is (none for a new item).
    #[serde(default)]
    tracking: String,
}

#[derive(Deserialize)]
struct LocationCsv {
    code: String,
    name: String,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct KitCsv {
    kit: String,
    component: String,
    qty: String,
}

#[derive(Deserialize)]
struct StockCsv {
    sku: String,
    location: String,
    qty: String,
}

/// Parses every row, collecting errors per line; the caller writes only if there are none.
fn parse_rows<R: Read, Raw: for<'de> Deserialize<'de>, T>(
    reader: R,
    required_headers: &[&str],
    mut convert: impl FnMut(Raw) -> std::result::Result<T, String>,
) -> Result<Vec<(u64, T)>> {
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
    let headers = csv.headers().map_err(|e| StoreError::CsvFormat(e.to_string()))?.clone();
    let missing: Vec<&str> =
        required_headers.iter().copied().filter(|h| !headers.iter().any(|x| x == *h)).collect();
    if !missing.is_empty() {
        return Err(StoreError::CsvFormat(format!(
            "missing column(s) {}; expected header: {}",
            missing.join(", "),
            required_headers.join(",")
        )));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(CsvLineError { line, message: csv_reason(&e) });
                break;
            }
        }
        if rows.len() + errors.len() >= MAX_ROWS {
            return Err(StoreError::CsvFormat(format!("more than {MAX_ROWS} rows; split the file")));
        }
        let line = record.position().map_or(0, |p| p.line());
        let parsed = record.deserialize::<Raw>(Some(&headers)).map_err(|e| csv_reason(&e));
        match parsed.and_then(&mut convert) {
            Ok(value) => rows.push((line, value)),
            Err(message) => {
                errors.push(CsvLineError { line, message });
                if errors.len() >= MAX_REPORTED_ERRORS {
                    break;
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Csv(errors));
    }
    Ok(rows)
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields, found {len}")
        }
        _ => error.to_string(),
    }
}

/// An items row: the item and, when its `tracking` cell says one, its tracking.
fn parse_item_row(raw: ItemCsv) -> std::result::Result<(ItemRecord, Option<Tracking>), String> {
    let tracking = match raw.tracking.trim() {
        "" => None,
        cell => Some(Tracking::parse(cell).map_err(|e| e.to_string())?),
    };
    Ok((parse_item(raw)?, tracking))
}

fn parse_item(raw: ItemCsv) -> std::result::Result<ItemRecord, String> {
    let sku = Sku::new(raw.sku).map_err(|e| e.to_string())?;
    if raw.name.is_empty() {
        return Err("name must not be empty".into());
    }
    let unit_cost_cents = parse_cents(&raw.unit_cost).map_err(|e| e.to_string())?;
    let safety_stock: u32 = raw.safety_stock.parse().map_err(|_| {
        format!(
            "safety_stock '{}' is not a whole number of units",
            shelfsync_core::printable(&raw.safety_stock)
        )
    })?;
    let barcodes = raw
        .barcodes
        .split('|')
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(|code| Barcode::classify(code).map_err(|e| e.to_string()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ItemRecord {
        item: Item { sku, name: raw.name, unit_cost_cents, category: raw.category, safety_stock },
        barcodes,
    })
}

fn parse_qty(raw: &str) -> std::result::Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(qty) if (1..=shelfsync_core::MAX_QTY).contains(&qty) => Ok(qty),
        _ => Err(format!(
            "qty '{}' must be a whole number from 1 to {}",
            shelfsync_core::printable(raw),
            shelfsync_core::MAX_QTY
        )),
    }
}

/// What a CSV import loads, and who imports it from where: every import is one audit entry
/// (`import.items`, `import.locations`, `import.stock`) in the import's transaction, and
/// received stock carries the same names on its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind<'a> {
    Items { actor: &'a str, workstation: &'a str },
    Locations { actor: &'a str, workstation: &'a str },
    Stock { actor: &'a str, workstation: &'a str },
    Kits { actor: &'a str, workstation: &'a str },
    Packs { actor: &'a str, workstation: &'a str },
}

impl<'a> ImportKind<'a> {
    fn by(&self) -> By<'a> {
        match *self {
            ImportKind::Items { actor, workstation }
            | ImportKind::Locations { actor, workstation }
            | ImportKind::Stock { actor, workstation }
            | ImportKind::Kits { actor, workstation }
            | ImportKind::Packs { actor, workstation } => By::new(actor, workstation),
        }
    }

    fn action(&self) -> &'static str {
        match self {
            ImportKind::Items { .. } => "import.items",
            ImportKind::Locations { .. } => "import.locations",
            ImportKind::Stock { .. } => "import.stock",
            ImportKind::Kits { .. } => "import.kits",
            ImportKind::Packs { .. } => "import.packs",
        }
    }
}

/// Told `(done, total)` rows as an import writes them: `(0, total)` once the whole file has
/// parsed, then every [`PROGRESS_EVERY`] rows, and `(total, total)` only after the commit. A
/// refused import stops short of `total`, so "done = total" always means "written".
pub type ImportProgress<'a> = &'a mut dyn FnMut(usize, usize);

/// Rows written between two progress reports. A report costs a closure call (in the app, a
/// small mutex); 500 rows keep that far below the rows' own cost, while a 2,000-row file still
/// moves a progress bar four times and a million-row one two thousand times, not a million.
pub const PROGRESS_EVERY: usize = 500;

impl Store {
    pub fn import_items(
        &mut self,
        reader: impl Read,
        actor: &str,
        workstation: &str,
    ) -> Result<ImportSummary> {
        self.import(ImportKind::Items { actor, workstation }, reader, &mut |_, _| {})
    }

    pub fn import_locations(
        &mut self,
        reader: impl Read,
        actor: &str,
        workstation: &str,
    ) -> Result<ImportSummary> {
        self.import(ImportKind::Locations { actor, workstation }, reader, &mut |_, _| {})
    }

    /// Receives every row into on_hand, as one receive event per row, in one transaction.
    pub fn import_stock(
        &mut self,
        reader: impl Read,
        actor: &str,
        workstation: &str,
    ) -> Result<ImportSummary> {
        self.import(ImportKind::Stock { actor, workstation }, reader, &mut |_, _| {})
    }

    /// Defines kits from `kit,component,qty` rows, all or nothing: each kit named in the file
    /// gets exactly its rows as its definition (replacing any earlier one), checked as
    /// `kit set` checks it, row by row.
    pub fn import_kits(
        &mut self,
        reader: impl Read,
        actor: &str,
        workstation: &str,
    ) -> Result<ImportSummary> {
        self.import(ImportKind::Kits { actor, workstation }, reader, &mut |_, _| {})
    }

    /// Any import, reporting its progress: parses the whole file first (every bad line is
    /// reported, nothing is written), then writes all rows in one transaction.
    pub fn import(
        &mut self,
        kind: ImportKind<'_>,
        reader: impl Read,
        progress: ImportProgress<'_>,
    ) -> Result<ImportSummary> {
        let audit = (kind.by(), kind.action());
        match kind {
            ImportKind::Items { .. } => {
                let rows = parse_rows(
                    reader,
                    &["sku", "name", "unit_cost", "category", "safety_stock", "barcodes"],
                    parse_item_row,
                )?;
                self.write_rows(
                    &rows,
                    progress,
                    audit,
                    |tx, (record, tracking): &(ItemRecord, Option<Tracking>)| {
                        upsert_item(tx, record)?;
                        if let Some(tracking) = tracking {
                            crate::lots::set_tracking_in(tx, record.item.sku.as_str(), *tracking)?;
                        }
                        Ok(())
                    },
                )
            }
            ImportKind::Locations { .. } => {
                let rows = parse_rows(reader, &["code", "name"], parse_location)?;
                self.write_rows(&rows, progress, audit, upsert_location)
            }
            ImportKind::Stock { actor, workstation } => {
                let rows = parse_rows(reader, &["sku", "location", "qty"], parse_stock)?;
                self.write_rows(&rows, progress, audit, |tx, movement: &Movement| {
                    let event =
                        new_event(movement.clone(), actor, workstation).with_reference("import:stock");
                    append_in(tx, &event).map(|_| ())
                })
            }
            ImportKind::Kits { .. } => {
                let rows = parse_rows(reader, &["kit", "component", "qty"], parse_kit_row)?;
                // A kit's first row in the file starts its definition afresh; each row then
                // re-validates the whole definition so far, so a refusal names its own line.
                let mut started = std::collections::HashSet::new();
                self.write_rows(&rows, progress, audit, |tx, (kit, component): &(Sku, KitComponent)| {
                    let mut components = if started.insert(kit.clone()) {
                        Vec::new()
                    } else {
                        crate::kits::components_of(tx, kit.as_str())?
                    };
                    components.push(component.clone());
                    crate::kits::set_in(tx, kit, &components)
                })
            }
            ImportKind::Packs { .. } => {
                let rows = parse_rows(reader, &crate::packs::HEADER, crate::packs::parse_row)?;
                crate::packs::refuse_repeats(&rows)?;
                self.write_rows(&rows, progress, audit, crate::packs::write_row)
            }
        }
    }

    /// All or nothing: a row the database refuses is reported by its line, and dropping the
    /// transaction rolls every row back. A full disk or a busy database ends the import at once.
    /// The import's audit entry (`action`, by whom, how many rows) commits with its rows.
    fn write_rows<T>(
        &mut self,
        rows: &[(u64, T)],
        progress: ImportProgress<'_>,
        audit: (By<'_>, &str),
        write: impl FnMut(&rusqlite::Transaction<'_>, &T) -> Result<()>,
    ) -> Result<ImportSummary> {
        self.with_bulk_cache(|store| store.write_rows_in_one_transaction(rows, progress, audit, write))
    }

    fn write_rows_in_one_transaction<T>(
        &mut self,
        rows: &[(u64, T)],
        progress: ImportProgress<'_>,
        (by, action): (By<'_>, &str),
        mut write: impl FnMut(&rusqlite::Transaction<'_>, &T) -> Result<()>,
    ) -> Result<ImportSummary> {
        let total = rows.len();
        progress(0, total);
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut errors = Vec::new();
        for (index, (line, row)) in rows.iter().enumerate() {
            match write(&tx, row) {
                Ok(()) => {}
                Err(error @ (StoreError::DiskFull | StoreError::Busy)) => return Err(error),
                Err(error) => {
                    errors.push(CsvLineError { line: *line, message: error.to_string() });
                    if errors.len() >= MAX_REPORTED_ERRORS {
                        break;
                    }
                }
            }
            let done = index + 1;
            if done % PROGRESS_EVERY == 0 && done < total {
                progress(done, total);
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Csv(errors));
        }
        crate::audit::record(
            &tx,
            by,
            action,
            action.trim_start_matches("import."),
            &serde_json::json!({ "rows": total }),
        )?;
        tx.commit()?;
        progress(total, total);
        Ok(ImportSummary { rows: total })
    }
}

fn parse_location(raw: LocationCsv) -> std::result::Result<Location, String> {
    Ok(Location {
        code: LocationCode::new(raw.code).map_err(|e| e.to_string())?,
        name: raw.name,
        parent: raw
            .parent
            .filter(|p| !p.is_empty())
            .map(LocationCode::new)
            .transpose()
            .map_err(|e| e.to_string())?,
    })
}

fn parse_stock(raw: StockCsv) -> std::result::Result<Movement, String> {
    let sku = Sku::new(raw.sku).map_err(|e| e.to_string())?;
    let location = LocationCode::new(raw.location).map_err(|e| e.to_string())?;
    Ok(Movement::Receive { sku, location, qty: parse_qty(&raw.qty)? })
}

fn parse_kit_row(raw: KitCsv) -> std::result::Result<(Sku, KitComponent), String> {
    let kit = Sku::new(raw.kit).map_err(|e| e.to_string())?;
    let sku = Sku::new(raw.component).map_err(|e| e.to_string())?;
    let qty = shelfsync_core::kit::component_qty(sku.as_str(), &raw.qty).map_err(|e| e.to_string())?;
    Ok((kit, KitComponent { sku, qty }))
}
