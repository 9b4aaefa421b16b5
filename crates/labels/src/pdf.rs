//! PDF labels with `printpdf`: each symbol is a greyscale raster made from `rxing`'s Code 128
//! or DataMatrix modules and embedded losslessly (no JPEG: a blurred bar edge is a misread), placed at a
//! resolution that fits it on the page. Item and location labels are 4x6 inch pages; the
//! command sheet is A4, twelve barcodes a page.

use printpdf::{
    BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage,
    RawImageData, RawImageFormat, TextItem, XObjectTransform,
};

use crate::zpl::printed_name;
use crate::{CommandEntry, ItemLabel, LabelError, Modules, Symbol, item_symbol, location_symbol};

/// Pixels per module: enough for a decoder to find every edge after scaling.
const PX_PER_MODULE: usize = 3;
/// Quiet zone each side, in modules (Code 128 asks for at least 10).
const QUIET_MODULES: usize = 10;
/// Pixels per DataMatrix module: 0.51 mm at 300 dpi, inside GS1's 0.255-0.615 mm range for
/// DataMatrix on items.
const MATRIX_PX_PER_MODULE: usize = 6;
/// A DataMatrix's quiet zone each side, in modules (ISO/IEC 16022 asks for at least 1).
const MATRIX_QUIET_MODULES: usize = 2;
/// Bar height in pixels: 20 mm at 300 dpi.
const BAR_HEIGHT_PX: usize = 240;
/// Never print modules finer than 300 dpi x 3 px (0.254 mm).
const MIN_DPI: f32 = 300.0;
const LABEL_W: Mm = Mm(101.6);
const LABEL_H: Mm = Mm(152.4);
const A4_W: Mm = Mm(210.0);
const A4_H: Mm = Mm(297.0);
const SHEET_COLUMNS: usize = 2;
const SHEET_ROWS: usize = 6;

/// A symbol as 8-bit grey pixels, row by row (0 = bar, 255 = space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

pub fn raster(symbol: &Symbol) -> Result<Raster, LabelError> {
    if symbol.is_matrix() {
        return Ok(matrix_raster(&symbol.matrix()?));
    }
    let modules = symbol.modules()?;
    let mut row = vec![255u8; QUIET_MODULES * PX_PER_MODULE];
    for bar in modules {
        row.extend(std::iter::repeat_n(if bar { 0 } else { 255 }, PX_PER_MODULE));
    }
    row.extend(std::iter::repeat_n(255u8, QUIET_MODULES * PX_PER_MODULE));
    let width = row.len();
    Ok(Raster { width, height: BAR_HEIGHT_PX, pixels: row.repeat(BAR_HEIGHT_PX) })
}

/// A DataMatrix as square pixels, `MATRIX_PX_PER_MODULE` a module, with its quiet zone.
fn matrix_raster(modules: &Modules) -> Raster {
    let px = MATRIX_PX_PER_MODULE;
    let quiet = MATRIX_QUIET_MODULES * px;
    let width = modules.width * px + 2 * quiet;
    let height = modules.height * px + 2 * quiet;
    let mut pixels = vec![255u8; width * height];
    for (y, row) in modules.dark.chunks(modules.width).enumerate() {
        for (x, _) in row.iter().enumerate().filter(|(_, dark)| **dark) {
            for dy in 0..px {
                let start = (quiet + y * px + dy) * width + quiet + x * px;
                pixels[start..start + px].fill(0);
            }
        }
    }
    Raster { width, height, pixels }
}

fn mm_to_pt(mm: f32) -> Pt {
    Mm(mm).into_pt()
}

fn text(ops: &mut Vec<Op>, x_mm: f32, y_mm: f32, size: f32, value: &str) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont { font: PdfFontHandle::Builtin(BuiltinFont::Helvetica), size: Pt(size) });
    ops.push(Op::SetTextCursor { pos: Point { x: mm_to_pt(x_mm), y: mm_to_pt(y_mm) } });
    ops.push(Op::ShowText { items: vec![TextItem::Text(value.to_owned())] });
    ops.push(Op::EndTextSection);
}

/// Places the symbol's image with its lower left corner at (x, y), at most `max_w_mm` wide,
/// then its human-readable line under it.
fn symbol_at(
    doc: &mut PdfDocument,
    ops: &mut Vec<Op>,
    symbol: &Symbol,
    x_mm: f32,
    y_mm: f32,
    max_w_mm: f32,
) -> Result<(), LabelError> {
    let r = raster(symbol)?;
    let dpi = MIN_DPI.max(r.width as f32 * 25.4 / max_w_mm);
    let image = RawImage {
        pixels: RawImageData::U8(r.pixels),
        width: r.width,
        height: r.height,
        data_format: RawImageFormat::R8,
        tag: Vec::new(),
    };
    let id = doc.add_image(&image);
    ops.push(Op::UseXobject {
        id,
        transform: XObjectTransform {
            translate_x: Some(mm_to_pt(x_mm)),
            translate_y: Some(mm_to_pt(y_mm)),
            dpi: Some(dpi),
            ..Default::default()
        },
    });
    text(ops, x_mm + 3.0, y_mm - 5.0, 10.0, &symbol.human());
    Ok(())
}

fn save(doc: &mut PdfDocument, pages: Vec<PdfPage>) -> Vec<u8> {
    let opts = PdfSaveOptions { image_optimization: None, ..Default::default() };
    doc.with_pages(pages).save(&opts, &mut Vec::new())
}

/// One 4x6 page per copy: name (two lines at most), barcode, SKU, lot and expiry.
pub fn pdf_item(label: &ItemLabel) -> Result<Vec<u8>, LabelError> {
    let mut doc = PdfDocument::new(&format!("Label {}", label.sku));
    let mut ops = Vec::new();
    let name: Vec<char> = printed_name(&label.name).chars().collect();
    for (line, chunk) in (0u8..).zip(name.chunks(30)) {
        text(&mut ops, 6.0, 140.0 - f32::from(line) * 7.0, 14.0, &chunk.iter().collect::<String>());
    }
    symbol_at(&mut doc, &mut ops, &item_symbol(label), 4.0, 95.0, 93.0)?;
    text(&mut ops, 6.0, 78.0, 12.0, &format!("SKU {}", label.sku));
    if let Some(lot) = &label.lot {
        text(&mut ops, 6.0, 70.0, 12.0, &format!("LOT {lot}"));
    }
    if let Some(expiry) = label.expiry {
        text(&mut ops, 6.0, 62.0, 12.0, &format!("EXP {}", expiry.format("%Y-%m-%d")));
    }
    let pages = (0..label.copies).map(|_| PdfPage::new(LABEL_W, LABEL_H, ops.clone())).collect();
    Ok(save(&mut doc, pages))
}

/// One 4x6 page: `LOC:<code>` and the code in big letters.
pub fn pdf_location(code: &str) -> Result<Vec<u8>, LabelError> {
    let symbol = location_symbol(code)?;
    let mut doc = PdfDocument::new(&format!("Location {code}"));
    let mut ops = Vec::new();
    symbol_at(&mut doc, &mut ops, &symbol, 4.0, 110.0, 93.0)?;
    text(&mut ops, 6.0, 80.0, 40.0, code);
    Ok(save(&mut doc, vec![PdfPage::new(LABEL_W, LABEL_H, ops)]))
}

/// The command sheet on A4: two columns of six barcodes with captions, page after page.
pub fn pdf_commands(entries: &[CommandEntry]) -> Result<Vec<u8>, LabelError> {
    let mut doc = PdfDocument::new("ShelfSync command sheet");
    let mut pages = Vec::new();
    let (cell_w, cell_h) = (A4_W.0 / SHEET_COLUMNS as f32, (A4_H.0 - 20.0) / SHEET_ROWS as f32);
    for chunk in entries.chunks(SHEET_COLUMNS * SHEET_ROWS) {
        let mut ops = Vec::new();
        for (i, entry) in chunk.iter().enumerate() {
            let (col, row) = ((i % SHEET_COLUMNS) as f32, (i / SHEET_COLUMNS) as f32);
            let x = 5.0 + col * cell_w;
            let top = A4_H.0 - 10.0 - row * cell_h;
            text(&mut ops, x + 3.0, top - 8.0, 14.0, &entry.caption);
            symbol_at(&mut doc, &mut ops, &entry.symbol, x, top - 34.0, cell_w - 10.0)?;
        }
        pages.push(PdfPage::new(A4_W, A4_H, ops));
    }
    Ok(save(&mut doc, pages))
}
