//! ZPL II for a 4x6 inch label at 203 dpi (812 x 1218 dots). The printer encodes the symbols
//! (`^BC`, mode D for GS1-128 with FNC1, mode A for plain Code 128; `^BX` for GS1 DataMatrix
//! with `_1` as FNC1); text fields go through
//! `^FH` so a `^` or `~` in a name is printed, never obeyed as a command.

use crate::{CommandEntry, ItemLabel, LabelError, Symbol, item_symbol, location_symbol};

/// A name longer than this is cut (with "..."): two lines of the 40-dot font fill the label's
/// width, and a third would run into the barcode below.
pub const MAX_NAME_CHARS: usize = 60;
/// Command barcodes per 4x6 label on the command sheet (each gets a quarter of the height).
const COMMANDS_PER_LABEL: usize = 4;

const HEADER: &str = "^XA\n^CI28\n^PW812\n^LL1218\n";

/// `^`, `~` and the `^FH` indicator `_` become hex escapes; everything else is printed as is
/// (UTF-8, `^CI28`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '^' => out.push_str("_5E"),
            '~' => out.push_str("_7E"),
            '_' => out.push_str("_5F"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn printed_name(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_owned();
    }
    let head: String = name.chars().take(MAX_NAME_CHARS - 3).collect();
    format!("{head}...")
}

fn text(x: u32, y: u32, size: u32, value: &str) -> String {
    format!("^FO{x},{y}^A0N,{size},{size}^FB732,2,0,L^FH_^FD{}^FS\n", escape(value))
}

/// Dots per DataMatrix module: 0.5 mm at 203 dpi, inside GS1's 0.255-0.615 mm for items.
const MATRIX_DOTS_PER_MODULE: u32 = 4;

fn barcode(x: u32, y: u32, height: u32, symbol: &Symbol) -> String {
    let mode = match symbol {
        Symbol::Gs1(_) => "D",
        Symbol::Code128(_) => "A",
        Symbol::Gs1DataMatrix(_) => {
            // ^BX: ECC 200, rows and columns chosen by the printer, square; `_` is the escape
            // character, so `_1` is FNC1 (the GS1 flag) and the data follows it. GS1 data here
            // is digits and a lot of A-Z, a-z, 0-9, '-', '.', '/' (ItemLabel checks it), so no
            // `_`, `^` or `~` can reach the field and it needs no ^FH.
            return format!(
                "^FO{x},{y}^BXN,{MATRIX_DOTS_PER_MODULE},200,0,0,6,_,1^FD_1{}^FS\n^FO{x},{}^A0N,30,30^FD{}^FS\n",
                symbol.data(),
                y + height + 20,
                symbol.human()
            );
        }
    };
    format!("^FO{x},{y}^BY2,3,{height}^BCN,{height},Y,N,N,{mode}^FH_^FD{}^FS\n", escape(&symbol.human()))
}

/// The item label: name, barcode, SKU, and lot and expiry as text; `^PQ` prints the copies.
pub fn zpl_item(label: &ItemLabel) -> String {
    let symbol = item_symbol(label);
    let mut out = String::from(HEADER);
    out.push_str(&text(40, 40, 40, &printed_name(&label.name)));
    out.push_str(&barcode(40, 160, 200, &symbol));
    out.push_str(&text(40, 460, 30, &format!("SKU {}", label.sku)));
    let mut y = 510;
    if let Some(lot) = &label.lot {
        out.push_str(&text(40, y, 30, &format!("LOT {lot}")));
        y += 50;
    }
    if let Some(expiry) = label.expiry {
        out.push_str(&text(40, y, 30, &format!("EXP {}", expiry.format("%Y-%m-%d"))));
    }
    out.push_str(&format!("^PQ{}\n^XZ\n", label.copies));
    out
}

/// The location label: `LOC:<code>` as Code 128 and the code in big letters.
pub fn zpl_location(code: &str) -> Result<String, LabelError> {
    let symbol = location_symbol(code)?;
    let mut out = String::from(HEADER);
    out.push_str(&barcode(40, 60, 300, &symbol));
    out.push_str(&text(40, 460, 120, code));
    out.push_str("^PQ1\n^XZ\n");
    Ok(out)
}

/// The command sheet as a run of 4x6 labels, four commands each, in the given order.
pub fn zpl_commands(entries: &[CommandEntry]) -> String {
    let mut out = String::new();
    for chunk in entries.chunks(COMMANDS_PER_LABEL) {
        out.push_str(HEADER);
        for (slot, entry) in (0u32..).zip(chunk) {
            let y = 40 + slot * 290;
            out.push_str(&barcode(40, y, 150, &entry.symbol));
            out.push_str(&text(40, y + 200, 40, &entry.caption));
        }
        out.push_str("^PQ1\n^XZ\n");
    }
    out
}
