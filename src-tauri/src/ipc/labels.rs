//! Labels (issue 21): what the item, location and settings screens ask to preview, print, save
//! or send to a Zebra printer.

wire! {
    /// Which label: an item's (`code` is its SKU or any barcode), a location's (`code` is the
    /// location), or the station's command sheet (every location; `code` is ignored).
    pub enum LabelKind {
        Item,
        Location,
        Commands,
    }

    /// A label to make. `lot`, `expiry` (YYYY-MM-DD) and `copies` apply to item labels.
    pub struct LabelRequest {
        pub kind: LabelKind,
        pub code: String,
        pub lot: Option<String>,
        pub expiry: Option<String>,
        pub copies: u32,
    }

    /// PDF for any printer (saved, or printed from the preview), ZPL for a Zebra printer.
    pub enum LabelFormat {
        Pdf,
        Zpl,
    }

    /// What the screen shows before printing: the barcode (a PNG of the very raster the PDF
    /// embeds, base64) with its human-readable line, and the label's text lines. The command
    /// sheet has no single barcode: `pngBase64` is empty and `barcodes` counts its entries.
    pub struct LabelPreviewView {
        pub png_base64: String,
        pub human: String,
        pub lines: Vec<String>,
        pub barcodes: u32,
    }

    /// Where a label went: a file in the `labels` folder next to the database, or a printer.
    pub struct LabelDelivered {
        pub to: String,
        pub bytes: u32,
    }
}
