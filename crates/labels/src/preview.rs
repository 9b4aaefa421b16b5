//! What a screen shows before printing: the label's barcode as a PNG made from the same raster
//! the PDF embeds (so the preview is the printed symbol, not a look-alike), and its text lines.

use crate::pdf::raster;
use crate::zpl::printed_name;
use crate::{ItemLabel, LabelError, Symbol, item_symbol, location_symbol};

/// Rows of the preview image: a strip of the 240-pixel bars is enough to see and to decode,
/// and keeps the PNG (sent over IPC as base64) a few kilobytes.
const PREVIEW_HEIGHT_PX: usize = 80;

/// A label as a screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The barcode, greyscale PNG, quiet zones included.
    pub png: Vec<u8>,
    /// The text under the bars: `(01)09501234567894(10)L-7`, `LOC:A-01`.
    pub human: String,
    /// The printed lines beside the symbol, top to bottom.
    pub lines: Vec<String>,
}

/// The symbol's bars as a PNG strip.
pub fn symbol_png(symbol: &Symbol) -> Result<Vec<u8>, LabelError> {
    let bars = raster(symbol)?;
    // A strip of a linear symbol's bars; a DataMatrix whole (a strip of it reads as nothing).
    let height = if symbol.is_matrix() { bars.height } else { bars.height.min(PREVIEW_HEIGHT_PX) };
    let pixels = &bars.pixels[..bars.width * height];
    let encode_error = |e: png::EncodingError| LabelError::Encode {
        text: symbol.human(),
        symbology: symbol.symbology_name(),
        reason: format!("PNG: {e}"),
    };
    let mut out = Vec::new();
    {
        let width = u32::try_from(bars.width).expect("a label fits MAX_MODULES, far below u32");
        let mut encoder = png::Encoder::new(&mut out, width, height as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(encode_error)?;
        writer.write_image_data(pixels).map_err(encode_error)?;
        writer.finish().map_err(encode_error)?;
    }
    Ok(out)
}

/// An item label's preview: its name, SKU, lot and expiry as [`crate::pdf_item`] prints them.
pub fn preview_item(label: &ItemLabel) -> Result<Preview, LabelError> {
    let symbol = item_symbol(label);
    let mut lines = vec![printed_name(&label.name), format!("SKU {}", label.sku)];
    if let Some(lot) = &label.lot {
        lines.push(format!("LOT {lot}"));
    }
    if let Some(expiry) = label.expiry {
        lines.push(format!("EXP {}", expiry.format("%Y-%m-%d")));
    }
    Ok(Preview { png: symbol_png(&symbol)?, human: symbol.human(), lines })
}

/// A location label's preview: `LOC:<code>` and the code.
pub fn preview_location(code: &str) -> Result<Preview, LabelError> {
    let symbol = location_symbol(code)?;
    Ok(Preview { png: symbol_png(&symbol)?, human: symbol.human(), lines: vec![code.to_owned()] })
}
